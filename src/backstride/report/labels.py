"""Words and number formats for signals, shared by the command line and the reports.

Pure: a :class:`~backstride.domain.signal.Signal` in, text or a JSON-ready dict out.
"""

from __future__ import annotations

import math
from typing import Any, Final

from backstride.domain.signal import Level, Signal

__all__ = [
    "CONTESTED_LABEL",
    "NOTICE",
    "TITLES",
    "format_threshold",
    "format_value",
    "level_counts",
    "signal_dict",
    "title",
]

#: What every output says about itself.
NOTICE: Final = (
    "backstride gives decision support from your own training data. It is never a "
    "diagnosis and does not replace an assessment by a clinician."
)

#: Label shown next to a signal whose measure itself is disputed.
CONTESTED_LABEL: Final = "contested measure: context only"

#: A readable name for each signal key.
TITLES: Final = {
    "single_run_spike": "Single-run spike",
    "single_run_spike_history": "Earlier single-run spike",
    "weekly_ramp": "Weekly distance ramp",
    "hill_volume": "Hill climbing",
    "downhill_volume": "Downhill running",
    "monotony": "Training monotony",
    "strain": "Training strain",
    "rest_days": "Rest days",
    "run_streak": "Run streak",
    "cadence": "Cadence",
    "step_length": "Step length",
    "gct_balance": "Ground contact balance",
    "gct_balance_shift": "Ground contact balance shift",
    "vertical_oscillation": "Vertical oscillation",
    "vertical_ratio": "Vertical ratio",
    "shoe_mileage": "Shoe distance",
    "shoe_rotation": "Shoe rotation",
    "cross_training": "Cross-training",
    "acwr": "Acute:chronic load ratio",
    "weekly_ten_percent": "10% rule",
}

_COUNTS: Final = {"days", "runs", "pairs", "weeks"}


def title(signal: Signal) -> str:
    """The signal's readable name."""
    return TITLES.get(signal.key, signal.key.replace("_", " ").capitalize())


def _number(value: float, unit: str, *, signed: bool) -> str:
    sign = "+" if signed else ""
    if unit == "ratio":
        return f"{value:.2f}×"
    if unit == "%":
        return f"{value:{sign}.1f}%"
    if unit == "percentage points":
        return f"{value:{sign}.1f} pts"
    if unit == "km":
        return f"{value:.0f} km"
    if unit in _COUNTS:
        return f"{value:.0f} {unit}"
    if unit == "a.u.":
        return f"{value:.0f}"
    return f"{value:.3g} {unit}"


def format_value(signal: Signal) -> str:
    """The measured value with its unit (``1.70×``, ``+5.2%``, ``742 km``); ``—`` when none."""
    if signal.value is None or not math.isfinite(signal.value):
        return "—"
    return _number(signal.value, signal.unit, signed=signal.unit in ("%", "percentage points"))


def format_threshold(signal: Signal) -> str:
    """The threshold the value was held against, with its unit; empty when none."""
    if signal.threshold is None or not math.isfinite(signal.threshold):
        return ""
    unit = "km" if signal.unit == "km" else signal.unit
    return _number(signal.threshold, unit, signed=False)


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def signal_dict(signal: Signal) -> dict[str, Any]:
    """A signal as a JSON-ready dict.

    Keys: ``key``, ``level``, ``value``, ``unit``, ``threshold``, ``explanation``,
    ``advice``, ``evidence_grade``, ``source``, plus ``title``, ``threshold_name``,
    ``source_key``, ``on`` (ISO date or null), ``contested`` and ``activity_id``.
    """
    return {
        "key": signal.key,
        "level": signal.level.value,
        "value": _round(signal.value),
        "unit": signal.unit,
        "threshold": _round(signal.threshold),
        "explanation": signal.explanation,
        "advice": signal.advice,
        "evidence_grade": signal.evidence_grade.value,
        "source": signal.source,
        "title": title(signal),
        "threshold_name": signal.threshold_name,
        "source_key": signal.source_key,
        "on": signal.on.isoformat() if signal.on is not None else None,
        "contested": signal.contested,
        "activity_id": signal.activity_id,
    }


def level_counts(signals: list[Signal] | tuple[Signal, ...]) -> dict[Level, int]:
    """How many signals are at each level (contested signals included)."""
    out = dict.fromkeys(Level, 0)
    for s in signals:
        out[s.level] += 1
    return out
