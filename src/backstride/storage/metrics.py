"""Per-activity analysis metrics: computed once from the streams, stored as JSON.

At import, the workers compute :class:`ActivityMetrics` (running form, terrain and
a robust maximum heart rate, :mod:`backstride.domain.form`,
:mod:`backstride.domain.terrain`) next to the fingerprint and the encoded streams;
the Store writes them as one ``activity_metrics`` row in the same transaction as
the activity. The signals then read these rows and never decode streams again.

:data:`METRICS_VERSION` names the rules the stored numbers were computed with.
Raise it whenever :func:`~backstride.domain.form.form_metrics`,
:func:`~backstride.domain.terrain.terrain_metrics` or
:func:`~backstride.domain.form.robust_max_hr_bpm` change their results: rows of an
older version are recomputed from the stored streams
(:func:`backstride.storage.analysis.backfill_metrics`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from backstride.domain.activity import Sport, Streams
from backstride.domain.form import FormMetrics, form_metrics, robust_max_hr_bpm
from backstride.domain.terrain import TerrainMetrics, terrain_metrics
from backstride.storage.schema import MetricsRow

__all__ = [
    "METRICS_VERSION",
    "ActivityMetrics",
    "compute_metrics",
    "decode_form",
    "decode_terrain",
    "metrics_row",
]

log = logging.getLogger(__name__)

#: Version of the metric rules; stored with every row (see the module docstring).
METRICS_VERSION: Final = 1
#: Significant digits kept for every stored metric (e.g. 171.234 steps/min, 0.0123456 m).
SIGNIFICANT_DIGITS: Final = 6


@dataclass(frozen=True, slots=True)
class ActivityMetrics:
    """What the signals need from one activity's streams.

    Attributes
    ----------
    form
        Steady-running form (running sports with enough steady running), else None.
    terrain
        Grades and climbing (tracks with altitude), else None.
    max_hr_bpm
        Robust maximum heart rate [bpm], when heart rate was recorded.
    """

    form: FormMetrics | None = None
    terrain: TerrainMetrics | None = None
    max_hr_bpm: float | None = None


def compute_metrics(streams: Streams, sport: Sport) -> ActivityMetrics:
    """Form, terrain and maximum heart rate of one activity (pure; no database)."""
    return ActivityMetrics(
        form=form_metrics(streams, sport),
        terrain=terrain_metrics(streams),
        max_hr_bpm=robust_max_hr_bpm(streams),
    )


def _compact(value: Any) -> Any:
    """JSON-ready copy with floats to :data:`SIGNIFICANT_DIGITS`; non-finite ones become None.

    PostgreSQL's JSON has no NaN. Rounding keeps far more precision than any device
    records and makes the stored JSON about three times shorter, which is what
    reading 3,000 activities costs most.
    """
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_compact(v) for v in value]
    return value


def metrics_row(activity_id: int, metrics: ActivityMetrics) -> MetricsRow:
    """The ``activity_metrics`` row of ``metrics`` at :data:`METRICS_VERSION`."""
    hr = metrics.max_hr_bpm
    return MetricsRow(
        activity_id=activity_id,
        version=METRICS_VERSION,
        max_hr_bpm=_compact(float(hr)) if hr is not None else None,
        form=_compact(metrics.form.as_dict()) if metrics.form is not None else None,
        terrain=_compact(metrics.terrain.as_dict()) if metrics.terrain is not None else None,
    )


def decode_form(activity_id: int, data: Mapping[str, Any] | None) -> FormMetrics | None:
    """Rebuild stored form metrics; None (with a warning) when they do not fit."""
    if data is None:
        return None
    try:
        return FormMetrics.from_dict(data)
    except (TypeError, ValueError, KeyError) as exc:
        log.warning("activity #%d: stored form metrics unreadable (%s); ignored", activity_id, exc)
        return None


def decode_terrain(activity_id: int, data: Mapping[str, Any] | None) -> TerrainMetrics | None:
    """Rebuild stored terrain metrics; None (with a warning) when they do not fit."""
    if data is None:
        return None
    try:
        return TerrainMetrics.from_dict(data)
    except (TypeError, ValueError, KeyError) as exc:
        log.warning("activity #%d: stored terrain metrics unreadable (%s); ignored",
                    activity_id, exc)
        return None
