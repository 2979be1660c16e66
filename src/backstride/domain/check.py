"""The back check: red flags first, then pattern, function, self-tests and contributors.

:func:`run_check` is pure: it takes validated :class:`~backstride.domain.answers.Answers`,
the loaded :class:`Knowledge` (see :func:`backstride.knowledge.load_knowledge`), the
stored training signals (may be empty) and the previous function scores (may be None),
and returns a :class:`CheckResult`. Storage keeps ``CheckResult.to_dict()``; the next
check rebuilds the previous scores with
:meth:`~backstride.domain.function.FunctionScores.from_dict` of its ``"function"`` part.

Safety rule (``shared/evidence.md`` section 1): when triage is ``emergency`` or
``same_day`` the result carries **no running or exercise guidance at all**: patterns are
reported by name only, contributors and plan elements are withheld. At ``soon`` only
gentle walking and mobility elements (plus the referral) are offered until seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from backstride.domain.answers import Answers, Facts, FactValue, QuestionSet
from backstride.domain.contributors import Contributor, ContributorKnowledge, rank_contributors
from backstride.domain.function import (
    ChangeReport,
    FunctionScores,
    compare,
    scores_from_answers,
)
from backstride.domain.patterns import (
    PatternKnowledge,
    PatternMatch,
    SensitivityMatch,
    match_patterns,
    match_sensitivities,
    pattern_facts,
    pattern_labels,
)
from backstride.domain.selftests import SelfTestKnowledge, SelfTestReport, evaluate_self_tests
from backstride.domain.signal import Signal
from backstride.domain.triage import PlanLimit, TriageKnowledge, TriageResult, assess

__all__ = [
    "REFERRAL_ELEMENT",
    "RESULT_SCHEMA",
    "WITHHELD",
    "CheckResult",
    "Knowledge",
    "run_check",
    "screen",
]

#: Version of the :meth:`CheckResult.to_dict` shape.
RESULT_SCHEMA = 1
#: Plan element added whenever triage is above self-care.
REFERRAL_ELEMENT = "professional_referral"
#: Shown instead of the result parts that are withheld when triage is urgent.
WITHHELD = "Training guidance is withheld until a doctor has seen you."


@dataclass(frozen=True, slots=True)
class Knowledge:
    """All check content, loaded and validated once from ``backstride/knowledge``."""

    questions: QuestionSet
    triage: TriageKnowledge
    patterns: PatternKnowledge
    self_tests: SelfTestKnowledge
    contributors: ContributorKnowledge

    @property
    def version(self) -> str:
        """Combined version of the data files, e.g. ``q1.r1.p1.s1.c1``."""
        return (f"q{self.questions.version}.r{self.triage.version}."
                f"p{self.patterns.version}.s{self.self_tests.version}."
                f"c{self.contributors.version}")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Everything one check found.

    Attributes
    ----------
    on
        Date of the check.
    knowledge_version
        :attr:`Knowledge.version` used.
    answers
        The validated answers.
    triage
        Red-flag triage (level, reasons, advice, plan limit).
    patterns, sensitivities
        Matched pain patterns and movement sensitivities.
    function
        Pain readings and PSFS.
    self_tests
        Self-test findings.
    contributors
        All contributors, ranked (computed even when withheld from the output).
    plan_elements
        Plan elements allowed by the triage, in contributor rank order.
    change
        Change against the previous check, when one was given.
    signals_used
        Number of training signals considered.
    notice
        The decision-support notice shown with every result.
    limited_running
        Running text that replaces the patterns' own while the plan is limited.
    """

    on: date
    knowledge_version: str
    answers: Answers
    triage: TriageResult
    patterns: tuple[PatternMatch, ...]
    sensitivities: tuple[SensitivityMatch, ...]
    function: FunctionScores
    self_tests: SelfTestReport
    contributors: tuple[Contributor, ...]
    plan_elements: tuple[str, ...]
    change: ChangeReport | None
    signals_used: int
    notice: str
    limited_running: str

    @property
    def guidance_allowed(self) -> bool:
        """False for ``emergency`` and ``same_day``: nothing but where to go."""
        return self.triage.plan_limit is not PlanLimit.NONE

    def to_dict(self) -> dict[str, object]:
        """JSON-ready result (the ``--json`` output and what storage keeps).

        Keys: ``schema``, ``on``, ``knowledge_version``, ``notice``, ``triage``
        (``level``, ``title``, ``reasons``, ``advice``, ``plan_limit``,
        ``unanswered_red_flags``), ``patterns``, ``sensitivities``, ``function``,
        ``self_tests``, ``contributors`` (``key``, ``label``, ``score``, ``evidence``,
        ``grade``, ``source``, ``citation``, ``plan_elements``), ``plan_elements``,
        ``change``, ``signals_used``, ``answers``, ``withheld``.
        """
        guidance = self.guidance_allowed
        limited = self.triage.plan_limit is PlanLimit.WALKING_AND_MOBILITY
        running = self.limited_running if limited else None
        allowed = set(self.plan_elements) if limited else None
        return {
            "schema": RESULT_SCHEMA, "on": self.on.isoformat(),
            "knowledge_version": self.knowledge_version, "notice": self.notice,
            "triage": self.triage.to_dict(),
            "patterns": [p.to_dict(with_guidance=guidance, running=running)
                         for p in self.patterns],
            "sensitivities": [s.to_dict() for s in self.sensitivities] if guidance else [],
            "function": self.function.to_dict(),
            "self_tests": self.self_tests.to_dict(),
            "contributors": [c.to_dict(allowed=allowed) for c in self.contributors]
            if guidance else [],
            "plan_elements": list(self.plan_elements),
            "change": None if self.change is None else self.change.to_dict(),
            "signals_used": self.signals_used,
            "answers": self.answers.to_dict(),
            "withheld": None if guidance else WITHHELD,
        }


