"""Training load: per session, per local day and per ISO week, and its EWMAs.

Session load (source keys ``foster1998``, ``banister1976``)
----------------------------------------------------------
Each session gets one load, the first that can be had:

1. **RPE load** (Foster's session RPE): effort on the CR-10 scale x minutes,
   when the runner logged an effort rating;
2. **TRIMP** (Banister): minutes x HRr x k(HRr), with HRr = (HRavg - HRrest) /
   (HRmax - HRrest) clipped to 0..1 and k = 0.64 e^(1.92 HRr) for men,
   0.86 e^(1.67 HRr) for women, and the mean of the two curves when the sex is
   not given, when an average heart rate exists;
3. **Duration**: minutes.

Minutes are the moving time when known, else the elapsed time. The three
scales differ (an easy hour is ~60 duration, ~70-100 TRIMP, ~180-240 RPE load),
so a day's load records which kinds it used (:attr:`DailySeries.load_kinds`,
a bit mask of :data:`KIND_BITS`) and the three measures are also kept as
separate series. Signals that sum loads say when their window mixes kinds.

Days and weeks
--------------
Daily arrays cover every local day from the first session to ``as_of``, zero
days included; weekly arrays cover ISO weeks (Monday first), the first and last
possibly partial (:attr:`WeeklySeries.days`). Running (road, trail, treadmill)
and cross-training (every other sport) are kept apart.

EWMA (source key ``williams2017``)
----------------------------------
``ewma[t] = l x[t] + (1 - l) ewma[t-1]`` with ``l = 2 / (N + 1)``, seeded with
the mean of the first N days. The *uncoupled* chronic load of day t is the
chronic EWMA up to day t-1, so the acute days are not part of it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

import numpy as np
from numpy.typing import NDArray

from backstride.domain.activity import FloatArray
from backstride.domain.training import RunnerProfile, Session

__all__ = [
    "KIND_BITS",
    "Acwr",
    "DailySeries",
    "LoadKind",
    "SessionLoad",
    "SportTotals",
    "TrainingHistory",
    "WeeklySeries",
    "acwr",
    "build_history",
    "ewma",
    "resolve_hr_max",
    "session_load",
    "trimp",
]

IntArray = NDArray[np.int64]

#: A chronic load at or below this counts as none (no ratio) [a.u.]; guards the
#: division against numerically-zero loads.
NEGLIGIBLE_LOAD: Final = 1e-9
#: Banister's TRIMP weighting: (a, b) in a e^(b HRr), by sex.
TRIMP_WEIGHTS: Final = {"male": (0.64, 1.92), "female": (0.86, 1.67)}


class LoadKind(StrEnum):
    """Which measure a session's load is."""

    RPE = "rpe"
    TRIMP = "trimp"
    DURATION = "duration"


#: Bit of each kind in :attr:`DailySeries.load_kinds`.
KIND_BITS: Final = {LoadKind.RPE: 1, LoadKind.TRIMP: 2, LoadKind.DURATION: 4}


@dataclass(frozen=True, slots=True)
class SessionLoad:
    """Load of one session.

    Attributes
    ----------
    kind
        The measure chosen for :attr:`load`.
    load
        RPE x minutes, TRIMP or minutes, by :attr:`kind` [arbitrary units].
    rpe_load
        RPE x minutes, when an RPE was logged.
    trimp
        Banister TRIMP, when heart rate allows it.
    duration_min
        Minutes (moving time when known, else elapsed) [min].
    """

    kind: LoadKind
    load: float
    rpe_load: float | None
    trimp: float | None
    duration_min: float


def trimp(
    duration_min: float,
    avg_hr_bpm: float,
    hr_rest_bpm: float,
    hr_max_bpm: float,
    sex: str | None = None,
) -> float:
    """Banister TRIMP of one session [a.u.] (source key ``banister1976``).

    Parameters
    ----------
    duration_min
        Session minutes [min].
    avg_hr_bpm, hr_rest_bpm, hr_max_bpm
        Average, resting and maximum heart rate [bpm]; ``hr_max > hr_rest``.
    sex
        ``"male"``, ``"female"`` or None (mean of both weightings).
    """
    hrr = min(max((avg_hr_bpm - hr_rest_bpm) / (hr_max_bpm - hr_rest_bpm), 0.0), 1.0)
    if sex in TRIMP_WEIGHTS:
        a, b = TRIMP_WEIGHTS[sex]
        k = a * math.exp(b * hrr)
    else:
        k = 0.5 * sum(a * math.exp(b * hrr) for a, b in TRIMP_WEIGHTS.values())
    return max(duration_min, 0.0) * hrr * k


