"""Application service: the plan, the daily check-ins and today's advice.

The edge between the pure plan core (:mod:`backstride.domain.plan`,
:mod:`backstride.domain.adaptation`, :mod:`backstride.domain.today`) and the Store.

:func:`make_plan`
    Builds the plan from the **latest stored check** (its answers are run through the
    check again with the current training signals, so contributors see today's
    evidence), the signals and the recent running of :func:`~backstride.analysis.current_signals`
    on the start day, and stores it as the active plan. No check: a clear error telling
    the runner to run ``backstride check`` first. When the active plan was built from
    the same check and check-ins have moved its run level, the new plan continues from
    that level (so building the plan again never undoes a step back).
:func:`active_plan`
    The active plan, rebuilt exactly from its stored fields.
:func:`record_checkin`
    Stores one day's check-in (replacing that day's earlier record).
:func:`decide`
    Replays every check-in from the plan's initial state (the domain's rule: the next
    morning is usually answered a day later) and returns the decision for a day; the
    resulting state is saved on the plan row.
:func:`advice_for`
    What to do on a day (:class:`~backstride.domain.today.TodayAdvice`).

Warning signs in a check-in
---------------------------
A new red flag stops the plan at once: every later decision is *stop*, ``today`` gives
no sessions, and the runner is told to run ``backstride check`` again (which re-runs
triage). When the flag is an emergency or same-day sign, the advice of that level
(where to go and how fast) is part of the instruction. A check taken **after** the
warning sign was first recorded supersedes it (the check asked about it again), so a
plan built from that check is not stopped by the old record. :func:`make_plan` refuses
while a warning sign newer than the latest check is on record (:class:`RedFlagStopError`).

A check newer than the active plan's makes the plan outdated: ``today`` then gives no
sessions and says to build the plan again (with the new check's advice first when that
check is urgent).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from backstride.domain.adaptation import (
    EMERGENCY_SIGNS,
    CheckIn,
    Decision,
    PlanState,
    Reason,
    adapt,
    replay,
)
from backstride.domain.check import Knowledge
from backstride.domain.exercises import ExerciseLibrary
from backstride.domain.plan import Plan, plan_from_dict
from backstride.domain.today import Status, TodayAdvice, today
from backstride.domain.triage import LevelAdvice, TriageLevel
from backstride.errors import AnswersError, BackstrideError, InputError, NotFoundError
from backstride.storage.checks import StoredCheck, get_check, latest_check
from backstride.storage.plans import (
    StoredCheckIn,
    StoredPlan,
    active_plan_record,
    get_checkin,
    list_checkins,
    save_checkin,
    save_plan,
    update_plan_state,
)

if TYPE_CHECKING:
    from backstride.analysis import Analysis
    from backstride.domain.answers import Answers
    from backstride.storage.store import Store

__all__ = [
    "NO_CHECK",
    "NO_PLAN",
    "ActivePlan",
    "RedFlagStopError",
    "active_plan",
    "active_plan_info",
    "advice_for",
    "decide",
    "history",
    "make_plan",
    "merge_checkin",
    "record_checkin",
    "red_flag_advice",
    "red_flag_keys",
]

log = logging.getLogger(__name__)

NO_CHECK: Final = ("no back check stored yet: run `backstride check` first (the plan is "
                   "built from your latest check)")
NO_PLAN: Final = "no plan yet: run `backstride plan` to build one from your latest check"


class RedFlagStopError(BackstrideError):
    """A warning sign logged after the latest check: the plan stays stopped until the
    check is run again.

    Attributes
    ----------
    on
        Day of the check-in that reported it.
    flags
        The red-flag rule keys.
    advice
        The advice of the highest level among them (None when unknown).
    """

    def __init__(self, on: date, flags: Sequence[str], advice: LevelAdvice | None) -> None:
        self.on, self.flags, self.advice = on, tuple(flags), advice
        #: The message without the level's advice (for a caller that shows it apart).
        self.short = (f"a warning sign was logged on {on.isoformat()} "
                      f"({', '.join(f.replace('_', ' ') for f in flags)}) after your latest "
                      "check, so the plan stays stopped: run `backstride check` again "
                      "before a new plan")
        where = f" ({advice.title}: {advice.advice})" if advice is not None else ""
        super().__init__(self.short + where)


@dataclass(frozen=True, slots=True)
class ActivePlan:
    """The active plan with its row and the check it was built from."""

    record: StoredPlan
    plan: Plan
    check: StoredCheck | None

    @property
    def initial(self) -> PlanState:
        """The state the check-ins are replayed from."""
        return PlanState.initial(self.plan)


# -- knowledge helpers --------------------------------------------------------------------


def _knowledge(knowledge: Knowledge | None) -> Knowledge:
    if knowledge is not None:
        return knowledge
    from backstride.knowledge import load_knowledge

    return load_knowledge()


def _exercises(exercises: ExerciseLibrary | None) -> ExerciseLibrary:
    if exercises is not None:
        return exercises
    from backstride.knowledge.exercises import load_exercises

    return load_exercises()


def red_flag_keys(knowledge: Knowledge) -> tuple[str, ...]:
    """Every red-flag rule key (``red_flags.json``), in file order."""
    return tuple(r.key for r in knowledge.triage.rules)


def red_flag_advice(knowledge: Knowledge, flags: Sequence[str]) -> LevelAdvice | None:
    """Where to go and how fast for the highest level among ``flags`` (None when none)."""
    levels = [r.level for r in knowledge.triage.rules if r.key in flags]
    if not levels:
        return None
    return knowledge.triage.levels[max(levels, key=lambda lv: lv.rank)]


# -- check-ins ----------------------------------------------------------------------------


def merge_checkin(existing: CheckIn | None, on: date, changes: Mapping[str, Any]
                  ) -> CheckIn:
    """The day's check-in with ``changes`` applied (None values keep what was stored).

    This is how the next morning is answered a day later: ``backstride log --date
    YESTERDAY --morning same`` keeps yesterday's pain, sessions and notes.

    Raises
    ------
    ValueError
        When a value is out of range (:class:`CheckIn` validates).
    """
    base = existing if existing is not None else CheckIn(on)
    given = {k: v for k, v in changes.items() if v is not None}
    return replace(base, **given)


def record_checkin(store: Store, checkin: CheckIn, *,
                   knowledge: Knowledge | None = None) -> StoredCheckIn:
    """Store ``checkin`` as its day's record (replacing an earlier one of that day).

    Warning signs keep the time they were first recorded when the day is saved again
    with the same (or fewer) signs, so answering the next morning later does not make
    an old sign look newer than a check taken in between.

    Raises
    ------
    InputError
        An unknown red-flag key (the message lists the known ones).
    """
    known = red_flag_keys(_knowledge(knowledge))
    unknown = [f for f in checkin.new_red_flags if f not in known]
    if unknown:
        raise InputError(f"unknown red-flag key {unknown[0]!r}; known keys: "
                         f"{', '.join(known)}")
    existing = get_checkin(store, checkin.on)
    since = None
    if (existing is not None and existing.red_flags_since is not None
            and set(checkin.new_red_flags) <= set(existing.checkin.new_red_flags)):
        since = existing.red_flags_since
    return save_checkin(store, checkin, red_flags_since=since)


def _live(stored: Sequence[StoredCheckIn], check: StoredCheck | None) -> list[CheckIn]:
    """Check-ins with the warning signs a later check superseded removed."""
    out: list[CheckIn] = []
    for s in stored:
        ci = s.checkin
        if (ci.new_red_flags and check is not None and s.red_flags_since is not None
                and s.red_flags_since <= check.taken_at):
            ci = replace(ci, new_red_flags=())
        out.append(ci)
    return out


def _decisions(initial: PlanState, checkins: Sequence[CheckIn], kb: Knowledge
               ) -> list[Decision]:
    """:func:`~backstride.domain.adaptation.replay`, plus: a warning sign logged before
    the plan's first day stops the plan too (the domain replay skips such days)."""
    early = next((c for c in sorted(checkins, key=lambda c: c.on)
                  if c.new_red_flags and c.on < initial.level_since), None)
    if early is None:
        return replay(initial, checkins, triage=kb.triage)
    stop = replay(replace(initial, level_since=early.on), [early], triage=kb.triage)[0]
    stop = replace(stop, state=replace(stop.state, level_since=initial.level_since))
    later = [c for c in checkins if c.on > early.on]
    return [stop, *replay(stop.state, later, triage=kb.triage)]


