"""The plan: golden plans for named runners and the issue's invariants."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from backstride.domain.answers import parse_answers
from backstride.domain.check import CheckResult, run_check
from backstride.domain.exercises import Exclusions, ExerciseKind, Phase
from backstride.domain.ladder import (
    CONTINUOUS_LEVEL,
    GATE_WALK_MIN,
    RunningBaseline,
    distance_m,
    single_run_cap_m,
    weekly_run_minutes,
)
from backstride.domain.plan import (
    Plan,
    PlanBasis,
    RunPlan,
    SessionKind,
    Terrain,
    build_from_basis,
    build_plan,
    plan_from_dict,
    replan,
)
from backstride.domain.plan_basis import CADENCE_SIGNALS, basis_from_check
from backstride.domain.plan_sessions import LEG_NOTE
from backstride.domain.signal import Level, Signal
from backstride.domain.triage import PlanLimit, TriageLevel
from backstride.knowledge import load_knowledge
from backstride.knowledge.exercises import load_exercises

KB = load_knowledge()
LIB = load_exercises()
START = date(2025, 6, 2)
SENSITIVITIES = {s.key: s for s in KB.patterns.sensitivities}


def sig(key: str, level: Level = Level.WARN, source: str = "nielsen2025") -> Signal:
    return Signal(key=key, level=level, value=1.5, unit="ratio", threshold=1.3,
                  threshold_name=None, explanation=f"{key} rose",
                  advice=f"Ease off: {key}.", source_key=source)


def check(raw: Mapping[str, object], signals: Sequence[Signal] = ()) -> CheckResult:
    return run_check(parse_answers(raw, KB.questions), knowledge=KB, signals=list(signals),
                     today=START)


def plan_for(raw: Mapping[str, object], signals: Sequence[Signal] = (),
             baseline: RunningBaseline | None = None, weeks: int = 12) -> tuple[Plan,
                                                                               CheckResult]:
    c = check(raw, signals)
    return build_plan(c, list(signals), start=START, exercises=LIB, weeks=weeks,
                      baseline=baseline), c


def runs(plan: Plan) -> list[tuple[date, RunPlan]]:
    return [(on, s.run) for on, s in plan.sessions() if s.run is not None]


def exercise_keys(plan: Plan, kind: SessionKind) -> set[str]:
    return {p.key for _, s in plan.sessions() if s.kind is kind for p in s.exercises}


# --- golden plans ----------------------------------------------------------------------

DESK = {"age": 34, "desk_hours_per_day": 10, "strength_sessions_per_week": 0,
        "worse_sitting": True, "pain_now": 3, "pain_during_run": 2, "sex": "male",
        "mcgill_flexor_s": 150, "mcgill_extensor_s": 90, "side_bridge_left_s": 50,
        "side_bridge_right_s": 70}
HILLS = {"age": 30, "hill_running": True, "downhill_running": True, "pain_now": 3,
         "pain_during_run": 3, "recent_mileage_increase": True, "shoe_pairs": 1,
         "shoe_distance_km": 850}
HILL_SIGNALS = [sig("single_run_spike"), sig("hill_volume", source="levine2007"),
                sig("cadence", Level.WATCH, "heiderscheit2011")]
SCIATICA = {"age": 40, "pain_below_knee": True, "leg_tingling_or_numbness": True,
            "pain_now": 4, "pain_during_run": 5, "worse_sitting": True, "aslr_left": "poor",
            "aslr_right": "average", "mobility_sessions_per_week": 0}
YOUNG = {"age": 16, "pain_on_extension": True, "weeks_since_onset": 3, "pain_now": 3}


def test_golden_desk_bound_runner_with_weak_core() -> None:
    base = RunningBaseline(longest_run_m=12_000, weekly_run_km=30, easy_pace_s_per_km=360)
    plan, c = plan_for(DESK, baseline=base)
    assert c.triage.level is TriageLevel.SELF_CARE and plan.stopped is None
    assert [x.key for x in plan.basis.top] == ["core_endurance", "muscle_imbalance",
                                               "posture_sitting"]
    assert len(plan.weeks) == 12 and plan.start_level == CONTINUOUS_LEVEL
    assert [w.phase for w in plan.weeks[:3]] == [Phase.SETTLE, Phase.REBUILD,
                                                 Phase.RETURN_TO_RUN]
    assert plan.weeks[-1].phase is Phase.BACK_TO_TRAINING
    week1 = [r for _, r in runs(plan)[:3]]
    assert [r.describe() for r in week1] == ["30 min easy continuous"] * 3
    assert plan.weeks[0].run_minutes == 90  # half of the usual 180 min
    assert all(w.run_minutes <= 180 for w in plan.weeks)
    strength = exercise_keys(plan, SessionKind.STRENGTH)
    assert {"curl_up", "side_plank", "bird_dog", "dead_bug", "plank", "clamshell",
            "hip_flexor_stretch"} <= strength
    first = next(s for _, s in plan.sessions() if s.kind is SessionKind.STRENGTH)
    assert all(p.version.value == "easier" for p in first.exercises
               if p.exercise.kind is ExerciseKind.STRENGTH)
    assert [a.key for a in plan.actions] == ["when_not_improving", "posture_breaks",
                                             "cross_training"]
    assert all(r.cadence_cue_pct is None for _, r in runs(plan))


def test_golden_hill_block_spike_runner() -> None:
    base = RunningBaseline(longest_run_m=21_000, weekly_run_km=45)
    plan, _c = plan_for(HILLS, HILL_SIGNALS, base)
    assert {x.key for x in plan.basis.top[:2]} == {"hills", "training_spikes"}
    keys = [a.key for a in plan.actions]
    for key in ("longest_run_rule", "flat_routes", "cadence_cue", "replace_worn_pair",
                "rotate_pairs", "shoe_gait_evaluation", "cross_training"):
        assert key in keys, key
    assert all(r.cadence_cue_pct == 5.0 for _, r in runs(plan))
    for week in plan.weeks:
        for day in week.days:
            if day.run is not None and week.phase is not Phase.BACK_TO_TRAINING:
                assert day.run.run is not None and day.run.run.terrain is Terrain.FLAT
    assert not any("hill" in s.title.lower() for _, s in plan.sessions())
    assert plan.weeks[0].run_minutes < 45 * 390 / 60 * 0.55


def test_golden_sciatica_pattern_runner() -> None:
    base = RunningBaseline(longest_run_m=10_000, weekly_run_km=25)
    plan, c = plan_for(SCIATICA, baseline=base)
    assert c.triage.level is TriageLevel.ROUTINE
    assert [p.key for p in c.patterns] == ["radicular"]
    assert plan.start_level == 0 and plan.basis.running_hurts
    assert [a.key for a in plan.actions][:3] == ["triage_referral", "leg_symptoms_review",
                                                 "when_not_improving"]
    walks = [s for _, s in plan.sessions() if s.kind is SessionKind.WALK]
    assert len(walks) == 6 and walks[-1].gate and walks[-1].minutes == GATE_WALK_MIN
    first_runs = [r.describe() for _, r in runs(plan)[:3]]
    assert first_runs == ["1 min run / 2 min walk x 6"] * 2 + ["2 min run / 2 min walk x 5"]
    assert runs(plan)[0][0] == START + timedelta(days=14)
    for _, s in plan.sessions():
        if s.kind is not SessionKind.REST:
            assert LEG_NOTE in s.notes, s.title
    stretch = next(p for _, s in plan.sessions() for p in s.exercises
                   if p.key == "hamstring_stretch")
    assert LIB["hamstring_stretch"].pattern_cautions["radicular"] in stretch.cautions
    assert any(r.continuous for _, r in runs(plan))


def test_golden_young_runner_with_extension_pain() -> None:
    plan, c = plan_for(YOUNG, baseline=RunningBaseline(longest_run_m=8000, weekly_run_km=20))
    assert c.triage.level is TriageLevel.SOON
    assert "stress_fracture_suspect" in plan.basis.patterns
    assert plan.limited and len(plan.weeks) == 2 and plan.stopped is None
    kinds = {s.kind for _, s in plan.sessions()}
    assert kinds == {SessionKind.WALK, SessionKind.MOBILITY, SessionKind.REST}
    assert not runs(plan)
    used = exercise_keys(plan, SessionKind.MOBILITY)
    assert used and not used & {"locust", "back_extension", "reverse_leg_raise",
                                "back_roller"}
    assert all(LIB[k].gentle for k in used)
    hip = next(p for _, s in plan.sessions() for p in s.exercises
               if p.key == "hip_flexor_stretch")
    assert any("arching" in t for t in hip.cautions)
    assert [a.key for a in plan.actions][:2] == ["triage_referral", "sports_doctor"]
    assert {a.category for a in plan.actions} <= {"referral", "habit", "recovery"}


def test_emergency_means_no_sessions_at_all() -> None:
    plan, _ = plan_for({"saddle_numbness": True, "pain_now": 5})
    assert plan.stopped is not None and plan.stopped.level == "emergency"
    assert "emergency department" in plan.stopped.advice
    assert plan.weeks == () and list(plan.sessions()) == [] and plan.actions == ()
    d = plan.to_dict()
    assert d["stopped"] and d["weeks"] == []


def test_no_recent_running_starts_from_walking() -> None:
    plan, _ = plan_for({"pain_now": 1, "pain_during_run": 1})
    assert plan.start_level == 0 and plan.top_level == 12


def test_to_dict_round_trip_and_replan() -> None:
    base = RunningBaseline(longest_run_m=10_000, weekly_run_km=25)
    plan, _ = plan_for(SCIATICA, baseline=base)
    d = json.loads(json.dumps(plan.to_dict()))
    assert d["schema"] == 1 and len(d["weeks"]) == 12 and d["ladder"][0]["level"] == 1
    assert set(d["sources"]) >= {"army_rtr2023", "readiness_gate", "silbernagel2007"}
    session = d["weeks"][2]["days"][0]["sessions"][0]
    assert session["run"]["workout"][1] == {
        "type": "repeat", "count": 6, "steps": [
            {"type": "step", "intent": "run", "duration_s": 60, "text": "Easy run, RPE 3-5"},
            {"type": "step", "intent": "walk", "duration_s": 120, "text": "Walk"}]}
    basis = PlanBasis.from_dict(d["basis"])
    again = build_from_basis(basis, start=START, exercises=LIB, weeks=12)
    assert again.to_dict() == plan.to_dict()
    assert plan_from_dict(d, exercises=LIB).to_dict() == d
    assert set(d["exercises"]) == {p.key for _, s in plan.sessions() for p in s.exercises} | {
        "leg_swings", "hip_circles", "walking_lunges"}
    later = replan(plan, level=3, on=START + timedelta(days=30), exercises=LIB)
    assert later.start == START + timedelta(days=30) and later.end >= plan.end
    assert runs(later)[0][1].level == 3 and later.weeks[0].phase is Phase.RETURN_TO_RUN
    stored = {k: later.to_dict()[k] for k in ("basis", "start", "weeks_requested",
                                               "requested_level")}
    assert plan_from_dict(stored, exercises=LIB).to_dict() == later.to_dict()
    with pytest.raises(ValueError, match="stored plan"):
        plan_from_dict({"start": "2025-06-02"}, exercises=LIB)
    with pytest.raises(ValueError, match="weeks"):
        build_from_basis(basis, start=START, exercises=LIB, weeks=0)
    with pytest.raises(ValueError, match="basis"):
        PlanBasis.from_dict({"check_on": "2025-06-02"})


# --- invariants ------------------------------------------------------------------------

RED_FLAGS = [q.key for q in KB.questions.values() if q.section.value == "red_flags"
             and q.qtype.value == "bool"]
SIGNAL_CHOICES = [("single_run_spike", "nielsen2025"), ("weekly_ramp", "nielsen2014"),
                  ("hill_volume", "levine2007"), ("downhill_volume", "levine2007"),
                  ("cadence", "heiderscheit2011"), ("step_length", "lieberman2015"),
                  ("shoe_mileage", "cook1985"), ("shoe_rotation", "malisoux2015"),
                  ("rest_days", "foster1998"), ("cross_training", "maselli2020")]

answers = st.fixed_dictionaries({}, optional={
    "age": st.integers(14, 80), "weeks_since_onset": st.integers(0, 6),
    "pain_now": st.integers(0, 6), "pain_during_run": st.integers(0, 6),
    "worst_pain_week": st.integers(0, 10), "pain_below_knee": st.booleans(),
    "leg_tingling_or_numbness": st.booleans(), "pain_one_side": st.booleans(),
    "spasm": st.booleans(), "worse_twisting": st.booleans(),
    "pain_on_extension": st.booleans(), "worse_sitting": st.booleans(),
    "desk_hours_per_day": st.integers(0, 12), "strength_sessions_per_week": st.integers(0, 3),
    "mobility_sessions_per_week": st.integers(0, 3), "hill_running": st.booleans(),
    "downhill_running": st.booleans(), "shoe_distance_km": st.integers(0, 1200),
    "shoe_pairs": st.integers(1, 3), "sleep_hours": st.integers(4, 9),
    "recent_mileage_increase": st.booleans(), "warm_up": st.booleans(),
    "previous_back_injury": st.booleans(), "previous_leg_injury": st.booleans(),
    "aslr_left": st.sampled_from(["good", "average", "poor"]),
    "single_leg_squat_left": st.sampled_from(["pass", "fail"]),
})
red_flags: st.SearchStrategy[list[str]] = st.one_of(st.just([]), st.just([]), st.just([]),
                      st.lists(st.sampled_from(RED_FLAGS), max_size=2, unique=True))
signal_sets = st.lists(st.tuples(st.sampled_from(SIGNAL_CHOICES),
                                 st.sampled_from([Level.WATCH, Level.WARN])),
                       max_size=4, unique_by=lambda t: t[0][0])
baselines = st.builds(
    RunningBaseline,
    longest_run_m=st.one_of(st.none(), st.floats(500, 35_000)),
    longest_run_on=st.one_of(st.none(), st.integers(1, 30).map(
        lambda d: START - timedelta(days=d))),
    weekly_run_km=st.one_of(st.none(), st.floats(1, 90)),
    easy_pace_s_per_km=st.one_of(st.none(), st.floats(240, 480)))


def exclusions_of(c: CheckResult, *, gentle: bool) -> Exclusions:
    active = {p.key for p in c.patterns} | {s.sensitivity.key for s in c.sensitivities}
    names = {n for s in c.sensitivities for n in s.sensitivity.excluded_exercises}
    return Exclusions(frozenset(active), frozenset(names), gentle)


def assert_limits(plan: Plan, c: CheckResult) -> None:
    limit = c.triage.plan_limit
    if limit is PlanLimit.NONE:
        assert plan.stopped is not None and not list(plan.sessions())
    if limit is not PlanLimit.FULL:
        assert not runs(plan)
        assert all(s.kind in (SessionKind.WALK, SessionKind.MOBILITY, SessionKind.REST)
                   for _, s in plan.sessions())


def assert_exercises(plan: Plan, c: CheckResult) -> None:
    ex = exclusions_of(c, gentle=plan.limited)
    for _, s in plan.sessions():
        drills = s.run.drills if s.run is not None else ()
        for p in (*s.exercises, *drills):
            assert not ex.excludes(p.exercise), (p.key, s.title)
    top = [x for x in c.contributors if x.score > 0][:3]
    kinds = (ExerciseKind.STRENGTH, ExerciseKind.MOBILITY)
    target_kind = SessionKind.MOBILITY if plan.limited else SessionKind.STRENGTH
    for day in plan.days():
        for s in day.sessions:
            if s.kind is not target_kind:
                continue
            for contributor in top:
                servable = [e for e in LIB if e.kind in kinds and contributor.key in
                            e.contributors and ex.allows(e, day.phase)]
                if servable:
                    assert any(contributor.key in p.exercise.contributors
                               for p in s.exercises), (contributor.key, day.phase)


def assert_single_run_rule(plan: Plan) -> None:
    recorded = list(plan.basis.baseline.history(plan.start))
    planned: list[tuple[date, float]] = []
    pace = plan.basis.baseline.pace_s_per_km
    for on, r in runs(plan):
        assert r.est_distance_m == pytest.approx(distance_m(
            r.run_s * r.repeats, r.walk_s * r.repeats, pace))
        window = recorded if r.level < CONTINUOUS_LEVEL else recorded + planned
        cap = single_run_cap_m(on, window)
        if cap is not None:
            assert r.est_distance_m <= cap + 1e-6, (on, r.describe(), cap)
            assert r.max_distance_m == pytest.approx(cap)
        planned.append((on, r.est_distance_m))


def assert_progression(plan: Plan) -> None:
    seq = runs(plan)
    for (d0, a), (d1, b) in itertools.pairwise(seq):
        assert b.level - a.level in (0, 1), (d0, d1)
    first_at: dict[int, date] = {}
    counts: dict[int, int] = {}
    for on, r in seq:
        first_at.setdefault(r.level, on)
        counts[r.level] = counts.get(r.level, 0) + 1
    for level in counts:
        if level + 1 in counts and level > plan.start_level:
            if level < CONTINUOUS_LEVEL:
                assert counts[level] >= 2, level
            else:
                assert (first_at[level + 1] - first_at[level]).days >= 7, level
    if plan.start_level == 0 and seq:
        gate_days = [on for on, s in plan.sessions() if s.gate]
        assert gate_days and gate_days[0] < seq[0][0]


def assert_weekly_rule(plan: Plan) -> None:
    top_weekly = weekly_run_minutes(plan.top_level)
    minutes = [w.run_minutes for w in plan.weeks]
    continuous = [all(s.run.continuous for d in w.days for s in d.sessions
                      if s.run is not None) and w.run_minutes > 0 for w in plan.weeks]
    for i, m in enumerate(minutes):
        assert m <= top_weekly + 1e-6
        if i >= 1 and continuous[i] and continuous[i - 1]:
            assert m <= 1.1 * minutes[i - 1] + 4, (i, minutes)
        if i >= 2 and continuous[i] and continuous[i - 2]:
            assert m <= 1.3 * minutes[i - 2] + 4, (i, minutes)


def assert_layout(plan: Plan) -> None:
    run_days = [(d.on, d.phase) for d in plan.days() if d.run is not None]
    for (d0, p0), (d1, p1) in itertools.pairwise(run_days):
        if (d1 - d0).days == 1:
            assert p0 is p1 is Phase.BACK_TO_TRAINING, (d0, d1)
    cue = plan.basis.flag(CADENCE_SIGNALS) is not None
    for day in plan.days():
        r = day.run.run if day.run is not None else None
        if r is not None:
            assert r.drills and r.warm_up_walk_min >= 5
            assert (r.cadence_cue_pct == 5.0) is cue
            assert (r.terrain is Terrain.FLAT) is (day.phase is not Phase.BACK_TO_TRAINING)
    if plan.limited or plan.stopped:
        return
    for week in plan.weeks:
        kinds = [s.kind for d in week.days for s in d.sessions]
        assert 3 <= kinds.count(SessionKind.STRENGTH) + kinds.count(SessionKind.MOBILITY) <= 4
        assert kinds.count(SessionKind.CROSS_TRAINING) >= 1
        assert any(d.run is None for d in week.days)
        assert kinds.count(SessionKind.REST) >= 1 or len(week.days) < 7


def path(plan: Plan) -> str:
    """Which kind of plan hypothesis produced (shown with --hypothesis-show-statistics)."""
    if plan.stopped or plan.limited:
        return "stopped" if plan.stopped else "limited"
    if plan.start_level == 0:
        return "walk first"
    return "walk-run start" if plan.start_level < CONTINUOUS_LEVEL else "continuous start"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=answers, flags=red_flags, signal_set=signal_sets, baseline=baselines,
       weeks=st.integers(1, 16))
def test_plan_invariants(raw: dict[str, object], flags: list[str],
                         signal_set: list[tuple[tuple[str, str], Level]],
                         baseline: RunningBaseline, weeks: int) -> None:
    signals = [sig(key, level, source) for (key, source), level in signal_set]
    c = check({**raw, **dict.fromkeys(flags, True)}, signals)
    plan = build_plan(c, signals, start=START, exercises=LIB, weeks=weeks, baseline=baseline)
    event(path(plan))
    assert_limits(plan, c)
    assert_exercises(plan, c)
    assert_single_run_rule(plan)
    assert_progression(plan)
    assert_weekly_rule(plan)
    assert_layout(plan)
    d = plan.to_dict()
    assert json.loads(json.dumps(d)) == d
    again = build_from_basis(basis_from_check(c, signals, baseline), start=START,
                             exercises=LIB, weeks=weeks)
    assert again.to_dict() == d


@settings(max_examples=40, deadline=None)
@given(flag=st.sampled_from(RED_FLAGS), raw=answers)
def test_a_standing_red_flag_means_no_running(flag: str, raw: dict[str, object]) -> None:
    c = check({**raw, flag: True})
    plan = build_plan(c, [], start=START, exercises=LIB,
                      baseline=RunningBaseline(longest_run_m=10_000, weekly_run_km=30))
    if c.triage.plan_limit is not PlanLimit.FULL:
        assert not runs(plan)
    if c.triage.level.urgent:
        assert plan.stopped is not None and not list(plan.sessions())
