"""Pain patterns: every pattern has a vignette; criteria boundaries; sensitivities."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from backstride.domain.answers import parse_answers
from backstride.domain.patterns import (
    PATTERN_KEYS,
    PatternRule,
    match_patterns,
    match_sensitivities,
    pattern_facts,
)
from backstride.knowledge import load_knowledge

KB = load_knowledge()
PATTERNS = KB.patterns.patterns


def keys(raw: Mapping[str, object]) -> list[str]:
    facts = parse_answers(raw, KB.questions).facts()
    return [m.key for m in match_patterns(facts, KB.patterns, KB.questions)]


def sensitivities(raw: Mapping[str, object]) -> set[str]:
    facts = parse_answers(raw, KB.questions).facts()
    found = match_patterns(facts, KB.patterns, KB.questions)
    return {s.sensitivity.key for s in
            match_sensitivities(facts, KB.patterns, KB.questions, found)}


@pytest.mark.parametrize("rule", PATTERNS, ids=[p.key for p in PATTERNS])
def test_every_pattern_example_matches(rule: PatternRule) -> None:
    assert rule.key in keys(dict(rule.example))
    assert rule.running.strip() and rule.exercise.strip() and rule.meaning.strip()


def test_all_six_patterns_exist_and_nonspecific_is_the_default() -> None:
    assert sorted(p.key for p in PATTERNS) == sorted(PATTERN_KEYS)
    assert KB.patterns.default.key == "nonspecific"
    assert keys({}) == ["nonspecific"]
    assert keys({"pain_one_side": True}) == ["nonspecific"]  # one feature is not enough


VIGNETTES: list[tuple[str, dict[str, object], list[str]]] = [
    ("cross-country runner, 15, pain arching back after hill reps",
     {"age": 15, "pain_on_extension": True, "pain_one_side": True, "weeks_since_onset": 1},
     ["stress_fracture_suspect"]),
    ("runner, 28, 6 months of pain, stiff 90 min each morning, wakes at night",
     {"age": 28, "weeks_since_onset": 26, "morning_stiffness_minutes": 90, "night_pain": True},
     ["inflammatory"]),
    ("runner, 36, 4 months, creeping onset, better running, not with rest, night pain",
     {"age": 36, "weeks_since_onset": 16, "onset_insidious": True,
      "better_with_exercise": True, "better_with_rest": False, "night_pain": True},
     ["inflammatory"]),
    ("runner, 45, electric pain to the foot, pins and needles, one-sided back pain",
     {"age": 45, "pain_below_knee": True, "leg_tingling_or_numbness": True,
      "pain_one_side": True, "spasm": True}, ["radicular", "muscular"]),
    ("veteran runner, 63, general ache, 10 min stiffness that wears off",
     {"age": 63, "ache_whole_low_back": True, "morning_stiffness_minutes": 10},
     ["degenerative"]),
    ("runner, 33, one-sided spasm, worse turning to look behind",
     {"age": 33, "pain_one_side": True, "spasm": True, "worse_twisting": True},
     ["muscular"]),
    ("runner, 41, dull ache across the back after a long week",
     {"age": 41, "ache_whole_low_back": True, "pain_now": 3}, ["nonspecific"]),
]


@pytest.mark.parametrize(("story", "raw", "expected"), VIGNETTES, ids=[v[0] for v in VIGNETTES])
def test_vignettes(story: str, raw: dict[str, object], expected: list[str]) -> None:
    assert keys(raw) == expected, story


def test_every_pattern_has_a_vignette() -> None:
    assert {k for v in VIGNETTES for k in v[2]} == set(PATTERN_KEYS)


@pytest.mark.parametrize(("age", "matches"), [(20, True), (21, False), (12, True)])
def test_stress_fracture_age_boundary(age: int, matches: bool) -> None:
    assert ("stress_fracture_suspect" in keys({"age": age, "pain_on_extension": True})) is matches


def test_inflammatory_needs_chronic_or_unknown_duration() -> None:
    base = {"age": 30, "morning_stiffness_minutes": 45, "night_pain": True}
    assert "inflammatory" in keys(base)  # duration unknown: over-refer
    assert "inflammatory" in keys({**base, "weeks_since_onset": 13})
    assert "inflammatory" not in keys({**base, "weeks_since_onset": 12})


def test_inflammatory_berlin_needs_two_criteria_and_age_50_or_under() -> None:
    chronic = {"weeks_since_onset": 20, "age": 35}
    assert "inflammatory" not in keys({**chronic, "morning_stiffness_minutes": 45})
    assert "inflammatory" in keys({**chronic, "morning_stiffness_minutes": 45,
                                   "alternating_buttock_pain": True})
    # Better with exercise counts only when rest does not help.
    assert "inflammatory" not in keys({**chronic, "morning_stiffness_minutes": 45,
                                       "better_with_exercise": True, "better_with_rest": True})
    older = {"weeks_since_onset": 20, "age": 60, "morning_stiffness_minutes": 45,
             "night_pain": True}
    assert "inflammatory" not in keys(older)


def test_inflammatory_asas_needs_four_of_five() -> None:
    four = {"weeks_since_onset": 30, "age": 35, "onset_insidious": True,
            "better_with_exercise": True, "better_with_rest": False}
    # onset before 40 + insidious + better with exercise + not with rest = 4
    assert "inflammatory" in keys(four)
    assert "inflammatory" not in keys({**four, "age": 60})


def test_degenerative_versus_inflammatory_at_30_minutes() -> None:
    older = {"age": 60, "ache_whole_low_back": True}
    assert "degenerative" in keys({**older, "morning_stiffness_minutes": 30})
    assert "degenerative" not in keys({**older, "morning_stiffness_minutes": 31})
    assert "degenerative" not in keys({**older, "age": 49})


def test_sensitivities_exclude_exercises() -> None:
    assert sensitivities({"age": 16, "pain_on_extension": True}) == {"extension_sensitive"}
    assert sensitivities({"worse_twisting": True}) == {"rotation_sensitive"}
    assert sensitivities({}) == set()
    ext = next(s for s in KB.patterns.sensitivities if s.key == "extension_sensitive")
    assert {"locust", "back_extension"} <= set(ext.excluded_exercises)
    rot = next(s for s in KB.patterns.sensitivities if s.key == "rotation_sensitive")
    assert "loaded_rotation" in rot.excluded_exercises


def test_pattern_facts_and_answers_quoted() -> None:
    facts = parse_answers({"pain_below_knee": True}, KB.questions).facts()
    found = match_patterns(facts, KB.patterns, KB.questions)
    assert pattern_facts(found) == {"pattern.radicular": True}
    assert found[0].answered == ("pain shooting below the knee: yes",)
    assert "running" in found[0].to_dict(with_guidance=True)
    assert set(found[0].to_dict(with_guidance=False)) == {"key", "label"}


def test_stress_fracture_pattern_says_stop_running() -> None:
    rule = next(p for p in PATTERNS if p.key == "stress_fracture_suspect")
    assert "stop running" in rule.running.lower()
