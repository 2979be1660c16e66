"""Build the plan from the check, the training signals and recent running.

:func:`build_plan` is pure and deterministic. The triage limits it exactly as the check
does (``shared/evidence.md`` section 1):

``emergency`` / ``same_day``
    No sessions at all: the plan is ``stopped`` with the triage advice.
``soon``
    At most two weeks of gentle flat walks and gentle mobility, the referral first; no
    running, strength or cross-training until the runner has been seen.
``routine`` / ``self_care``
    The full plan below.

Full plan
---------
Weeks of seven days from ``start``. Phase: week 1 ``settle``, week 2 ``rebuild``, then
``return_to_run`` until the weekly running time reaches 80% of the runner's usual
volume (and continuous running), then ``back_to_training``. Day layout (day 0 = the
start's weekday): runs (or walks) on days 0, 2 and 4, never on consecutive days
(a fourth run on day 5 only in back-to-training above 180 min a week); strength and
mobility on days 1, 3 and 5 (plus a gentle mobility session on day 2 in ``rebuild``);
cross-training on days 3 and 5 in settle/rebuild, day 5 later; day 6 rest.

Running (:mod:`backstride.domain.ladder`): when running hurts (pain during running
above 3/10) or no run was recorded in the last 30 days, walks lead to the readiness
gate and then the walk-run ladder; otherwise running starts at the level whose weekly
time is at most half the usual volume (lowered until a session fits the single-run
cap). Continuous running rises at most 10% a week on the week before
(:data:`WEEKLY_LIMIT`), and continuous levels change at the start of a plan week.
The calendar shows the path if every session is acceptable (each level held as
:func:`~backstride.domain.ladder.ready_to_progress` says);
:mod:`backstride.domain.adaptation` moves the real level day by day and :func:`replan`
lays out the rest of the plan from it. Every run respects the single-run rule
(``nielsen2025``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from backstride.domain.check import CheckResult
from backstride.domain.exercises import ExerciseLibrary, Phase
from backstride.domain.ladder import (
    CONTINUOUS_LEVEL,
    GATE_WALK_MIN,
    PAIN_HOLD_MAX,
    PAIN_OK_MAX,
    WALK_LEVEL,
    RunningBaseline,
    level_distance_m,
    level_for_weekly_minutes,
    ready_to_progress,
    runs_per_week,
    single_run_cap_m,
    top_level,
    weekly_run_minutes,
)
from backstride.domain.plan_actions import actions
from backstride.domain.plan_basis import PlanBasis, basis_from_check
from backstride.domain.plan_model import (
    PLAN_SCHEMA,
    ActionItem,
    Plan,
    PlanDay,
    PlannedSession,
    PlanWeek,
    RunPlan,
    SessionKind,
    StepIntent,
    StopInfo,
    Terrain,
    WorkoutRepeat,
    WorkoutStep,
)
from backstride.domain.plan_sessions import (
    CROSS_ACTIVITIES,
    SessionContext,
    continuous_session,
    cross_session,
    mobility_session,
    rest_session,
    strength_session,
    walk_run_session,
    walk_session,
)
from backstride.domain.signal import Signal
from backstride.domain.triage import PlanLimit

__all__ = [
    "LIMITED_WEEKS",
    "PLAN_SCHEMA",
    "ActionItem",
    "Phase",
    "Plan",
    "PlanBasis",
    "PlanDay",
    "PlanWeek",
    "PlannedSession",
    "RunPlan",
    "RunningBaseline",
    "SessionKind",
    "StepIntent",
    "StopInfo",
    "Terrain",
    "WorkoutRepeat",
    "WorkoutStep",
    "build_from_basis",
    "build_plan",
    "plan_from_dict",
    "replan",
]

#: Weeks of a limited (``soon``) plan: see a doctor within about two weeks.
LIMITED_WEEKS: Final = 2
#: Share of the usual weekly volume the reduced-volume path starts at (``backstride``).
START_FRACTION: Final = 0.5
#: Share of the usual weekly volume from which the phase is back to training.
BACK_FRACTION: Final = 0.8
#: Continuous running: weekly time at most this times the week before (``backstride``;
#: a soft default, not protective on its own: ``buist2008``; inside ``nielsen2014``).
WEEKLY_LIMIT: Final = 1.10
#: Walk minutes at level 0: a fresh plan's first two weeks; after a step back.
FRESH_WALKS: Final = (15, 20, 20, 20, 25, 30)
REPLAN_WALKS: Final = (20, 25, 30)
LIMITED_WALKS: Final = (10, 15, 15, 15, 20, 20)
#: Day offsets of runs, strength, cross-training and rest.
RUN_DAYS: Final = (0, 2, 4)
FOURTH_RUN_DAY: Final = 5
STRENGTH_DAYS: Final = (1, 3, 5)
REST_DAY: Final = 6
CROSS_DAYS: Final = {Phase.SETTLE: (3, 5), Phase.REBUILD: (3, 5),
                     Phase.RETURN_TO_RUN: (5,), Phase.BACK_TO_TRAINING: (5,)}
EXTRA_MOBILITY_DAY: Final = {Phase.REBUILD: 2}

RULES_NOTE: Final = (
    f"Pain rule: pain during a session may reach {PAIN_OK_MAX}/10 and must settle by the "
    f"next morning; {PAIN_OK_MAX + 1}-{PAIN_HOLD_MAX}/10 or not settled holds the plan; "
    f"above {PAIN_HOLD_MAX}, worse the next morning or new leg symptoms step it back; any "
    "new warning sign stops it: run the check again.")
ADAPT_NOTE: Final = ("The calendar shows the path if every session goes well; the daily "
                     "check-in moves it forward, holds it or steps it back.")
LIMITED_NOTE: Final = ("Until you have been seen: gentle walking and mobility only. Run "
                       "the check again after the appointment for the full plan.")


def build_plan(check: CheckResult, signals: Sequence[Signal], *, start: date,
               exercises: ExerciseLibrary, weeks: int = 12,
               baseline: RunningBaseline | None = None, level: int | None = None) -> Plan:
    """Build the plan from the latest check.

    Parameters
    ----------
    check
        The latest check (triage, patterns, sensitivities, contributors, self-tests).
    signals
        Stored training signals (may be empty).
    start
        First day of the plan.
    exercises
        The exercise library (:func:`backstride.knowledge.exercises.load_exercises`).
    weeks
        Weeks to plan (>= 1); a ``soon`` plan covers at most :data:`LIMITED_WEEKS`.
    baseline
        Recent running (:meth:`RunningBaseline.from_sessions`); None means unknown.
    level
        Start from this run level instead of choosing one (re-planning).

    Returns
    -------
    Plan
        Stopped (no sessions) for emergency/same-day triage, limited for ``soon``.
    """
    basis = basis_from_check(check, signals, baseline or RunningBaseline())
    return build_from_basis(basis, start=start, exercises=exercises, weeks=weeks, level=level)


def build_from_basis(basis: PlanBasis, *, start: date, exercises: ExerciseLibrary,
                     weeks: int = 12, level: int | None = None) -> Plan:
    """Build a plan from a stored basis (see :func:`build_plan` for the parameters)."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    if basis.plan_limit is PlanLimit.NONE:
        stop = StopInfo(basis.triage_level.value, basis.triage_title, basis.triage_advice,
                        basis.triage_reasons)
        return Plan(start, (), (), basis, weeks, WALK_LEVEL, WALK_LEVEL, stopped=stop,
                    notes=(basis.notice,))
    if basis.plan_limit is PlanLimit.WALKING_AND_MOBILITY:
        return _limited(basis, start, exercises, weeks)
    return _FullPlan(basis, exercises, start, weeks, level).build()


