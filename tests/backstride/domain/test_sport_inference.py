"""Sport labels and the documented movement-based inference rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backstride.domain.activity import Sport
from backstride.domain.sport_inference import (
    RUN_MAX_M_S,
    RUN_MIN_M_S,
    infer_sport,
    median_moving_speed_m_s,
    sport_from_label,
)


@pytest.mark.parametrize(
    ("label", "sport"),
    [
        ("running", Sport.RUNNING), ("Run", Sport.RUNNING), (" RUN ", Sport.RUNNING),
        ("9", Sport.RUNNING), ("09", Sport.RUNNING), ("1", Sport.CYCLING),
        ("10", Sport.WALKING), ("4", Sport.HIKING), ("16", Sport.SWIMMING),
        ("Trail Run", Sport.TRAIL_RUNNING), ("trail_running", Sport.TRAIL_RUNNING),
        ("trail", Sport.TRAIL_RUNNING), ("Virtual Run", Sport.TREADMILL),
        ("treadmill_running", Sport.TREADMILL), ("Walk", Sport.WALKING),
        ("Hiking", Sport.HIKING), ("Ride", Sport.CYCLING), ("biking", Sport.CYCLING),
        ("Mountain Bike Ride", Sport.CYCLING), ("E-Bike Ride", Sport.CYCLING),
        ("Swim", Sport.SWIMMING),
        ("Other", None), ("jkljkl", None), ("...", None), ("", None), (None, None),
        ("11", None), ("99", None),
    ],
)
def test_labels(label: str | None, sport: Sport | None) -> None:
    assert sport_from_label(label) is sport


def _track(speed_m_s: float, n: int = 120, dt: float = 5.0, climb_m_per_km: float = 0.0,
           cadence: float | None = None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    t = np.arange(n) * dt
    d = t * speed_m_s
    alt = 100.0 + d / 1000.0 * climb_m_per_km  # a steady climb
    cad = np.full(n, cadence) if cadence is not None else None
    return t, d, alt, cad


@pytest.mark.parametrize(
    ("speed", "climb", "cadence", "sport"),
    [
        (3.0, 0.0, None, Sport.RUNNING),
        (3.0, 0.0, 170.0, Sport.RUNNING),
        (2.5, 80.0, None, Sport.TRAIL_RUNNING),
        (1.2, 0.0, None, Sport.WALKING),
        (1.0, 120.0, None, Sport.HIKING),
        (8.0, 5.0, None, Sport.CYCLING),
        (25.0, 0.0, None, Sport.OTHER),  # a car
        (3.0, 0.0, 100.0, Sport.OTHER),  # running speed, skiing cadence
        (1.2, 0.0, 170.0, Sport.OTHER),  # walking speed, running cadence
        (0.2, 0.0, None, Sport.OTHER),  # standing still
    ],
)
def test_rule(speed: float, climb: float, cadence: float | None, sport: Sport) -> None:
    t, d, alt, cad = _track(speed, climb_m_per_km=climb, cadence=cadence)
    assert infer_sport(t, d, alt, cad) is sport


def test_band_edges() -> None:
    t, d, _, _ = _track(RUN_MIN_M_S)
    assert infer_sport(t, d) is Sport.RUNNING
    t, d, _, _ = _track(RUN_MIN_M_S - 0.01)
    assert infer_sport(t, d) is Sport.WALKING
    t, d, _, _ = _track(RUN_MAX_M_S)
    assert infer_sport(t, d) is Sport.CYCLING


def test_too_little_evidence_is_other() -> None:
    t, d, _, _ = _track(3.0, n=5)  # 20 s
    assert infer_sport(t, d) is Sport.OTHER
    assert infer_sport(np.array([0.0]), np.array([0.0])) is Sport.OTHER


def test_exclusions_and_required_cadence() -> None:
    t, d, alt, _ = _track(3.0)
    assert infer_sport(t, d, alt, exclude=(Sport.RUNNING, Sport.CYCLING)) is Sport.OTHER
    t, d, alt, _ = _track(1.2)
    assert infer_sport(t, d, alt, require_cadence=True) is Sport.OTHER
    t, d, alt, cad = _track(1.2, cadence=110.0)
    assert infer_sport(t, d, alt, cad, require_cadence=True) is Sport.WALKING


def test_median_ignores_pauses_and_spikes() -> None:
    t = np.arange(200.0)
    steps = np.full(199, 3.0)
    steps[50:120] = 0.0  # a 70 s stop
    steps[10] = 80.0  # one GPS jump
    d = np.concatenate([[0.0], np.cumsum(steps)])
    assert median_moving_speed_m_s(t, d) == pytest.approx(3.0)
    assert infer_sport(t, d) is Sport.RUNNING


@given(st.lists(st.floats(-1e6, 1e6) | st.just(float("nan")), min_size=0, max_size=50))
def test_never_raises(values: list[float]) -> None:
    arr = np.array(values, dtype=np.float64)
    t = np.sort(np.nan_to_num(arr))
    assert infer_sport(t, arr, arr, arr) in set(Sport)
