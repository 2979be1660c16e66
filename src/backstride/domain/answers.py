"""The runner's answers to the back check, and conditions over them.

The questions themselves (prompt, type, range, meaning, section) are versioned data
in ``backstride/knowledge/questions.json``; the loader turns them into
:class:`Question` objects and this module validates a raw mapping (e.g. a parsed
``--answers FILE.json``) against them.

Rules of the answers file
-------------------------
* A missing key, or ``null``, means "no" or "unknown". Nothing is assumed beyond that:
  a missing yes/no question counts as *no*, a missing number is unknown and every
  comparison on it is false.
* Keys starting with ``_`` are comments and are ignored (the template uses them).
* Any other unknown key, a value of the wrong type or one outside the allowed range is
  an :class:`~backstride.errors.AnswersError` naming the key and the allowed values.

Conditions
----------
Rules in the knowledge files (red flags, patterns, contributor evidence) are
conditions over *facts*: the answers plus a few derived values (see
:meth:`Answers.facts`) and, for triage, the matched patterns (``pattern.<key>``)::

    {"key": "fever"}                                 answered yes
    {"key": "age", "op": "lt", "value": 20}          gt ge lt le eq ne in
    {"key": "weeks_since_onset", "op": "missing"}    not answered
    {"all": [...]} {"any": [...]} {"not": {...}} {"at_least": 2, "of": [...]}
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TypeAlias

from backstride.errors import AnswersError

__all__ = [
    "DERIVED_FACTS",
    "REQUIRED_KEYS",
    "AllOf",
    "AnswerValue",
    "Answers",
    "AnyOf",
    "AtLeast",
    "Condition",
    "FactValue",
    "Facts",
    "Leaf",
    "Not",
    "Op",
    "PsfsItem",
    "QType",
    "Question",
    "QuestionSet",
    "Section",
    "answers_template",
    "condition_keys",
    "evaluate",
    "parse_answers",
    "supporting_keys",
]

FactValue: TypeAlias = bool | int | float | str
Facts: TypeAlias = Mapping[str, FactValue]

#: Weeks per year, to turn ``weeks_since_onset`` into years.
_WEEKS_PER_YEAR = 52.1775

#: Facts computed from the answers, with a plain label each.
DERIVED_FACTS: Mapping[str, str] = MappingProxyType(
    {"onset_age_years": "age when this episode began (years)"}
)

#: Keys the issue requires every answers file to accept.
REQUIRED_KEYS: tuple[str, ...] = (
    "age", "weeks_since_onset", "first_episode", "saddle_numbness", "bladder_change",
    "bowel_change", "sexual_dysfunction", "both_legs", "leg_weakness_progressive",
    "major_trauma", "chest_pain", "fever", "iv_drug_use", "immunosuppressed",
    "osteoporosis_or_steroids", "cancer_history", "weight_loss_unexplained", "night_pain",
    "thoracic_pain", "morning_stiffness_minutes", "better_with_exercise", "onset_insidious",
    "pain_below_knee", "leg_tingling_or_numbness", "pain_one_side", "spasm",
    "worse_twisting", "ache_whole_low_back", "pain_on_extension", "pain_now",
    "pain_during_run",
)


class Section(StrEnum):
    """Part of the check a question belongs to, in the order they are asked."""

    RED_FLAGS = "red_flags"
    PATTERN = "pattern"
    FUNCTION = "function"
    CONTRIBUTORS = "contributors"
    SELF_TESTS = "self_tests"


class QType(StrEnum):
    """Type of an answer."""

    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    CHOICE = "choice"
    PSFS = "psfs"


@dataclass(frozen=True, slots=True)
class PsfsItem:
    """One Patient-Specific Functional Scale activity (Stratford 1995, ``stratford1995``).

    Attributes
    ----------
    activity
        The runner's own words for something the back makes hard (e.g. "run 10 km").
    score
        0 (cannot do it) to 10 (as well as before the back pain).
    """

    activity: str
    score: int


AnswerValue: TypeAlias = bool | int | float | str | tuple[PsfsItem, ...]


@dataclass(frozen=True, slots=True)
class Question:
    """One question of the check.

    Attributes
    ----------
    key
        Key in the answers file.
    section
        Where it is asked; red flags come first.
    qtype
        Answer type.
    label
        Short noun phrase used when quoting the answer back ("fever or feeling unwell").
    prompt
        The question as asked, in our own words.
    meaning
        What the key means, for the template and ``--help`` style output.
    unit
        Unit of a numeric answer (``years``, ``weeks``, ``s``...), else ``""``.
    minimum, maximum
        Inclusive range of a numeric answer (score range for PSFS).
    choices
        Allowed values of a ``choice`` answer.
    max_items
        Most PSFS activities accepted.
    """

    key: str
    section: Section
    qtype: QType
    label: str
    prompt: str
    meaning: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    max_items: int = 0

    def allowed(self) -> str:
        """The allowed values, in words (used in errors and the template)."""
        if self.qtype is QType.BOOL:
            return "true or false"
        if self.qtype is QType.CHOICE:
            return " or ".join(repr(c) for c in self.choices)
        if self.qtype is QType.PSFS:
            return (f"a list of up to {self.max_items} objects "
                    f'{{"activity": text, "score": {_num(self.minimum)} to '
                    f"{_num(self.maximum)}}}")
        kind = "a whole number" if self.qtype is QType.INT else "a number"
        unit = f" {self.unit}" if self.unit else ""
        return f"{kind} from {_num(self.minimum)} to {_num(self.maximum)}{unit}"

    def describe(self, value: FactValue) -> str:
        """Quote an answer back in plain words: ``"fever or feeling unwell: yes"``."""
        if isinstance(value, bool):
            return f"{self.label}: {'yes' if value else 'no'}"
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.label}: {shown}{unit}"


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


class QuestionSet(Mapping[str, Question]):
    """The questions by key, in asking order.

    Parameters
    ----------
    questions
        Questions in the order they are asked; keys must be unique.
    version
        Version of ``questions.json``.
    """

    __slots__ = ("_by_key", "version")

    def __init__(self, questions: Sequence[Question], version: int) -> None:
        by_key: dict[str, Question] = {}
        for q in questions:
            if q.key in by_key:
                raise ValueError(f"duplicate question key {q.key!r}")
            by_key[q.key] = q
        self._by_key = by_key
        self.version = version

    def __getitem__(self, key: str) -> Question:
        return self._by_key[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def in_section(self, section: Section) -> tuple[Question, ...]:
        """Questions of one section, in asking order."""
        return tuple(q for q in self._by_key.values() if q.section is section)

    def describe(self, key: str, facts: Facts) -> str:
        """Quote the fact ``key`` back, e.g. ``"age: 17 years"``."""
        value = facts.get(key)
        if value is None:
            return f"{self.label(key)}: not answered"
        if key in self._by_key:
            return self._by_key[key].describe(value)
        shown = f"{value:.0f}" if isinstance(value, float) else str(value)
        return f"{self.label(key)}: {shown}"

    def label(self, key: str) -> str:
        """Short label of a question or derived fact."""
        if key in self._by_key:
            return self._by_key[key].label
        return DERIVED_FACTS.get(key, key)


@dataclass(frozen=True, slots=True)
class Answers:
    """Validated answers.

    Attributes
    ----------
    values
        Key to value for every answered question except PSFS (missing = not answered).
    psfs
        The Patient-Specific Functional Scale activities (may be empty).
    """

    values: Mapping[str, FactValue] = field(default_factory=dict)
    psfs: tuple[PsfsItem, ...] = ()

    def flag(self, key: str) -> bool:
        """True only when the yes/no question ``key`` was answered yes."""
        return self.values.get(key) is True

    def number(self, key: str) -> float | None:
        """A numeric answer, or None when not answered."""
        value = self.values.get(key)
        if value is None or isinstance(value, bool | str):
            return None
        return float(value)

    def choice(self, key: str) -> str | None:
        """A choice answer, or None when not answered."""
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    def facts(self) -> dict[str, FactValue]:
        """Answers plus derived facts (:data:`DERIVED_FACTS`).

        ``onset_age_years`` is ``age - weeks_since_onset / 52.18``; when the duration is
        unknown the current age is used (the later age: over-refers for the > 50 rule).
        """
        facts: dict[str, FactValue] = dict(self.values)
        age = self.number("age")
        if age is not None:
            weeks = self.number("weeks_since_onset") or 0.0
            facts["onset_age_years"] = max(0.0, age - weeks / _WEEKS_PER_YEAR)
        return facts

    def to_dict(self) -> dict[str, object]:
        """The answers as a JSON-ready mapping that :func:`parse_answers` accepts back."""
        out: dict[str, object] = dict(self.values)
        if self.psfs:
            out["psfs"] = [{"activity": i.activity, "score": i.score} for i in self.psfs]
        return out


def parse_answers(raw: Mapping[str, object], questions: QuestionSet) -> Answers:
    """Validate a raw mapping (e.g. parsed JSON) into :class:`Answers`.

    Parameters
    ----------
    raw
        Key to value. ``None`` means not answered; keys starting with ``_`` are ignored.
    questions
        The question set from the knowledge files.

    Raises
    ------
    AnswersError
        Unknown key, wrong type or out-of-range value; the message names the key and
        the allowed values.
    """
    if not isinstance(raw, Mapping):
        raise AnswersError("answers must be a JSON object mapping question keys to values")
    values: dict[str, FactValue] = {}
    psfs: tuple[PsfsItem, ...] = ()
    for key, value in raw.items():
        if not isinstance(key, str):
            raise AnswersError(f"answer key {key!r} is not text")
        if key.startswith("_") or value is None:
            continue
        question = questions.get(key)
        if question is None:
            raise AnswersError(_unknown_key_message(key, questions))
        if question.qtype is QType.PSFS:
            psfs = _parse_psfs(question, value)
        else:
            values[key] = _parse_value(question, value)
    return Answers(values=values, psfs=psfs)


def _unknown_key_message(key: str, questions: QuestionSet) -> str:
    close = [k for k in questions if k.startswith(key[:4])][:5]
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return (f"unknown answer key {key!r}{hint}; run `backstride check --template` "
            "for every accepted key")


def _bad(question: Question, value: object) -> AnswersError:
    return AnswersError(f"answer {question.key!r} = {value!r} is not allowed; "
                        f"allowed: {question.allowed()}")


def _parse_value(question: Question, value: object) -> FactValue:
    if question.qtype is QType.BOOL:
        if not isinstance(value, bool):
            raise _bad(question, value)
        return value
    if question.qtype is QType.CHOICE:
        if not isinstance(value, str) or value not in question.choices:
            raise _bad(question, value)
        return value
    return _parse_number(question, value)


def _parse_number(question: Question, value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(question, value)
    if not math.isfinite(value):
        raise _bad(question, value)
    if question.qtype is QType.INT:
        if isinstance(value, float) and not value.is_integer():
            raise _bad(question, value)
        value = int(value)
    lo, hi = question.minimum, question.maximum
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise _bad(question, value)
    return value


def _parse_psfs(question: Question, value: object) -> tuple[PsfsItem, ...]:
    if not isinstance(value, list | tuple) or len(value) > question.max_items:
        raise _bad(question, value)
    items: list[PsfsItem] = []
    for entry in value:
        if not isinstance(entry, Mapping) or set(entry) != {"activity", "score"}:
            raise _bad(question, entry)
        activity, score = entry["activity"], entry["score"]
        if not isinstance(activity, str) or not 0 < len(activity.strip()) <= 80:
            raise _bad(question, entry)
        if isinstance(score, bool) or not isinstance(score, int):
            raise _bad(question, entry)
        lo, hi = question.minimum or 0, question.maximum or 10
        if not lo <= score <= hi:
            raise _bad(question, entry)
        items.append(PsfsItem(activity.strip(), score))
    return tuple(items)


def answers_template(questions: QuestionSet) -> dict[str, object]:
    """An answers file with every key set to ``null`` and help in ``_`` keys.

    The result is accepted by :func:`parse_answers` as is (everything unanswered); the
    runner fills in values. ``_help`` maps each key to its meaning and allowed values,
    ``_sections`` lists the keys per section in asking order.
    """
    template: dict[str, object] = {
        "_about": ("backstride back check answers. Replace null with your answer; leave "
                   "null (or delete the key) for no / unknown. Keys starting with _ are "
                   "ignored. This is decision support, not a diagnosis."),
        "_help": {k: f"{q.meaning} Allowed: {q.allowed()}." for k, q in questions.items()},
        "_sections": {s.value: [q.key for q in questions.in_section(s)] for s in Section},
    }
    template.update({key: None for key in questions})
    return template


# --- conditions ---------------------------------------------------------------------


class Op(StrEnum):
    """Comparison of a :class:`Leaf`."""

    TRUE = "true"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"
    EQ = "eq"
    NE = "ne"
    IN = "in"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Leaf:
    """A test of one fact; false whenever the fact is missing (except ``missing``)."""

    key: str
    op: Op = Op.TRUE
    value: FactValue | tuple[FactValue, ...] | None = None


@dataclass(frozen=True, slots=True)
class AllOf:
    """True when every part is true."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """True when at least one part is true."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """True when the part is false."""

    part: Condition


@dataclass(frozen=True, slots=True)
class AtLeast:
    """True when at least ``n`` parts are true (criteria counts)."""

    n: int
    parts: tuple[Condition, ...]


Condition: TypeAlias = Leaf | AllOf | AnyOf | Not | AtLeast


def evaluate(cond: Condition, facts: Facts) -> bool:
    """Evaluate a condition over facts (answers, derived facts, matched patterns)."""
    if isinstance(cond, Leaf):
        return _leaf(cond, facts)
    if isinstance(cond, AllOf):
        return all(evaluate(p, facts) for p in cond.parts)
    if isinstance(cond, AnyOf):
        return any(evaluate(p, facts) for p in cond.parts)
    if isinstance(cond, Not):
        return not evaluate(cond.part, facts)
    return sum(evaluate(p, facts) for p in cond.parts) >= cond.n


def _leaf(leaf: Leaf, facts: Facts) -> bool:
    value = facts.get(leaf.key)
    if leaf.op is Op.MISSING:
        return value is None
    if value is None:
        return False
    if leaf.op is Op.TRUE:
        return value is True
    if leaf.op is Op.EQ:
        return value == leaf.value
    if leaf.op is Op.NE:
        return value != leaf.value
    if leaf.op is Op.IN:
        return isinstance(leaf.value, tuple) and value in leaf.value
    return _compare(leaf.op, value, leaf.value)


def _compare(op: Op, value: FactValue, ref: object) -> bool:
    if isinstance(value, bool | str) or isinstance(ref, bool) or not isinstance(
        ref, int | float
    ):
        return False
    if op is Op.GT:
        return value > ref
    if op is Op.GE:
        return value >= ref
    if op is Op.LT:
        return value < ref
    return value <= ref


def supporting_keys(cond: Condition, facts: Facts) -> list[str]:
    """Keys of the facts that made ``cond`` true (positive tests only), in rule order."""
    found: list[str] = []
    _collect(cond, facts, found)
    return list(dict.fromkeys(found))


def _collect(cond: Condition, facts: Facts, found: list[str]) -> None:
    if not evaluate(cond, facts) or isinstance(cond, Not):
        return
    if isinstance(cond, Leaf):
        if cond.op is not Op.MISSING:
            found.append(cond.key)
        return
    for part in cond.parts:
        _collect(part, facts, found)


def condition_keys(cond: Condition) -> set[str]:
    """Every fact key a condition reads (for validating the knowledge files)."""
    if isinstance(cond, Leaf):
        return {cond.key}
    if isinstance(cond, Not):
        return condition_keys(cond.part)
    keys: set[str] = set()
    for part in cond.parts:
        keys |= condition_keys(part)
    return keys
