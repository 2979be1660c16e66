"""Check-ins move the plan by the pain rules; referral triggers; red flags stop it."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backstride.domain.adaptation import (
    Action,
    CheckIn,
    Decision,
    Morning,
    PlanState,
    adapt,
    classify,
    level_text,
    referral_triggers,
    replay,
)
from backstride.domain.answers import parse_answers
from backstride.domain.check import run_check
from backstride.domain.ladder import RunningBaseline
from backstride.domain.plan import SessionKind, build_plan
from backstride.knowledge import load_knowledge
from backstride.knowledge.exercises import load_exercises

KB = load_knowledge()
LIB = load_exercises()
START = date(2025, 6, 2)
RUN = (SessionKind.RUN,)


def state(level: int = 1, top: int = 12) -> PlanState:
    return PlanState(level=level, top_level=top, level_since=START)


def good(day: int, kinds: tuple[SessionKind, ...] = RUN, **kw: object) -> CheckIn:
    values: dict[str, object] = {"pain_during": 2, "pain_after": 1,
                                 "morning_vs_usual": Morning.SAME, "sessions_done": kinds}
    values.update(kw)
    return CheckIn(START + timedelta(days=day), **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kw", "action", "rule"), [
    ({"new_red_flags": ("saddle_numbness",)}, Action.STOP, "new_red_flag"),
    ({"pain_during": 6}, Action.STEP_BACK, "pain_above_5"),
    ({"pain_after": 8}, Action.STEP_BACK, "pain_above_5"),
    ({"morning_vs_usual": Morning.WORSE}, Action.STEP_BACK, "morning_worse"),
    ({"leg_symptoms_new": True}, Action.STEP_BACK, "leg_symptoms_new"),
    ({"pain_during": 4}, Action.HOLD, "pain_4_5"),
    ({"pain_after": 5}, Action.HOLD, "pain_4_5"),
    ({"morning_vs_usual": None}, Action.HOLD, "morning_unknown"),
])
def test_pain_rules(kw: dict[str, object], action: Action, rule: str) -> None:
    got, reasons = classify(good(0, RUN, **kw))
    assert got is action
    assert rule in {r.rule for r in reasons}
    assert all(r.source_keys for r in reasons)


def test_acceptable_day_is_green() -> None:
    assert classify(good(0, pain_during=3, pain_after=3)) == (Action.PROGRESS, [])
    assert classify(good(0, morning_vs_usual=Morning.BETTER))[0] is Action.PROGRESS


def test_rising_stiffness_holds() -> None:
    previous = [good(d, stiffness=2 if d < 7 else 4) for d in range(13)]
    action, reasons = classify(good(13, stiffness=4), previous)
    assert action is Action.HOLD and reasons[0].rule == "stiffness_rising"
    steady = [good(d, stiffness=3) for d in range(13)]
    assert classify(good(13, stiffness=3), steady)[0] is Action.PROGRESS


def test_each_stage_twice_before_moving_on() -> None:
    decisions = replay(state(3), [good(0), good(1, (SessionKind.STRENGTH,)), good(2)])
    assert [d.action for d in decisions] == [Action.HOLD, Action.HOLD, Action.PROGRESS]
    assert decisions[0].state.acceptable == 1
    assert decisions[1].reasons[0].rule == "no_level_session"
    last = decisions[-1]
    assert last.state.level == 4 and last.state.acceptable == 0
    assert last.state.level_since == START + timedelta(days=3)
    assert "stage 4" in last.instruction


def test_continuous_levels_need_a_week() -> None:
    decisions = replay(state(9), [good(0), good(2), good(4), good(6, ())])
    assert [d.action for d in decisions] == [Action.HOLD] * 3 + [Action.PROGRESS]


def test_readiness_gate() -> None:
    walk = (SessionKind.WALK,)
    short = replay(state(0), [good(0, walk, walk_minutes=20, pain_during=1, pain_after=1)])
    assert short[-1].action is Action.HOLD
    sore = replay(state(0), [good(0, walk, walk_minutes=30, pain_during=3)])
    assert sore[-1].action is Action.HOLD
    passed = replay(state(0), [good(0, walk, walk_minutes=30, pain_during=2, pain_after=2)])
    assert passed[-1].action is Action.PROGRESS and passed[-1].state.level == 1


def test_step_back_and_floor() -> None:
    decisions = replay(state(1), [good(0, pain_during=7), good(1, pain_during=7)])
    assert [d.state.level for d in decisions] == [0, 0]
    assert "walking only" in decisions[-1].instruction


def test_top_level_holds() -> None:
    decisions = replay(state(12, top=12), [good(0), good(2), good(8)])
    assert all(d.action is Action.HOLD for d in decisions)


def test_red_flag_stops_for_good() -> None:
    decisions = replay(state(), [good(0, new_red_flags=("saddle_numbness",)), good(1),
                                 good(2)], triage=KB.triage)
    assert all(d.action is Action.STOP for d in decisions)
    assert decisions[0].state.stopped
    assert "emergency department" in decisions[0].instruction
    assert "run the check again" in decisions[0].instruction
    soon = adapt(state(), [good(0, new_red_flags=("night_pain",))], triage=KB.triage)
    assert soon.action is Action.STOP and "Book an appointment" in soon.instruction
    plain = adapt(state(), [good(0, new_red_flags=("fever",))])
    assert "emergency department" in plain.instruction


def test_replay_uses_latest_record_and_ignores_pre_plan_days() -> None:
    early = CheckIn(START - timedelta(days=3), pain_during=9)
    first = good(0, morning_vs_usual=None)
    edited = good(0)
    assert adapt(state(), [early, first]).action is Action.HOLD
    decisions = replay(state(), [early, first, edited, good(2)])
    assert [d.on for d in decisions] == [START, START + timedelta(days=2)]
    assert decisions[-1].action is Action.PROGRESS


def test_no_checkin_holds() -> None:
    d = adapt(state(), [])
    assert d.action is Action.HOLD and d.on is None and d.reasons[0].rule == "no_checkin"


def test_referral_no_improvement_after_4_weeks() -> None:
    flat = [good(d, pain_during=4, pain_after=4) for d in range(0, 29)]
    keys = {r.key for r in referral_triggers(flat, flat[-1].on)}
    assert "no_improvement_4_weeks" in keys
    better = [good(d, pain_during=4 if d < 7 else 2, pain_after=2) for d in range(0, 29)]
    assert not referral_triggers(better, better[-1].on)
    too_soon = flat[:20]
    assert not referral_triggers(too_soon, too_soon[-1].on)
    recovered = [good(d, pain_during=4 if d < 20 else 0, pain_after=0) for d in range(29)]
    assert not referral_triggers(recovered, recovered[-1].on)


def test_referral_worsening_and_legs() -> None:
    rising = [good(d, pain_during=2 if d < 7 else 5, pain_after=1) for d in range(14)]
    assert [r.key for r in referral_triggers(rising, rising[-1].on)] == ["worsening_2_weeks"]
    legs = [good(d, leg_symptoms=d % 3 != 0) for d in range(14)]
    keys = [r.key for r in referral_triggers(legs, legs[-1].on)]
    assert keys == ["leg_symptoms_not_improving"]
    settling = [good(d, leg_symptoms=d < 7) for d in range(14)]
    assert not referral_triggers(settling, settling[-1].on)


def test_checkin_and_state_round_trip() -> None:
    ci = good(0, stiffness=3, rpe=4, walk_minutes=25.0, leg_symptoms=True,
              new_red_flags=("fever",), notes="windy")
    assert CheckIn.from_dict(json.loads(json.dumps(ci.to_dict()))) == ci
    st0 = PlanState(3, 12, START, 1, True, "why", 4.0)
    assert PlanState.from_dict(json.loads(json.dumps(st0.to_dict()))) == st0
    with pytest.raises(ValueError, match="0-10"):
        CheckIn(START, pain_during=11)
    with pytest.raises(ValueError, match="whole number"):
        CheckIn.from_dict({"on": "2025-06-02", "pain_during": "high"})
    assert level_text(0).startswith("walking") and "stage 2" in level_text(2)


def test_initial_state_of_a_plan() -> None:
    raw = {"pain_below_knee": True, "pain_now": 4, "pain_during_run": 5}
    c = run_check(parse_answers(raw, KB.questions), knowledge=KB, today=START)
    plan = build_plan(c, [], start=START, exercises=LIB,
                      baseline=RunningBaseline(longest_run_m=8000, weekly_run_km=20))
    s0 = PlanState.initial(plan)
    assert (s0.level, s0.top_level, s0.level_since, s0.baseline_pain) == (
        0, plan.top_level, START, 5.0)
    stopped = build_plan(run_check(parse_answers({"chest_pain": True}, KB.questions),
                                   knowledge=KB, today=START), [], start=START, exercises=LIB)
    assert PlanState.initial(stopped).stopped
    assert adapt(PlanState.initial(stopped), []).action is Action.STOP


pain = st.one_of(st.none(), st.integers(0, 10))
checkins = st.lists(st.builds(
    CheckIn, on=st.integers(-3, 60).map(lambda d: START + timedelta(days=d)),
    pain_during=pain, pain_after=pain,
    morning_vs_usual=st.one_of(st.none(), st.sampled_from(list(Morning))),
    stiffness=pain,
    sessions_done=st.lists(st.sampled_from(list(SessionKind)), max_size=3,
                           unique=True).map(tuple),
    walk_minutes=st.one_of(st.none(), st.floats(0, 90)),
    leg_symptoms=st.booleans(), leg_symptoms_new=st.booleans(),
    new_red_flags=st.one_of(st.just(()), st.just(()), st.just(()), st.just(()),
                            st.just(("fever",)))), max_size=40)


def breaks_pain_rules(ci: CheckIn) -> bool:
    return (bool(ci.new_red_flags) or (ci.pain is not None and ci.pain > 3)
            or ci.morning_vs_usual in (None, Morning.WORSE) or ci.leg_symptoms_new)


@settings(max_examples=200, deadline=None)
@given(items=checkins, level=st.integers(0, 14))
def test_never_progresses_on_a_day_breaking_the_pain_rules(items: list[CheckIn],
                                                           level: int) -> None:
    s0 = state(level, top=max(level, 12))
    decisions = replay(s0, items, triage=KB.triage)
    by_day = {c.on: c for c in items}
    previous: Decision | None = None
    for d in decisions:
        assert d.on is not None
        ci = by_day[d.on]
        if d.action is Action.PROGRESS:
            assert not breaks_pain_rules(ci)
            assert d.state.level == d.level_before + 1
        elif d.action is Action.STEP_BACK:
            assert d.state.level == max(0, d.level_before - 1)
        else:
            assert d.state.level == d.level_before
        assert 0 <= d.state.level <= s0.top_level
        if previous is not None and previous.state.stopped:
            assert d.action is Action.STOP
        if ci.new_red_flags:
            assert d.action is Action.STOP
        previous = d
    assert json.loads(json.dumps([d.to_dict() for d in decisions])) is not None
