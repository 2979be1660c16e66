"""Terrain: one rule (10 m distance grid + the elevation kernel) for every format."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backstride.domain.activity import Streams
from backstride.domain.terrain import TerrainMetrics, terrain_metrics

SPEED = 3.0          # m/s
M_PER_DEG = 6_371_000.0 * np.pi / 180.0


def _profile(d: np.ndarray) -> np.ndarray:
    """Flat 1 km, +6 % for 1 km, -6 % for 1 km, flat 1 km."""
    return 100.0 + 0.06 * np.clip(d - 1000, 0, 1000) - 0.06 * np.clip(d - 2000, 0, 1000)


def _streams(step_s: float = 1.0, *, positions: bool = False, stop_s: float = 0.0) -> Streams:
    t = np.arange(0.0, 4000.0 / SPEED + stop_s + step_s, step_s)
    moving_t = np.where(t < 500 / SPEED, t, np.maximum(t - stop_s, 500 / SPEED))
    d = np.minimum(SPEED * moving_t, 4000.0)
    ch = {"time_s": t, "altitude_m": _profile(d)}
    if positions:
        ch |= {"latitude_deg": d / M_PER_DEG, "longitude_deg": np.zeros_like(d)}
    else:
        ch["distance_m"] = d
    return Streams(ch)


def test_known_track() -> None:
    m = terrain_metrics(_streams())
    assert m is not None
    assert m.distance_m == pytest.approx(4000, abs=10)
    assert m.ascent_m == pytest.approx(60, abs=0.5) and m.descent_m == pytest.approx(60, abs=0.5)
    assert m.climb_m_per_km == pytest.approx(15, abs=0.2)
    assert m.moving_s == pytest.approx(4000 / SPEED, abs=5)
    # 1 km at 6 % is 333 s; the 50 m window blurs a few cells at each change of grade
    assert m.uphill_s(5) == pytest.approx(1000 / SPEED, abs=15)
    assert m.downhill_s(5) == pytest.approx(1000 / SPEED, abs=15)
    assert m.uphill_s(7) == 0 and m.downhill_s(7) == 0
    assert m.steepest_up_pct == pytest.approx(6, abs=0.05)
    assert m.steepest_down_pct == pytest.approx(-6, abs=0.05)


def test_same_result_whatever_the_sampling_or_distance_source() -> None:
    fine = terrain_metrics(_streams(1.0))
    sparse = terrain_metrics(_streams(5.0))
    gps = terrain_metrics(_streams(1.0, positions=True))
    assert fine and sparse and gps
    for other in (sparse, gps):
        assert other.ascent_m == pytest.approx(fine.ascent_m, abs=0.5)
        assert other.uphill_s(5) == pytest.approx(fine.uphill_s(5), abs=5)
        assert other.downhill_s(5) == pytest.approx(fine.downhill_s(5), abs=5)


def test_stops_count_no_time() -> None:
    m = terrain_metrics(_streams(stop_s=300.0))
    assert m is not None and m.moving_s == pytest.approx(4000 / SPEED, abs=5)


def test_too_short_or_without_altitude_gives_none() -> None:
    t = np.arange(0.0, 60.0)
    assert terrain_metrics(Streams({"time_s": t, "distance_m": 3 * t, "altitude_m": t})) is None
    assert terrain_metrics(Streams({"time_s": t, "distance_m": 10 * t})) is None
    assert terrain_metrics(Streams({"time_s": t, "altitude_m": t})) is None


def test_grade_bins_and_thresholds() -> None:
    hist = [0.0] * 60
    hist[35], hist[36], hist[24], hist[25], hist[0], hist[59] = 10, 20, 30, 40, 50, 60
    m = TerrainMetrics(1000.0, 0.0, 0.0, 210.0, tuple(hist))
    assert m.uphill_s(5) == 90          # bins [5,6), [6,7) and the >= 29 % end bin
    assert m.uphill_s(5.5) == 80        # 1 % resolution: from 6 %
    assert m.downhill_s(5) == 80        # [-6,-5) and the end bin; [-5,-4) is not steeper
    assert m.downhill_s(30) == 0 and m.uphill_s(-100) == 210


def test_round_trip_through_json() -> None:
    m = terrain_metrics(_streams())
    assert m is not None
    assert TerrainMetrics.from_dict(json.loads(json.dumps(m.as_dict()))) == m


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(30, 200), elements=st.floats(-5, 5)),
       st.floats(1.5, 6.0))
def test_time_per_grade_adds_up_and_climbing_is_consistent(steps, speed) -> None:
    t = np.arange(len(steps), dtype=float) * 5.0
    d = speed * t
    alt = 50 + np.cumsum(steps)
    m = terrain_metrics(Streams({"time_s": t, "distance_m": d, "altitude_m": alt}))
    if m is None:
        assert d[-1] < 200
        return
    assert sum(m.grade_time_s) == pytest.approx(m.moving_s)
    assert m.ascent_m >= 0 and m.descent_m >= 0
    assert 0 <= m.uphill_s(5) <= m.moving_s + 1e-6 and 0 <= m.downhill_s(5) <= m.moving_s + 1e-6
    assert (m.steepest_up_pct or 0) >= 0 >= (m.steepest_down_pct or 0)
