"""Red-flag triage: who must see someone, where, and how fast.

Every rule comes from ``shared/evidence.md`` section 1 and lives as data in
``backstride/knowledge/red_flags.json`` (condition over the answers, level, reason in
our own words, source key). The engine here is deliberately simple:

* every rule whose condition holds adds a :class:`Reason`;
* the result level is the **highest** level among the reasons (``self_care`` when none);
  flags never cancel each other and never lower a level, so adding a flag can only keep
  or raise the level. Over-refer rather than under-refer (Finucane et al. 2020,
  ``finucane2020``; Downie et al. 2013, ``downie2013``);
* the advice and the plan limit are those of the result level
  (``emergency``/``same_day``: no plan at all; ``soon``: gentle walking and mobility only
  until seen; ``routine``/``self_care``: the full plan).

This is decision support, never a diagnosis: the texts say what was answered and where
to go; they never say that a condition is present, absent or excluded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from backstride.domain.answers import (
    Condition,
    Facts,
    QuestionSet,
    Section,
    evaluate,
    supporting_keys,
)
from backstride.domain.evidence import SOURCES, Grade

__all__ = [
    "LevelAdvice",
    "PlanLimit",
    "Reason",
    "RedFlagRule",
    "TriageKnowledge",
    "TriageLevel",
    "TriageResult",
    "assess",
]


class TriageLevel(StrEnum):
    """Urgency, lowest first: ``self_care`` < ``routine`` < ``soon`` < ``same_day`` <
    ``emergency``."""

    SELF_CARE = "self_care"
    ROUTINE = "routine"
    SOON = "soon"
    SAME_DAY = "same_day"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        """0 for self_care ... 4 for emergency."""
        return list(TriageLevel).index(self)

    @property
    def urgent(self) -> bool:
        """True for ``emergency`` and ``same_day``: no training guidance at all."""
        return self.rank >= TriageLevel.SAME_DAY.rank


class PlanLimit(StrEnum):
    """How much of a training plan a triage level allows."""

    NONE = "none"
    WALKING_AND_MOBILITY = "walking_and_mobility"
    FULL = "full"


@dataclass(frozen=True, slots=True)
class LevelAdvice:
    """Where to go and how fast, for one level.

    Attributes
    ----------
    level
        The triage level.
    title
        Short heading ("Emergency: get help now").
    advice
        Plain words: where to go, how fast, what to do meanwhile.
    plan_limit
        What the plan may contain at this level.
    """

    level: TriageLevel
    title: str
    advice: str
    plan_limit: PlanLimit


@dataclass(frozen=True, slots=True)
class RedFlagRule:
    """One red-flag rule.

    Attributes
    ----------
    key
        Stable identifier (usually the answer key: ``saddle_numbness``).
    condition
        When the rule fires.
    level
        The level it reaches at least.
    reason
        Why it matters and where it sends the runner, in our own words.
    source_key
        Key into :data:`~backstride.domain.evidence.SOURCES`.
    example
        A minimal answer set that fires the rule alone (a vignette used by the tests).
    """

    key: str
    condition: Condition
    level: TriageLevel
    reason: str
    source_key: str
    example: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class TriageKnowledge:
    """All red-flag rules and the advice per level (from ``red_flags.json``).

    ``notice`` is shown with every result; ``limited_running`` replaces the patterns'
    running guidance while the plan is limited to walking and mobility.
    """

    rules: tuple[RedFlagRule, ...]
    levels: Mapping[TriageLevel, LevelAdvice]
    unanswered_note: str
    notice: str
    limited_running: str
    version: int


@dataclass(frozen=True, slots=True)
class Reason:
    """One fired rule, explained.

    Attributes
    ----------
    flag
        The rule key.
    level
        The rule's level.
    answered
        What the runner answered that fired it ("fever or feeling unwell: yes").
    text
        The rule's reason.
    source_key
        Key into :data:`~backstride.domain.evidence.SOURCES`.
    """

    flag: str
    level: TriageLevel
    answered: tuple[str, ...]
    text: str
    source_key: str

    @property
    def citation(self) -> str:
        """Short citation of the source."""
        return SOURCES[self.source_key].citation

    @property
    def grade(self) -> Grade:
        """Evidence grade of the source."""
        return SOURCES[self.source_key].grade

    def sentence(self) -> str:
        """One line: what was answered, why it matters, the source."""
        answered = "; ".join(self.answered)
        return (f"You answered {answered}. {self.text} "
                f"(Source: {self.citation} [{self.grade.value}].)")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"flag": self.flag, "level": self.level.value, "answered": list(self.answered),
                "text": self.sentence(), "source": self.source_key,
                "grade": self.grade.value, "citation": self.citation}


@dataclass(frozen=True, slots=True)
class TriageResult:
    """The triage outcome.

    Attributes
    ----------
    level
        The highest level among the reasons (``self_care`` when none fired).
    reasons
        Every fired rule, highest level first.
    title, advice
        Where to go and how fast, for ``level``.
    plan_limit
        What the plan may contain.
    unanswered
        Red-flag questions left unanswered (counted as "no").
    """

    level: TriageLevel
    reasons: tuple[Reason, ...]
    title: str
    advice: str
    plan_limit: PlanLimit
    unanswered: tuple[str, ...] = ()

    @property
    def allows_running(self) -> bool:
        """True only when the full plan (running included) may be shown."""
        return self.plan_limit is PlanLimit.FULL

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: ``{"level", "title", "reasons", "advice", "plan_limit", ...}``."""
        return {"level": self.level.value, "title": self.title,
                "reasons": [r.to_dict() for r in self.reasons], "advice": self.advice,
                "plan_limit": self.plan_limit.value,
                "unanswered_red_flags": list(self.unanswered)}