def _live_flags(store: Store, check: StoredCheck) -> CheckIn | None:
    """The first check-in whose warning signs are newer than ``check``, if any."""
    return next((c for c in _live(list_checkins(store), check) if c.new_red_flags), None)


# -- plans --------------------------------------------------------------------------------


def _state_json(state: PlanState, decision: Decision | None) -> dict[str, Any]:
    return {"state": state.to_dict(),
            "decided_on": None if decision is None or decision.on is None
            else decision.on.isoformat(),
            "action": None if decision is None else decision.action.value,
            "instruction": None if decision is None else decision.instruction}


def active_plan_info(store: Store, exercises: ExerciseLibrary | None = None
                     ) -> ActivePlan | None:
    """The active plan, rebuilt from its stored fields, with its row and check."""
    record = active_plan_record(store)
    if record is None:
        return None
    try:
        plan = plan_from_dict(record.plan, exercises=_exercises(exercises))
    except (ValueError, KeyError, TypeError) as exc:
        raise BackstrideError(f"the stored plan #{record.id} cannot be read ({exc}): run "
                              "`backstride plan` to build it again") from exc
    check = None
    if record.check_id is not None:
        try:
            check = get_check(store, record.check_id)
        except NotFoundError:
            check = None
    return ActivePlan(record, plan, check)


