"""What to do today, and why.

:func:`today` replays the check-ins before the day (:func:`~backstride.domain.adaptation.replay`)
to find the runner's current run level, then adapts the calendar day:

* a stopped plan (emergency or same-day triage, or a new red flag in a check-in) gives
  no sessions, only where to go and the instruction to run the check again;
* a limited plan (``soon``) gives the day's gentle walk or mobility and the referral;
* otherwise the day's run (or walk) is rebuilt at the current level, never above the
  calendar's level for that day and within the calendar's single-run cap
  (``nielsen2025``); after a run yesterday, today's run becomes cross-training in the
  return phases (at least one rest day between runs, ``army_rtr2023``).

The advice lists the warm-up, the walk-run structure, the cadence cue, the pain rule,
the reasons for the current level and any referral trigger met.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from backstride.domain.adaptation import (
    EMERGENCY_SIGNS,
    CheckIn,
    Decision,
    PlanState,
    Reason,
    Referral,
    level_text,
    replay,
)
from backstride.domain.exercises import Exercise, ExerciseLibrary, Phase
from backstride.domain.ladder import (
    CONTINUOUS_LEVEL,
    GATE_WALK_MIN,
    WALK_LEVEL,
    weekly_run_minutes,
)
from backstride.domain.plan import RULES_NOTE
from backstride.domain.plan_model import Plan, PlanDay, PlannedSession, SessionKind
from backstride.domain.plan_sessions import (
    SessionContext,
    continuous_session,
    cross_session,
    walk_run_session,
    walk_session,
)
from backstride.domain.triage import TriageKnowledge

__all__ = ["Status", "TodayAdvice", "today"]


class Status(StrEnum):
    """Where the plan stands today."""

    ACTIVE = "active"
    LIMITED = "limited"
    STOPPED = "stopped"
    OUTSIDE = "outside_plan"


@dataclass(frozen=True, slots=True)
class TodayAdvice:
    """Today's advice.

    Attributes
    ----------
    on
        The day.
    status
        active, limited, stopped or outside_plan.
    headline
        One line: the main thing to do.
    sessions
        Today's sessions (adapted to the current level); empty when stopped.
    why
        Reasons, with sources.
    referrals
        Referral triggers met by the check-ins so far.
    reminders
        Pain rule, warm-up, cadence cue.
    phase, week, level
        Plan phase and week of the day, current run level.
    decision
        The latest check-in's decision, when any.
    """

    on: date
    status: Status
    headline: str
    sessions: tuple[PlannedSession, ...]
    why: tuple[Reason, ...]
    referrals: tuple[Referral, ...] = ()
    reminders: tuple[str, ...] = ()
    phase: Phase | None = None
    week: int | None = None
    level: int | None = None
    decision: Decision | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"on": self.on.isoformat(), "status": self.status.value,
                "headline": self.headline,
                "sessions": [s.to_dict() for s in self.sessions],
                "why": [r.to_dict() for r in self.why],
                "referrals": [r.to_dict() for r in self.referrals],
                "reminders": list(self.reminders),
                "phase": None if self.phase is None else self.phase.value,
                "week": self.week, "level": self.level,
                "level_text": None if self.level is None else level_text(self.level),
                "decision": None if self.decision is None else self.decision.to_dict(),
                "exercises": {k: e.to_dict() for k, e in self.exercises().items()}}

    def exercises(self) -> dict[str, Exercise]:
        """Library entries of today's prescriptions (with steps), by key."""
        out: dict[str, Exercise] = {}
        for s in self.sessions:
            drills = s.run.drills if s.run is not None else ()
            for p in (*s.exercises, *drills):
                out.setdefault(p.key, p.exercise)
        return out

    def lines(self) -> list[str]:
        """Plain-text rendering, one line per item."""
        out = [self.headline]
        for s in self.sessions:
            out.append(f"- {s.title} ({s.minutes:.0f} min)" if s.minutes else f"- {s.title}")
            out += [f"    {p.exercise.name}: {p.dose.describe()}" for p in s.exercises]
            out += [f"    {n}" for n in s.notes]
        out += [f"Why: {r.text}" for r in self.why]
        out += [f"See someone: {r.title}. {r.text}" for r in self.referrals]
        out += list(self.reminders)
        return out


