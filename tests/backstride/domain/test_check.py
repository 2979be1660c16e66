"""The whole check: JSON shape, no running advice when urgent, plan limits, change."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backstride.domain.answers import QType, Section, parse_answers
from backstride.domain.check import CheckResult, run_check
from backstride.domain.contributors import SIGNAL_KEYS
from backstride.domain.function import FunctionScores, Status
from backstride.domain.signal import Level, Signal
from backstride.domain.triage import PlanLimit, TriageLevel
from backstride.knowledge import load_knowledge

KB = load_knowledge()
TODAY = date(2025, 6, 1)
URGENT_FLAGS = sorted(next(iter(r.example)) for r in KB.triage.rules
                      if r.level.urgent and len(r.example) == 1)


def signal(key: str, level: Level = Level.WARN) -> Signal:
    return Signal(key=key, level=level, value=1.4, unit="ratio", threshold=1.3,
                  threshold_name=None, explanation=f"{key} went up",
                  advice=f"Ease off the {key} for a couple of weeks and keep running easy.",
                  source_key="nielsen2025")


def check(raw: Mapping[str, object], signals: list[Signal] | None = None,
          previous: FunctionScores | None = None) -> CheckResult:
    return run_check(parse_answers(raw, KB.questions), knowledge=KB, signals=signals or [],
                     previous=previous, today=TODAY)


def running_advice_texts() -> list[str]:
    """Every piece of running or exercise guidance the knowledge can emit."""
    texts = [t for p in KB.patterns.patterns for t in (p.running, p.exercise)]
    texts += [s.text for s in KB.patterns.sensitivities]
    texts += [e.label for e in KB.contributors.plan_elements.values()]
    texts += [KB.triage.levels[lv].advice for lv in TriageLevel if not lv.urgent]
    return texts


RUN_ADVICE_KEYS = ("\"running\"", "\"exercise\"", "\"excluded_exercises\"")


def assert_no_running_advice(result: CheckResult) -> None:
    d = result.to_dict()
    text = json.dumps(d)
    for phrase in running_advice_texts():
        assert phrase not in text, phrase
    for key in RUN_ADVICE_KEYS:
        assert key not in text, key
    for key in KB.contributors.plan_elements:
        assert f'"{key}"' not in text, key
    assert "keep running" not in text.lower() and "ease off" not in text.lower()
    assert d["plan_elements"] == [] and d["contributors"] == [] and d["withheld"]


def test_json_shape() -> None:
    result = check({"age": 35, "pain_one_side": True, "spasm": True, "pain_now": 3,
                    "desk_hours_per_day": 9})
    d = json.loads(json.dumps(result.to_dict()))
    assert set(d["triage"]) >= {"level", "reasons", "advice", "plan_limit"}
    assert isinstance(d["patterns"], list) and d["patterns"][0]["key"] == "muscular"
    for c in d["contributors"]:
        assert set(c) >= {"key", "score", "evidence", "grade"}
    assert d["on"] == "2025-06-01" and d["notice"] == KB.triage.notice
    assert d["knowledge_version"] == KB.version
    assert d["change"] is None and d["withheld"] is None
    assert parse_answers(d["answers"], KB.questions) == result.answers
    assert {"function", "self_tests", "plan_elements", "sensitivities"} <= set(d)


@pytest.mark.parametrize("flag", URGENT_FLAGS)
def test_urgent_flags_carry_no_running_advice(flag: str) -> None:
    result = check({flag: True, "pain_one_side": True, "spasm": True, "worse_twisting": True,
                    "desk_hours_per_day": 10, "hill_running": True,
                    "single_leg_squat_left": "fail"},
                   signals=[signal(k) for k in SIGNAL_KEYS])
    assert result.triage.level.urgent
    assert result.triage.plan_limit is PlanLimit.NONE
    assert result.contributors  # computed, only withheld from the output
    assert_no_running_advice(result)


OTHER = st.fixed_dictionaries({}, optional={
    "age": st.integers(10, 100), "weeks_since_onset": st.floats(0, 60),
    "pain_now": st.integers(0, 10), "pain_during_run": st.integers(0, 10),
    "pain_below_knee": st.booleans(), "pain_on_extension": st.booleans(),
    "pain_one_side": st.booleans(), "spasm": st.booleans(), "worse_twisting": st.booleans(),
    "ache_whole_low_back": st.booleans(), "morning_stiffness_minutes": st.integers(0, 120),
    "night_pain": st.booleans(), "cancer_history": st.booleans(),
    "desk_hours_per_day": st.floats(0, 14), "hill_running": st.booleans(),
    "aslr_left": st.sampled_from(["good", "average", "poor"]),
    "single_leg_squat_right": st.sampled_from(["pass", "fail"]),
})


@settings(max_examples=150, deadline=None)
@given(OTHER, st.lists(st.sampled_from(URGENT_FLAGS), min_size=1, max_size=3),
       st.lists(st.sampled_from(SIGNAL_KEYS), max_size=5))
def test_no_answer_set_with_an_urgent_flag_yields_running_advice(
        raw: dict[str, object], flags: list[str], signal_keys: list[str]) -> None:
    result = check({**raw, **dict.fromkeys(flags, True)}, [signal(k) for k in signal_keys])
    assert result.triage.level.rank >= TriageLevel.SAME_DAY.rank
    assert_no_running_advice(result)


def test_soon_allows_only_gentle_elements_and_the_referral() -> None:
    result = check({"cancer_history": True, "desk_hours_per_day": 10, "hill_running": True,
                    "mobility_sessions_per_week": 0, "pain_one_side": True, "spasm": True},
                   signals=[signal("single_run_spike")])
    assert result.triage.level is TriageLevel.SOON
    assert result.plan_elements[0] == "professional_referral"
    for key in result.plan_elements:
        assert KB.contributors.plan_elements[key].gentle, key
    assert "load_management" not in result.plan_elements
    assert "posture_breaks" in result.plan_elements
    d = result.to_dict()
    text = json.dumps(d).lower()
    assert "keep running" not in text and '"load_management"' not in text
    patterns = d["patterns"]
    assert isinstance(patterns, list)
    assert all(p["running"] == KB.triage.limited_running for p in patterns)


def test_routine_gets_the_full_plan_plus_the_referral() -> None:
    result = check({"pain_below_knee": True, "hill_running": True})
    assert result.triage.level is TriageLevel.ROUTINE
    assert result.plan_elements == ("professional_referral", "flat_routes")
    patterns = result.to_dict()["patterns"]
    assert isinstance(patterns, list) and patterns[0]["running"]


def test_self_care_has_no_referral_element() -> None:
    result = check({"pain_one_side": True, "spasm": True, "recent_mileage_increase": True})
    assert result.triage.level is TriageLevel.SELF_CARE
    assert result.plan_elements == ("load_management",)


@pytest.mark.parametrize(
    ("raw", "level"),
    [({"bladder_change": True, "pain_below_knee": True}, TriageLevel.EMERGENCY),
     ({"immunosuppressed": True, "pain_now": 4}, TriageLevel.SAME_DAY),
     ({"age": 17, "pain_on_extension": True, "weeks_since_onset": 4}, TriageLevel.SOON),
     ({"age": 50, "leg_tingling_or_numbness": True, "pain_now": 3}, TriageLevel.ROUTINE),
     ({"age": 62, "ache_whole_low_back": True, "morning_stiffness_minutes": 15,
       "first_episode": False, "pain_now": 2}, TriageLevel.SELF_CARE)],
)
def test_end_to_end_vignettes(raw: dict[str, object], level: TriageLevel) -> None:
    result = check(raw)
    assert result.triage.level is level
    json.dumps(result.to_dict())


def test_repeated_check_shows_change_against_the_mid() -> None:
    first = check({"pain_now": 6, "psfs": [{"activity": "run 10 km", "score": 2}]})
    stored = json.loads(json.dumps(first.to_dict()))["function"]
    previous = FunctionScores.from_dict(stored)
    again = run_check(parse_answers({"pain_now": 3, "psfs": [
        {"activity": "run 10 km", "score": 6}]}, KB.questions), knowledge=KB,
        previous=previous, today=date(2025, 7, 1))
    assert again.change is not None and again.change.overall is Status.IMPROVED
    d = again.to_dict()["change"]
    assert isinstance(d, dict) and d["previous_on"] == "2025-06-01"


def test_no_text_reassures_or_diagnoses() -> None:
    forbidden = ("ruled out", "rule out", "nothing serious", "you have a ", "you have an ",
                 "you don't have", "you do not have", "diagnosed", "been excluded", "is excluded")
    blobs = [json.dumps(check(dict(r.example)).to_dict()).lower() for r in KB.triage.rules]
    blobs.append(json.dumps(check({}).to_dict()).lower())
    for blob in blobs:
        for phrase in forbidden:
            assert phrase not in blob, phrase


def test_signals_count_only_when_given() -> None:
    raw = {"pain_one_side": True, "spasm": True}
    assert check(raw).signals_used == 0
    with_signals = check(raw, [signal("single_run_spike")])
    assert with_signals.signals_used == 1
    assert with_signals.contributors[0].key == "training_spikes"


def test_all_red_flag_questions_no_is_a_complete_screen() -> None:
    raw: dict[str, object] = {q.key: False for q in KB.questions.in_section(Section.RED_FLAGS)
                              if q.qtype is QType.BOOL}
    raw.update(age=30, weeks_since_onset=1, pain_now=2)
    result = check(raw)
    assert result.triage.level is TriageLevel.SELF_CARE
    assert result.triage.unanswered == ()