def assess(facts: Facts, knowledge: TriageKnowledge, questions: QuestionSet,
           labels: Mapping[str, str] | None = None) -> TriageResult:
    """Triage a set of facts.

    Parameters
    ----------
    facts
        :meth:`Answers.facts` plus ``pattern.<key>: True`` for every matched pattern.
    knowledge
        Rules and advice from ``red_flags.json``.
    questions
        For quoting answers back.
    labels
        Extra labels for non-question facts (``pattern.radicular`` -> "pattern: ...").

    Returns
    -------
    TriageResult
        Highest level among fired rules; advice and plan limit of that level.
    """
    reasons = sorted(_fired(facts, knowledge.rules, questions, labels or {}),
                     key=lambda r: -r.level.rank)
    level = reasons[0].level if reasons else TriageLevel.SELF_CARE
    info = knowledge.levels[level]
    unanswered = _unanswered(facts, questions)
    advice = info.advice
    if unanswered and not level.urgent:
        advice = f"{advice} {knowledge.unanswered_note}"
    return TriageResult(level=level, reasons=tuple(reasons), title=info.title,
                        advice=advice, plan_limit=info.plan_limit, unanswered=unanswered)


def _fired(facts: Facts, rules: Sequence[RedFlagRule], questions: QuestionSet,
           labels: Mapping[str, str]) -> list[Reason]:
    out: list[Reason] = []
    for rule in rules:
        if evaluate(rule.condition, facts):
            keys = supporting_keys(rule.condition, facts)
            answered = tuple(_quote(k, facts, questions, labels) for k in keys)
            out.append(Reason(rule.key, rule.level, answered, rule.reason, rule.source_key))
    return out


def _quote(key: str, facts: Facts, questions: QuestionSet,
           labels: Mapping[str, str]) -> str:
    if key in labels:
        return labels[key]
    return questions.describe(key, facts)


def _unanswered(facts: Facts, questions: QuestionSet) -> tuple[str, ...]:
    return tuple(q.key for q in questions.in_section(Section.RED_FLAGS)
                 if facts.get(q.key) is None)
