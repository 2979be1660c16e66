"""Rows and records of stored activities: what is written and what is read back.

:func:`prepare_activity` does the pure, CPU-bound part of storing an activity (the
content fingerprint, the encoded streams, the analysis metrics); import workers call
it so that the process writing to the database only runs SQL. :func:`activity_row`
builds the ORM rows from a :class:`PreparedActivity`; :func:`record_from_row` turns a
stored row back into an :class:`ActivityRecord` (no streams).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

from backstride.domain.activity import Activity, Sport, Summary
from backstride.domain.identity import fingerprint
from backstride.storage.codec import CODEC_VERSION, decode_streams, encode_streams
from backstride.storage.metrics import ActivityMetrics, compute_metrics
from backstride.storage.schema import ActivityRow, LapRow, StreamRow

__all__ = [
    "ActivityRecord",
    "AddStatus",
    "PreparedActivity",
    "StoredActivity",
    "activity_row",
    "as_prepared",
    "prepare_activity",
    "record_from_row",
    "sport_family",
    "sport_from_text",
]

log = logging.getLogger(__name__)

AddStatus = Literal["imported", "duplicate"]


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """One stored activity without its streams (what lists and summaries need).

    Attributes mirror :class:`~backstride.domain.activity.Activity`; ``source_name``
    is the file (or ``archive!member``) it was imported from.
    """

    id: int
    fingerprint: str
    source_name: str
    source_format: str
    sport: Sport
    start_utc: datetime | None
    utc_offset_s: int | None
    device: str | None
    gear: str | None
    name: str | None
    leg_index: int
    summary: Summary
    has_running_dynamics: bool
    n_samples: int
    warnings: tuple[str, ...]
    imported_at: datetime

    @property
    def start_local(self) -> datetime | None:
        """Start in the runner's local time when the file recorded the offset, else UTC."""
        if self.start_utc is None:
            return None
        if self.utc_offset_s is None:
            return self.start_utc
        return self.start_utc.astimezone(timezone(timedelta(seconds=self.utc_offset_s)))


@dataclass(frozen=True, slots=True)
class StoredActivity:
    """What :meth:`Store.add_file` did with one activity.

    Attributes
    ----------
    id
        The new row's id, or for a duplicate the id of the activity already stored.
    status
        ``"imported"`` or ``"duplicate"``.
    activity
        The activity as read from the file.
    fingerprint
        Its content key.
    duplicate_reason
        For duplicates, one line saying which stored activity it matches and why.
    """

    id: int
    status: AddStatus
    activity: Activity
    fingerprint: str
    duplicate_reason: str | None = None


@dataclass(frozen=True, slots=True)
class PreparedActivity:
    """An Activity with its content key, encoded streams and metrics already computed.

    Pure and picklable: import workers prepare activities so that the process that
    writes to the database only runs SQL. See :func:`prepare_activity`.

    Attributes
    ----------
    activity
        The activity as read.
    fingerprint
        Its content key (:func:`~backstride.domain.identity.fingerprint`).
    streams_blob
        The streams encoded by :mod:`backstride.storage.codec`.
    metrics
        Form, terrain and maximum heart rate (:mod:`backstride.storage.metrics`),
        stored in the same transaction as the activity.
    """

    activity: Activity
    fingerprint: str
    streams_blob: bytes
    metrics: ActivityMetrics


def prepare_activity(activity: Activity) -> PreparedActivity:
    """Fingerprint, encoded streams and analysis metrics of ``activity`` (no database).

    The metrics are computed from the streams *as stored* (decoded back from the blob,
    float32 for most channels), so recomputing them later from the database
    (:func:`backstride.storage.analysis.backfill_metrics`) gives the same numbers.
    """
    blob = encode_streams(activity.streams)
    return PreparedActivity(
        activity,
        fingerprint(activity),
        blob,
        compute_metrics(decode_streams(blob), activity.sport),
    )


def as_prepared(item: Activity | PreparedActivity) -> PreparedActivity:
    """``item`` itself when already prepared, else :func:`prepare_activity` of it."""
    return item if isinstance(item, PreparedActivity) else prepare_activity(item)


def sport_family(sport: Sport) -> str:
    """Sports that count as the same kind of session for duplicate matching."""
    if sport.is_running:
        return "running"
    if sport in (Sport.WALKING, Sport.HIKING):
        return "walking"
    return sport.value


def sport_from_text(value: str) -> Sport:
    """The stored sport name as a :class:`Sport` (``other``, with a warning, if unknown)."""
    try:
        return Sport(value)
    except ValueError:
        log.warning("unknown sport %r in the database; treating it as 'other'", value)
        return Sport.OTHER


def record_from_row(row: ActivityRow) -> ActivityRecord:
    """The :class:`ActivityRecord` of a stored row."""
    return ActivityRecord(
        id=row.id,
        fingerprint=row.fingerprint,
        source_name=row.source_name,
        source_format=row.source_format,
        sport=sport_from_text(row.sport),
        start_utc=row.start_utc,
        utc_offset_s=row.utc_offset_s,
        device=row.device,
        gear=row.gear,
        name=row.name,
        leg_index=row.leg_index,
        summary=Summary(
            elapsed_s=row.elapsed_s,
            moving_s=row.moving_s,
            distance_m=row.distance_m,
            ascent_m=row.ascent_m,
            descent_m=row.descent_m,
            avg_hr_bpm=row.avg_hr_bpm,
            avg_cadence_spm=row.avg_cadence_spm,
            avg_power_w=row.avg_power_w,
        ),
        has_running_dynamics=row.has_running_dynamics,
        n_samples=row.n_samples,
        warnings=tuple(row.warnings or ()),
        imported_at=row.imported_at,
    )


def activity_row(source_name: str, prepared: PreparedActivity, now: datetime) -> ActivityRow:
    """The new row of ``prepared`` with its streams and laps (metrics are written apart)."""
    activity = prepared.activity
    s = activity.summary
    row = ActivityRow(
        fingerprint=prepared.fingerprint,
        source_name=source_name,
        source_format=activity.source_format,
        sport=activity.sport.value,
        start_utc=activity.start_utc,
        utc_offset_s=activity.utc_offset_s,
        device=activity.device,
        gear=activity.gear,
        name=activity.name,
        leg_index=activity.leg_index,
        elapsed_s=s.elapsed_s,
        moving_s=s.moving_s,
        distance_m=s.distance_m,
        ascent_m=s.ascent_m,
        descent_m=s.descent_m,
        avg_hr_bpm=s.avg_hr_bpm,
        avg_cadence_spm=s.avg_cadence_spm,
        avg_power_w=s.avg_power_w,
        has_running_dynamics=activity.has_running_dynamics,
        n_samples=activity.streams.n_samples,
        warnings=list(activity.warnings),
        imported_at=now,
    )
    row.streams = StreamRow(codec=CODEC_VERSION, data=prepared.streams_blob)
    row.laps = [
        LapRow(
            lap_index=i,
            start_utc=lap.start_utc,
            elapsed_s=lap.elapsed_s,
            timer_s=lap.timer_s,
            distance_m=lap.distance_m,
            avg_hr_bpm=lap.avg_hr_bpm,
            avg_cadence_spm=lap.avg_cadence_spm,
        )
        for i, lap in enumerate(activity.laps)
    ]
    return row
