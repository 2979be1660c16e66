"""The plan's data model: phases, weeks, days and sessions, plus action items.

A :class:`Plan` is built by :func:`backstride.domain.plan.build_plan` (which also
re-exports these types). Shape::

    Plan
      weeks: PlanWeek (index, phase)            settle, rebuild, return_to_run,
        days: PlanDay (date)                    back_to_training
          sessions: PlannedSession              run | walk | strength | mobility |
            exercises: Prescription...          cross_training | rest
            run: RunPlan (level, intervals, warm-up drills, cadence cue, terrain,
                          110% distance cap, workout steps for watch export)
      actions: ActionItem (referral, footwear, load, terrain, cadence, habit, recovery,
                           cross_training)
      stopped: StopInfo | None (emergency / same-day triage: no sessions at all)

Every session and action carries its reason and the source keys behind it
(:data:`backstride.domain.evidence.SOURCES`). :meth:`Plan.to_dict` is the ``--json``
output and what storage keeps; the plan is rebuilt from its ``basis``, ``start``,
``weeks_requested`` and ``start_level`` (the build is deterministic).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from backstride.domain.evidence import SOURCES
from backstride.domain.exercises import Exercise, Phase, Prescription
from backstride.domain.ladder import LADDER
from backstride.domain.plan_basis import PlanBasis

__all__ = [
    "PLAN_SCHEMA",
    "ActionItem",
    "Phase",
    "Plan",
    "PlanDay",
    "PlanWeek",
    "PlannedSession",
    "RunPlan",
    "SessionKind",
    "StepIntent",
    "StopInfo",
    "Terrain",
    "WorkoutRepeat",
    "WorkoutStep",
]

#: Version of the :meth:`Plan.to_dict` shape.
PLAN_SCHEMA: Final = 1


class SessionKind(StrEnum):
    """What a planned session is."""

    RUN = "run"
    WALK = "walk"
    STRENGTH = "strength"
    MOBILITY = "mobility"
    CROSS_TRAINING = "cross_training"
    REST = "rest"


class Terrain(StrEnum):
    """Where to run: flat until symptoms settle; uphill before downhill (``levine2007``)."""

    FLAT = "flat"
    FLAT_OR_UPHILL = "flat_or_uphill"


class StepIntent(StrEnum):
    """Workout step type (maps onto FIT workout step intensities)."""

    WARM_UP = "warm_up"
    RUN = "run"
    WALK = "walk"
    COOL_DOWN = "cool_down"


@dataclass(frozen=True, slots=True)
class WorkoutStep:
    """One timed step of a watch workout [s]."""

    intent: StepIntent
    duration_s: int
    text: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"type": "step", "intent": self.intent.value, "duration_s": self.duration_s,
                "text": self.text}


@dataclass(frozen=True, slots=True)
class WorkoutRepeat:
    """Steps repeated ``count`` times (a FIT repeat step)."""

    count: int
    steps: tuple[WorkoutStep, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"type": "repeat", "count": self.count,
                "steps": [s.to_dict() for s in self.steps]}


@dataclass(frozen=True, slots=True)
class RunPlan:
    """The structure of a planned run.

    Attributes
    ----------
    level
        Run level (1-7 walk-run stages, 8 and up continuous; see
        :mod:`backstride.domain.ladder`).
    run_s, walk_s, repeats
        Intervals [s]: ``repeats`` x (run ``run_s``, walk ``walk_s``); a continuous run
        is one repeat with ``walk_s`` 0.
    warm_up_walk_min, cool_down_walk_min
        Brisk walk before and easy walk after [min].
    drills
        Warm-up drills done before the run.
    cadence_cue_pct
        Step-rate increase over the runner's own cadence at the same pace [%], when
        cadence was flagged (``heiderscheit2011``); None otherwise.
    terrain
        Flat, or flat/uphill in the back-to-training phase (never a hill session).
    max_distance_m
        The single-run cap: 110% of the longest run of the 30 days before [m]
        (``nielsen2025``); None when no run falls in that window.
    est_distance_m
        Estimated distance of the intervals at the runner's easy pace [m].
    rpe
        Target effort range on the 0-10 scale.
    shortened
        True when the cap shortened the run.
    """

    level: int
    run_s: int
    walk_s: int
    repeats: int
    warm_up_walk_min: int
    cool_down_walk_min: int
    drills: tuple[Prescription, ...]
    cadence_cue_pct: float | None
    terrain: Terrain
    max_distance_m: float | None
    est_distance_m: float
    rpe: tuple[int, int] = (3, 5)
    shortened: bool = False

    @property
    def continuous(self) -> bool:
        """True without walking intervals."""
        return self.walk_s == 0

    @property
    def run_min(self) -> float:
        """Running time [min]."""
        return self.run_s * self.repeats / 60.0

    @property
    def interval_min(self) -> float:
        """Running and walking intervals [min] (no warm-up, cool-down)."""
        return (self.run_s + self.walk_s) * self.repeats / 60.0

    @property
    def total_min(self) -> float:
        """Whole session including the warm-up walk, drills and cool-down [min]."""
        drills = sum(p.dose.minutes for p in self.drills)
        return self.interval_min + self.warm_up_walk_min + self.cool_down_walk_min + drills

    def describe(self) -> str:
        """E.g. ``2 min run / 2 min walk x 5`` or ``33 min easy continuous``."""
        if self.continuous:
            return f"{self.run_s / 60:g} min easy continuous"
        return f"{self.run_s / 60:g} min run / {self.walk_s / 60:g} min walk x {self.repeats}"

    def workout(self) -> tuple[WorkoutStep | WorkoutRepeat, ...]:
        """Watch workout: warm-up walk, intervals (a repeat block), cool-down walk."""
        warm = WorkoutStep(StepIntent.WARM_UP, self.warm_up_walk_min * 60,
                           "Brisk walk, then the warm-up drills")
        cool = WorkoutStep(StepIntent.COOL_DOWN, self.cool_down_walk_min * 60, "Easy walk")
        cue = f", cadence +{self.cadence_cue_pct:g}%" if self.cadence_cue_pct else ""
        run = WorkoutStep(StepIntent.RUN, self.run_s, f"Easy run, RPE {self.rpe[0]}-"
                                                      f"{self.rpe[1]}{cue}")
        if self.continuous:
            return (warm, run, cool)
        walk = WorkoutStep(StepIntent.WALK, self.walk_s, "Walk")
        return (warm, WorkoutRepeat(self.repeats, (run, walk)), cool)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (with ``workout`` steps for the watch export)."""
        return {"level": self.level, "run_s": self.run_s, "walk_s": self.walk_s,
                "repeats": self.repeats, "continuous": self.continuous,
                "run_min": round(self.run_min, 2), "total_min": round(self.total_min, 1),
                "text": self.describe(), "warm_up_walk_min": self.warm_up_walk_min,
                "cool_down_walk_min": self.cool_down_walk_min,
                "drills": [p.to_dict() for p in self.drills],
                "cadence_cue_pct": self.cadence_cue_pct, "terrain": self.terrain.value,
                "max_distance_m": None if self.max_distance_m is None
                else round(self.max_distance_m),
                "est_distance_m": round(self.est_distance_m), "rpe": list(self.rpe),
                "shortened": self.shortened,
                "workout": [s.to_dict() for s in self.workout()]}