def plan_from_dict(data: Mapping[str, object], *, exercises: ExerciseLibrary) -> Plan:
    """Rebuild a plan from :meth:`Plan.to_dict` output (or just its ``basis``, ``start``,
    ``weeks_requested`` and ``requested_level``): storage need keep only those.

    Raises
    ------
    ValueError
        When the mapping does not have that shape.
    """
    basis, level = data.get("basis"), data.get("requested_level")
    weeks = data.get("weeks_requested")
    if not isinstance(basis, Mapping) or not isinstance(weeks, int) or not (
            level is None or isinstance(level, int)):
        raise ValueError("not a stored plan: need basis, start, weeks_requested")
    return build_from_basis(PlanBasis.from_dict(basis),
                            start=date.fromisoformat(str(data.get("start"))),
                            exercises=exercises, weeks=weeks, level=level)


def replan(plan: Plan, *, level: int, on: date, exercises: ExerciseLibrary) -> Plan:
    """Lay out the rest of a plan from ``on``, starting at the adapted run level."""
    days_left = (plan.end - on).days + 1
    weeks = max(1, math.ceil(days_left / 7))
    return build_from_basis(plan.basis, start=on, exercises=exercises, weeks=weeks,
                            level=level)


def _limited(basis: PlanBasis, start: date, library: ExerciseLibrary, weeks: int) -> Plan:
    ctx = SessionContext.of(basis, library, gentle_only=True)
    mobility = mobility_session(ctx, Phase.SETTLE, limited=True)
    rest = rest_session(ctx)
    walks = iter(LIMITED_WALKS)
    out: list[PlanWeek] = []
    for w in range(min(weeks, LIMITED_WEEKS)):
        days = []
        for d in range(7):
            on = start + timedelta(days=7 * w + d)
            if d in RUN_DAYS:
                sessions: tuple[PlannedSession, ...] = (
                    walk_session(ctx, next(walks, LIMITED_WALKS[-1]), limited=True),)
            elif d == REST_DAY:
                sessions = (rest,)
            else:
                sessions = (mobility,)
            days.append(PlanDay(on, w + 1, Phase.SETTLE, sessions))
        out.append(PlanWeek(w + 1, Phase.SETTLE, tuple(days)))
    return Plan(start, tuple(out), actions(basis, limited=True), basis, weeks, WALK_LEVEL,
                WALK_LEVEL, limited=True, notes=(basis.notice, LIMITED_NOTE, RULES_NOTE))


