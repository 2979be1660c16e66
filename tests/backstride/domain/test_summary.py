"""Summaries from streams: distances, moving time, averages."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from backstride.domain.activity import Sport, Streams
from backstride.domain.summary import (
    cumulative_distance_m,
    haversine_m,
    moving_time_s,
    nonzero_mean,
    summarize,
)


def test_haversine_one_degree_of_latitude() -> None:
    d = haversine_m(np.array([0.0]), np.array([0.0]), np.array([1.0]), np.array([0.0]))
    assert np.isclose(d[0], 111_194.9, atol=0.5)  # 6371 km * pi / 180


def test_cumulative_distance_skips_nan_and_segment_breaks() -> None:
    lat = np.array([0.0, 0.001, np.nan, 0.002, 0.003])
    lon = np.zeros(5)
    d = cumulative_distance_m(lat, lon)
    step = haversine_m(np.array([0.0]), np.array([0.0]), np.array([0.001]), np.array([0.0]))[0]
    assert np.allclose(d, [0, step, step, 2 * step, 3 * step])
    breaks = np.array([False, False, False, False, True])
    assert np.isclose(cumulative_distance_m(lat, lon, breaks)[-1], 2 * step)


def test_moving_time_excludes_stops() -> None:
    t = np.array([0.0, 10, 20, 80, 90])
    d = np.array([0.0, 30, 60, 61, 91])  # 3 m/s, 3 m/s, stop, 3 m/s
    assert moving_time_s(t, d) == 30.0


def test_summarize_running() -> None:
    s = Streams({
        "time_s": [0, 1, 2, 3],
        "distance_m": [0, 3, 6, 9],
        "altitude_m": [10, 10, 10, 10],
        "heart_rate_bpm": [0, 140, 150, np.nan],
        "cadence_spm": [170, 172, 0, 174],
    })
    summ = summarize(s, Sport.RUNNING)
    assert summ.elapsed_s == 3 and summ.distance_m == 9 and summ.moving_s == 3
    assert summ.avg_hr_bpm == 145 and summ.avg_cadence_spm == 172
    assert summ.ascent_m == 0 and summ.descent_m == 0
    assert summarize(s, Sport.CYCLING).avg_cadence_spm is None


@given(st.lists(st.floats(0, 300, allow_nan=False), min_size=2, max_size=50))
def test_nonzero_mean_bounds(values: list[float]) -> None:
    m = nonzero_mean(np.array(values))
    positive = [v for v in values if v > 0]
    assert (m is None) == (not positive)
    if m is not None:
        assert min(positive) - 1e-9 <= m <= max(positive) + 1e-9