def active_plan(store: Store, exercises: ExerciseLibrary | None = None) -> Plan | None:
    """The active plan rebuilt deterministically from its stored fields, or None."""
    found = active_plan_info(store, exercises)
    return None if found is None else found.plan


def _answers(check: StoredCheck, knowledge: Knowledge) -> Answers:
    from backstride.domain.answers import parse_answers

    try:
        return parse_answers(check.answers, knowledge.questions)
    except AnswersError as exc:
        raise BackstrideError(f"your check of {check.on.isoformat()} cannot be read by this "
                              f"version ({exc}): run `backstride check` again") from exc


def _continue_level(store: Store, current: ActivePlan | None, check: StoredCheck,
                    on: date, knowledge: Knowledge) -> int | None:
    """The adapted run level when re-planning from the same check, else None."""
    if current is None or current.record.check_id != check.id or current.plan.stopped:
        return None
    checkins = [c for c in _live(list_checkins(store, end=on), check) if c.on < on]
    decisions = _decisions(current.initial, checkins, knowledge)
    if not decisions or decisions[-1].state.stopped:
        return None
    return decisions[-1].state.level


def make_plan(store: Store, *, on: date, weeks: int, knowledge: Knowledge,
              exercises: ExerciseLibrary) -> Plan:
    """Build the plan from the latest check, store it as the active plan and return it.

    Parameters
    ----------
    store
        An open Store.
    on
        First day of the plan (on or after the check's day).
    weeks
        Weeks to plan (1 or more; a ``soon`` plan covers at most two).
    knowledge, exercises
        Loaded knowledge and exercise library.

    Raises
    ------
    NotFoundError
        No check stored yet.
    InputError
        ``on`` before the latest check's day, or ``weeks`` below 1.
    RedFlagStopError
        A warning sign was logged after the latest check.
    """
    from backstride.analysis import current_signals
    from backstride.domain.check import run_check
    from backstride.domain.ladder import RunningBaseline
    from backstride.domain.plan import build_plan

    if weeks < 1:
        raise InputError(f"weeks must be at least 1, got {weeks}")
    check = latest_check(store)
    if check is None:
        raise NotFoundError(NO_CHECK)
    if on < check.on:
        raise InputError(f"the plan cannot start before your latest check "
                         f"({check.on.isoformat()}): start on that day or later")
    flagged = _live_flags(store, check)
    if flagged is not None:
        raise RedFlagStopError(flagged.on, flagged.new_red_flags,
                          red_flag_advice(knowledge, flagged.new_red_flags))
    stored_level = TriageLevel(check.triage_level)
    analysis: Analysis | None = None
    if not stored_level.urgent:
        analysis = current_signals(store, as_of=on)
    signals = list(analysis.signals) if analysis is not None else []
    result = run_check(_answers(check, knowledge), knowledge=knowledge, signals=signals,
                       today=check.on)
    if result.triage.level.rank < stored_level.rank:
        raise BackstrideError(
            f"your check of {check.on.isoformat()} was triaged {stored_level.value}, but this "
            f"version reads it as {result.triage.level.value}: run `backstride check` again")
    baseline = (RunningBaseline.from_sessions(analysis.sessions, as_of=on)
                if analysis is not None else None)
    level = _continue_level(store, active_plan_info(store, exercises), check, on, knowledge)
    plan = build_plan(result, signals, start=on, exercises=exercises, weeks=weeks,
                      baseline=baseline, level=level)
    save_plan(store, plan, state=_state_json(PlanState.initial(plan), None),
              check_id=check.id)
    log.info("plan saved: %s to %s from check #%d", plan.start, plan.end, check.id)
    return plan


