"""What a plan is built from: the check, the training signals and recent running.

:func:`basis_from_check` condenses a :class:`~backstride.domain.check.CheckResult`,
the stored :class:`~backstride.domain.signal.Signal` list and a
:class:`~backstride.domain.ladder.RunningBaseline` into a :class:`PlanBasis`. The basis
is small, JSON-ready (:meth:`PlanBasis.to_dict` / :meth:`PlanBasis.from_dict`) and is
all the plan builder reads, so a stored plan can be rebuilt (or re-planned from a new
run level) without re-running the check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from backstride.domain.check import CheckResult
from backstride.domain.ladder import PAIN_OK_MAX, RunningBaseline
from backstride.domain.signal import Level, Signal
from backstride.domain.triage import PlanLimit, TriageLevel

__all__ = [
    "CADENCE_SIGNALS",
    "HILL_SIGNALS",
    "RECOVERY_SIGNALS",
    "SHOE_MILEAGE_SIGNALS",
    "SPIKE_SIGNALS",
    "TOP_CONTRIBUTORS",
    "ContributorRef",
    "PlanBasis",
    "SignalFlag",
    "basis_from_check",
]

#: How many ranked contributors the exercises target.
TOP_CONTRIBUTORS: Final = 3
#: Signal keys behind the plan's choices (signals package and contributor-map names).
CADENCE_SIGNALS: Final = ("cadence", "step_length")
HILL_SIGNALS: Final = ("hill_volume", "downhill_volume", "hill_sessions", "hill_rise",
                       "downhill")
SPIKE_SIGNALS: Final = ("single_run_spike", "weekly_ramp")
SHOE_MILEAGE_SIGNALS: Final = ("shoe_mileage", "shoe_distance")
RECOVERY_SIGNALS: Final = ("rest_days", "run_streak", "monotony", "strain")


@dataclass(frozen=True, slots=True)
class ContributorRef:
    """A ranked contributor with some support (score above 0)."""

    key: str
    label: str
    score: float
    plan_elements: tuple[str, ...]
    source_key: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"key": self.key, "label": self.label, "score": self.score,
                "plan_elements": list(self.plan_elements), "source": self.source_key}

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> ContributorRef:
        """Rebuild from :meth:`to_dict` output."""
        return cls(str(d["key"]), str(d["label"]), _float(d["score"]),
                   _strs(d["plan_elements"]), str(d["source"]))


@dataclass(frozen=True, slots=True)
class SignalFlag:
    """A training signal above ``ok`` that the plan acts on."""

    key: str
    level: Level
    advice: str
    source_key: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"key": self.key, "level": self.level.value, "advice": self.advice,
                "source": self.source_key}

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> SignalFlag:
        """Rebuild from :meth:`to_dict` output."""
        return cls(str(d["key"]), Level(str(d["level"])), str(d["advice"]),
                   str(d["source"]))


@dataclass(frozen=True, slots=True)
class PlanBasis:
    """Everything the plan builder reads.

    Attributes
    ----------
    check_on
        Date of the check.
    triage_level, plan_limit, triage_title, triage_advice
        The check's triage.
    triage_reasons, triage_sources
        Fired red-flag rules as sentences, and their source keys.
    patterns, sensitivities
        Matched pattern and sensitivity keys.
    excluded_names
        Exercise keys/tags the matched sensitivities exclude.
    contributors
        Contributors with a score above 0, highest first.
    plan_elements
        Plan elements the triage allows (the check's list).
    pain
        The check's pain readings (``pain_now``, ``worst_pain_week``,
        ``pain_during_run``), 0-10.
    facts
        The few answers the plan reads (shoe distance and pairs, sleep, sitting).
    signals
        Training signals above ok.
    baseline
        Recent running.
    notice
        The decision-support notice.
    """

    check_on: date
    triage_level: TriageLevel
    plan_limit: PlanLimit
    triage_title: str
    triage_advice: str
    triage_reasons: tuple[str, ...]
    triage_sources: tuple[str, ...]
    patterns: tuple[str, ...]
    sensitivities: tuple[str, ...]
    excluded_names: tuple[str, ...]
    contributors: tuple[ContributorRef, ...]
    plan_elements: tuple[str, ...]
    pain: Mapping[str, int]
    facts: Mapping[str, float]
    signals: tuple[SignalFlag, ...]
    baseline: RunningBaseline
    notice: str

    @property
    def top(self) -> tuple[ContributorRef, ...]:
        """The top contributors the exercises target (at most three)."""
        return self.contributors[:TOP_CONTRIBUTORS]

    @property
    def active(self) -> frozenset[str]:
        """Matched pattern and sensitivity keys."""
        return frozenset(self.patterns) | frozenset(self.sensitivities)

    @property
    def running_hurts(self) -> bool:
        """Pain during running above 3/10 (or, unanswered, pain now above 3/10).

        Then the plan starts from walking and the walk-run ladder (``silbernagel2007``
        conservative ceiling; ``army_rtr2023``).
        """
        during = self.pain.get("pain_during_run")
        if during is not None:
            return during > PAIN_OK_MAX
        return self.pain.get("pain_now", 0) > PAIN_OK_MAX

    def flag(self, keys: Sequence[str]) -> SignalFlag | None:
        """The worst signal flag among ``keys``, None when none is raised."""
        found = [s for s in self.signals if s.key in keys]
        return max(found, key=lambda s: s.level.rank, default=None)

    def contributor(self, key: str) -> ContributorRef | None:
        """A contributor with support, None when it scored 0."""
        return next((c for c in self.contributors if c.key == key), None)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, accepted by :meth:`from_dict`."""
        return {"check_on": self.check_on.isoformat(), "triage_level": self.triage_level.value,
                "plan_limit": self.plan_limit.value, "triage_title": self.triage_title,
                "triage_advice": self.triage_advice,
                "triage_reasons": list(self.triage_reasons),
                "triage_sources": list(self.triage_sources), "patterns": list(self.patterns),
                "sensitivities": list(self.sensitivities),
                "excluded_names": list(self.excluded_names),
                "contributors": [c.to_dict() for c in self.contributors],
                "plan_elements": list(self.plan_elements), "pain": dict(self.pain),
                "facts": dict(self.facts), "signals": [s.to_dict() for s in self.signals],
                "baseline": self.baseline.to_dict(), "notice": self.notice}

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> PlanBasis:
        """Rebuild from :meth:`to_dict` output.

        Raises
        ------
        ValueError
            When the mapping does not have that shape.
        """
        try:
            return cls(
                check_on=date.fromisoformat(str(d["check_on"])),
                triage_level=TriageLevel(str(d["triage_level"])),
                plan_limit=PlanLimit(str(d["plan_limit"])),
                triage_title=str(d["triage_title"]), triage_advice=str(d["triage_advice"]),
                triage_reasons=_strs(d["triage_reasons"]),
                triage_sources=_strs(d["triage_sources"]), patterns=_strs(d["patterns"]),
                sensitivities=_strs(d["sensitivities"]),
                excluded_names=_strs(d["excluded_names"]),
                contributors=tuple(ContributorRef.from_dict(_map(c))
                                   for c in _list(d["contributors"])),
                plan_elements=_strs(d["plan_elements"]),
                pain={str(k): int(_float(v)) for k, v in _map(d["pain"]).items()},
                facts={str(k): _float(v) for k, v in _map(d["facts"]).items()},
                signals=tuple(SignalFlag.from_dict(_map(s)) for s in _list(d["signals"])),
                baseline=RunningBaseline.from_dict(_map(d["baseline"])),
                notice=str(d["notice"]))
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a stored plan basis: {error}") from None


