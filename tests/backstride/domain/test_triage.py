"""Red-flag triage: each flag alone, combinations, monotonicity, vignettes per level."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backstride.domain.answers import QType, Section, parse_answers
from backstride.domain.check import screen
from backstride.domain.evidence import SOURCES
from backstride.domain.triage import PlanLimit, RedFlagRule, TriageLevel, TriageResult
from backstride.knowledge import load_knowledge

KB = load_knowledge()
RULES = KB.triage.rules
RED_FLAG_BOOLS = sorted(q.key for q in KB.questions.in_section(Section.RED_FLAGS)
                        if q.qtype is QType.BOOL and q.key != "first_episode")
LEVELS = list(TriageLevel)


def triage(raw: Mapping[str, object]) -> TriageResult:
    return screen(parse_answers(raw, KB.questions), KB)


@pytest.mark.parametrize("rule", RULES, ids=[r.key for r in RULES])
def test_every_red_flag_alone_reaches_at_least_its_level(rule: RedFlagRule) -> None:
    result = triage(dict(rule.example))
    assert result.level.rank >= rule.level.rank
    fired = {r.flag for r in result.reasons}
    assert rule.key in fired
    reason = next(r for r in result.reasons if r.flag == rule.key)
    text = reason.sentence()
    assert text.startswith("You answered ") and reason.answered
    assert SOURCES[rule.source_key].citation in text


@pytest.mark.parametrize("key", RED_FLAG_BOOLS)
def test_every_yes_no_red_flag_question_alone_raises_above_self_care(key: str) -> None:
    assert triage({key: True}).level.rank > TriageLevel.SELF_CARE.rank


@pytest.mark.parametrize(
    ("key", "level"),
    [
        ("saddle_numbness", TriageLevel.EMERGENCY),
        ("bladder_change", TriageLevel.EMERGENCY),
        ("bowel_change", TriageLevel.EMERGENCY),
        ("both_legs", TriageLevel.EMERGENCY),
        ("leg_weakness_progressive", TriageLevel.EMERGENCY),
        ("major_trauma", TriageLevel.EMERGENCY),
        ("chest_pain", TriageLevel.EMERGENCY),
        ("fever", TriageLevel.SAME_DAY),
        ("iv_drug_use", TriageLevel.SAME_DAY),
        ("immunosuppressed", TriageLevel.SAME_DAY),
        ("osteoporosis_or_steroids", TriageLevel.SAME_DAY),
        ("leg_weakness", TriageLevel.SAME_DAY),
        ("recent_infection_or_wound", TriageLevel.SAME_DAY),
        ("sexual_dysfunction", TriageLevel.SOON),
        ("cancer_history", TriageLevel.SOON),
        ("weight_loss_unexplained", TriageLevel.SOON),
        ("night_pain", TriageLevel.SOON),
        ("thoracic_pain", TriageLevel.SOON),
        ("pain_unchanged_by_rest", TriageLevel.SOON),
        ("back_shape_change", TriageLevel.SOON),
    ],
)
def test_issue_levels_per_flag(key: str, level: TriageLevel) -> None:
    assert triage({key: True}).level is level


def test_sexual_dysfunction_is_an_emergency_only_with_leg_symptoms() -> None:
    assert triage({"sexual_dysfunction": True}).level is TriageLevel.SOON
    for leg in ("pain_below_knee", "leg_tingling_or_numbness", "leg_weakness"):
        assert triage({"sexual_dysfunction": True, leg: True}).level is TriageLevel.EMERGENCY


def test_combinations_take_the_highest_level_and_keep_every_reason() -> None:
    result = triage({"cancer_history": True, "fever": True, "chest_pain": True,
                     "pain_below_knee": True})
    assert result.level is TriageLevel.EMERGENCY
    assert [r.flag for r in result.reasons] == ["chest_pain", "fever", "cancer_history",
                                                "radicular_pattern"]
    assert result.plan_limit is PlanLimit.NONE
    assert triage({"night_pain": True, "fever": True}).level is TriageLevel.SAME_DAY


@pytest.mark.parametrize(
    ("age", "first", "level"),
    [(56, True, TriageLevel.SOON), (17, True, TriageLevel.SOON), (35, True, None),
     (56, False, None), (50, True, None)],
)
def test_first_episode_age_thresholds(age: int, first: bool, level: TriageLevel | None) -> None:
    result = triage({"age": age, "first_episode": first})
    assert result.level is (level or TriageLevel.SELF_CARE)


def test_first_episode_age_uses_age_at_onset() -> None:
    # 52 now, pain began two years ago at 50: not over 50 at onset.
    assert triage({"age": 52, "first_episode": True,
                   "weeks_since_onset": 105}).level is TriageLevel.SOON  # still > 4 weeks
    reasons = {r.flag for r in triage({"age": 52, "first_episode": True,
                                       "weeks_since_onset": 105}).reasons}
    assert "first_episode_over_50" not in reasons


@pytest.mark.parametrize(
    ("raw", "fires"),
    [({"weeks_since_onset": 5, "pain_now": 2}, True),
     ({"weeks_since_onset": 5}, True),  # pain unknown: over-refer
     ({"weeks_since_onset": 5, "pain_now": 0}, False),
     ({"weeks_since_onset": 5, "pain_now": 0, "pain_during_run": 3}, True),
     ({"weeks_since_onset": 4, "pain_now": 5}, False)],
)
def test_no_improvement_after_four_weeks(raw: dict[str, object], fires: bool) -> None:
    assert ("no_improvement_4_weeks" in {r.flag for r in triage(raw).reasons}) is fires


def test_young_runner_with_extension_pain_is_sent_to_a_doctor_either_way() -> None:
    long = triage({"age": 16, "pain_on_extension": True, "weeks_since_onset": 3})
    short = triage({"age": 16, "pain_on_extension": True, "weeks_since_onset": 1})
    assert long.level is short.level is TriageLevel.SOON
    assert {r.flag for r in long.reasons} >= {"young_extension_pain"}
    assert "stress_fracture_pattern" not in {r.flag for r in long.reasons}
    assert {r.flag for r in short.reasons} == {"stress_fracture_pattern"}
    assert triage({"age": 30, "pain_on_extension": True}).level is TriageLevel.SELF_CARE


# --- vignettes, one per level ----------------------------------------------------------

VIGNETTES: list[tuple[str, dict[str, object], TriageLevel]] = [
    ("marathoner, 44, sciatica-like pain, new numbness between the legs after a long run",
     {"age": 44, "pain_below_knee": True, "leg_tingling_or_numbness": True,
      "saddle_numbness": True, "pain_now": 6}, TriageLevel.EMERGENCY),
    ("trail runner, 29, fell 4 m off a ledge, back pain since",
     {"age": 29, "major_trauma": True, "pain_now": 7}, TriageLevel.EMERGENCY),
    ("runner, 38, back pain with fever and feeling shivery for two days",
     {"age": 38, "fever": True, "pain_now": 5, "weeks_since_onset": 0.3}, TriageLevel.SAME_DAY),
    ("masters runner, 67, on steroid tablets for asthma, sudden pain after a stumble",
     {"age": 67, "osteoporosis_or_steroids": True, "pain_now": 6}, TriageLevel.SAME_DAY),
    ("runner, 58, treated for breast cancer 6 years ago, new aching back",
     {"age": 58, "cancer_history": True, "ache_whole_low_back": True}, TriageLevel.SOON),
    ("runner, 31, stiff for an hour every morning for 5 months, better after running",
     {"age": 31, "weeks_since_onset": 22, "morning_stiffness_minutes": 60,
      "better_with_exercise": True, "better_with_rest": False, "pain_now": 0},
     TriageLevel.SOON),
    ("runner, 40, shooting pain to the calf on one side, no weakness, 2 weeks",
     {"age": 40, "pain_below_knee": True, "leg_tingling_or_numbness": True,
      "weeks_since_onset": 2, "pain_now": 4}, TriageLevel.ROUTINE),
    ("runner, 27, one-sided spasm after a tempo run, worse twisting, 5 days",
     {"age": 27, "pain_one_side": True, "spasm": True, "worse_twisting": True,
      "weeks_since_onset": 0.7, "pain_now": 4, "first_episode": False},
     TriageLevel.SELF_CARE),
]


@pytest.mark.parametrize(("story", "raw", "level"), VIGNETTES, ids=[v[0] for v in VIGNETTES])
def test_vignettes(story: str, raw: dict[str, object], level: TriageLevel) -> None:
    result = triage(raw)
    assert result.level is level, story
    assert result.advice == KB.triage.levels[level].advice or result.unanswered


def test_every_level_has_a_vignette_and_plain_advice() -> None:
    assert {v[2] for v in VIGNETTES} == set(TriageLevel)
    advice = KB.triage.levels
    assert "emergency" in advice[TriageLevel.EMERGENCY].advice.lower()
    assert "NHS 111" in advice[TriageLevel.SAME_DAY].advice
    assert "GP" in advice[TriageLevel.SOON].advice
    assert "physiotherapist" in advice[TriageLevel.ROUTINE].advice
    limits = {lv: a.plan_limit for lv, a in advice.items()}
    assert limits == {TriageLevel.EMERGENCY: PlanLimit.NONE, TriageLevel.SAME_DAY: PlanLimit.NONE,
                      TriageLevel.SOON: PlanLimit.WALKING_AND_MOBILITY,
                      TriageLevel.ROUTINE: PlanLimit.FULL, TriageLevel.SELF_CARE: PlanLimit.FULL}


def test_unanswered_red_flags_are_listed_and_noted() -> None:
    result = triage({"pain_now": 2})
    assert result.level is TriageLevel.SELF_CARE
    assert "saddle_numbness" in result.unanswered
    assert "unanswered" in result.advice
    complete: dict[str, object] = {q.key: False for q in KB.questions.in_section(Section.RED_FLAGS)
                if q.qtype is QType.BOOL}
    complete.update(age=30, weeks_since_onset=1)
    assert triage(complete).unanswered == ()


# --- properties ------------------------------------------------------------------------

ANY_ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        **{k: st.booleans() for k in RED_FLAG_BOOLS},
        "first_episode": st.booleans(),
        "age": st.integers(10, 100),
        "weeks_since_onset": st.floats(0, 100),
        "pain_now": st.integers(0, 10),
        "pain_during_run": st.integers(0, 10),
        "pain_below_knee": st.booleans(),
        "leg_tingling_or_numbness": st.booleans(),
        "pain_on_extension": st.booleans(),
        "morning_stiffness_minutes": st.integers(0, 120),
        "better_with_exercise": st.booleans(),
        "better_with_rest": st.booleans(),
        "night_pain": st.booleans(),
    },
)


@settings(max_examples=300, deadline=None)
@given(ANY_ANSWERS, st.sampled_from([*RED_FLAG_BOOLS, "first_episode"]))
def test_adding_any_red_flag_never_lowers_the_level(raw: dict[str, object], flag: str) -> None:
    before = triage(raw).level
    after = triage({**raw, flag: True}).level
    assert after.rank >= before.rank
    if flag != "first_episode":  # matters only with an age outside 20-50
        assert after.rank > TriageLevel.SELF_CARE.rank


@settings(max_examples=200, deadline=None)
@given(ANY_ANSWERS)
def test_level_is_the_highest_among_reasons(raw: dict[str, object]) -> None:
    result = triage(raw)
    expected = max((r.level for r in result.reasons), key=lambda lv: lv.rank,
                   default=TriageLevel.SELF_CARE)
    assert result.level is expected
    assert result.plan_limit is KB.triage.levels[result.level].plan_limit