@dataclass(frozen=True, slots=True)
class PlannedSession:
    """One session of a day.

    Attributes
    ----------
    kind
        Run, walk, strength, mobility, cross-training or rest.
    title
        Short title for a calendar entry.
    minutes
        Planned duration [min].
    reason
        Why it is in the plan.
    source_keys
        Sources behind it.
    exercises
        Strength and mobility prescriptions.
    run
        Run structure (run sessions only).
    activity
        Cross-training activity (cycling, swimming, yoga) or "walk".
    notes
        Safety notes and cues (pain rule, leg symptoms, terrain...).
    gate
        True for the readiness-gate walk (30 min, pain at most 2/10).
    """

    kind: SessionKind
    title: str
    minutes: float
    reason: str
    source_keys: tuple[str, ...]
    exercises: tuple[Prescription, ...] = ()
    run: RunPlan | None = None
    activity: str | None = None
    notes: tuple[str, ...] = ()
    gate: bool = False

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"kind": self.kind.value, "title": self.title,
                "minutes": round(self.minutes, 1), "reason": self.reason,
                "sources": list(self.source_keys),
                "exercises": [p.to_dict() for p in self.exercises],
                "run": None if self.run is None else self.run.to_dict(),
                "activity": self.activity, "notes": list(self.notes), "gate": self.gate}


