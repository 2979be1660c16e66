"""Application service: the training analysis of the stored history on one day.

:func:`current_signals` is what the commands call (``risks``, ``report`` and the
back check): it makes sure every stored activity has current analysis metrics
(computing missing ones from the stored streams, once), loads the sessions from the
store (never re-reading files or streams), builds the daily and ISO-week series and
computes every training signal (:func:`backstride.domain.signals.compute_signals`).

The weekly rows (:class:`WeekRow`) add two markers used by the report and
``risks --json``:

* **spike**: the worst single-run spike level among the week's runs (the rule and
  thresholds of :mod:`backstride.domain.signals.spike`, source key ``nielsen2025``);
* **hill week**: the week's running climbed more than ``hills.session_climb_m_per_km``
  (20 m per km) on average (the hill-session threshold of
  :mod:`backstride.domain.signals.hills` applied to the whole week, source key
  ``levine2007``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from backstride.domain.load import TrainingHistory, build_history
from backstride.domain.signal import Level, Signal
from backstride.domain.signals import signals_from_history
from backstride.domain.signals.spike import run_spikes
from backstride.domain.thresholds import Thresholds
from backstride.domain.training import RunnerProfile, Session, with_daily_effort
from backstride.storage.analysis import load_sessions, metrics_missing
from backstride.storage.plans import list_checkins

if TYPE_CHECKING:
    from backstride.storage.store import Store

__all__ = ["Analysis", "WeekRow", "current_signals", "ensure_metrics", "week_rows"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WeekRow:
    """One ISO week (Monday to Sunday, the runner's local days) of the series.

    Attributes
    ----------
    week
        ISO week as ``YYYY-Www`` (e.g. ``2025-W14``).
    start
        Its Monday.
    days
        Days of the week inside the series (7, except the first and last week).
    runs, run_distance_km, run_duration_s, run_moving_s, run_ascent_m, run_descent_m
        Running: number of runs, distance [km], elapsed and moving time [s],
        climbing and descending [m].
    longest_run_km
        Longest single run of the week [km].
    run_load, cross_load, load
        Session loads summed (running, cross-training, both) [a.u.]; see
        :mod:`backstride.domain.load` for the measure of each session.
    cross_sessions, cross_distance_km, cross_duration_s, cross_moving_s
        Cross-training (every sport but running), kept apart.
    run_days, rest_days
        Days with at least one run, and days without.
    climb_m_per_km
        Running ascent per running km [m/km]; None without running distance.
    hill_week
        True when ``climb_m_per_km`` is above ``hills.session_climb_m_per_km``.
    spike_level
        Worst single-run spike level of the week's runs (ok without a flagged run).
    spike_ratio
        The largest spike ratio of the week's runs (run / longest of the previous
        30 days), None when no run had one.
    """

    week: str
    start: date
    days: int
    runs: int
    run_distance_km: float
    run_duration_s: float
    run_moving_s: float
    run_ascent_m: float
    run_descent_m: float
    longest_run_km: float
    run_load: float
    cross_sessions: int
    cross_distance_km: float
    cross_duration_s: float
    cross_moving_s: float
    cross_load: float
    load: float
    run_days: int
    rest_days: int
    climb_m_per_km: float | None
    hill_week: bool
    spike_level: Level
    spike_ratio: float | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO text, floats rounded)."""
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Level):
                value = value.value
            elif isinstance(value, float):
                value = round(value, 3) if math.isfinite(value) else None
            out[name] = value
        return out