def resolve_hr_max(sessions: Iterable[Session], profile: RunnerProfile) -> float | None:
    """Maximum heart rate [bpm]: the profile's, else the highest recorded.

    The highest recorded is the largest session ``max_hr_bpm`` (a robust
    maximum, :func:`backstride.domain.form.robust_max_hr_bpm`). Averages are
    never used: the hardest session would then look maximal. None (so no TRIMP)
    when nothing is above the resting heart rate.
    """
    if profile.hr_max_bpm is not None:
        return profile.hr_max_bpm
    best = max((s.max_hr_bpm for s in sessions if s.max_hr_bpm is not None), default=None)
    return best if best is not None and best > profile.hr_rest_bpm else None


def session_load(session: Session, profile: RunnerProfile, hr_max_bpm: float | None) -> SessionLoad:
    """Load of one session under the module's rule (RPE, else TRIMP, else minutes)."""
    minutes = session.active_s / 60.0
    rpe_load = session.rpe * minutes if session.rpe is not None else None
    tr = None
    if session.avg_hr_bpm is not None and hr_max_bpm is not None:
        tr = trimp(minutes, session.avg_hr_bpm, profile.hr_rest_bpm, hr_max_bpm, profile.sex)
    if rpe_load is not None:
        return SessionLoad(LoadKind.RPE, rpe_load, rpe_load, tr, minutes)
    if tr is not None:
        return SessionLoad(LoadKind.TRIMP, tr, None, tr, minutes)
    return SessionLoad(LoadKind.DURATION, minutes, None, None, minutes)


@dataclass(frozen=True, slots=True, eq=False)
class SportTotals:
    """Per-period totals of one group of sports (running or cross-training).

    Every attribute is an array with one value per day (or week).

    Attributes
    ----------
    distance_m, duration_s, moving_s, ascent_m, descent_m
        Sums [m], [s] (elapsed), [s] (moving, else elapsed), [m], [m].
    count
        Number of sessions.
    longest_m
        Longest single session [m].
    load
        Sum of session loads [a.u.].
    """

    distance_m: FloatArray
    duration_s: FloatArray
    moving_s: FloatArray
    ascent_m: FloatArray
    descent_m: FloatArray
    count: FloatArray
    longest_m: FloatArray
    load: FloatArray

    @classmethod
    def from_sessions(
        cls, sessions: Sequence[Session], loads: Sequence[SessionLoad], day: IntArray, n: int
    ) -> SportTotals:
        """Daily totals of ``sessions`` placed on day indices ``day`` of ``n`` days."""

        def total(values: Iterable[float]) -> FloatArray:
            w = np.fromiter(values, dtype=np.float64, count=len(sessions))
            return np.bincount(day, weights=w, minlength=n).astype(np.float64)

        longest = np.zeros(n)
        np.maximum.at(longest, day, [s.distance_or_zero_m for s in sessions])
        return cls(
            distance_m=total(s.distance_or_zero_m for s in sessions),
            duration_s=total(s.elapsed_s for s in sessions),
            moving_s=total(s.active_s for s in sessions),
            ascent_m=total(s.ascent_or_terrain_m or 0.0 for s in sessions),
            descent_m=total(s.descent_or_terrain_m or 0.0 for s in sessions),
            count=np.bincount(day, minlength=n).astype(np.float64),
            longest_m=longest,
            load=total(x.load for x in loads),
        )

    def blocks(self, starts: IntArray) -> SportTotals:
        """Totals over consecutive blocks starting at ``starts`` (sums; max for longest)."""
        add = np.add.reduceat
        return SportTotals(
            distance_m=add(self.distance_m, starts), duration_s=add(self.duration_s, starts),
            moving_s=add(self.moving_s, starts), ascent_m=add(self.ascent_m, starts),
            descent_m=add(self.descent_m, starts), count=add(self.count, starts),
            longest_m=np.maximum.reduceat(self.longest_m, starts), load=add(self.load, starts),
        )


