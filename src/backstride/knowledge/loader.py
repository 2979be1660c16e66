"""Load and validate the check's knowledge files (the only I/O of the check).

The JSON files in this package (``questions.json``, ``red_flags.json``,
``patterns.json``, ``self_tests.json``, ``contributors.json``) are read with
:mod:`importlib.resources`, so they work from a wheel or a zip. They are validated once
into the typed dataclasses of :mod:`backstride.domain` and cached: every source key
must exist in :data:`~backstride.domain.evidence.SOURCES`, every key a rule reads must
be a question (or a derived fact / matched pattern), every required answer key, pattern,
contributor, plan element, finding and signal key must be present, and every example
vignette must be a valid answer set. A broken file raises :class:`KnowledgeError`
naming the file and the place: that is a packaging bug, not a user error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import cache
from importlib import resources
from typing import TypeVar

from backstride.domain.answers import (
    DERIVED_FACTS,
    REQUIRED_KEYS,
    AllOf,
    AnyOf,
    AtLeast,
    Condition,
    FactValue,
    Leaf,
    Not,
    Op,
    QType,
    Question,
    QuestionSet,
    Section,
    condition_keys,
    parse_answers,
)
from backstride.domain.check import Knowledge
from backstride.domain.contributors import (
    CONTRIBUTOR_KEYS,
    PLAN_ELEMENT_KEYS,
    SIGNAL_KEYS,
    AnswerRule,
    ContributorInfo,
    ContributorKnowledge,
    PlanElement,
    SignalWeight,
)
from backstride.domain.evidence import SOURCES, Grade
from backstride.domain.function import PAIN_MEASURES
from backstride.domain.patterns import (
    PATTERN_KEYS,
    PatternKnowledge,
    PatternRule,
    Sensitivity,
)
from backstride.domain.selftests import (
    ANSWER_KEYS,
    FINDING_KEYS,
    FindingInfo,
    Norm,
    RatioLimits,
    SelfTest,
    SelfTestKnowledge,
)
from backstride.domain.signal import Level
from backstride.domain.triage import (
    LevelAdvice,
    PlanLimit,
    RedFlagRule,
    TriageKnowledge,
    TriageLevel,
)
from backstride.errors import AnswersError

__all__ = ["FILES", "KnowledgeError", "load_knowledge", "read_json"]

#: The data files, in load order.
FILES: tuple[str, ...] = ("questions.json", "patterns.json", "red_flags.json",
                          "self_tests.json", "contributors.json")

_T = TypeVar("_T")
Obj = Mapping[str, object]


class KnowledgeError(ValueError):
    """A knowledge file is malformed or inconsistent (a packaging bug)."""


def read_json(name: str) -> Obj:
    """Read one knowledge file from the package."""
    text = resources.files("backstride.knowledge").joinpath(name).read_text("utf-8")
    return _obj(json.loads(text), name)


@cache
def load_knowledge() -> Knowledge:
    """Load, validate and cache all knowledge files.

    Raises
    ------
    KnowledgeError
        When a file is malformed or refers to something that does not exist.
    """
    return build_knowledge({name: read_json(name) for name in FILES})


def build_knowledge(files: Mapping[str, Obj]) -> Knowledge:
    """Validate already-parsed files (``FILES`` names to objects) into :class:`Knowledge`."""
    questions = _questions(files["questions.json"])
    patterns = _patterns(files["patterns.json"], questions)
    triage = _red_flags(files["red_flags.json"], questions)
    self_tests = _self_tests(files["self_tests.json"], questions)
    contributors = _contributors(files["contributors.json"], questions)
    _check_finding_targets(self_tests, contributors)
    return Knowledge(questions, triage, patterns, self_tests, contributors)


# --- primitives ----------------------------------------------------------------------


def _fail(where: str, message: str) -> KnowledgeError:
    return KnowledgeError(f"{where}: {message}")


def _obj(value: object, where: str) -> Obj:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise _fail(where, "expected an object")
    return value


def _fields(obj: Obj, where: str, required: AbstractSet[str],
            optional: AbstractSet[str] = frozenset()) -> None:
    missing = required - set(obj)
    extra = set(obj) - required - optional
    if missing or extra:
        raise _fail(where, f"missing {sorted(missing)}, unexpected {sorted(extra)}")


def _str(obj: Obj, key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{where}.{key}", "expected non-empty text")
    return value


def _num(obj: Obj, key: str, where: str) -> float:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"{where}.{key}", "expected a number")
    return float(value)


def _int(obj: Obj, key: str, where: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(f"{where}.{key}", "expected a whole number")
    return value


def _list(obj: Obj, key: str, where: str) -> list[object]:
    value = obj.get(key)
    if not isinstance(value, list):
        raise _fail(f"{where}.{key}", "expected a list")
    return value


def _strs(obj: Obj, key: str, where: str) -> tuple[str, ...]:
    items = _list(obj, key, where)
    if not all(isinstance(i, str) and i for i in items):
        raise _fail(f"{where}.{key}", "expected a list of text")
    return tuple(str(i) for i in items)


def _enum(factory: Callable[[str], _T], value: object, where: str) -> _T:
    try:
        return factory(str(value))
    except ValueError:
        raise _fail(where, f"unknown value {value!r}") from None


def _source(obj: Obj, where: str, key: str = "source") -> str:
    source = _str(obj, key, where)
    if source not in SOURCES:
        raise _fail(f"{where}.{key}", f"unknown source key {source!r}")
    return source


def _version(obj: Obj, where: str) -> int:
    return _int(obj, "version", where)


def _each(obj: Obj, key: str, where: str) -> list[tuple[str, Obj]]:
    return [(f"{where}.{key}[{i}]", _obj(item, f"{where}.{key}[{i}]"))
            for i, item in enumerate(_list(obj, key, where))]


def _keys_exactly(found: Sequence[str], expected: Sequence[str], where: str) -> None:
    if sorted(found) != sorted(expected) or len(set(found)) != len(found):
        raise _fail(where, f"keys {sorted(found)} differ from the expected {sorted(expected)}")


# --- questions -----------------------------------------------------------------------


def _questions(data: Obj) -> QuestionSet:
    where = "questions.json"
    _fields(data, where, {"version", "questions"}, {"about"})
    questions = [_question(o, w) for w, o in _each(data, "questions", where)]
    try:
        qset = QuestionSet(questions, _version(data, where))
    except ValueError as error:
        raise _fail(where, str(error)) from None
    missing = [k for k in REQUIRED_KEYS if k not in qset]
    if missing:
        raise _fail(where, f"required answer keys missing: {missing}")
    _engine_keys(qset, where)
    return qset


def _engine_keys(qset: QuestionSet, where: str) -> None:
    """Keys the engine reads by name must exist with the right section."""
    expected = [(k, Section.SELF_TESTS) for k in ANSWER_KEYS]
    expected += [(k, Section.FUNCTION) for k, _ in PAIN_MEASURES]
    for key, section in expected:
        if key not in qset or qset[key].section is not section:
            raise _fail(where, f"the engine reads {key!r} as a {section.value} question")
    if qset["sex"].qtype is not QType.CHOICE:
        raise _fail(where, "'sex' must be a choice question")


def _question(o: Obj, where: str) -> Question:
    _fields(o, where, {"key", "section", "type", "label", "prompt", "meaning"},
            {"unit", "min", "max", "choices", "max_items"})
    qtype = _enum(QType, o["type"], f"{where}.type")
    numeric = qtype in (QType.INT, QType.FLOAT, QType.PSFS)
    if numeric and not {"min", "max"} <= set(o):
        raise _fail(where, "numeric questions need min and max")
    if qtype is QType.CHOICE and not o.get("choices"):
        raise _fail(where, "choice questions need choices")
    return Question(
        key=_str(o, "key", where), section=_enum(Section, o["section"], f"{where}.section"),
        qtype=qtype, label=_str(o, "label", where), prompt=_str(o, "prompt", where),
        meaning=_str(o, "meaning", where), unit=str(o.get("unit", "")),
        minimum=_num(o, "min", where) if numeric else None,
        maximum=_num(o, "max", where) if numeric else None,
        choices=_strs(o, "choices", where) if "choices" in o else (),
        max_items=_int(o, "max_items", where) if qtype is QType.PSFS else 0)


# --- conditions ----------------------------------------------------------------------


def parse_condition(raw: object, where: str) -> Condition:
    """Parse the condition grammar of :mod:`backstride.domain.answers`."""
    o = _obj(raw, where)
    if "all" in o or "any" in o:
        kind = "all" if "all" in o else "any"
        _fields(o, where, {kind})
        parts = tuple(parse_condition(p, f"{where}.{kind}[{i}]")
                      for i, p in enumerate(_list(o, kind, where)))
        if not parts:
            raise _fail(where, f"empty {kind!r}")
        return AllOf(parts) if kind == "all" else AnyOf(parts)
    if "not" in o:
        _fields(o, where, {"not"})
        return Not(parse_condition(o["not"], f"{where}.not"))
    if "at_least" in o:
        _fields(o, where, {"at_least", "of"})
        parts = tuple(parse_condition(p, f"{where}.of[{i}]")
                      for i, p in enumerate(_list(o, "of", where)))
        n = _int(o, "at_least", where)
        if not 1 <= n <= len(parts):
            raise _fail(where, "at_least must be between 1 and the number of parts")
        return AtLeast(n, parts)
    return _leaf(o, where)


def _leaf(o: Obj, where: str) -> Leaf:
    _fields(o, where, {"key"}, {"op", "value"})
    op = _enum(Op, o.get("op", "true"), f"{where}.op")
    value = o.get("value")
    if op in (Op.TRUE, Op.MISSING):
        if "value" in o:
            raise _fail(where, f"op {op.value!r} takes no value")
        return Leaf(_str(o, "key", where), op)
    if op in (Op.GT, Op.GE, Op.LT, Op.LE):
        return Leaf(_str(o, "key", where), op, _num(o, "value", where))
    if op is Op.IN:
        items = _list(o, "value", where)
        return Leaf(_str(o, "key", where), op, tuple(_scalar(i, where) for i in items))
    return Leaf(_str(o, "key", where), op, _scalar(value, where))


def _scalar(value: object, where: str) -> FactValue:
    if not isinstance(value, bool | int | float | str):
        raise _fail(where, f"value {value!r} must be true/false, a number or text")
    return value


def _checked(raw: object, where: str, questions: QuestionSet,
             *, allow_patterns: bool) -> Condition:
    cond = parse_condition(raw, where)
    known = set(questions) | set(DERIVED_FACTS)
    if allow_patterns:
        known |= {f"pattern.{k}" for k in PATTERN_KEYS}
    unknown = condition_keys(cond) - known
    if unknown:
        raise _fail(where, f"condition reads unknown keys {sorted(unknown)}")
    _check_leaves(cond, questions, where)
    return cond


def _check_leaves(cond: Condition, questions: QuestionSet, where: str) -> None:
    if isinstance(cond, Not):
        _check_leaves(cond.part, questions, where)
        return
    if not isinstance(cond, Leaf):
        for part in cond.parts:
            _check_leaves(part, questions, where)
        return
    q = questions.get(cond.key)
    if q is None:
        return
    if cond.op is Op.TRUE and q.qtype is not QType.BOOL:
        raise _fail(where, f"{cond.key!r} is not yes/no; give an op")
    if cond.op in (Op.GT, Op.GE, Op.LT, Op.LE) and q.qtype not in (QType.INT, QType.FLOAT):
        raise _fail(where, f"{cond.key!r} is not numeric")
    if q.qtype is QType.CHOICE and cond.op in (Op.EQ, Op.NE) and cond.value not in q.choices:
        raise _fail(where, f"{cond.value!r} is not a choice of {cond.key!r}")


def _example(o: Obj, where: str, questions: QuestionSet) -> Mapping[str, object]:
    example = _obj(o.get("example"), f"{where}.example")
    try:
        parse_answers(example, questions)
    except AnswersError as error:
        raise _fail(f"{where}.example", str(error)) from None
    return example


# --- red flags -----------------------------------------------------------------------


def _red_flags(data: Obj, questions: QuestionSet) -> TriageKnowledge:
    where = "red_flags.json"
    _fields(data, where, {"version", "levels", "unanswered_note", "notice",
                          "limited_running", "rules"}, {"about"})
    levels_raw = _obj(data["levels"], f"{where}.levels")
    _keys_exactly(list(levels_raw), [lv.value for lv in TriageLevel], f"{where}.levels")
    levels = {lv: _level(lv, _obj(levels_raw[lv.value], f"{where}.levels.{lv.value}"),
                         f"{where}.levels.{lv.value}") for lv in TriageLevel}
    rules = tuple(_rule(o, w, questions) for w, o in _each(data, "rules", where))
    if len({r.key for r in rules}) != len(rules):
        raise _fail(f"{where}.rules", "duplicate rule keys")
    return TriageKnowledge(rules, levels, _str(data, "unanswered_note", where),
                           _str(data, "notice", where), _str(data, "limited_running", where),
                           _version(data, where))


def _level(level: TriageLevel, o: Obj, where: str) -> LevelAdvice:
    _fields(o, where, {"title", "advice", "plan_limit"})
    limit = _enum(PlanLimit, o["plan_limit"], f"{where}.plan_limit")
    if level.urgent and limit is not PlanLimit.NONE:
        raise _fail(where, "emergency and same_day must allow no plan at all")
    return LevelAdvice(level, _str(o, "title", where), _str(o, "advice", where), limit)


def _rule(o: Obj, where: str, questions: QuestionSet) -> RedFlagRule:
    _fields(o, where, {"key", "level", "source", "condition", "reason", "example"})
    return RedFlagRule(
        key=_str(o, "key", where),
        condition=_checked(o["condition"], f"{where}.condition", questions,
                           allow_patterns=True),
        level=_enum(TriageLevel, o["level"], f"{where}.level"),
        reason=_str(o, "reason", where), source_key=_source(o, where),
        example=_example(o, where, questions))


# --- patterns ------------------------------------------------------------------------


def _patterns(data: Obj, questions: QuestionSet) -> PatternKnowledge:
    where = "patterns.json"
    _fields(data, where, {"version", "patterns", "sensitivities"}, {"about"})
    patterns = tuple(_pattern(o, w, questions) for w, o in _each(data, "patterns", where))
    _keys_exactly([p.key for p in patterns], PATTERN_KEYS, f"{where}.patterns")
    if sum(p.condition is None for p in patterns) != 1:
        raise _fail(where, "exactly one pattern (the default) must have no condition")
    sens = tuple(_sensitivity(o, w, questions) for w, o in _each(data, "sensitivities", where))
    return PatternKnowledge(patterns, sens, _version(data, where))


def _pattern(o: Obj, where: str, questions: QuestionSet) -> PatternRule:
    _fields(o, where, {"key", "priority", "source", "label", "meaning", "running",
                       "exercise", "condition", "example"})
    raw = o["condition"]
    return PatternRule(
        key=_str(o, "key", where), label=_str(o, "label", where),
        meaning=_str(o, "meaning", where), running=_str(o, "running", where),
        exercise=_str(o, "exercise", where), source_key=_source(o, where),
        condition=None if raw is None else _checked(raw, f"{where}.condition", questions,
                                                    allow_patterns=False),
        priority=_int(o, "priority", where), example=_example(o, where, questions))


def _sensitivity(o: Obj, where: str, questions: QuestionSet) -> Sensitivity:
    _fields(o, where, {"key", "source", "label", "condition", "excluded_exercises", "text"})
    return Sensitivity(
        key=_str(o, "key", where), label=_str(o, "label", where),
        condition=_checked(o["condition"], f"{where}.condition", questions,
                           allow_patterns=True),
        excluded_exercises=_strs(o, "excluded_exercises", where),
        text=_str(o, "text", where), source_key=_source(o, where))


# --- self-tests ----------------------------------------------------------------------


def _self_tests(data: Obj, questions: QuestionSet) -> SelfTestKnowledge:
    where = "self_tests.json"
    _fields(data, where, {"version", "safety", "caveat", "tests", "norms", "limits",
                          "findings"}, {"about"})
    tests = tuple(_self_test(o, w, questions) for w, o in _each(data, "tests", where))
    norms = tuple(_norm(o, w, questions) for w, o in _each(data, "norms", where))
    lim = _obj(data["limits"], f"{where}.limits")
    w = f"{where}.limits"
    _fields(lim, w, {"flexion_extension_max", "side_ratio_low", "side_ratio_high",
                     "side_extension_max", "bridge_min_reps", "bridge_max_side_difference"})
    limits = RatioLimits(_num(lim, "flexion_extension_max", w), _num(lim, "side_ratio_low", w),
                         _num(lim, "side_ratio_high", w), _num(lim, "side_extension_max", w),
                         _int(lim, "bridge_min_reps", w),
                         _num(lim, "bridge_max_side_difference", w))
    findings = {f.key: f for f in (_finding(o, w) for w, o in _each(data, "findings", where))}
    _keys_exactly(list(findings), FINDING_KEYS, f"{where}.findings")
    return SelfTestKnowledge(tests, norms, limits, findings, _str(data, "safety", where),
                             _str(data, "caveat", where), _version(data, where))


def _self_test(o: Obj, where: str, questions: QuestionSet) -> SelfTest:
    _fields(o, where, {"key", "label", "source", "result_keys", "skip_when", "instructions"})
    result_keys = _strs(o, "result_keys", where)
    for key in result_keys:
        if key not in questions or questions[key].section is not Section.SELF_TESTS:
            raise _fail(where, f"result key {key!r} is not a self-test question")
    return SelfTest(_str(o, "key", where), _str(o, "label", where),
                    _strs(o, "instructions", where), result_keys,
                    _strs(o, "skip_when", where), _source(o, where))


def _norm(o: Obj, where: str, questions: QuestionSet) -> Norm:
    _fields(o, where, {"answer_key", "label", "sex", "mean_s", "sd_s"})
    key = _str(o, "answer_key", where)
    if key not in questions:
        raise _fail(where, f"unknown answer key {key!r}")
    sex = _str(o, "sex", where)
    if sex not in questions["sex"].choices:
        raise _fail(where, f"unknown sex {sex!r}")
    return Norm(key, _str(o, "label", where), sex, _num(o, "mean_s", where),
                _num(o, "sd_s", where))


def _finding(o: Obj, where: str) -> FindingInfo:
    _fields(o, where, {"key", "source", "text", "contributors"})
    weights = _weights(_obj(o["contributors"], f"{where}.contributors"), where)
    return FindingInfo(_str(o, "key", where), _str(o, "text", where), _source(o, where),
                       weights)


def _weights(o: Obj, where: str) -> dict[str, float]:
    out = {k: _num(o, k, where) for k in o}
    for k, v in out.items():
        if k not in CONTRIBUTOR_KEYS or not 0 < v <= 1:
            raise _fail(where, f"bad contributor weight {k!r}: {v}")
    return out


def _check_finding_targets(tests: SelfTestKnowledge, contributors: ContributorKnowledge
                           ) -> None:
    known = {c.key for c in contributors.contributors}
    for finding in tests.findings.values():
        if not set(finding.contributors) <= known:
            raise _fail("self_tests.json", f"finding {finding.key!r}: unknown contributor")


# --- contributors --------------------------------------------------------------------


def _contributors(data: Obj, questions: QuestionSet) -> ContributorKnowledge:
    where = "contributors.json"
    _fields(data, where, {"version", "level_factors", "plan_elements", "contributors",
                          "signal_map"}, {"about"})
    elements = {e.key: e for e in (_element(o, w) for w, o in _each(data, "plan_elements",
                                                                    where))}
    _keys_exactly(list(elements), PLAN_ELEMENT_KEYS, f"{where}.plan_elements")
    contributors = tuple(_contributor(o, w, questions, elements)
                         for w, o in _each(data, "contributors", where))
    _keys_exactly([c.key for c in contributors], CONTRIBUTOR_KEYS, f"{where}.contributors")
    factors_raw = _obj(data["level_factors"], f"{where}.level_factors")
    _keys_exactly(list(factors_raw), [lv.value for lv in Level], f"{where}.level_factors")
    factors = {lv: _num(factors_raw, lv.value, f"{where}.level_factors") for lv in Level}
    if not factors[Level.OK] == 0 < factors[Level.WATCH] < factors[Level.WARN] <= 1:
        raise _fail(f"{where}.level_factors", "need ok = 0 < watch < warn <= 1")
    return ContributorKnowledge(contributors, elements, _signal_map(data, where), factors,
                                _version(data, where))


def _element(o: Obj, where: str) -> PlanElement:
    _fields(o, where, {"key", "label", "gentle"})
    gentle = o["gentle"]
    if not isinstance(gentle, bool):
        raise _fail(f"{where}.gentle", "expected true or false")
    return PlanElement(_str(o, "key", where), _str(o, "label", where), gentle)


def _contributor(o: Obj, where: str, questions: QuestionSet,
                 elements: Mapping[str, PlanElement]) -> ContributorInfo:
    _fields(o, where, {"key", "label", "grade", "source", "plan_elements", "answer_rules"})
    plan = _strs(o, "plan_elements", where)
    if not plan or not set(plan) <= set(elements):
        raise _fail(f"{where}.plan_elements", f"unknown or no plan elements {plan}")
    rules = tuple(_answer_rule(r, w, questions) for w, r in _each(o, "answer_rules", where))
    return ContributorInfo(_str(o, "key", where), _str(o, "label", where),
                           _enum(Grade, o["grade"], f"{where}.grade"), _source(o, where),
                           plan, rules)


def _answer_rule(o: Obj, where: str, questions: QuestionSet) -> AnswerRule:
    _fields(o, where, {"condition", "weight", "text"})
    weight = _num(o, "weight", where)
    if not 0 < weight <= 1:
        raise _fail(f"{where}.weight", "must be in (0, 1]")
    return AnswerRule(_checked(o["condition"], f"{where}.condition", questions,
                               allow_patterns=False), weight, _str(o, "text", where))


def _signal_map(data: Obj, where: str) -> dict[str, tuple[SignalWeight, ...]]:
    raw = _obj(data["signal_map"], f"{where}.signal_map")
    missing = [k for k in SIGNAL_KEYS if k not in raw]
    if missing:
        raise _fail(f"{where}.signal_map", f"signal keys missing: {missing}")
    unknown = sorted(set(raw) - set(SIGNAL_KEYS))
    if unknown:
        raise _fail(f"{where}.signal_map", f"keys the signal engine never produces: {unknown}")
    out: dict[str, tuple[SignalWeight, ...]] = {}
    for key in raw:
        rows = [(f"{where}.signal_map.{key}[{i}]", _obj(r, f"{where}.signal_map.{key}[{i}]"))
                for i, r in enumerate(_list(raw, key, f"{where}.signal_map"))]
        out[key] = tuple(_signal_row(r, w) for w, r in rows)
    return out


def _signal_row(o: Obj, where: str) -> SignalWeight:
    _fields(o, where, {"contributor", "weight"})
    contributor = _str(o, "contributor", where)
    weight = _num(o, "weight", where)
    if contributor not in CONTRIBUTOR_KEYS or not 0 < weight <= 1:
        raise _fail(where, f"bad row {contributor!r}: {weight}")
    return SignalWeight(contributor, weight)
