"""Session and RunnerProfile contracts, session_from_activity, level helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest

from backstride.domain.activity import Activity, Sport, Streams, Summary
from backstride.domain.signal import Level
from backstride.domain.training import (
    RunnerProfile,
    Session,
    level_above,
    level_below,
    session_from_activity,
)

T0 = datetime(2024, 5, 1, 22, 30, tzinfo=UTC)


def test_session_local_date_and_fallbacks() -> None:
    s = Session(id=1, sport=Sport.TREADMILL, start_utc=T0, elapsed_s=1800, utc_offset_s=7200)
    assert s.local_date == date(2024, 5, 2) and s.local_start.hour == 0
    assert Session(id=1, sport=Sport.RUNNING, start_utc=T0, elapsed_s=60).local_date == date(
        2024, 5, 1)
    assert s.is_run and s.active_s == 1800 and s.distance_or_zero_m == 0
    assert not Session(id=2, sport=Sport.WALKING, start_utc=T0, elapsed_s=1).is_run
    assert Session(id=3, sport=Sport.RUNNING, start_utc=T0, elapsed_s=100,
                   moving_s=90).active_s == 90


@pytest.mark.parametrize(
    "bad",
    [
        {"start_utc": datetime(2024, 1, 1)},                                   # naive
        {"start_utc": datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=1)))},
        {"elapsed_s": -1.0},
        {"distance_m": float("nan")},
        {"rpe": 11.0},
        {"avg_hr_bpm": -5.0},
    ],
)
def test_session_rejects_bad_values(bad) -> None:
    fields = {"id": 1, "sport": Sport.RUNNING, "start_utc": T0, "elapsed_s": 60.0} | bad
    with pytest.raises(ValueError):
        Session(**fields)


def test_profile_validation() -> None:
    assert RunnerProfile().hr_rest_bpm == 60 and RunnerProfile().sex is None
    with pytest.raises(ValueError):
        RunnerProfile(hr_rest_bpm=60, hr_max_bpm=55)


def _activity(start: datetime | None) -> Activity:
    t = np.arange(0.0, 1200.0, 1.0)
    dist = 3.0 * t
    streams = Streams({"time_s": t, "distance_m": dist, "speed_m_s": np.full_like(t, 3.0),
                       "cadence_spm": np.full_like(t, 168.0),
                       "altitude_m": 100 + 0.02 * dist,
                       "heart_rate_bpm": np.full_like(t, 150.0)})
    summary = Summary(elapsed_s=1199.0, moving_s=1199.0, distance_m=3597.0, ascent_m=72.0,
                      descent_m=0.0, avg_hr_bpm=150.0)
    return Activity(sport=Sport.RUNNING, start_utc=start, summary=summary, streams=streams,
                    source_format="fit", gear="Shoe A", utc_offset_s=-10800)


def test_session_from_activity_computes_form_and_terrain() -> None:
    s = session_from_activity(_activity(T0), 42, rpe=4)
    assert s is not None and s.id == 42 and s.rpe == 4 and s.gear == "Shoe A"
    assert s.local_date == date(2024, 5, 1) and s.max_hr_bpm == 150.0
    assert s.form is not None and s.form.cadence_spm == 168.0
    assert s.terrain is not None and s.terrain.climb_m_per_km == pytest.approx(20, abs=0.5)
    assert session_from_activity(_activity(T0), 1, gear="Other").gear == "Other"   # type: ignore[union-attr]
    assert session_from_activity(_activity(None), 1) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, Level.OK), (1.1, Level.OK), (1.1000001, Level.WATCH), (1.3, Level.WATCH),
     (1.3000001, Level.WARN)],
)
def test_level_above_is_strict(value, expected) -> None:
    assert level_above(value, 1.1, 1.3) is expected


def test_level_above_without_warn_and_level_below() -> None:
    assert level_above(100.0, 1.0) is Level.WATCH
    assert level_below(0.0, 1.0) is Level.WATCH
    assert level_below(1.0, 1.0) is Level.OK


def test_daily_effort_attaches_to_that_days_sessions_only() -> None:
    from backstride.domain.training import with_daily_effort

    run = Session(id=1, sport=Sport.RUNNING, start_utc=T0, elapsed_s=1800, utc_offset_s=7200)
    ride = Session(id=2, sport=Sport.CYCLING, start_utc=T0 + timedelta(hours=3),
                   elapsed_s=3600, utc_offset_s=7200)
    rated = Session(id=3, sport=Sport.RUNNING, start_utc=T0 + timedelta(hours=5),
                    elapsed_s=600, utc_offset_s=7200, rpe=2.0)
    other_day = Session(id=4, sport=Sport.RUNNING, start_utc=T0 - timedelta(days=2),
                        elapsed_s=600)
    out = with_daily_effort([run, ride, rated, other_day], {date(2024, 5, 2): 6.0})
    assert [s.rpe for s in out] == [6.0, 6.0, 2.0, None]  # a session's own rating wins
    assert with_daily_effort([run], {}) == (run,)
