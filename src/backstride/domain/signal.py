"""A training signal: one graded, explained finding from the runner's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from backstride.domain.evidence import SOURCES, Grade

__all__ = ["Level", "Signal"]


class Level(StrEnum):
    """How much a signal matters: ``ok`` < ``watch`` < ``warn``."""

    OK = "ok"
    WATCH = "watch"
    WARN = "warn"

    @property
    def rank(self) -> int:
        """0 for ok, 1 for watch, 2 for warn (for sorting worst first)."""
        return ("ok", "watch", "warn").index(self.value)


@dataclass(frozen=True, slots=True)
class Signal:
    """One signal, with everything the runner needs to judge it.

    Attributes
    ----------
    key
        Stable identifier (``single_run_spike``, ``weekly_ramp``, ``acwr``...).
    level
        ok, watch or warn.
    value
        The measured value, in ``unit`` (None when there is nothing to measure yet).
    unit
        Unit of ``value`` and ``threshold``.
    threshold
        The threshold the value was held against (the one that decided the level).
    threshold_name
        Registry name of that threshold (see :mod:`backstride.domain.thresholds`).
    explanation
        Plain words: what was found and why it matters for a back.
    advice
        What to do about it.
    source_key
        Key into :data:`backstride.domain.evidence.SOURCES`.
    on
        The local date the finding refers to (e.g. the spiking run), when any.
    contested
        True when the measure itself is disputed (ACWR, the 10% rule): shown as context.
    activity_id
        Stored activity the finding refers to, when any.
    """

    key: str
    level: Level
    value: float | None
    unit: str
    threshold: float | None
    threshold_name: str | None
    explanation: str
    advice: str
    source_key: str
    on: date | None = None
    contested: bool = False
    activity_id: int | None = None

    def __post_init__(self) -> None:
        if self.source_key not in SOURCES:
            raise ValueError(f"signal {self.key}: unknown source {self.source_key!r}")

    @property
    def evidence_grade(self) -> Grade:
        """The grade of the cited source."""
        return SOURCES[self.source_key].grade

    @property
    def source(self) -> str:
        """The short citation."""
        return SOURCES[self.source_key].citation
