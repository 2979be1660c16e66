"""Daily check-ins and how they move the plan: progress, hold, step back or stop.

Rules for one check-in (``silbernagel2007`` pain-monitoring model, Moderate for
Achilles tendons and **Expert** as used here for backs; the 3/10 ceiling is the
conservative setting):

========================================================  ============  =====================
Check-in                                                   Decision      Source
========================================================  ============  =====================
any new red-flag symptom                                   stop; re-run  ``finucane2020``
                                                           the check
pain during or after above 5/10                            step back     ``silbernagel2007``
next morning worse than usual                              step back     ``silbernagel2007``
new or spreading leg symptoms                              step back     ``nice_cks_sciatica``
pain 4-5/10                                                hold          ``silbernagel2007``
next morning not answered (not known to have settled)      hold          ``silbernagel2007``
morning stiffness up 1 point or more on the week before    hold          ``silbernagel2007``
pain at most 3/10 and settled by the next morning          counts; the   ``army_rtr2023``,
                                                           level moves   ``readiness_gate``
                                                           up once held
                                                           long enough
========================================================  ============  =====================

"Held long enough" is :func:`~backstride.domain.ladder.ready_to_progress`: two
acceptable runs per walk-run stage; two runs and 7 days per continuous level; at
level 0 one readiness walk (30 min or more, pain at most 2/10). Stepping back lowers the
level by one (walking only below stage 1). A check-in's ``morning_vs_usual`` is the
morning *after* that day, so the record is usually completed the next day; check-ins
are therefore **replayed** from the plan's initial state every time (:func:`replay`),
and editing an earlier record is taken into account.

Referral triggers over the history are in :mod:`backstride.domain.referrals`
(re-exported here); each met trigger is a :class:`Referral` on the decision.
Check-ins are :class:`~backstride.domain.checkin.CheckIn` (re-exported).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from backstride.domain.checkin import CheckIn, Morning, in_window, mean_of
from backstride.domain.ladder import (
    CONTINUOUS_LEVEL,
    GATE_PAIN_MAX,
    GATE_WALK_MIN,
    PAIN_HOLD_MAX,
    PAIN_OK_MAX,
    WALK_LEVEL,
    ready_to_progress,
    stage,
    weekly_run_minutes,
)
from backstride.domain.plan_model import Plan, SessionKind
from backstride.domain.referrals import Referral, referral_triggers
from backstride.domain.triage import TriageKnowledge, TriageLevel

__all__ = [
    "EMERGENCY_SIGNS",
    "Action",
    "CheckIn",
    "Decision",
    "Morning",
    "PlanState",
    "Reason",
    "Referral",
    "adapt",
    "classify",
    "level_text",
    "referral_triggers",
    "replay",
]

#: Shown with every stop: the emergency signs that need an emergency department.
EMERGENCY_SIGNS: Final = (
    "If you have numbness in the saddle area, a change in bladder or bowel control, "
    "weakness in a leg that is getting worse, or symptoms in both legs, go to an "
    "emergency department now.")
#: Rise in mean morning stiffness (0-10) week on week that holds the plan (``backstride``).
STIFFNESS_RISE: Final = 1.0


class Action(StrEnum):
    """What a check-in does to the plan."""

    PROGRESS = "progress"
    HOLD = "hold"
    STEP_BACK = "step_back"
    STOP = "stop"


@dataclass(frozen=True, slots=True)
class PlanState:
    """Where the runner is in the plan.

    Attributes
    ----------
    level
        Current run level (:mod:`backstride.domain.ladder`).
    top_level
        The plan's highest level.
    level_since
        First day at the current level.
    acceptable
        Acceptable sessions at this level so far.
    stopped, stop_reason
        Set by a new red flag: the plan is stopped until the check is run again.
    baseline_pain
        Pain at the check (0-10), the fallback reference for the 4-week trigger.
    """

    level: int
    top_level: int
    level_since: date
    acceptable: int = 0
    stopped: bool = False
    stop_reason: str | None = None
    baseline_pain: float | None = None

    @classmethod
    def initial(cls, plan: Plan) -> PlanState:
        """The state a plan starts from (stopped when the plan is stopped)."""
        pain = plan.basis.pain
        base = pain.get("pain_during_run", pain.get("pain_now"))
        return cls(plan.start_level, plan.top_level, plan.start,
                   stopped=plan.stopped is not None,
                   stop_reason=None if plan.stopped is None else plan.stopped.title,
                   baseline_pain=None if base is None else float(base))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, accepted by :meth:`from_dict`."""
        return {"level": self.level, "top_level": self.top_level,
                "level_since": self.level_since.isoformat(), "acceptable": self.acceptable,
                "stopped": self.stopped, "stop_reason": self.stop_reason,
                "baseline_pain": self.baseline_pain}

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> PlanState:
        """Rebuild from :meth:`to_dict` output."""
        base, reason = d.get("baseline_pain"), d.get("stop_reason")
        return cls(int(str(d["level"])), int(str(d["top_level"])),
                   date.fromisoformat(str(d["level_since"])), int(str(d.get("acceptable", 0))),
                   d.get("stopped") is True, None if reason is None else str(reason),
                   float(base) if isinstance(base, int | float) else None)


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that applied: key, plain words, sources."""

    rule: str
    text: str
    source_keys: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"rule": self.rule, "text": self.text, "sources": list(self.source_keys)}


@dataclass(frozen=True, slots=True)
class Decision:
    """What one check-in did to the plan.

    Attributes
    ----------
    on
        The check-in's day (None when there was no check-in yet).
    action
        progress, hold, step_back or stop.
    reasons
        The rules that decided it.
    level_before
        Run level before the check-in.
    state
        The state after it.
    referrals
        Referral triggers met by the history up to this check-in.
    instruction
        What to do next, in plain words.
    """

    on: date | None
    action: Action
    reasons: tuple[Reason, ...]
    level_before: int
    state: PlanState
    referrals: tuple[Referral, ...]
    instruction: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"on": None if self.on is None else self.on.isoformat(),
                "action": self.action.value, "reasons": [r.to_dict() for r in self.reasons],
                "level_before": self.level_before, "level": self.state.level,
                "level_text": level_text(self.state.level), "state": self.state.to_dict(),
                "referrals": [r.to_dict() for r in self.referrals],
                "instruction": self.instruction}


def level_text(level: int) -> str:
    """Plain words for a run level."""
    if level <= WALK_LEVEL:
        return "walking only, up to the 30-minute readiness walk"
    if level < CONTINUOUS_LEVEL:
        return f"walk-run stage {level} ({stage(level).describe()})"
    return f"continuous easy running, about {weekly_run_minutes(level):.0f} min a week"


def classify(ci: CheckIn, previous: Sequence[CheckIn] = ()) -> tuple[Action, list[Reason]]:
    """Apply the pain rules to one check-in (without the progress gate).

    Returns STOP, STEP_BACK or HOLD with the rules that fired, or PROGRESS with no
    reasons when the day is symptom-acceptable (pain at most 3/10, settled by the next
    morning, no new leg symptoms, stiffness not rising).
    """
    if ci.new_red_flags:
        flags = ", ".join(f.replace("_", " ") for f in ci.new_red_flags)
        return Action.STOP, [Reason("new_red_flag", f"New warning sign reported: {flags}. "
                                    "The plan stops until the check has been run again.",
                                    ("finucane2020",))]
    back = _step_back_reasons(ci)
    if back:
        return Action.STEP_BACK, back
    hold = _hold_reasons(ci, previous)
    if hold:
        return Action.HOLD, hold
    return Action.PROGRESS, []


def _step_back_reasons(ci: CheckIn) -> list[Reason]:
    out: list[Reason] = []
    if ci.pain is not None and ci.pain > PAIN_HOLD_MAX:
        out.append(Reason("pain_above_5", f"Pain reached {ci.pain}/10, above "
                          f"{PAIN_HOLD_MAX}/10.", ("silbernagel2007",)))
    if ci.morning_vs_usual is Morning.WORSE:
        out.append(Reason("morning_worse", "The back was worse than usual the next morning.",
                          ("silbernagel2007",)))
    if ci.leg_symptoms_new:
        out.append(Reason("leg_symptoms_new", "New or spreading leg symptoms.",
                          ("nice_cks_sciatica",)))
    return out


def _hold_reasons(ci: CheckIn, previous: Sequence[CheckIn]) -> list[Reason]:
    out: list[Reason] = []
    if ci.pain is not None and ci.pain > PAIN_OK_MAX:
        out.append(Reason("pain_4_5", f"Pain reached {ci.pain}/10: acceptable, but above "
                          f"{PAIN_OK_MAX}/10, so the plan holds.", ("silbernagel2007",)))
    if ci.morning_vs_usual is None:
        out.append(Reason("morning_unknown", "Not yet known whether the back settled by the "
                          "next morning; answer that tomorrow.", ("silbernagel2007",)))
    rise = _stiffness_rise(ci, previous)
    if rise is not None and rise >= STIFFNESS_RISE:
        out.append(Reason("stiffness_rising", f"Morning stiffness is {rise:.1f} points "
                          "higher than the week before.", ("silbernagel2007",)))
    return out


def _stiffness_rise(ci: CheckIn, previous: Sequence[CheckIn]) -> float | None:
    """Mean morning stiffness of the last 7 days minus that of the 7 days before."""
    history = sorted([*(c for c in previous if c.on < ci.on), ci], key=lambda c: c.on)
    week = mean_of([c.stiffness for c in in_window(history, ci.on)])
    before = mean_of([c.stiffness for c in in_window(history, ci.on - timedelta(days=7))])
    return None if week is None or before is None else week - before


def _counts(ci: CheckIn, level: int) -> tuple[bool, str]:
    """Whether an acceptable day counts for the level, and what it did."""
    if level <= WALK_LEVEL:
        walked = SessionKind.WALK in ci.sessions_done and (ci.walk_minutes or 0) >= \
            GATE_WALK_MIN
        easy = ci.pain is not None and ci.pain <= GATE_PAIN_MAX
        if walked and easy:
            return True, "Readiness walk passed (30 minutes, pain at most 2/10)."
        return False, ("No readiness walk yet: 30 minutes of brisk walking with pain at "
                       f"most {GATE_PAIN_MAX}/10.")
    if SessionKind.RUN in ci.sessions_done:
        return True, "Run done with acceptable symptoms."
    return False, "No run that day: the level stays as it is."


def _decide(state: PlanState, ci: CheckIn, previous: Sequence[CheckIn]) -> tuple[
        Action, list[Reason], PlanState]:
    if state.stopped:
        return Action.STOP, [Reason("stopped", state.stop_reason or "The plan is stopped.",
                                    ("finucane2020",))], state
    action, reasons = classify(ci, previous)
    tomorrow = ci.on + timedelta(days=1)
    if action is Action.STOP:
        return action, reasons, replace(state, stopped=True, stop_reason=reasons[0].text)
    if action is Action.STEP_BACK:
        level = max(WALK_LEVEL, state.level - 1)
        return action, reasons, replace(state, level=level, acceptable=0,
                                        level_since=tomorrow)
    if action is Action.HOLD:
        return action, reasons, state
    counted, text = _counts(ci, state.level)
    acceptable = state.acceptable + int(counted)
    rule = "acceptable_session" if counted else "no_level_session"
    keys = ("readiness_gate",) if state.level <= WALK_LEVEL else ("army_rtr2023",)
    reasons = [Reason(rule, text, (*keys, "silbernagel2007"))]
    days = (tomorrow - state.level_since).days
    if state.level < state.top_level and ready_to_progress(state.level, acceptable, days):
        return Action.PROGRESS, reasons, replace(state, level=state.level + 1, acceptable=0,
                                                 level_since=tomorrow)
    return Action.HOLD, reasons, replace(state, acceptable=acceptable)


def _instruction(action: Action, state: PlanState, triage: TriageKnowledge | None,
                 flags: Sequence[str]) -> str:
    if action is Action.STOP:
        level, advice = _red_flag_advice(flags, triage)
        if level is not None and level.urgent:
            return (f"{advice.strip()} The plan is stopped; run the check again once you "
                    "have been seen.")
        return f"Stop the plan and run the check again now. {advice}{EMERGENCY_SIGNS}"
    text = level_text(state.level)
    if action is Action.PROGRESS:
        return f"Move up: {text}."
    if action is Action.STEP_BACK:
        return f"Step back: {text}. Take it easy until the morning pain settles."
    return f"Stay at the current level: {text}."


def _red_flag_advice(flags: Sequence[str], triage: TriageKnowledge | None
                     ) -> tuple[TriageLevel | None, str]:
    """The highest triage level among the flagged rules and its advice."""
    if triage is None or not flags:
        return None, ""
    levels = [r.level for r in triage.rules if r.key in flags]
    if not levels:
        return None, ""
    top = max(levels, key=lambda lv: lv.rank)
    return top, f"{triage.levels[top].advice} "


def replay(state: PlanState, checkins: Sequence[CheckIn], *,
           triage: TriageKnowledge | None = None) -> list[Decision]:
    """Replay check-ins in date order from ``state`` (normally :meth:`PlanState.initial`).

    Check-ins before ``state.level_since`` only count for the referral triggers,
    except a new red flag, which stops the plan whenever it was logged; a later
    check-in on the same day replaces an earlier one.

    Parameters
    ----------
    state
        The state the check-ins start from.
    checkins
        Every check-in (any order).
    triage
        Red-flag knowledge, to quote the advice of a new red flag's level.

    Returns
    -------
    list of Decision
        One per check-in from the plan's start on, in date order.
    """
    ordered = sorted({c.on: c for c in checkins}.values(), key=lambda c: c.on)
    decisions: list[Decision] = []
    for i, ci in enumerate(ordered):
        if ci.on < state.level_since and not decisions and not ci.new_red_flags:
            continue
        before = state.level
        action, reasons, state = _decide(state, ci, ordered[:i])
        referrals = referral_triggers(ordered[: i + 1], ci.on, state.baseline_pain)
        decisions.append(Decision(ci.on, action, tuple(reasons), before, state, referrals,
                                  _instruction(action, state, triage, ci.new_red_flags)))
    return decisions


def adapt(state: PlanState, checkins: Sequence[CheckIn], *,
          triage: TriageKnowledge | None = None) -> Decision:
    """The decision for the latest check-in (see :func:`replay`).

    Without any check-in from the plan's start on: hold, with the plan's state.
    """
    decisions = replay(state, checkins, triage=triage)
    if decisions:
        return decisions[-1]
    action = Action.STOP if state.stopped else Action.HOLD
    reason = Reason("no_checkin", "No check-in yet: follow the plan as written.",
                    ("silbernagel2007",))
    return Decision(None, action, (reason,), state.level, state, (),
                    _instruction(action, state, triage, ()))