@dataclass(frozen=True, slots=True, eq=False)
class DailySeries:
    """One value per local day, ``first_day`` ... ``as_of``, zero days included.

    Attributes
    ----------
    first_day
        Local date of index 0.
    run, cross
        Running and cross-training totals.
    load
        Total load (running + cross-training) [a.u.].
    rpe_load, trimp, duration_min
        The three load measures kept apart (sums of the sessions that have them).
    load_kinds
        Bit mask of the kinds in :attr:`load` (:data:`KIND_BITS`); 0 on empty days.
    """

    first_day: date
    run: SportTotals
    cross: SportTotals
    load: FloatArray
    rpe_load: FloatArray
    trimp: FloatArray
    duration_min: FloatArray
    load_kinds: IntArray

    def __len__(self) -> int:
        return len(self.load)

    def date_of(self, index: int) -> date:
        """Local date of a day index."""
        return self.first_day + timedelta(days=index)


@dataclass(frozen=True, slots=True, eq=False)
class WeeklySeries:
    """One value per ISO week (Monday to Sunday) of the daily range.

    Attributes
    ----------
    first_monday
        Monday of the first week.
    run, cross
        Running and cross-training totals (``longest_m``: the week's longest).
    load
        Total load [a.u.].
    days
        Days of the week inside the daily range (7, except at either end).
    run_days, rest_days
        Days with at least one run, and days (within range) without one.
    """

    first_monday: date
    run: SportTotals
    cross: SportTotals
    load: FloatArray
    days: FloatArray
    run_days: FloatArray
    rest_days: FloatArray

    def __len__(self) -> int:
        return len(self.load)

    def iso_week(self, index: int) -> tuple[int, int]:
        """ISO (year, week) of a week index."""
        year, week, _ = (self.first_monday + timedelta(weeks=index)).isocalendar()
        return year, week


def _weekly(daily: DailySeries) -> WeeklySeries:
    offset = daily.first_day.weekday()
    n = len(daily)
    starts = np.arange(-offset, n, 7, dtype=np.int64)
    starts[0] = 0
    ran = (daily.run.count > 0).astype(np.float64)
    days = np.add.reduceat(np.ones(n), starts)
    run_days = np.add.reduceat(ran, starts)
    return WeeklySeries(
        first_monday=daily.first_day - timedelta(days=offset),
        run=daily.run.blocks(starts), cross=daily.cross.blocks(starts),
        load=np.add.reduceat(daily.load, starts), days=days,
        run_days=run_days, rest_days=days - run_days,
    )


def ewma(x: FloatArray, days: int, seed: float | None = None) -> FloatArray:
    """Exponentially weighted moving average with ``l = 2 / (days + 1)``.

    Parameters
    ----------
    x
        Daily values.
    days
        Window N [days].
    seed
        Value before day 0; default the mean of the first N days (0 when empty).
    """
    lam = 2.0 / (days + 1.0)
    prev = float(x[:days].mean()) if seed is None and len(x) else (seed or 0.0)
    out = np.empty(len(x))
    for i, v in enumerate(x.tolist()):
        prev = lam * v + (1.0 - lam) * prev
        out[i] = prev
    return out


@dataclass(frozen=True, slots=True, eq=False)
class Acwr:
    """Acute and uncoupled chronic EWMA loads and their ratio, per day.

    Attributes
    ----------
    acute
        Acute EWMA, days 0..t [a.u.].
    chronic
        Chronic EWMA up to day t-1 (uncoupled) [a.u.].
    ratio
        acute / chronic; NaN during the first ``chronic_days`` days or when the
        chronic load is 0 (at most :data:`NEGLIGIBLE_LOAD`).
    """

    acute: FloatArray
    chronic: FloatArray
    ratio: FloatArray


def acwr(load: FloatArray, acute_days: int = 7, chronic_days: int = 28) -> Acwr:
    """Uncoupled EWMA acute:chronic workload ratio (source keys ``williams2017``,
    ``impellizzeri2020``: contested, context only)."""
    acute = ewma(load, acute_days)
    seed = float(load[:chronic_days].mean()) if len(load) else 0.0
    chronic_now = ewma(load, chronic_days, seed)
    chronic = np.concatenate(([seed], chronic_now[:-1]))[: len(load)]
    ratio = np.full(len(load), np.nan)
    ok = chronic > NEGLIGIBLE_LOAD
    ok[:chronic_days] = False
    ratio[ok] = acute[ok] / chronic[ok]
    return Acwr(acute, chronic, ratio)