def week_rows(history: TrainingHistory, thresholds: Mapping[str, float]) -> list[WeekRow]:
    """The ISO-week rows of a history, oldest first (see :class:`WeekRow`)."""
    w = history.weekly
    n = len(w)
    worst: list[Level] = [Level.OK] * n
    ratio: list[float | None] = [None] * n
    for spike in run_spikes(history.runs, thresholds):
        i = (spike.session.local_date - w.first_monday).days // 7
        if spike.level.rank > worst[i].rank:
            worst[i] = spike.level
        if spike.ratio is not None and (ratio[i] is None or spike.ratio > (ratio[i] or 0.0)):
            ratio[i] = spike.ratio
    hill = thresholds["hills.session_climb_m_per_km"]
    run, cross = w.run, w.cross
    rows = []
    for i in range(n):
        year, week = w.iso_week(i)
        km = float(run.distance_m[i]) / 1000.0
        climb = float(run.ascent_m[i]) / km if km > 0 else None
        rows.append(WeekRow(
            week=f"{year}-W{week:02d}", start=w.first_monday + timedelta(weeks=i),
            days=int(w.days[i]), runs=int(run.count[i]), run_distance_km=km,
            run_duration_s=float(run.duration_s[i]), run_moving_s=float(run.moving_s[i]),
            run_ascent_m=float(run.ascent_m[i]), run_descent_m=float(run.descent_m[i]),
            longest_run_km=float(run.longest_m[i]) / 1000.0, run_load=float(run.load[i]),
            cross_sessions=int(cross.count[i]),
            cross_distance_km=float(cross.distance_m[i]) / 1000.0,
            cross_duration_s=float(cross.duration_s[i]), cross_moving_s=float(cross.moving_s[i]),
            cross_load=float(cross.load[i]), load=float(w.load[i]), run_days=int(w.run_days[i]),
            rest_days=int(w.rest_days[i]), climb_m_per_km=climb,
            hill_week=climb is not None and climb > hill, spike_level=worst[i],
            spike_ratio=ratio[i],
        ))
    return rows


@dataclass(frozen=True, slots=True, eq=False)
class Analysis:
    """The training analysis on one local day.

    Attributes
    ----------
    as_of
        The runner's local day the analysis is for.
    thresholds
        Threshold values in force.
    sessions
        Every stored dated activity (also those after ``as_of``), oldest first.
    history
        Loads and daily/weekly series up to ``as_of``.
    signals
        Every training signal, worst first.
    weeks
        ISO-week rows of the series, oldest first.
    metrics_backfilled
        Activities whose metrics were computed from stored streams for this analysis.
    """

    as_of: date
    thresholds: Thresholds
    sessions: tuple[Session, ...]
    history: TrainingHistory
    signals: tuple[Signal, ...]
    weeks: tuple[WeekRow, ...]
    metrics_backfilled: int = 0

    @property
    def is_empty(self) -> bool:
        """True when no activity lies on or before ``as_of``."""
        return not self.history.sessions

    @property
    def runs(self) -> tuple[Session, ...]:
        """Running sessions up to ``as_of``, oldest first."""
        return self.history.runs


def ensure_metrics(store: Store) -> int:
    """Compute missing or outdated activity metrics (from stored streams); return how many."""
    missing = metrics_missing(store)
    if not missing:
        return 0
    log.info("computing analysis metrics for %d stored activities (once)", missing)
    return store.backfill_metrics()


def _logged_effort(store: Store) -> dict[date, float]:
    """Effort ratings (RPE) from the daily check-ins, by local date."""
    return {
        c.checkin.on: float(c.checkin.rpe)
        for c in list_checkins(store) if c.checkin.rpe is not None
    }


def current_signals(
    store: Store,
    *,
    as_of: date | None,
    thresholds: Thresholds | None = None,
    profile: RunnerProfile | None = None,
) -> Analysis:
    """Every training signal of the stored history on ``as_of``.

    Parameters
    ----------
    store
        Where the activities are.
    as_of
        The runner's local day (inclusive); None for today (this computer's local date).
    thresholds
        Values in force; default the registry defaults.
    profile
        Heart-rate profile for TRIMP loads; default :class:`RunnerProfile()`.

    Returns
    -------
    Analysis
        Never raises for an empty store: :attr:`Analysis.is_empty` is then True and
        the signals say there is nothing to compare yet.
    """
    day = as_of if as_of is not None else date.today()
    th = thresholds if thresholds is not None else Thresholds()
    backfilled = ensure_metrics(store)
    sessions = with_daily_effort(load_sessions(store), _logged_effort(store))
    history = build_history(sessions, day, profile)
    signals = tuple(signals_from_history(history, th))
    return Analysis(
        as_of=day, thresholds=th, sessions=sessions, history=history, signals=signals,
        weeks=tuple(week_rows(history, th)), metrics_backfilled=backfilled,
    )
