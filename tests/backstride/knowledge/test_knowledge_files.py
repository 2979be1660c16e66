"""The knowledge files: packaged, valid, consistent; broken files fail loudly."""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from backstride.domain.answers import REQUIRED_KEYS, Section, condition_keys, parse_answers
from backstride.domain.contributors import CONTRIBUTOR_KEYS, PLAN_ELEMENT_KEYS, SIGNAL_KEYS
from backstride.domain.evidence import SOURCES
from backstride.domain.patterns import PATTERN_KEYS
from backstride.knowledge import FILES, KnowledgeError, load_knowledge
from backstride.knowledge.loader import build_knowledge, read_json

KB = load_knowledge()
REPO = Path(__file__).resolve().parents[3]


def raw_files() -> dict[str, dict[str, object]]:
    return {name: copy.deepcopy(dict(read_json(name))) for name in FILES}


def test_loads_once_and_is_cached() -> None:
    assert load_knowledge() is KB
    assert re.fullmatch(r"q\d+\.r\d+\.p\d+\.s\d+\.c\d+", KB.version)


def test_files_are_package_data() -> None:
    root = resources.files("backstride.knowledge")
    for name in FILES:
        assert root.joinpath(name).is_file(), name
        assert isinstance(json.loads(root.joinpath(name).read_text("utf-8"))["version"], int)
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    assert "knowledge/*.json" in pyproject["tool"]["setuptools"]["package-data"]["backstride"]


def test_every_required_issue_key_is_a_question() -> None:
    for key in REQUIRED_KEYS:
        assert key in KB.questions, key
    assert KB.questions.in_section(Section.RED_FLAGS)[0].key == "saddle_numbness"


def test_red_flags_are_asked_first() -> None:
    sections = [q.section for q in KB.questions.values()]
    order = list(Section)
    assert sections == sorted(sections, key=order.index)


def test_every_source_key_exists() -> None:
    keys = [r.source_key for r in KB.triage.rules]
    keys += [p.source_key for p in KB.patterns.patterns]
    keys += [s.source_key for s in KB.patterns.sensitivities]
    keys += [t.source_key for t in KB.self_tests.tests]
    keys += [f.source_key for f in KB.self_tests.findings.values()]
    keys += [c.source_key for c in KB.contributors.contributors]
    for key in keys:
        assert key in SOURCES, key
    red_flag_sections = {SOURCES[r.source_key].section for r in KB.triage.rules}
    assert red_flag_sections <= {"1", "2", "7"}


def test_every_key_a_rule_reads_exists() -> None:
    known = set(KB.questions) | {"onset_age_years"} | {f"pattern.{k}" for k in PATTERN_KEYS}
    conditions = [r.condition for r in KB.triage.rules]
    conditions += [p.condition for p in KB.patterns.patterns if p.condition is not None]
    conditions += [s.condition for s in KB.patterns.sensitivities]
    conditions += [a.condition for c in KB.contributors.contributors for a in c.answer_rules]
    for cond in conditions:
        assert condition_keys(cond) <= known


def test_every_example_is_a_valid_answer_set() -> None:
    for rule in KB.triage.rules:
        parse_answers(rule.example, KB.questions)
    for pattern in KB.patterns.patterns:
        parse_answers(pattern.example, KB.questions)


def test_contributors_plan_elements_and_signal_map_are_complete() -> None:
    assert [c.key for c in KB.contributors.contributors] == list(CONTRIBUTOR_KEYS)
    assert sorted(KB.contributors.plan_elements) == sorted(PLAN_ELEMENT_KEYS)
    assert set(SIGNAL_KEYS) <= set(KB.contributors.signal_map)
    for c in KB.contributors.contributors:
        assert set(c.plan_elements) <= set(PLAN_ELEMENT_KEYS)
    assert KB.contributors.plan_elements["professional_referral"].gentle


def test_no_copyrighted_questionnaire_wording_or_reassurance() -> None:
    for name in FILES:
        text = resources.files("backstride.knowledge").joinpath(name).read_text("utf-8")
        lowered = text.lower()
        for phrase in ("ruled out", "rule out", "nothing serious"):
            assert phrase not in lowered, (name, phrase)
        for tool in ("keele", "oswestry", "roland"):
            assert tool not in lowered or (name == "questions.json" and "no items" in lowered)
    prompts = [q.prompt for q in KB.questions.values()]
    assert len(set(prompts)) == len(prompts)


# --- broken files fail with a clear place ---------------------------------------------

Mutation = Callable[[dict[str, dict[str, object]]], None]


def _first_rule(files: dict[str, dict[str, object]]) -> dict[str, object]:
    rules = files["red_flags.json"]["rules"]
    assert isinstance(rules, list)
    rule = rules[0]
    assert isinstance(rule, dict)
    return rule


def _drop_question(key: str) -> Mutation:
    def mutate(files: dict[str, dict[str, object]]) -> None:
        qs = files["questions.json"]["questions"]
        assert isinstance(qs, list)
        files["questions.json"]["questions"] = [q for q in qs if q["key"] != key]
    return mutate


def _set_rule(field: str, value: object) -> Mutation:
    def mutate(files: dict[str, dict[str, object]]) -> None:
        _first_rule(files)[field] = value
    return mutate


def _emergency_plan(files: dict[str, dict[str, object]]) -> None:
    levels = files["red_flags.json"]["levels"]
    assert isinstance(levels, dict)
    levels["emergency"]["plan_limit"] = "full"


def _drop_contributor(files: dict[str, dict[str, object]]) -> None:
    cs = files["contributors.json"]["contributors"]
    assert isinstance(cs, list)
    files["contributors.json"]["contributors"] = cs[1:]


def _drop_signal(files: dict[str, dict[str, object]]) -> None:
    sm = files["contributors.json"]["signal_map"]
    assert isinstance(sm, dict)
    del sm["single_run_spike"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_drop_question("pain_during_run"), "required answer keys missing"),
        (_drop_question("sex"), "sex"),
        (_set_rule("source", "nobody2099"), "unknown source key 'nobody2099'"),
        (_set_rule("condition", {"key": "saddle_numbnes"}), "unknown keys ['saddle_numbnes']"),
        (_set_rule("condition", {"key": "age"}), "not yes/no"),
        (_set_rule("condition", {"key": "fever", "op": "gt", "value": 1}), "not numeric"),
        (_set_rule("condition", {"key": "fever", "op": "approx"}), "unknown value 'approx'"),
        (_set_rule("level", "whenever"), "unknown value 'whenever'"),
        (_set_rule("example", {"fever": "yes"}), "red_flags.json.rules[0].example"),
        (_set_rule("extra", 1), "unexpected ['extra']"),
        (_emergency_plan, "no plan at all"),
        (_drop_contributor, "contributors.json.contributors"),
        (_drop_signal, "single_run_spike"),
    ],
)
def test_broken_files_raise_knowledge_error_naming_the_place(mutate: Mutation,
                                                             message: str) -> None:
    files = raw_files()
    mutate(files)
    with pytest.raises(KnowledgeError) as info:
        build_knowledge(files)
    assert message in str(info.value)