@dataclass(frozen=True, slots=True, eq=False)
class TrainingHistory:
    """Everything the signals read, built once by :func:`build_history`.

    Attributes
    ----------
    as_of
        Last local day considered (inclusive).
    sessions
        Sessions up to ``as_of``, by start time.
    loads
        Load of each session, aligned with ``sessions``.
    day
        Day index of each session.
    hr_max_bpm
        Maximum heart rate used for TRIMP, when known.
    daily, weekly
        The series.
    """

    as_of: date
    sessions: tuple[Session, ...]
    loads: tuple[SessionLoad, ...]
    day: IntArray
    hr_max_bpm: float | None
    daily: DailySeries
    weekly: WeeklySeries

    @property
    def span_days(self) -> int:
        """Days from the first session to ``as_of``, inclusive."""
        return len(self.daily)

    @property
    def runs(self) -> tuple[Session, ...]:
        """Running sessions, by start time."""
        return tuple(s for s in self.sessions if s.is_run)

    def index(self, d: date) -> int:
        """Day index of a local date (negative before the first day)."""
        return (d - self.daily.first_day).days

    def window(self, values: FloatArray, days: int, end_offset: int = 0) -> FloatArray:
        """The ``days`` values ending ``end_offset`` days before ``as_of``.

        Days before the first session count as 0 (no training recorded).
        """
        end = len(values) - end_offset
        start = end - days
        part = values[max(start, 0): max(end, 0)]
        return np.concatenate((np.zeros(min(days, max(-start, 0))), part))

    def sessions_in(self, first: date, last: date, *, runs_only: bool = False) -> list[Session]:
        """Sessions whose local date is within ``first`` ... ``last``."""
        lo, hi = self.index(first), self.index(last)
        return [
            s for s, d in zip(self.sessions, self.day.tolist(), strict=True)
            if lo <= d <= hi and (s.is_run or not runs_only)
        ]

    def kinds_in(self, days: int) -> set[LoadKind]:
        """Load kinds used in the last ``days`` days."""
        mask = int(np.bitwise_or.reduce(self.daily.load_kinds[-days:], initial=0))
        return {k for k, bit in KIND_BITS.items() if mask & bit}


def _daily(
    sessions: Sequence[Session], loads: Sequence[SessionLoad], day: IntArray,
    first_day: date, n: int,
) -> DailySeries:
    is_run = np.fromiter((s.is_run for s in sessions), dtype=bool, count=len(sessions))

    def pick(flag: bool) -> SportTotals:
        sel = np.flatnonzero(is_run == flag)
        picked = sel.tolist()
        return SportTotals.from_sessions(
            [sessions[i] for i in picked], [loads[i] for i in picked], day[sel], n
        )

    def measure(values: Iterable[float | None]) -> FloatArray:
        w = np.fromiter((v or 0.0 for v in values), dtype=np.float64, count=len(sessions))
        return np.bincount(day, weights=w, minlength=n).astype(np.float64)

    run, cross = pick(True), pick(False)
    kinds = np.zeros(n, dtype=np.int64)
    np.bitwise_or.at(kinds, day, np.array([KIND_BITS[x.kind] for x in loads], dtype=np.int64))
    return DailySeries(
        first_day=first_day, run=run, cross=cross, load=run.load + cross.load,
        rpe_load=measure(x.rpe_load for x in loads), trimp=measure(x.trimp for x in loads),
        duration_min=measure(x.duration_min for x in loads), load_kinds=kinds,
    )


def build_history(
    sessions: Iterable[Session], as_of: date, profile: RunnerProfile | None = None
) -> TrainingHistory:
    """Loads and daily/weekly series of every session up to ``as_of`` (local days).

    Parameters
    ----------
    sessions
        Any order; sessions after ``as_of`` (local date) are ignored.
    as_of
        Last local day of the series.
    profile
        Resting/maximum heart rate and sex for TRIMP; defaults to
        :class:`RunnerProfile()`.
    """
    prof = profile or RunnerProfile()
    kept = sorted((s for s in sessions if s.local_date <= as_of), key=lambda s: s.start_utc)
    first_day = min((s.local_date for s in kept), default=as_of)
    n = (as_of - first_day).days + 1
    day = np.fromiter(((s.local_date - first_day).days for s in kept), dtype=np.int64,
                      count=len(kept))
    hr_max = resolve_hr_max(kept, prof)
    loads = tuple(session_load(s, prof, hr_max) for s in kept)
    daily = _daily(kept, loads, day, first_day, n)
    return TrainingHistory(
        as_of=as_of, sessions=tuple(kept), loads=loads, day=day, hr_max_bpm=hr_max,
        daily=daily, weekly=_weekly(daily),
    )
