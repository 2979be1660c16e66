"""Ascent and descent: the one elevation-smoothing rule used for every format.

The rule
--------
1. Drop samples without an altitude (NaN).
2. Smooth each interior sample with the weights 0.3 / 0.4 / 0.3 over itself and
   its two neighbours (first and last samples are kept as they are).
3. Ascent is the sum of positive steps of the smoothed series, descent the sum
   of negative steps (as a positive number).

This is the rule gpxpy's ``get_uphill_downhill`` applies (tkrajina/gpxpy,
``gpxpy/geo.py: calculate_uphill_downhill``), so GPX values match the peer
parser that the shared reference uses. Files that carry the device's own
totals (FIT sessions) keep those; this rule fills in where they are missing.
Smoothing lowers noisy GPS ascent strongly (for the Strava GPX in the shared set,
1066 m raw becomes 727 m); barometric altitude is barely changed.
"""

from __future__ import annotations

import numpy as np

from backstride.domain.activity import FloatArray

__all__ = ["ascent_descent", "smooth_altitude"]


def smooth_altitude(altitude_m: FloatArray) -> FloatArray:
    """Return the 0.3/0.4/0.3 smoothed altitude of the finite samples [m].

    Parameters
    ----------
    altitude_m
        Altitude per sample [m]; NaN samples are dropped first.
    """
    alt = altitude_m[np.isfinite(altitude_m)]
    if len(alt) < 3:
        return alt.astype(np.float64, copy=True)
    out = alt.astype(np.float64, copy=True)
    out[1:-1] = 0.3 * alt[:-2] + 0.4 * alt[1:-1] + 0.3 * alt[2:]
    return out


def ascent_descent(altitude_m: FloatArray) -> tuple[float, float] | None:
    """Ascent and descent of an altitude series under the documented rule [m].

    Returns
    -------
    tuple of float or None
        ``(ascent_m, descent_m)``, or None when fewer than two finite samples exist.
    """
    smoothed = smooth_altitude(altitude_m)
    if len(smoothed) < 2:
        return None
    steps = np.diff(smoothed)
    return float(steps[steps > 0].sum()), float(-steps[steps < 0].sum())