@dataclass(slots=True)
class _Progress:
    """The run level as the calendar expects it to move (every session acceptable)."""

    level: int
    top: int
    since: date
    acceptable: int = 0

    def due(self, on: date, *, week_start: bool) -> bool:
        """True when the level has been held long enough to move up by ``on``.

        Continuous levels change only at the start of a plan week, so each week has one
        weekly running time (the calendar's projection; the daily adaptation uses the
        7-day rule alone).
        """
        if self.level >= CONTINUOUS_LEVEL and not week_start:
            return False
        days = (on - self.since).days
        return self.level < self.top and ready_to_progress(self.level, self.acceptable, days)

    def peek(self, on: date) -> int:
        """The level of the first session of the week starting ``on`` (without moving)."""
        return self.level + 1 if self.due(on, week_start=True) else self.level

    def before_session(self, on: date, *, week_start: bool) -> int:
        """Move up when the current level has been held long enough; return the level."""
        if self.due(on, week_start=week_start):
            self.level += 1
            self.acceptable = 0
            self.since = on
        return self.level

    def after_session(self, *, counted: bool) -> None:
        """Count an acceptable session (level 0 counts only the gate walk)."""
        if counted:
            self.acceptable += 1


class _FullPlan:
    """Builds a full plan week by week (state: run level and the runs laid out)."""

    def __init__(self, basis: PlanBasis, library: ExerciseLibrary, start: date, weeks: int,
                 level: int | None) -> None:
        self.basis, self.start, self.weeks = basis, start, weeks
        self.fresh, self.requested = level is None, level
        self.ctx = SessionContext.of(basis, library, gentle_only=False)
        self.target = basis.baseline.weekly_minutes
        top = top_level(self.target)
        first = self._first_level() if level is None else max(WALK_LEVEL, min(level, top))
        self.progress = _Progress(first, max(top, first), start)
        self.start_level = first
        self.walks = list(FRESH_WALKS if self.fresh else REPLAN_WALKS)
        self.recorded = list(basis.baseline.history(start))
        self.planned: list[tuple[date, float]] = []
        self.cross_count = 0
        # planned running time of each week so far [min], and whether it was all continuous
        self.week_run_min = [0.0]
        self.week_continuous = [False]
        self._cache: dict[tuple[str, Phase], PlannedSession] = {}

    def _first_level(self) -> int:
        """Walking when running hurts or there is no recent running; otherwise half the
        usual weekly time, lowered until one session fits the single-run cap."""
        baseline = self.basis.baseline
        if self.basis.running_hurts or not baseline.has_recent_runs or not self.target:
            return WALK_LEVEL
        level = level_for_weekly_minutes(START_FRACTION * self.target)
        cap = single_run_cap_m(self.start, baseline.history(self.start))
        while cap is not None and level > 1 and level_distance_m(
                level, baseline.pace_s_per_km) > cap:
            level -= 1
        return level

    def build(self) -> Plan:
        weeks = tuple(self._week(w) for w in range(self.weeks))
        return Plan(self.start, weeks, actions(self.basis, limited=False), self.basis,
                    self.weeks, self.start_level, self.progress.top,
                    notes=(self.basis.notice, RULES_NOTE, ADAPT_NOTE),
                    requested_level=self.requested)

    def _phase(self, w: int, level: int, weekly: float) -> Phase:
        if self.fresh and w == 0:
            return Phase.SETTLE
        if (self.fresh and w == 1) or level == WALK_LEVEL:
            return Phase.REBUILD
        target = weekly_run_minutes(self.progress.top)
        if level <= CONTINUOUS_LEVEL or weekly < BACK_FRACTION * target:
            return Phase.RETURN_TO_RUN
        return Phase.BACK_TO_TRAINING

    def _weekly_limit(self, level: int) -> float:
        """Weekly running time for a continuous level, capped at 110% of last week's."""
        weekly = weekly_run_minutes(level)
        if self.week_continuous[-2] and self.week_run_min[-2] > 0:
            weekly = min(weekly, WEEKLY_LIMIT * self.week_run_min[-2])
        return weekly

    def _week(self, w: int) -> PlanWeek:
        self.week_run_min.append(0.0)
        self.week_continuous.append(True)
        level = self.progress.peek(self.start + timedelta(days=7 * w))
        weekly = self._weekly_limit(level) if level >= CONTINUOUS_LEVEL else 0.0
        phase = self._phase(w, level, weekly)
        n_runs = runs_per_week(weekly, back_to_training=phase is Phase.BACK_TO_TRAINING)
        run_days = RUN_DAYS + ((FOURTH_RUN_DAY,) if n_runs == 4 else ())
        days = tuple(self._day(self.start + timedelta(days=7 * w + d), d, w, phase, run_days)
                     for d in range(7))
        return PlanWeek(w + 1, phase, days)

    def _day(self, on: date, d: int, w: int, phase: Phase,
             run_days: tuple[int, ...]) -> PlanDay:
        sessions: list[PlannedSession] = []
        if d in run_days:
            sessions.append(self._run_day(on, phase, len(run_days)))
        if d in STRENGTH_DAYS:
            sessions.append(self._cached("strength", phase))
        if EXTRA_MOBILITY_DAY.get(phase) == d:
            sessions.append(self._cached("mobility", phase))
        cross_days = (3,) if len(run_days) == 4 else CROSS_DAYS[phase]
        if d in cross_days:
            activity = CROSS_ACTIVITIES[self.cross_count % len(CROSS_ACTIVITIES)]
            self.cross_count += 1
            sessions.append(cross_session(self.ctx, phase, activity))
        if d == REST_DAY and not sessions:
            sessions.append(self._cached("rest", phase))
        return PlanDay(on, w + 1, phase, tuple(sessions))

    def _cached(self, kind: str, phase: Phase) -> PlannedSession:
        key = (kind, phase)
        if key not in self._cache:
            if kind == "strength":
                self._cache[key] = strength_session(self.ctx, phase)
            elif kind == "mobility":
                self._cache[key] = mobility_session(self.ctx, phase, limited=False)
            else:
                self._cache[key] = rest_session(self.ctx)
        return self._cache[key]

    def _run_day(self, on: date, phase: Phase, n_runs: int) -> PlannedSession:
        level = self.progress.before_session(
            on, week_start=(on - self.start).days % 7 == RUN_DAYS[0])
        if level == WALK_LEVEL:
            minutes = self.walks.pop(0) if self.walks else REPLAN_WALKS[-1]
            session = walk_session(self.ctx, minutes, limited=False,
                                   gate=minutes >= GATE_WALK_MIN)
            self.progress.after_session(counted=session.gate)
            return session
        session = self._run(on, level, phase, n_runs)
        if session.run is not None:
            self.planned.append((on, session.run.est_distance_m))
            self.week_run_min[-1] += session.run.run_min
            self.week_continuous[-1] &= session.run.continuous
        self.progress.after_session(counted=session.run is not None)
        return session

    def _run(self, on: date, level: int, phase: Phase, n_runs: int) -> PlannedSession:
        recorded_cap = single_run_cap_m(on, self.recorded)
        if level < CONTINUOUS_LEVEL:
            made = walk_run_session(self.ctx, level, phase, recorded_cap)
        else:
            cap = single_run_cap_m(on, self.recorded + self.planned)
            minutes = math.floor(self._weekly_limit(level) / n_runs)
            made = continuous_session(self.ctx, level, minutes, phase, cap)
        return made or walk_session(self.ctx, REPLAN_WALKS[-1], limited=False)
