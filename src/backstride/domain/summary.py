"""Session summaries and derived channels computed from streams.

Used by every importer where the file itself does not carry a value (GPX and TCX
carry few totals; FIT files without a session message carry none).
"""

from __future__ import annotations

import numpy as np

from backstride.domain.activity import FloatArray, Sport, Streams, Summary
from backstride.domain.elevation import ascent_descent

__all__ = [
    "MOVING_SPEED_M_S",
    "cumulative_distance_m",
    "haversine_m",
    "moving_time_s",
    "nonzero_mean",
    "summarize",
]

#: Earth radius used for great-circle distances [m] (IUGG mean radius, as gpxpy).
EARTH_RADIUS_M = 6_371_000.0

#: An interval counts as moving when its mean speed is at least this [m/s]
#: (1.8 km/h: slower than any walk, faster than GPS drift while standing).
MOVING_SPEED_M_S = 0.5


def haversine_m(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle distance between point pairs [m]; inputs in degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out


def cumulative_distance_m(
    latitude_deg: FloatArray, longitude_deg: FloatArray, breaks: FloatArray | None = None
) -> FloatArray:
    """Cumulative 2-D distance along a track [m], NaN positions contribute nothing.

    Parameters
    ----------
    latitude_deg, longitude_deg
        Positions [deg]; NaN where a sample has no position.
    breaks
        Optional boolean-like array; where true, the step *into* that sample is not
        counted (a new track segment starts there, as gpxpy's ``length_2d``).
    """
    n = len(latitude_deg)
    if n == 0:
        return np.empty(0)
    valid = np.isfinite(latitude_deg) & np.isfinite(longitude_deg)
    idx = np.flatnonzero(valid)
    steps = np.zeros(n)
    if len(idx) > 1:
        d = haversine_m(
            latitude_deg[idx[:-1]], longitude_deg[idx[:-1]],
            latitude_deg[idx[1:]], longitude_deg[idx[1:]],
        )
        if breaks is not None:
            # a break anywhere between two valid points cuts the step
            brk = np.cumsum(np.asarray(breaks, dtype=bool))
            d[brk[idx[1:]] != brk[idx[:-1]]] = 0.0
        steps[idx[1:]] = d
    return np.cumsum(steps)


def moving_time_s(time_s: FloatArray, distance_m: FloatArray) -> float:
    """Seconds spent in intervals whose mean speed is >= :data:`MOVING_SPEED_M_S`."""
    ok = np.isfinite(distance_m)
    t, d = time_s[ok], distance_m[ok]
    if len(t) < 2:
        return 0.0
    dt, dd = np.diff(t), np.diff(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        moving = (dt > 0) & (dd / np.where(dt > 0, dt, 1.0) >= MOVING_SPEED_M_S)
    return float(dt[moving].sum())


def nonzero_mean(values: FloatArray) -> float | None:
    """Mean of the finite, non-zero samples, or None when there are none."""
    v = values[np.isfinite(values) & (values > 0)]
    return float(v.mean()) if len(v) else None


def _span(values: FloatArray) -> float | None:
    """Largest minus first finite value of a cumulative channel, or None."""
    v = values[np.isfinite(values)]
    return max(float(v.max() - v[0]), 0.0) if len(v) else None


def summarize(streams: Streams, sport: Sport) -> Summary:
    """Compute a Summary from streams alone.

    Distance is the span of the cumulative distance channel; ascent follows the
    documented smoothing rule; cadence is reported only for running and walking
    sports (cycling cadence is not steps).
    """
    t = streams["time_s"]
    elapsed = float(t[-1] - t[0]) if len(t) else 0.0
    dist = streams.get("distance_m")
    distance = _span(dist) if dist is not None else None
    moving = moving_time_s(t, dist) if dist is not None else None
    alt = streams.get("altitude_m")
    updown = ascent_descent(alt) if alt is not None else None
    hr = streams.get("heart_rate_bpm")
    cad = streams.get("cadence_spm")
    power = streams.get("power_w")
    steps_sport = sport.is_running or sport in (Sport.WALKING, Sport.HIKING)
    return Summary(
        elapsed_s=max(elapsed, 0.0),
        moving_s=moving,
        distance_m=distance,
        ascent_m=updown[0] if updown else None,
        descent_m=updown[1] if updown else None,
        avg_hr_bpm=nonzero_mean(hr) if hr is not None else None,
        avg_cadence_spm=nonzero_mean(cad) if cad is not None and steps_sport else None,
        avg_power_w=nonzero_mean(power) if power is not None else None,
    )
