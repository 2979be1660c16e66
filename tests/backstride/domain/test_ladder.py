"""Run levels, the walk-run ladder, the single-run cap and the running baseline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backstride.domain.activity import Sport
from backstride.domain.ladder import (
    CONTINUOUS_LEVEL,
    DEFAULT_EASY_PACE_S_PER_KM,
    LADDER,
    RunningBaseline,
    distance_m,
    level_for_weekly_minutes,
    ready_to_progress,
    runs_per_week,
    single_run_cap_m,
    stage,
    top_level,
    weekly_run_minutes,
)
from backstride.domain.training import Session

PACE = DEFAULT_EASY_PACE_S_PER_KM


def test_ladder_shape() -> None:
    assert [s.level for s in LADDER] == list(range(1, 9))
    assert LADDER[0].describe() == "1 min run / 2 min walk x 6"
    assert stage(8).continuous and stage(8).run_min == 30
    assert not any(s.continuous for s in LADDER[:-1])
    runs = [s.run_min for s in LADDER]
    assert runs == sorted(runs)
    dists = [distance_m(s.run_s * s.repeats, s.walk_s * s.repeats, PACE) for s in LADDER]
    assert dists == sorted(dists)
    assert all(18 <= s.total_min <= 30 for s in LADDER)
    with pytest.raises(ValueError, match="stage"):
        stage(9)


def test_progress_gates() -> None:
    assert not ready_to_progress(0, 0, 10) and ready_to_progress(0, 1, 1)
    assert not ready_to_progress(3, 1, 10) and ready_to_progress(3, 2, 1)
    assert not ready_to_progress(8, 2, 6) and ready_to_progress(8, 2, 7)
    assert not ready_to_progress(12, 5, 6) and ready_to_progress(12, 2, 7)


def test_weekly_minutes_and_top() -> None:
    assert weekly_run_minutes(0) == 0
    assert weekly_run_minutes(1) == 18
    assert weekly_run_minutes(8) == 90
    assert weekly_run_minutes(9) == pytest.approx(99)
    assert top_level(None) == 12
    assert top_level(180) == 15
    assert level_for_weekly_minutes(5) == 1
    assert runs_per_week(200, back_to_training=True) == 4
    assert runs_per_week(200, back_to_training=False) == 3


@given(st.floats(min_value=1, max_value=2000))
def test_level_for_minutes_is_the_highest_that_fits(minutes: float) -> None:
    level = level_for_weekly_minutes(minutes)
    assert level >= 1
    if level > 1:
        assert weekly_run_minutes(level) <= minutes + 1e-6
    assert weekly_run_minutes(level + 1) > minutes - 1e-6


@given(st.integers(min_value=CONTINUOUS_LEVEL, max_value=40))
def test_continuous_levels_grow_ten_percent(level: int) -> None:
    assert weekly_run_minutes(level + 1) / weekly_run_minutes(level) == pytest.approx(1.1)
    assert weekly_run_minutes(level + 2) / weekly_run_minutes(level) <= 1.3


def test_single_run_cap_window() -> None:
    on = date(2025, 6, 30)
    runs = [(on - timedelta(days=30), 10_000.0), (on - timedelta(days=31), 20_000.0),
            (on, 30_000.0), (on - timedelta(days=1), 5_000.0)]
    assert single_run_cap_m(on, runs) == pytest.approx(11_000)
    assert single_run_cap_m(on, []) is None


def _run(day: date, km: float, minutes: float, sport: Sport = Sport.RUNNING) -> Session:
    start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
    return Session(id=day.toordinal(), sport=sport, start_utc=start, elapsed_s=minutes * 60,
                   distance_m=km * 1000)


def test_baseline_from_sessions() -> None:
    as_of = date(2025, 6, 30)
    sessions = [_run(as_of - timedelta(days=d), 8, 48) for d in (2, 5, 9, 16, 23)]
    sessions += [_run(as_of - timedelta(days=12), 15, 90), _run(as_of, 30, 180),
                 _run(as_of - timedelta(days=40), 40, 240),
                 _run(as_of - timedelta(days=3), 50, 120, Sport.CYCLING)]
    base = RunningBaseline.from_sessions(sessions, as_of)
    assert base.longest_run_m == 15_000
    assert base.longest_run_on == as_of - timedelta(days=12)
    assert base.weekly_run_km == pytest.approx(55 / 4)
    assert base.weekly_minutes == pytest.approx(330 / 4)
    assert base.pace_s_per_km == pytest.approx(360)
    assert RunningBaseline.from_dict(base.to_dict()) == base
    assert base.history(as_of) == ((as_of - timedelta(days=12), 15_000),)


def test_empty_and_assumed_baseline() -> None:
    base = RunningBaseline.from_sessions([], date(2025, 6, 30))
    assert base == RunningBaseline()
    assert not base.has_recent_runs and base.weekly_minutes is None
    assert base.pace_s_per_km == PACE
    km_only = RunningBaseline(longest_run_m=5000, weekly_run_km=20)
    assert km_only.weekly_minutes == pytest.approx(20 * PACE / 60)
    assert km_only.history(date(2025, 6, 30)) == ((date(2025, 6, 29), 5000),)
    with pytest.raises(ValueError, match="baseline"):
        RunningBaseline(weekly_run_km=-1)