#: Answers the plan reads (numbers only).
FACT_KEYS: Final = ("shoe_distance_km", "shoe_pairs", "shoe_age_months", "sleep_hours",
                    "desk_hours_per_day", "cross_training_minutes_per_week", "age")


def basis_from_check(check: CheckResult, signals: Sequence[Signal],
                     baseline: RunningBaseline) -> PlanBasis:
    """Condense a check, the training signals and recent running into a basis.

    Parameters
    ----------
    check
        The latest :class:`CheckResult`.
    signals
        Stored training signals (may be empty); only those above ``ok`` are kept.
    baseline
        Recent running (longest run of the last 30 days, usual weekly volume, pace).
    """
    triage = check.triage
    contributors = tuple(
        ContributorRef(c.key, c.label, c.score, c.plan_elements, c.source_key)
        for c in check.contributors if c.score > 0)
    facts = {k: v for k in FACT_KEYS if (v := check.answers.number(k)) is not None}
    flags = tuple(SignalFlag(s.key, s.level, s.advice, s.source_key)
                  for s in signals if s.level is not Level.OK)
    excluded = tuple(dict.fromkeys(n for m in check.sensitivities
                                   for n in m.sensitivity.excluded_exercises))
    return PlanBasis(
        check_on=check.on, triage_level=triage.level, plan_limit=triage.plan_limit,
        triage_title=triage.title, triage_advice=triage.advice,
        triage_reasons=tuple(r.sentence() for r in triage.reasons),
        triage_sources=tuple(dict.fromkeys(r.source_key for r in triage.reasons)),
        patterns=tuple(p.key for p in check.patterns),
        sensitivities=tuple(s.sensitivity.key for s in check.sensitivities),
        excluded_names=excluded, contributors=contributors,
        plan_elements=check.plan_elements, pain=dict(check.function.pain), facts=facts,
        signals=flags, baseline=baseline, notice=check.notice)


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return value


def _map(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return value


def _strs(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in _list(value))


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)
