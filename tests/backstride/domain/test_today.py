"""What to do today: the calendar day adapted to the check-ins, and why."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta

from backstride.domain.adaptation import EMERGENCY_SIGNS, CheckIn, Morning, PlanState
from backstride.domain.answers import parse_answers
from backstride.domain.check import run_check
from backstride.domain.ladder import RunningBaseline
from backstride.domain.plan import Plan, SessionKind, build_plan
from backstride.domain.signal import Level, Signal
from backstride.domain.today import Status, today
from backstride.knowledge import load_knowledge
from backstride.knowledge.exercises import load_exercises

KB = load_knowledge()
LIB = load_exercises()
START = date(2025, 6, 2)
SCIATICA = {"age": 40, "pain_below_knee": True, "pain_now": 4, "pain_during_run": 5}
EASY = {"age": 35, "pain_now": 2, "pain_during_run": 2}
CADENCE = Signal(key="cadence", level=Level.WATCH, value=-6.0, unit="%", threshold=5.0,
                 threshold_name=None, explanation="cadence fell", advice="raise it",
                 source_key="heiderscheit2011")


def make(raw: Mapping[str, object], baseline: RunningBaseline | None = None,
         signals: list[Signal] | None = None) -> Plan:
    c = run_check(parse_answers(raw, KB.questions), knowledge=KB, signals=signals or [],
                  today=START)
    return build_plan(c, signals or [], start=START, exercises=LIB, baseline=baseline)


def day(n: int) -> date:
    return START + timedelta(days=n)


def ok(n: int, kinds: tuple[SessionKind, ...], **kw: object) -> CheckIn:
    values: dict[str, object] = {"pain_during": 1, "pain_after": 1,
                                 "morning_vs_usual": Morning.SAME, "sessions_done": kinds}
    values.update(kw)
    return CheckIn(day(n), **values)  # type: ignore[arg-type]


def test_stopped_plan_says_where_to_go() -> None:
    plan = make({"bladder_change": True})
    advice = today(plan, PlanState.initial(plan), [], START, exercises=LIB)
    assert advice.status is Status.STOPPED and advice.sessions == ()
    assert "emergency department" in advice.headline
    assert EMERGENCY_SIGNS in advice.reminders


def test_limited_plan_is_walking_and_mobility() -> None:
    plan = make({"age": 17, "pain_on_extension": True, "weeks_since_onset": 1})
    advice = today(plan, PlanState.initial(plan), [], START, exercises=LIB)
    assert advice.status is Status.LIMITED
    assert {s.kind for s in advice.sessions} <= {SessionKind.WALK, SessionKind.MOBILITY,
                                                 SessionKind.REST}
    assert advice.headline.startswith("Until you have been seen")


def test_no_checkins_follow_the_calendar() -> None:
    plan = make(SCIATICA, RunningBaseline(longest_run_m=9000, weekly_run_km=20))
    on = day(14)
    advice = today(plan, PlanState.initial(plan), [], on, exercises=LIB)
    planned = plan.day(on)
    assert planned is not None and advice.sessions != planned.sessions  # level 0 so far
    assert advice.sessions[0].gate and advice.level == 0


def test_adapted_run_with_warm_up_structure_and_why() -> None:
    base = RunningBaseline(longest_run_m=9000, weekly_run_km=20)
    plan = make(SCIATICA, base, [CADENCE])
    walk = (SessionKind.WALK,)
    checkins = [ok(11, walk, walk_minutes=30.0, pain_during=2)]
    advice = today(plan, PlanState.initial(plan), checkins, day(14), exercises=LIB)
    assert advice.status is Status.ACTIVE and advice.level == 1
    run = advice.sessions[0].run
    assert run is not None and run.describe() == "1 min run / 2 min walk x 6"
    assert run.cadence_cue_pct == 5.0
    assert any(r.startswith("Warm up: 5 min brisk walking") for r in advice.reminders)
    assert any("Cadence cue" in r for r in advice.reminders)
    assert any("Readiness walk passed" in r.text for r in advice.why)
    assert advice.headline.startswith("Walk-run stage 1")
    assert json.loads(json.dumps(advice.to_dict()))["level"] == 1
    assert advice.lines()[0] == advice.headline


def test_step_back_shortens_the_run() -> None:
    base = RunningBaseline(longest_run_m=12_000, weekly_run_km=30)
    plan = make(EASY, base)
    planned = plan.day(day(7))
    assert planned is not None and planned.run is not None and planned.run.run is not None
    bad = [ok(4, (SessionKind.RUN,), pain_during=7)]
    advice = today(plan, PlanState.initial(plan), bad, day(7), exercises=LIB)
    run = advice.sessions[0].run
    assert run is not None and (run.level, planned.run.run.level) == (7, 9)
    assert run.run_min < planned.run.run.run_min
    assert advice.decision is not None and advice.decision.action.value == "step_back"
    assert any("Pain reached 7/10" in r.text for r in advice.why)


def test_never_above_the_calendar() -> None:
    base = RunningBaseline(longest_run_m=12_000, weekly_run_km=30)
    plan = make(EASY, base)
    extra = [ok(n, (SessionKind.RUN,)) for n in range(0, 7)]
    advice = today(plan, PlanState.initial(plan), extra, day(7), exercises=LIB)
    planned = plan.day(day(7))
    assert planned is not None and planned.run is not None
    assert advice.sessions[0] == planned.run or advice.sessions[0].kind is (
        SessionKind.CROSS_TRAINING)


def test_run_yesterday_means_cross_training_today() -> None:
    base = RunningBaseline(longest_run_m=12_000, weekly_run_km=30)
    plan = make(EASY, base)
    advice = today(plan, PlanState.initial(plan), [ok(1, (SessionKind.RUN,))], day(2),
                   exercises=LIB)
    assert advice.sessions[0].kind is SessionKind.CROSS_TRAINING
    assert "ran yesterday" in advice.sessions[0].notes[0]


def test_new_red_flag_stops_today() -> None:
    base = RunningBaseline(longest_run_m=12_000, weekly_run_km=30)
    plan = make(EASY, base)
    flagged = [ok(3, (SessionKind.RUN,), new_red_flags=("both_legs",))]
    advice = today(plan, PlanState.initial(plan), flagged, day(4), exercises=LIB,
                   triage=KB.triage)
    assert advice.status is Status.STOPPED and advice.sessions == ()
    assert "run the check again" in advice.headline
    assert "emergency department" in advice.reminders[0]


def test_red_flag_logged_today_stops_today() -> None:
    plan = make(EASY, RunningBaseline(longest_run_m=12_000, weekly_run_km=30))
    flagged = [ok(4, (), new_red_flags=("saddle_numbness",))]
    advice = today(plan, PlanState.initial(plan), flagged, day(4), exercises=LIB,
                   triage=KB.triage)
    assert advice.status is Status.STOPPED and advice.sessions == ()
    assert "emergency department" in advice.reminders[0]


def test_red_flag_logged_before_the_plan_started_stops_it() -> None:
    plan = make(EASY, RunningBaseline(longest_run_m=12_000, weekly_run_km=30))
    flagged = [ok(-3, (), new_red_flags=("fever",))]
    advice = today(plan, PlanState.initial(plan), flagged, day(2), exercises=LIB,
                   triage=KB.triage)
    assert advice.status is Status.STOPPED and advice.sessions == ()


def test_outside_the_plan() -> None:
    plan = make(EASY, RunningBaseline(longest_run_m=12_000, weekly_run_km=30))
    before = today(plan, PlanState.initial(plan), [], day(-1), exercises=LIB)
    after = today(plan, PlanState.initial(plan), [], plan.end + timedelta(days=1),
                  exercises=LIB)
    assert before.status is after.status is Status.OUTSIDE
    assert "ended" in after.headline and "not started" in before.headline


def test_rest_day() -> None:
    plan = make(EASY, RunningBaseline(longest_run_m=12_000, weekly_run_km=30))
    advice = today(plan, PlanState.initial(plan), [], day(6), exercises=LIB)
    assert [s.kind for s in advice.sessions] == [SessionKind.REST]
    assert any("Sleep" in n for n in advice.sessions[0].notes)