@dataclass(frozen=True, slots=True)
class PlanDay:
    """One calendar day of the plan."""

    on: date
    week: int
    phase: Phase
    sessions: tuple[PlannedSession, ...]

    @property
    def run(self) -> PlannedSession | None:
        """The run session of the day, if any."""
        return next((s for s in self.sessions if s.kind is SessionKind.RUN), None)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"date": self.on.isoformat(), "weekday": self.on.strftime("%A"),
                "week": self.week, "phase": self.phase.value,
                "sessions": [s.to_dict() for s in self.sessions]}


@dataclass(frozen=True, slots=True)
class PlanWeek:
    """Seven days; ``index`` starts at 1."""

    index: int
    phase: Phase
    days: tuple[PlanDay, ...]

    @property
    def start(self) -> date:
        """First day."""
        return self.days[0].on

    @property
    def run_minutes(self) -> float:
        """Planned running time of the week [min] (running intervals only)."""
        return sum(s.run.run_min for d in self.days for s in d.sessions if s.run is not None)

    @property
    def run_distance_m(self) -> float:
        """Estimated distance of the week's run sessions [m]."""
        return sum(s.run.est_distance_m for d in self.days for s in d.sessions
                   if s.run is not None)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"index": self.index, "phase": self.phase.value, "start": self.start.isoformat(),
                "run_minutes": round(self.run_minutes, 1),
                "run_distance_km": round(self.run_distance_m / 1000, 2),
                "days": [d.to_dict() for d in self.days]}


@dataclass(frozen=True, slots=True)
class ActionItem:
    """A plan-level action (not tied to a day).

    ``category`` is one of ``referral``, ``footwear``, ``load``, ``terrain``,
    ``cadence``, ``habit``, ``recovery``, ``cross_training``.
    """

    key: str
    category: str
    title: str
    text: str
    reason: str
    source_keys: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"key": self.key, "category": self.category, "title": self.title,
                "text": self.text, "reason": self.reason, "sources": list(self.source_keys)}


@dataclass(frozen=True, slots=True)
class StopInfo:
    """Why there is no plan: the triage level, where to go, and what was answered."""

    level: str
    title: str
    advice: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"level": self.level, "title": self.title, "advice": self.advice,
                "reasons": list(self.reasons)}