def _require_plan(store: Store, exercises: ExerciseLibrary | None) -> ActivePlan:
    found = active_plan_info(store, exercises)
    if found is not None:
        return found
    if latest_check(store) is None:
        raise NotFoundError(NO_CHECK)
    raise NotFoundError(NO_PLAN)


def history(store: Store, on: date, *, exercises: ExerciseLibrary | None = None,
            knowledge: Knowledge | None = None) -> tuple[list[CheckIn], list[Decision]]:
    """Check-ins up to ``on`` (warning signs a later check superseded removed) and the
    decisions of the active plan for them (empty without a plan)."""
    kb = _knowledge(knowledge)
    current = active_plan_info(store, exercises)
    checkins = _live(list_checkins(store, end=on), latest_check(store))
    if current is None:
        return checkins, []
    return checkins, _decisions(current.initial, checkins, kb)


def decide(store: Store, on: date, *, exercises: ExerciseLibrary | None = None,
           knowledge: Knowledge | None = None) -> Decision:
    """The decision of the latest check-in on or before ``on`` for the active plan.

    Every check-in is replayed from the plan's initial state; the state after the last
    one is saved on the plan row.

    Raises
    ------
    NotFoundError
        No plan (or no check) yet.
    """
    kb = _knowledge(knowledge)
    current = _require_plan(store, exercises)
    checkins = _live(list_checkins(store), latest_check(store))
    decisions = _decisions(current.initial, checkins, kb)
    last = decisions[-1] if decisions else None
    update_plan_state(store, current.record.id,
                      _state_json(last.state if last else current.initial, last))
    upto = [d for d in decisions if d.on is not None and d.on <= on]
    return upto[-1] if upto else adapt(current.initial, [], triage=kb.triage)


def _check_advice(check: StoredCheck, kb: Knowledge, on: date) -> TodayAdvice | None:
    """Stopped advice when ``check`` is urgent (emergency or same day), else None."""
    level = TriageLevel(check.triage_level)
    if not level.urgent:
        return None
    advice = kb.triage.levels[level]
    why = Reason("triage", f"Your check of {check.on.isoformat()}: {advice.title}.",
                 ("finucane2020",))
    return TodayAdvice(on, Status.STOPPED, f"{advice.title}. {advice.advice}", (), (why,),
                       reminders=(EMERGENCY_SIGNS,))


def advice_for(store: Store, on: date, *, exercises: ExerciseLibrary | None = None,
               knowledge: Knowledge | None = None) -> TodayAdvice:
    """What to do on ``on``, and why.

    On top of :func:`backstride.domain.today.today` (which replays the check-ins
    *before* the day): a warning sign logged on the day itself stops the day too, and a
    check newer than the plan gives no sessions but the instruction to build the plan
    again (the check's own advice first when it is urgent).

    Raises
    ------
    NotFoundError
        No check yet, or no plan while the latest check is not urgent.
    """
    kb, library = _knowledge(knowledge), _exercises(exercises)
    check = latest_check(store)
    if check is None:
        raise NotFoundError(NO_CHECK)
    current = active_plan_info(store, library)
    if current is None or current.record.check_id != check.id:
        urgent = _check_advice(check, kb, on)
        if urgent is not None:
            return urgent
        if current is None:
            raise NotFoundError(NO_PLAN)
        return TodayAdvice(
            on, Status.OUTSIDE,
            f"Your back check of {check.on.isoformat()} is newer than this plan: run "
            "`backstride plan` to build the plan from it.", (),
            (Reason("newer_check", "The plan follows your latest check.", ("backstride",)),))
    checkins = _live(list_checkins(store), check)
    advice = today(current.plan, current.initial, checkins, on, exercises=library,
                   triage=kb.triage)
    if advice.status is Status.STOPPED:
        return advice
    decisions = _decisions(current.initial, [c for c in checkins if c.on <= on], kb)
    last = decisions[-1] if decisions else None
    if last is not None and last.state.stopped:
        return TodayAdvice(on, Status.STOPPED, "The plan is stopped: run the check again.",
                           (), last.reasons, last.referrals, (last.instruction,),
                           level=last.state.level, decision=last)
    return advice

