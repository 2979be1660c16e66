"""The one elevation-smoothing rule (gpxpy's 0.3/0.4/0.3 kernel)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backstride.domain.elevation import ascent_descent, smooth_altitude


def _gpxpy_reference(elevations: list[float]) -> tuple[float, float]:
    """Plain-Python transcription of gpxpy.geo.calculate_uphill_downhill."""
    size = len(elevations)

    def filt(n: int) -> float:
        if 0 < n < size - 1:
            return elevations[n - 1] * 0.3 + elevations[n] * 0.4 + elevations[n + 1] * 0.3
        return elevations[n]

    sm = [filt(n) for n in range(size)]
    up = sum(max(b - a, 0.0) for a, b in pairwise(sm))
    down = sum(max(a - b, 0.0) for a, b in pairwise(sm))
    return up, down


def test_known_values() -> None:
    alt = np.array([100.0, 110.0, 100.0, 120.0])
    # smoothed: 100, 0.3*100+0.4*110+0.3*100=104, 0.3*110+0.4*100+0.3*120=109, 120
    assert np.allclose(smooth_altitude(alt), [100, 104, 109, 120])
    assert ascent_descent(alt) == (20.0, 0.0)


def test_nan_samples_are_dropped() -> None:
    alt = np.array([np.nan, 100.0, np.nan, 101.0])
    assert ascent_descent(alt) == (1.0, 0.0)
    assert ascent_descent(np.array([np.nan, 5.0])) is None


finite = st.floats(-500, 9000, allow_nan=False)


@given(arrays(np.float64, st.integers(2, 60), elements=finite))
def test_matches_gpxpy_rule(alt: np.ndarray) -> None:
    up, down = ascent_descent(alt) or (0.0, 0.0)
    ref_up, ref_down = _gpxpy_reference(list(alt))
    assert np.isclose(up, ref_up, atol=1e-6) and np.isclose(down, ref_down, atol=1e-6)


@given(arrays(np.float64, st.integers(2, 60), elements=finite))
def test_ascent_minus_descent_is_net_change(alt: np.ndarray) -> None:
    up, down = ascent_descent(alt) or (0.0, 0.0)
    sm = smooth_altitude(alt)
    assert up >= 0 and down >= 0
    assert np.isclose(up - down, sm[-1] - sm[0], atol=1e-6)
