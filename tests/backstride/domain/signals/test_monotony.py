"""Monotony, strain, rest days and run streaks: known values and every boundary."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backstride.domain.load import build_history
from backstride.domain.signal import Level
from backstride.domain.signals.monotony import MONOTONY_CAP, monotony, strain, streaks


def test_monotony_known_values() -> None:
    loads = np.array([60.0, 0, 60, 0, 60, 0, 60])
    # mean 240/7, population SD sqrt(mean(x^2) - mean^2)
    mean = 240 / 7
    sd = np.sqrt(4 * 3600 / 7 - mean**2)
    assert monotony(loads) == pytest.approx(mean / sd)
    assert strain(loads) == pytest.approx(240 * mean / sd)
    assert monotony(np.zeros(7)) is None and strain(np.zeros(7)) == 0.0
    assert monotony(np.full(7, 30.0)) == MONOTONY_CAP


def _week(timeline, minutes: list[float]) -> None:
    """Loads (duration minutes) for the 7 days ending as_of; zeros are rest days."""
    for d, m in enumerate(reversed(minutes)):
        if m:
            timeline.add(d, 5.0, minutes=m)


def test_monotony_boundary_via_threshold(timeline) -> None:
    _week(timeline, [30, 40, 30, 40, 30, 40, 0])
    expected = monotony(np.array([30.0, 40, 30, 40, 30, 40, 0]))
    assert expected is not None and expected > 2.0
    sig = timeline.one("monotony")
    assert sig.value == pytest.approx(expected) and sig.level is Level.WATCH
    assert timeline.one("monotony", {"monotony.watch": expected}).level is Level.OK
    assert timeline.one("monotony", {"monotony.watch": expected - 1e-9}).level is Level.WATCH
    assert sig.source_key == "foster1998" and "convention" in sig.explanation


def test_varied_week_is_ok_and_identical_days_are_capped(timeline) -> None:
    _week(timeline, [60, 0, 20, 0, 90, 0, 30])
    assert timeline.one("monotony").level is Level.OK
    timeline.sessions.clear()
    _week(timeline, [30] * 7)
    sig = timeline.one("monotony")
    assert sig.value == MONOTONY_CAP and sig.level is Level.WATCH


def test_no_training_has_no_monotony(timeline) -> None:
    timeline.add(20, 5.0)
    sig = timeline.one("monotony")
    assert sig.value is None and sig.level is Level.OK


@settings(max_examples=80, deadline=None)
@given(arrays(np.float64, 7, elements=st.floats(0, 300)), st.integers(0, 6))
def test_a_rest_day_never_raises_the_weekly_load(loads, rest) -> None:
    rested = loads.copy()
    rested[rest] = 0.0
    assert rested.sum() <= loads.sum()
    assert strain(loads) >= 0 and strain(rested) >= 0


def _strain_weeks(timeline, weeks: int, minutes_now: float) -> None:
    """``weeks`` earlier 7-day blocks with runs on 3 days each (30, 60, 30 min), then this one."""
    for k in range(1, weeks + 1):
        for d, m in ((1, 30.0), (3, 60.0), (5, 30.0)):
            timeline.add(7 * k + d, 5.0, minutes=m)
    for d, m in ((1, 30.0), (3, minutes_now), (5, 30.0)):
        timeline.add(d, 5.0, minutes=m)


def test_strain_against_own_peak_boundaries(timeline) -> None:
    _strain_weeks(timeline, 6, 60.0)         # identical to every earlier week: at the peak
    sig = timeline.one("strain")
    assert sig.level is Level.OK and sig.value == pytest.approx(sig.threshold)
    timeline.sessions.clear()
    _strain_weeks(timeline, 6, 61.0)         # just above
    assert timeline.one("strain").level is Level.WATCH
    timeline.sessions.clear()
    _strain_weeks(timeline, 6, 59.0)         # just below
    assert timeline.one("strain").level is Level.OK


def test_strain_needs_four_earlier_weeks(timeline) -> None:
    _strain_weeks(timeline, 3, 200.0)
    sig = timeline.one("strain")
    assert sig.value is None and sig.level is Level.OK


@pytest.mark.parametrize(
    ("runs", "rest", "level"), [(7, 0, Level.WATCH), (6, 1, Level.OK), (3, 4, Level.OK)]
)
def test_rest_days_boundaries(timeline, runs, rest, level) -> None:
    timeline.add(30, 5.0)
    for d in range(runs):
        timeline.add(d, 5.0)
    sig = timeline.one("rest_days")
    assert sig.value == rest and sig.level is level and sig.threshold == 1.0


def test_rest_days_threshold_override_and_cross_training_counts_as_rest(timeline) -> None:
    from backstride.domain.activity import Sport

    timeline.add(30, 5.0)
    for d in range(6):
        timeline.add(d, 5.0)
    timeline.add(6, 20.0, sport=Sport.CYCLING)
    sig = timeline.one("rest_days")
    assert sig.value == 1 and sig.level is Level.OK
    assert timeline.one("rest_days", {"rest.min_days_per_week": 2}).level is Level.WATCH


@pytest.mark.parametrize(("length", "level"), [(6, Level.OK), (7, Level.WATCH), (8, Level.WATCH)])
def test_streak_boundaries(timeline, length, level) -> None:
    for d in range(3, 3 + length):
        timeline.add(d, 5.0)
    timeline.add(0, 5.0)
    sig = timeline.one("run_streak")
    assert sig.value == length and sig.level is level
    assert sig.on == timeline.as_of.fromordinal(timeline.as_of.toordinal() - 3)


def test_streak_counts_days_before_the_window() -> None:
    assert streaks(np.array([1, 1, 0, 1, 1, 1, 2, 0])).tolist() == [1, 2, 0, 1, 2, 3, 4, 0]


def test_streak_without_runs(timeline) -> None:
    timeline.add(60, 5.0)
    assert timeline.one("run_streak").value is None


def test_removing_a_days_sessions_never_raises_any_weekly_load(timeline) -> None:
    rng = np.random.default_rng(3)
    for d in range(60):
        if rng.random() < 0.7:
            timeline.add(d, 5.0, minutes=float(rng.integers(10, 120)))
    full = build_history(timeline.sessions, timeline.as_of).daily.load
    for rest_day in rng.choice(60, 10, replace=False):
        kept = [s for s in timeline.sessions
                if (timeline.as_of - s.local_date).days != rest_day]
        rested = build_history(kept, timeline.as_of).daily.load
        rested = np.concatenate((np.zeros(len(full) - len(rested)), rested))
        weekly = np.convolve(full, np.ones(7), "valid")
        assert np.all(np.convolve(rested, np.ones(7), "valid") <= weekly + 1e-9)


@pytest.mark.parametrize(("peak_day", "counted"), [(90, True), (91, False)])
def test_strain_lookback_edge(timeline, peak_day, counted) -> None:
    _strain_weeks(timeline, 11, 60.0)       # 11 earlier weeks like this one (days 7..83)
    timeline.add(peak_day, 5.0, minutes=600.0)       # one huge day: a higher strain back then
    sig = timeline.one("strain")
    assert (sig.threshold > sig.value) is counted     # the old peak raises the bar only inside


@pytest.mark.parametrize(("end_day", "counted"), [(27, True), (28, False)])
def test_streak_window_edge(timeline, end_day, counted) -> None:
    for d in range(end_day, end_day + 8):
        timeline.add(d, 5.0)
    timeline.add(0, 5.0)
    sig = timeline.one("run_streak")
    assert (sig.value == 8) is counted and (sig.level is Level.WATCH) is counted