def today(plan: Plan, state: PlanState, checkins: Sequence[CheckIn], on: date, *,
          exercises: ExerciseLibrary, triage: TriageKnowledge | None = None) -> TodayAdvice:
    """What to do on ``on``, and why.

    Parameters
    ----------
    plan
        The plan.
    state
        The state the check-ins start from (:meth:`PlanState.initial` of the plan).
    checkins
        All check-ins; those before ``on`` are replayed, and one logged on ``on``
        itself counts too when it reports a new red flag (the plan stops at once).
    on
        The day.
    exercises
        The exercise library (to rebuild the day's run).
    triage
        Red-flag knowledge, to quote the advice for a new red flag.
    """
    if plan.stopped is not None:
        triage_reason = Reason("triage", " ".join(plan.stopped.reasons) or plan.stopped.title,
                               plan.basis.triage_sources or ("finucane2020",))
        return TodayAdvice(on, Status.STOPPED, f"{plan.stopped.title}. {plan.stopped.advice}",
                           (), (triage_reason,), reminders=(EMERGENCY_SIGNS,))
    upto = [c for c in checkins if c.on < on or (c.on == on and c.new_red_flags)]
    decisions = replay(state, upto, triage=triage)
    last = decisions[-1] if decisions else None
    current = last.state if last else state
    referrals = last.referrals if last else ()
    if current.stopped:
        text = last.instruction if last else EMERGENCY_SIGNS
        return TodayAdvice(on, Status.STOPPED, "The plan is stopped: run the check again.",
                           (), last.reasons if last else (), referrals, (text,),
                           level=current.level, decision=last)
    day = plan.day(on)
    if day is None:
        headline = ("The plan has not started yet." if on < plan.start else
                    "This plan has ended: run the check again to build the next block.")
        return TodayAdvice(on, Status.OUTSIDE, headline, (), (), referrals,
                           level=current.level, decision=last)
    if plan.limited:
        return _limited(plan, day, referrals, current, last)
    ctx = SessionContext.of(plan.basis, exercises, gentle_only=False)
    ran_yesterday = any(c.on == on - timedelta(days=1) and SessionKind.RUN in c.sessions_done
                        for c in checkins)
    runs = sum(1 for d in plan.weeks[day.week - 1].days for s in d.sessions
               if s.kind in (SessionKind.RUN, SessionKind.WALK))
    sessions = tuple(_adapt_session(s, day, current.level, ctx, ran_yesterday, runs)
                     for s in day.sessions)
    why = _why(day, current, last)
    return TodayAdvice(on, Status.ACTIVE, _headline(sessions), sessions, why, referrals,
                       _reminders(sessions), day.phase, day.week, current.level, last)


def _limited(plan: Plan, day: PlanDay, referrals: tuple[Referral, ...], state: PlanState,
             last: Decision | None) -> TodayAdvice:
    b = plan.basis
    why = (Reason("triage", f"{b.triage_title}. {b.triage_advice}",
                  b.triage_sources or ("finucane2020",)),)
    headline = "Until you have been seen: gentle walking and mobility only. " + _headline(
        day.sessions)
    return TodayAdvice(day.on, Status.LIMITED, headline, day.sessions, why, referrals,
                       (RULES_NOTE, EMERGENCY_SIGNS), day.phase, day.week, state.level, last)


def _static_level(session: PlannedSession) -> int:
    return session.run.level if session.run is not None else WALK_LEVEL


def _adapt_session(session: PlannedSession, day: PlanDay, level: int, ctx: SessionContext,
                   ran_yesterday: bool, runs_in_week: int) -> PlannedSession:
    if session.kind not in (SessionKind.RUN, SessionKind.WALK):
        return session
    if ran_yesterday and day.phase is not Phase.BACK_TO_TRAINING:
        cross = cross_session(ctx, day.phase, "cycling")
        return replace(cross, notes=("You ran yesterday: keep at least one rest day "
                                     "between runs, so cross-train today.", *cross.notes),
                       source_keys=(*cross.source_keys, "army_rtr2023"))
    if level >= _static_level(session):
        return session
    return _at_level(session, day, level, ctx, runs_in_week)


def _at_level(session: PlannedSession, day: PlanDay, level: int, ctx: SessionContext,
              runs_in_week: int) -> PlannedSession:
    cap = session.run.max_distance_m if session.run is not None else None
    made: PlannedSession | None
    if level <= WALK_LEVEL:
        return walk_session(ctx, GATE_WALK_MIN, limited=False, gate=True)
    if level < CONTINUOUS_LEVEL:
        made = walk_run_session(ctx, level, day.phase, cap)
    else:
        minutes = math.floor(weekly_run_minutes(level) / max(1, runs_in_week))
        made = continuous_session(ctx, level, minutes, day.phase, cap)
    return made or walk_session(ctx, GATE_WALK_MIN, limited=False)


def _headline(sessions: Sequence[PlannedSession]) -> str:
    if not sessions:
        return "Nothing planned today."
    main = next((s for s in sessions if s.kind in (SessionKind.RUN, SessionKind.WALK)),
                sessions[0])
    others = [s.title for s in sessions if s is not main]
    return main.title + (f"; also {', '.join(others)}" if others else "")


def _why(day: PlanDay, state: PlanState, last: Decision | None) -> tuple[Reason, ...]:
    out = [Reason("phase", f"Week {day.week}, {day.phase.value.replace('_', ' ')} phase; "
                  f"current level: {level_text(state.level)}.", ("army_rtr2023",))]
    if last is not None and last.on is not None:
        when = last.on.isoformat()
        out += [replace(r, text=f"Check-in of {when}: {r.text}") for r in last.reasons]
        out.append(Reason("next", last.instruction, ("silbernagel2007",)))
    return tuple(out)


def _reminders(sessions: Sequence[PlannedSession]) -> tuple[str, ...]:
    out = [RULES_NOTE]
    run = next((s.run for s in sessions if s.run is not None), None)
    if run is not None:
        drills = ", ".join(p.exercise.name.lower() for p in run.drills)
        out.append(f"Warm up: {run.warm_up_walk_min} min brisk walking, then {drills}.")
        out.append(f"Today's run: {run.describe()}, easy (RPE {run.rpe[0]}-{run.rpe[1]}), "
                   f"{run.terrain.value.replace('_', ' ')}.")
        if run.cadence_cue_pct:
            out.append(f"Cadence cue: about {run.cadence_cue_pct:g}% more steps per minute "
                       "than your usual at this pace.")
    return tuple(out)
