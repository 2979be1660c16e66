"""Single-run spike: every level boundary, windows, history, and the monotonicity invariant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backstride.domain.activity import Sport
from backstride.domain.signal import Level
from backstride.domain.signals.spike import run_spikes, spike_ratios
from backstride.domain.thresholds import Thresholds
from backstride.domain.training import Session


@pytest.mark.parametrize(
    ("km", "level", "threshold_name", "strong"),
    [
        (10.999, Level.OK, "spike.watch_ratio", False),
        (11.0, Level.OK, "spike.watch_ratio", False),      # exactly 110%: ok
        (11.001, Level.WATCH, "spike.watch_ratio", False),
        (13.0, Level.WATCH, "spike.watch_ratio", False),   # exactly 130%: watch
        (13.001, Level.WARN, "spike.warn_ratio", False),
        (20.0, Level.WARN, "spike.warn_ratio", False),     # exactly 200%: warn, not strong
        (20.001, Level.WARN, "spike.strong_ratio", True),
    ],
)
def test_level_boundaries(timeline, km, level, threshold_name, strong) -> None:
    timeline.add(20, 10.0)
    run = timeline.add(1, km)
    sig = timeline.one("single_run_spike")
    assert sig.level is level
    assert sig.value == pytest.approx(km / 10.0)
    assert sig.threshold_name == threshold_name
    assert sig.threshold == Thresholds()[threshold_name]
    assert sig.activity_id == run.id and sig.on == run.local_date
    assert ("Strong warning" in sig.explanation) is strong
    assert sig.unit == "ratio" and sig.source_key == "nielsen2025"


def test_window_is_thirty_days_before_the_run(timeline) -> None:
    timeline.add(32, 30.0)   # 31 days before the run: outside
    timeline.add(25, 10.0)
    timeline.add(1, 12.0)
    assert timeline.one("single_run_spike").value == pytest.approx(1.2)
    timeline.add(30, 12.0)   # exactly 29 days before the run: inside
    assert timeline.one("single_run_spike").value == pytest.approx(1.0)


def test_worst_recent_run_decides_and_older_ones_are_history(timeline) -> None:
    timeline.add(60, 10.0)
    old = timeline.add(40, 25.0)           # 250%, 40 days ago: history (outside 14 days)
    timeline.add(10, 12.0)                 # 48% of 25 km
    sig = timeline.one("single_run_spike")
    assert sig.level is Level.OK
    hist = timeline.one("single_run_spike_history")
    assert hist.level is Level.WATCH       # history never above watch
    assert hist.activity_id == old.id and hist.value == pytest.approx(2.5)
    assert "Strong warning" not in hist.explanation and "40 days ago" in hist.explanation


def test_history_is_absent_without_a_flagged_past_run(timeline) -> None:
    timeline.add(40, 10.0)
    timeline.add(30, 10.0)
    timeline.add(2, 10.0)
    assert timeline.all("single_run_spike_history") == []


def test_no_runs_or_no_previous_run_is_ok_with_an_explanation(timeline) -> None:
    sig = timeline.one("single_run_spike")
    assert sig.level is Level.OK and sig.value is None and "No runs" in sig.explanation
    timeline.add(3, 10.0)
    sig = timeline.one("single_run_spike")
    assert sig.level is Level.OK and sig.value is None and "break" in sig.explanation


def test_advice_after_a_spike_builds_on_the_run_before_it(timeline) -> None:
    timeline.add(20, 10.0)
    timeline.add(2, 25.0)
    sig = timeline.one("single_run_spike")
    assert "11.0 km" in sig.advice and "10.0 km" in sig.advice   # 110% of 10 km, not of 25 km


def test_cross_training_does_not_count_as_a_previous_run(timeline) -> None:
    timeline.add(20, 50.0, sport=Sport.CYCLING)
    timeline.add(10, 10.0)
    timeline.add(1, 14.0)
    assert timeline.one("single_run_spike").level is Level.WARN


def test_spike_ratios_same_day_and_missing_distance() -> None:
    t = np.array([0.0, 3600.0, 7200.0, 7200.0])
    d = np.array([5000.0, 6000.0, 0.0, 7000.0])
    r = spike_ratios(t, d, 30)
    assert np.isnan(r[0]) and r[1] == pytest.approx(1.2) and np.isnan(r[2])
    assert r[3] == pytest.approx(7000 / 6000)


runs_st = st.lists(
    st.tuples(st.integers(0, 120), st.floats(0.5, 40.0)), min_size=1, max_size=25
)


def _runs(spec: list[tuple[int, float]]) -> list[Session]:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    out = [Session(id=i, sport=Sport.RUNNING, start_utc=t0 + timedelta(days=d, seconds=i),
                   elapsed_s=1800.0, distance_m=km * 1000)
           for i, (d, km) in enumerate(spec)]
    return sorted(out, key=lambda s: s.start_utc)


@settings(max_examples=60, deadline=None)
@given(runs_st, st.integers(0, 60), st.floats(1.0, 3.0))
def test_a_later_longer_run_never_removes_an_earlier_spike(spec, later, factor) -> None:
    th = Thresholds()
    runs = _runs(spec)
    before = {x.session.id: x for x in run_spikes(runs, th)}
    last = max(s.start_utc for s in runs)
    longest = max(s.distance_or_zero_m for s in runs)
    extra = Session(id=10_000, sport=Sport.RUNNING,
                    start_utc=last + timedelta(days=later, seconds=1),
                    elapsed_s=3600.0, distance_m=longest * factor)
    after = {x.session.id: x for x in run_spikes([*runs, extra], th)}
    for key, x in before.items():
        assert after[key].ratio == x.ratio and after[key].level is x.level


@pytest.mark.parametrize(("days_before", "recent"), [(13, True), (14, False)])
def test_recent_window_edge(timeline, days_before, recent) -> None:
    timeline.add(days_before + 10, 10.0)
    timeline.add(days_before, 15.0)               # 150%: warn when recent
    sig = timeline.one("single_run_spike")
    assert (sig.level is Level.WARN) is recent
    assert len(timeline.all("single_run_spike_history")) == (0 if recent else 1)


@pytest.mark.parametrize(("days_before", "shown"), [(55, True), (56, False)])
def test_history_window_edge(timeline, days_before, shown) -> None:
    timeline.add(days_before + 10, 10.0)
    timeline.add(days_before, 15.0)
    assert len(timeline.all("single_run_spike_history")) == (1 if shown else 0)
