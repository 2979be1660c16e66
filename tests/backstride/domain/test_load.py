"""Loads, daily and ISO-week series, EWMA and the uncoupled ACWR."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backstride.domain.activity import Sport
from backstride.domain.load import (
    KIND_BITS,
    LoadKind,
    acwr,
    build_history,
    ewma,
    resolve_hr_max,
    session_load,
    trimp,
)
from backstride.domain.training import RunnerProfile, Session

T0 = datetime(2024, 3, 4, 8, tzinfo=UTC)   # a Monday


def _s(day: float, km: float = 5.0, *, sport: Sport = Sport.RUNNING, minutes: float = 30.0,
       sid: int = 0, **kw: object) -> Session:
    return Session(id=sid, sport=sport, start_utc=T0 + timedelta(days=day),
                   elapsed_s=minutes * 60, distance_m=km * 1000, **kw)  # type: ignore[arg-type]


def test_trimp_known_values() -> None:
    # 60 min, HRr = (125 - 60) / (190 - 60) = 0.5
    men = 60 * 0.5 * 0.64 * math.exp(1.92 * 0.5)
    women = 60 * 0.5 * 0.86 * math.exp(1.67 * 0.5)
    assert trimp(60, 125, 60, 190, "male") == pytest.approx(men)
    assert trimp(60, 125, 60, 190, "female") == pytest.approx(women)
    assert trimp(60, 125, 60, 190) == pytest.approx((men + women) / 2)
    assert trimp(60, 50, 60, 190) == 0.0                       # below rest: clipped
    assert trimp(60, 250, 60, 190, "male") == pytest.approx(60 * 0.64 * math.exp(1.92))


def test_session_load_prefers_rpe_then_trimp_then_minutes() -> None:
    prof = RunnerProfile()
    rpe = session_load(_s(0, minutes=40, rpe=6, avg_hr_bpm=150), prof, 190)
    assert rpe.kind is LoadKind.RPE and rpe.load == 240 and rpe.trimp is not None
    hr = session_load(_s(0, minutes=40, avg_hr_bpm=150), prof, 190)
    assert hr.kind is LoadKind.TRIMP and hr.load == pytest.approx(trimp(40, 150, 60, 190))
    assert hr.rpe_load is None
    plain = session_load(_s(0, minutes=40, avg_hr_bpm=150), prof, None)
    assert plain.kind is LoadKind.DURATION and plain.load == 40 and plain.trimp is None
    moving = session_load(_s(0, minutes=40, moving_s=1800.0), prof, None)
    assert moving.load == 30                                   # moving time when known


def test_hr_max_is_the_profiles_or_the_highest_seen() -> None:
    sessions = [_s(0, max_hr_bpm=181.0, avg_hr_bpm=150.0), _s(1, avg_hr_bpm=170.0)]
    assert resolve_hr_max(sessions, RunnerProfile()) == 181.0
    assert resolve_hr_max(sessions, RunnerProfile(hr_max_bpm=200)) == 200
    assert resolve_hr_max([_s(1, avg_hr_bpm=170.0)], RunnerProfile()) is None  # never averages
    assert resolve_hr_max([_s(1, max_hr_bpm=55.0)], RunnerProfile()) is None   # below rest
    assert resolve_hr_max([_s(1)], RunnerProfile()) is None


def test_daily_series_known_values() -> None:
    sessions = [
        _s(0, 5, sid=1, ascent_m=20.0, descent_m=10.0),
        _s(0.2, 8, sid=2, minutes=50),                       # same day, second run
        _s(2, 20, sid=3, sport=Sport.CYCLING, minutes=60, rpe=3),
        _s(5, 12, sid=4, minutes=70, moving_s=3900.0),
    ]
    h = build_history(sessions, date(2024, 3, 11))
    d = h.daily
    assert len(d) == 8 and d.first_day == date(2024, 3, 4)
    assert d.run.count.tolist() == [2, 0, 0, 0, 0, 1, 0, 0]
    assert d.run.distance_m.tolist() == [13000, 0, 0, 0, 0, 12000, 0, 0]
    assert d.run.longest_m.tolist() == [8000, 0, 0, 0, 0, 12000, 0, 0]
    assert d.run.ascent_m[0] == 20 and d.run.descent_m[0] == 10
    assert d.run.duration_s[5] == 4200 and d.run.moving_s[5] == 3900
    assert d.cross.count.tolist() == [0, 0, 1, 0, 0, 0, 0, 0]
    assert d.cross.distance_m[2] == 20000 and d.run.distance_m[2] == 0
    assert d.load.tolist() == [80, 0, 180, 0, 0, 65, 0, 0]
    assert d.rpe_load[2] == 180 and d.duration_min[0] == 80 and d.trimp.sum() == 0
    assert d.load_kinds[0] == KIND_BITS[LoadKind.DURATION]
    assert d.load_kinds[2] == KIND_BITS[LoadKind.RPE] and d.load_kinds[1] == 0
    assert h.kinds_in(8) == {LoadKind.RPE, LoadKind.DURATION}


def test_weekly_series_are_iso_weeks_with_partial_ends() -> None:
    # Wednesday 6 March to Tuesday 19 March 2024: ISO weeks 10 (partial), 11, 12 (partial)
    sessions = [_s(2, 5), _s(3, 7), _s(6, 9), _s(7, 10), _s(8, 4), _s(14, 6), _s(15, 3)]
    h = build_history(sessions, date(2024, 3, 19))
    w = h.weekly
    assert [w.iso_week(i) for i in range(len(w))] == [(2024, 10), (2024, 11), (2024, 12)]
    assert w.first_monday == date(2024, 3, 4)
    assert w.days.tolist() == [5, 7, 2]
    assert w.run.count.tolist() == [3, 2, 2]
    assert w.run.distance_m.tolist() == [21000, 14000, 9000]
    assert w.run.longest_m.tolist() == [9000, 10000, 6000]
    assert w.run_days.tolist() == [3, 2, 2] and w.rest_days.tolist() == [2, 5, 0]
    assert w.load.sum() == h.daily.load.sum()


def test_local_offsets_move_sessions_across_midnight() -> None:
    late = Session(id=1, sport=Sport.RUNNING, elapsed_s=600, distance_m=2000,
                   start_utc=datetime(2024, 3, 4, 23, 0, tzinfo=UTC), utc_offset_s=3600)
    h = build_history([late], date(2024, 3, 6))
    assert h.daily.first_day == date(2024, 3, 5) and h.span_days == 2


def test_window_pads_days_before_the_history_with_zeros() -> None:
    h = build_history([_s(0, 5), _s(1, 6)], date(2024, 3, 5))
    run = h.daily.run.distance_m
    assert h.window(run, 4).tolist() == [0, 0, 5000, 6000]
    assert h.window(run, 2, 1).tolist() == [0, 5000]
    assert h.window(run, 3, 10).tolist() == [0, 0, 0]


def test_sessions_after_as_of_are_ignored_and_empty_history_works() -> None:
    h = build_history([_s(0, 5), _s(9, 50)], date(2024, 3, 5))
    assert len(h.sessions) == 1 and h.daily.run.distance_m.sum() == 5000
    empty = build_history([], date(2024, 3, 5))
    assert empty.span_days == 1 and empty.daily.load.tolist() == [0.0] and len(empty.weekly) == 1


def test_ewma_known_values_and_uncoupled_chronic() -> None:
    x = np.array([0.0, 0, 0, 70, 0, 0, 0, 0])
    out = ewma(x, 3, seed=0.0)           # lambda = 0.5
    assert out.tolist() == [0, 0, 0, 35, 17.5, 8.75, 4.375, 2.1875]
    assert ewma(np.full(10, 5.0), 7).tolist() == pytest.approx([5.0] * 10)
    load = np.arange(40, dtype=float)
    a = acwr(load, 7, 28)
    chronic_now = ewma(load, 28, float(load[:28].mean()))
    assert a.chronic[1:].tolist() == pytest.approx(chronic_now[:-1].tolist())
    assert np.isnan(a.ratio[:28]).all() and not np.isnan(a.ratio[28:]).any()
    assert a.ratio[30] == pytest.approx(a.acute[30] / chronic_now[29])


@settings(max_examples=80, deadline=None)
@given(arrays(np.float64, st.integers(1, 120), elements=st.floats(0, 1000)),
       st.integers(1, 60))
def test_ewma_stays_within_the_data(x, days) -> None:
    out = ewma(x, days)
    assert np.all(out >= x.min() - 1e-9) and np.all(out <= x.max() + 1e-9)
    ratio = acwr(x, 7, 28).ratio
    assert np.all(ratio[np.isfinite(ratio)] >= 0)


def test_acwr_with_numerically_zero_chronic_load_has_no_ratio() -> None:
    x = np.r_[np.full(28, 1.11253693e-308), 8.0]      # found by hypothesis
    ratio = acwr(x, 7, 28).ratio
    assert np.isnan(ratio).all()


session_st = st.builds(
    lambda day, km, minutes, moving, rpe, hr, sport: _s(
        day, km, minutes=minutes, sport=sport, rpe=rpe, avg_hr_bpm=hr,
        moving_s=None if moving is None else moving * 60),
    st.floats(0, 60), st.floats(0, 50), st.floats(0, 300), st.none() | st.floats(0, 300),
    st.none() | st.floats(0, 10), st.none() | st.floats(30, 230),
    st.sampled_from(list(Sport)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(session_st, max_size=30), st.none() | st.floats(100, 220),
       st.sampled_from([None, "male", "female"]))
def test_loads_are_never_negative(sessions, hr_max, sex) -> None:
    prof = RunnerProfile(hr_rest_bpm=50, hr_max_bpm=hr_max, sex=sex)
    h = build_history(sessions, date(2024, 5, 10), prof)
    assert all(x.load >= 0 and x.duration_min >= 0 for x in h.loads)
    d = h.daily
    for arr in (d.load, d.rpe_load, d.trimp, d.duration_min, d.run.load, d.cross.load,
                h.weekly.load, d.run.distance_m, d.cross.moving_s):
        assert np.all(arr >= 0)
    assert d.load.sum() == pytest.approx(sum(x.load for x in h.loads))


def test_profile_changes_trimp_loads() -> None:
    sessions = [_s(i, 10, minutes=60, avg_hr_bpm=150.0) for i in range(3)]
    default = build_history(sessions, date(2024, 3, 6))
    custom = build_history(sessions, date(2024, 3, 6),
                           RunnerProfile(hr_rest_bpm=50, hr_max_bpm=200, sex="female"))
    assert default.hr_max_bpm is None and default.loads[0].kind is LoadKind.DURATION
    assert custom.loads[0].kind is LoadKind.TRIMP
    assert custom.daily.trimp[0] == pytest.approx(trimp(60, 150, 50, 200, "female"))