@dataclass(frozen=True, slots=True)
class Plan:
    """A built plan.

    Attributes
    ----------
    start
        First day.
    weeks
        The weeks (empty when stopped).
    actions
        Plan-level action items, referral first.
    basis
        What it was built from.
    weeks_requested
        The ``weeks`` asked for (a limited plan covers at most two).
    start_level, top_level
        Run level of the first day, and the highest level the plan goes to.
    stopped
        Set for ``emergency`` and ``same_day`` triage: no sessions at all.
    limited
        True for ``soon`` triage: gentle walking and mobility only, until seen.
    notes
        Plan-wide notes (the notice, the pain rule, how the plan adapts).
    requested_level
        The run level the build was asked to start from (re-planning), None for a fresh
        plan; with ``basis``, ``start`` and ``weeks_requested`` it rebuilds the plan
        exactly (:func:`backstride.domain.plan.plan_from_dict`).
    """

    start: date
    weeks: tuple[PlanWeek, ...]
    actions: tuple[ActionItem, ...]
    basis: PlanBasis
    weeks_requested: int
    start_level: int
    top_level: int
    stopped: StopInfo | None = None
    limited: bool = False
    notes: tuple[str, ...] = ()
    requested_level: int | None = None

    @property
    def end(self) -> date:
        """Last day (the start when there are no weeks)."""
        return self.weeks[-1].days[-1].on if self.weeks else self.start

    def days(self) -> Iterator[PlanDay]:
        """Every day, in order."""
        for week in self.weeks:
            yield from week.days

    def sessions(self) -> Iterator[tuple[date, PlannedSession]]:
        """Every session with its day, in order (the calendar export walks this)."""
        for day in self.days():
            for session in day.sessions:
                yield day.on, session

    def day(self, on: date) -> PlanDay | None:
        """The plan day for a date, None outside the plan."""
        if not self.weeks or not self.start <= on <= self.end:
            return None
        offset = (on - self.start).days
        return self.weeks[offset // 7].days[offset % 7]

    def phases(self) -> list[tuple[Phase, date, date]]:
        """Phases in order with their first and last day."""
        out: list[tuple[Phase, date, date]] = []
        for week in self.weeks:
            last = week.start + timedelta(days=len(week.days) - 1)
            if out and out[-1][0] is week.phase:
                out[-1] = (week.phase, out[-1][1], last)
            else:
                out.append((week.phase, week.start, last))
        return out

    def exercises(self) -> dict[str, Exercise]:
        """Every library exercise the plan prescribes (drills included), by key."""
        out: dict[str, Exercise] = {}
        for _, s in self.sessions():
            drills = s.run.drills if s.run is not None else ()
            for p in (*s.exercises, *drills):
                out.setdefault(p.key, p.exercise)
        return out

    def source_keys(self) -> list[str]:
        """Every source key cited by a session, exercise or action (first-use order)."""
        keys: list[str] = []
        for _, s in self.sessions():
            keys += s.source_keys
            keys += [p.exercise.source_key for p in s.exercises]
        keys += [e.source_key for e in self.exercises().values()]
        keys += [k for a in self.actions for k in a.source_keys]
        return list(dict.fromkeys(keys))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready plan.

        Keys: ``schema``, ``start``, ``end``, ``weeks_requested``, ``requested_level``,
        ``start_level``,
        ``top_level``, ``stopped``, ``limited``, ``triage`` (``level``, ``title``,
        ``advice``, ``plan_limit``), ``notice``, ``notes``, ``phases``, ``weeks``
        (``index``, ``phase``, ``start``, ``run_minutes``, ``run_distance_km``, ``days``
        with ``sessions``), ``actions``, ``exercises`` (the library entries prescribed,
        with steps, equipment, versions; sessions refer to them by ``key``), ``ladder``,
        ``sources`` (key to citation and grade) and ``basis`` (to rebuild the plan).
        """
        b = self.basis
        return {
            "schema": PLAN_SCHEMA, "start": self.start.isoformat(),
            "end": self.end.isoformat(), "weeks_requested": self.weeks_requested,
            "requested_level": self.requested_level,
            "start_level": self.start_level, "top_level": self.top_level,
            "stopped": None if self.stopped is None else self.stopped.to_dict(),
            "limited": self.limited,
            "triage": {"level": b.triage_level.value, "title": b.triage_title,
                       "advice": b.triage_advice, "plan_limit": b.plan_limit.value},
            "notice": b.notice, "notes": list(self.notes),
            "phases": [{"phase": p.value, "start": s.isoformat(), "end": e.isoformat()}
                       for p, s, e in self.phases()],
            "weeks": [w.to_dict() for w in self.weeks],
            "actions": [a.to_dict() for a in self.actions],
            "exercises": {k: e.to_dict() for k, e in self.exercises().items()},
            "ladder": [s.to_dict() for s in LADDER],
            "sources": {k: {"citation": SOURCES[k].citation, "grade": SOURCES[k].grade.value}
                        for k in self.source_keys()},
            "basis": b.to_dict(),
        }
