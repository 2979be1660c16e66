"""Rank the contributors to this runner's back pain.

Eleven contributors (core endurance, glutes and hips, hamstrings, hip-flexor and
hamstring tightness, muscle imbalance, posture and sitting, running form, hills, shoes,
training spikes, recovery) are defined in ``backstride/knowledge/contributors.json``
with their label, evidence grade, source and the plan elements that address them.

Scoring
-------
Each piece of evidence *i* carries a weight ``w_i`` in (0, 1]:

* an answer rule that holds (``contributors.json``, ``answer_rules``);
* a self-test finding (``self_tests.json``, per-contributor weights);
* a stored training signal, through the ONE mapping table ``signal_map`` in
  ``contributors.json``: signal key -> contributors and base weights. The base weight
  is multiplied by the level factor (``warn`` 1.0, ``watch`` 0.5, ``ok`` 0: an ``ok``
  signal adds nothing). When several signals share a key, the worst level counts once.

The score combines the weights as independent pieces of support (a "noisy OR"):
``score = 1 - prod(1 - w_i)``. It is 0 without evidence, never exceeds 1, rises with
every added piece and never falls when evidence is added. It ranks contributors *for
this runner*; it is not a probability that the contributor causes the pain. Ties keep
the order of ``contributors.json``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from backstride.domain.answers import Condition, Facts, evaluate
from backstride.domain.evidence import SOURCES, Grade
from backstride.domain.selftests import SelfTestReport
from backstride.domain.signal import Level, Signal
from backstride.domain.signals import SIGNAL_KEYS as _ENGINE_SIGNAL_KEYS

__all__ = [
    "CONTRIBUTOR_KEYS",
    "PLAN_ELEMENT_KEYS",
    "SIGNAL_KEYS",
    "AnswerRule",
    "Contributor",
    "ContributorInfo",
    "ContributorKnowledge",
    "PlanElement",
    "SignalWeight",
    "rank_contributors",
]

#: The eleven contributors, in the issue's order.
CONTRIBUTOR_KEYS: tuple[str, ...] = (
    "core_endurance", "glutes_hips", "hamstrings", "hip_flexor_hamstring_tightness",
    "muscle_imbalance", "posture_sitting", "running_form", "hills", "shoes",
    "training_spikes", "recovery",
)
#: Plan elements the plan implements.
PLAN_ELEMENT_KEYS: tuple[str, ...] = (
    "core_endurance_program", "glute_hip_strength", "hamstring_strength",
    "hip_flexor_mobility", "hamstring_mobility", "posture_breaks", "cadence_work",
    "flat_routes", "shoe_review", "load_management", "recovery_sleep", "cross_training",
    "professional_referral",
)
#: Training-signal keys the signal map must cover: exactly the keys the signal
#: engine produces (one list, owned by :mod:`backstride.domain.signals`).
SIGNAL_KEYS: tuple[str, ...] = tuple(_ENGINE_SIGNAL_KEYS)


@dataclass(frozen=True, slots=True)
class PlanElement:
    """A building block the plan implements.

    Attributes
    ----------
    key
        ``core_endurance_program``, ``flat_routes``...
    label
        Plain name.
    gentle
        True when it fits the ``walking_and_mobility`` limit (allowed before being seen).
    """

    key: str
    label: str
    gentle: bool


@dataclass(frozen=True, slots=True)
class AnswerRule:
    """Answers that support a contributor: condition, weight (0-1) and a sentence.

    ``text`` may name facts in braces (``{desk_hours_per_day}``).
    """

    condition: Condition
    weight: float
    text: str


@dataclass(frozen=True, slots=True)
class ContributorInfo:
    """One contributor as defined in ``contributors.json``."""

    key: str
    label: str
    grade: Grade
    source_key: str
    plan_elements: tuple[str, ...]
    answer_rules: tuple[AnswerRule, ...]


@dataclass(frozen=True, slots=True)
class SignalWeight:
    """One row of the signal map: a signal supports ``contributor`` with ``weight``."""

    contributor: str
    weight: float


@dataclass(frozen=True, slots=True)
class ContributorKnowledge:
    """Everything in ``contributors.json``."""

    contributors: tuple[ContributorInfo, ...]
    plan_elements: Mapping[str, PlanElement]
    signal_map: Mapping[str, tuple[SignalWeight, ...]]
    level_factors: Mapping[Level, float]
    version: int


@dataclass(frozen=True, slots=True)
class Contributor:
    """A scored contributor.

    Attributes
    ----------
    key, label
        Identifier and plain name.
    score
        0-1, see the module docstring.
    evidence
        Plain sentences naming each answer, self-test result or training signal behind
        the score.
    grade, source_key
        Evidence grade and source of the contributor as a whole.
    plan_elements
        Plan elements that address it.
    """

    key: str
    label: str
    score: float
    evidence: tuple[str, ...]
    grade: Grade
    source_key: str
    plan_elements: tuple[str, ...]

    def to_dict(self, *, allowed: Collection[str] | None = None) -> dict[str, object]:
        """JSON-ready form; only the plan elements in ``allowed`` when it is given."""
        plan = [k for k in self.plan_elements if allowed is None or k in allowed]
        return {"key": self.key, "label": self.label, "score": self.score,
                "evidence": list(self.evidence), "grade": self.grade.value,
                "source": self.source_key, "citation": SOURCES[self.source_key].citation,
                "plan_elements": plan}


class _Safe(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "?"


def rank_contributors(facts: Facts, self_tests: SelfTestReport, signals: Sequence[Signal],
                      knowledge: ContributorKnowledge) -> tuple[Contributor, ...]:
    """Score and rank every contributor, highest first.

    Parameters
    ----------
    facts
        :meth:`Answers.facts`.
    self_tests
        Self-test findings.
    signals
        Stored training signals (empty when no activities are stored).
    knowledge
        ``contributors.json``.
    """
    support: dict[str, list[tuple[float, str]]] = {c.key: [] for c in knowledge.contributors}
    _from_answers(facts, knowledge, support)
    _from_self_tests(self_tests, support)
    _from_signals(signals, knowledge, support)
    order = {c.key: i for i, c in enumerate(knowledge.contributors)}
    scored = [_score(c, support[c.key]) for c in knowledge.contributors]
    return tuple(sorted(scored, key=lambda c: (-c.score, order[c.key])))


def _from_answers(facts: Facts, knowledge: ContributorKnowledge,
                  support: dict[str, list[tuple[float, str]]]) -> None:
    values = _Safe({k: int(v) if isinstance(v, float) and v.is_integer() else v
                    for k, v in facts.items()})
    for c in knowledge.contributors:
        for rule in c.answer_rules:
            if evaluate(rule.condition, facts):
                support[c.key].append((rule.weight,
                                       f"Answer: {rule.text.format_map(values)}"))


def _from_self_tests(report: SelfTestReport,
                     support: dict[str, list[tuple[float, str]]]) -> None:
    for finding in report.findings:
        for key, weight in finding.contributors.items():
            if key in support:
                support[key].append((weight, f"Self-test: {finding.text}"))


def _from_signals(signals: Sequence[Signal], knowledge: ContributorKnowledge,
                  support: dict[str, list[tuple[float, str]]]) -> None:
    for signal in _worst_per_key(signals):
        factor = knowledge.level_factors.get(signal.level, 0.0)
        if factor <= 0:
            continue
        for row in knowledge.signal_map.get(signal.key, ()):
            if row.contributor in support:
                text = (f"Training signal {signal.key} ({signal.level.value}): "
                        f"{signal.explanation}")
                support[row.contributor].append((row.weight * factor, text))


def _worst_per_key(signals: Sequence[Signal]) -> list[Signal]:
    worst: dict[str, Signal] = {}
    for s in signals:
        if s.key not in worst or s.level.rank > worst[s.key].level.rank:
            worst[s.key] = s
    return list(worst.values())


def _score(info: ContributorInfo, support: Sequence[tuple[float, str]]) -> Contributor:
    remaining = 1.0
    for weight, _ in support:
        remaining *= 1.0 - min(1.0, max(0.0, weight))
    ordered = sorted(support, key=lambda s: -s[0])
    return Contributor(info.key, info.label, round(1.0 - remaining, 3),
                       tuple(text for _, text in ordered), info.grade, info.source_key,
                       info.plan_elements)