def screen(answers: Answers, knowledge: Knowledge) -> TriageResult:
    """Triage only (patterns included, since some patterns refer).

    The interactive check calls this after every answer and stops at once when the
    level is ``emergency``.
    """
    facts = answers.facts()
    patterns = match_patterns(facts, knowledge.patterns, knowledge.questions)
    return _triage(facts, patterns, knowledge)


def _triage(facts: Facts, patterns: Sequence[PatternMatch],
            knowledge: Knowledge) -> TriageResult:
    full: dict[str, FactValue] = {**facts, **pattern_facts(patterns)}
    return assess(full, knowledge.triage, knowledge.questions, pattern_labels(patterns))


def run_check(answers: Answers, *, knowledge: Knowledge, signals: Sequence[Signal] = (),
              previous: FunctionScores | None = None, today: date) -> CheckResult:
    """Run the whole check.

    Parameters
    ----------
    answers
        Validated answers (:func:`~backstride.domain.answers.parse_answers`).
    knowledge
        Loaded knowledge (:func:`backstride.knowledge.load_knowledge`).
    signals
        Stored training signals; they count as contributor evidence.
    previous
        Function scores of the previous check, for the change report.
    today
        Date of this check.
    """
    facts = answers.facts()
    patterns = match_patterns(facts, knowledge.patterns, knowledge.questions)
    triage = _triage(facts, patterns, knowledge)
    sensitivities = match_sensitivities(facts, knowledge.patterns, knowledge.questions,
                                        patterns)
    function = scores_from_answers(answers, today)
    self_tests = evaluate_self_tests(answers, knowledge.self_tests)
    contributors = rank_contributors(facts, self_tests, signals, knowledge.contributors)
    change = None if previous is None else compare(previous, function)
    return CheckResult(
        on=today, knowledge_version=knowledge.version, answers=answers, triage=triage,
        patterns=patterns, sensitivities=sensitivities, function=function,
        self_tests=self_tests, contributors=contributors,
        plan_elements=_plan_elements(triage, contributors, knowledge.contributors),
        change=change, signals_used=len(signals), notice=knowledge.triage.notice,
        limited_running=knowledge.triage.limited_running)


def _plan_elements(triage: TriageResult, contributors: Sequence[Contributor],
                   knowledge: ContributorKnowledge) -> tuple[str, ...]:
    if triage.plan_limit is PlanLimit.NONE:
        return ()
    keys: list[str] = [REFERRAL_ELEMENT] if triage.reasons else []
    keys += [k for c in contributors if c.score > 0 for k in c.plan_elements]
    if triage.plan_limit is PlanLimit.WALKING_AND_MOBILITY:
        keys = [k for k in keys if knowledge.plan_elements[k].gentle]
    return tuple(dict.fromkeys(keys))
