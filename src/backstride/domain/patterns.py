"""Pain patterns a self-report can support (``shared/evidence.md`` section 2).

A pattern is *triage only*: it tells the plan what running and exercise choices fit,
and (through ``pattern.<key>`` facts) lets red-flag rules send some patterns to a
clinician. It never names a diagnosis. Rules are data in
``backstride/knowledge/patterns.json``:

``stress_fracture_suspect``
    Age 20 or under and pain on arching back (Micheli & Wood 1995; Masci 2006,
    ``spondylolysis_young``; the age cut-off is a heuristic).
``inflammatory``
    Back pain for more than 12 weeks (or of unknown duration: over-refer) and either
    the **Berlin** criteria (Rudwaleit 2006, ``rudwaleit2006``; people aged 50 or under;
    at least 2 of: morning stiffness > 30 min, better with exercise but not with rest,
    night pain (proxy for waking in the second half of the night), alternating buttock
    pain) or the **ASAS** criteria (Sieper 2009, ``sieper2009``; at least 4 of: began
    before 40, insidious onset, better with exercise, not better with rest, night pain).
    Per NICE NG65 (``nice_ng65``) no single feature decides; the action is "discuss with
    your GP".
``radicular``
    Pain shooting below the knee, or tingling/numbness in the leg (NICE CKS sciatica).
``degenerative``
    Aged 50 or over, aching across the low back, morning stiffness not over 30 min.
``muscular``
    At least 2 of: one-sided pain, spasm, worse with twisting (NICE NG59 features).
``nonspecific``
    The default when nothing else matches (NICE NG59).

Several patterns can match at once; they are returned in ``priority`` order.
*Sensitivities* (``extension_sensitive``, ``rotation_sensitive``) are separate flags
for the plan: they exclude exercises (e.g. back extensions while arching hurts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from backstride.domain.answers import Condition, Facts, QuestionSet, evaluate, supporting_keys
from backstride.domain.evidence import SOURCES, Grade

__all__ = [
    "PATTERN_KEYS",
    "PatternKnowledge",
    "PatternMatch",
    "PatternRule",
    "Sensitivity",
    "SensitivityMatch",
    "match_patterns",
    "match_sensitivities",
    "pattern_facts",
    "pattern_labels",
]

#: The pattern keys the rest of backstride relies on.
PATTERN_KEYS: tuple[str, ...] = ("muscular", "radicular", "degenerative", "inflammatory",
                                 "stress_fracture_suspect", "nonspecific")


@dataclass(frozen=True, slots=True)
class PatternRule:
    """One pattern.

    Attributes
    ----------
    key
        ``muscular``, ``radicular``, ``degenerative``, ``inflammatory``,
        ``stress_fracture_suspect`` or ``nonspecific``.
    label
        Plain name ("Muscular, mechanical back pain").
    meaning
        What the pattern means, in our own words, without naming a diagnosis.
    running
        What it means for running.
    exercise
        What it means for exercise choice.
    source_key
        Key into :data:`~backstride.domain.evidence.SOURCES`.
    condition
        When it matches; None for the default pattern.
    priority
        Lower comes first in the output.
    example
        A vignette that matches it (used by the tests).
    """

    key: str
    label: str
    meaning: str
    running: str
    exercise: str
    source_key: str
    condition: Condition | None
    priority: int
    example: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """A movement that currently provokes the pain, and what the plan must leave out."""

    key: str
    label: str
    condition: Condition
    excluded_exercises: tuple[str, ...]
    text: str
    source_key: str


@dataclass(frozen=True, slots=True)
class PatternKnowledge:
    """Everything in ``patterns.json``."""

    patterns: tuple[PatternRule, ...]
    sensitivities: tuple[Sensitivity, ...]
    version: int

    @property
    def default(self) -> PatternRule:
        """The pattern used when no other matches (the one without a condition)."""
        return next(p for p in self.patterns if p.condition is None)


@dataclass(frozen=True, slots=True)
class PatternMatch:
    """A matched pattern with the answers that support it."""

    rule: PatternRule
    answered: tuple[str, ...]

    @property
    def key(self) -> str:
        """The pattern key."""
        return self.rule.key

    @property
    def grade(self) -> Grade:
        """Evidence grade of the pattern's source."""
        return SOURCES[self.rule.source_key].grade

    def to_dict(self, *, with_guidance: bool, running: str | None = None
                ) -> dict[str, object]:
        """JSON-ready form.

        Running and exercise guidance only when ``with_guidance``; ``running`` replaces
        the pattern's running text (used while the runner waits to be seen).
        """
        out: dict[str, object] = {"key": self.key, "label": self.rule.label}
        if with_guidance:
            out.update({"meaning": self.rule.meaning, "running": running or self.rule.running,
                        "exercise": self.rule.exercise, "answered": list(self.answered),
                        "source": self.rule.source_key, "grade": self.grade.value})
        return out


@dataclass(frozen=True, slots=True)
class SensitivityMatch:
    """A matched sensitivity."""

    sensitivity: Sensitivity
    answered: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        s = self.sensitivity
        return {"key": s.key, "label": s.label, "excluded_exercises": list(s.excluded_exercises),
                "text": s.text, "answered": list(self.answered), "source": s.source_key}


def match_patterns(facts: Facts, knowledge: PatternKnowledge,
                   questions: QuestionSet) -> tuple[PatternMatch, ...]:
    """Every pattern whose condition holds, by priority; the default when none does."""
    found = [
        PatternMatch(p, _quote(p.condition, facts, questions))
        for p in sorted(knowledge.patterns, key=lambda p: p.priority)
        if p.condition is not None and evaluate(p.condition, facts)
    ]
    if not found:
        found = [PatternMatch(knowledge.default, ())]
    return tuple(found)


def match_sensitivities(facts: Facts, knowledge: PatternKnowledge, questions: QuestionSet,
                        patterns: Sequence[PatternMatch] = ()) -> tuple[SensitivityMatch, ...]:
    """Sensitivities that hold (conditions may read ``pattern.<key>`` facts)."""
    full = {**facts, **pattern_facts(patterns)}
    return tuple(SensitivityMatch(s, _quote(s.condition, full, questions))
                 for s in knowledge.sensitivities if evaluate(s.condition, full))


def pattern_facts(patterns: Sequence[PatternMatch]) -> dict[str, bool]:
    """``{"pattern.<key>": True}`` for every matched pattern (facts for triage rules)."""
    return {f"pattern.{m.key}": True for m in patterns}


def pattern_labels(patterns: Sequence[PatternMatch]) -> dict[str, str]:
    """How a ``pattern.<key>`` fact is quoted back: the answers behind it."""
    out: dict[str, str] = {}
    for m in patterns:
        answers = "; ".join(m.answered) or "no specific answers"
        out[f"pattern.{m.key}"] = f"{answers} (together: {m.rule.label.lower()})"
    return out


def _quote(cond: Condition | None, facts: Facts, questions: QuestionSet) -> tuple[str, ...]:
    if cond is None:
        return ()
    return tuple(questions.describe(k, facts) for k in supporting_keys(cond, facts)
                 if not k.startswith("pattern."))
