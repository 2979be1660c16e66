"""Rendering for the command line: Rich tables, JSON lines, number formats.

Everything here is pure (data in, renderables or dicts out); the commands in
:mod:`backstride.cli.main` decide where it is printed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from backstride.domain.activity import Sport
from backstride.ingest import FileOutcome
from backstride.storage.store import ActivityRecord

__all__ = [
    "activities_table",
    "activity_json",
    "duration",
    "iso_z",
    "outcome_json",
    "pace",
    "summary",
]

#: Up to this many activities the import summary lists each one; above, it groups by sport.
LIST_LIMIT: Final = 40
#: Up to this many failures are listed one by one; above, they are grouped by reason.
ERROR_LIMIT: Final = 30

_STATUS_STYLE: Final = {"imported": "green", "duplicate": "yellow", "error": "red"}


# -- number formats ---------------------------------------------------------------------


def iso_z(value: datetime | None) -> str | None:
    """ISO 8601 UTC with a ``Z`` suffix (``2024-05-01T07:00:00Z``), or None."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def duration(seconds: float | None) -> str:
    """``h:mm:ss`` (or ``m:ss`` under an hour); empty for None."""
    if seconds is None or not math.isfinite(seconds):
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def pace(seconds: float | None, distance_m: float | None) -> str:
    """Pace as ``m:ss /km``; empty when there is no distance to speak of."""
    if seconds is None or distance_m is None or distance_m < 50 or seconds <= 0:
        return ""
    per_km = seconds / (distance_m / 1000.0)
    if per_km >= 3600:
        return ""
    minutes, secs = divmod(round(per_km), 60)
    return f"{minutes}:{secs:02d}"


def _num(value: float | None, digits: int = 0, scale: float = 1.0) -> str:
    if value is None or not math.isfinite(value):
        return ""
    return f"{value * scale:.{digits}f}"


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _date(moment: datetime | None) -> str:
    return "no date" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


# -- JSON -------------------------------------------------------------------------------


def outcome_json(outcome: FileOutcome) -> dict[str, Any]:
    """One import outcome as a JSON-ready dict (one line of ``import --json``)."""
    return {
        "file": outcome.file,
        "status": outcome.status,
        "id": outcome.id,
        "sport": outcome.sport.value if outcome.sport is not None else None,
        "start_utc": iso_z(outcome.start_utc),
        "elapsed_s": _round(outcome.elapsed_s, 1),
        "distance_m": _round(outcome.distance_m, 1),
        "avg_cadence_spm": _round(outcome.avg_cadence_spm, 1),
        "ascent_m": _round(outcome.ascent_m, 1),
        "avg_hr": _round(outcome.avg_hr, 1),
        "has_running_dynamics": outcome.has_running_dynamics,
        "leg_index": outcome.leg_index,
        "error": outcome.error,
        "note": outcome.note,
        "warnings": list(outcome.warnings),
    }


def activity_json(record: ActivityRecord) -> dict[str, Any]:
    """One stored activity as a JSON-ready dict (one line of ``activities --json``)."""
    s = record.summary
    local = record.start_local
    return {
        "id": record.id,
        "file": record.source_name,
        "format": record.source_format,
        "sport": record.sport.value,
        "start_utc": iso_z(record.start_utc),
        "start_local": local.isoformat() if local is not None else None,
        "utc_offset_s": record.utc_offset_s,
        "elapsed_s": _round(s.elapsed_s, 1),
        "moving_s": _round(s.moving_s, 1),
        "distance_m": _round(s.distance_m, 1),
        "avg_cadence_spm": _round(s.avg_cadence_spm, 1),
        "ascent_m": _round(s.ascent_m, 1),
        "descent_m": _round(s.descent_m, 1),
        "avg_hr": _round(s.avg_hr_bpm, 1),
        "avg_power_w": _round(s.avg_power_w, 1),
        "has_running_dynamics": record.has_running_dynamics,
        "gear": record.gear,
        "device": record.device,
        "name": record.name,
        "leg_index": record.leg_index,
        "n_samples": record.n_samples,
        "warnings": list(record.warnings),
    }


# -- tables -----------------------------------------------------------------------------


def _shown_pace(sport: Sport | None, moving: float | None, elapsed: float | None,
                distance: float | None) -> str:
    if sport is None or not (sport.is_running or sport in (Sport.WALKING, Sport.HIKING)):
        return ""
    return pace(moving if moving else elapsed, distance)


def activities_table(records: Sequence[ActivityRecord], *, title: str | None = None) -> Table:
    """The ``activities`` table: one row per stored activity."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for name, justify in (
        ("id", "right"), ("date", "left"), ("sport", "left"), ("km", "right"),
        ("duration", "right"), ("pace /km", "right"), ("cadence", "right"),
        ("ascent m", "right"), ("HR", "right"), ("gear", "left"), ("RD", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in records:
        s = r.summary
        table.add_row(
            str(r.id),
            _date(r.start_local) + (" UTC" if r.utc_offset_s is None and r.start_utc else ""),
            r.sport.value,
            _num(s.distance_m, 2, 0.001),
            duration(s.elapsed_s),
            _shown_pace(r.sport, s.moving_s, s.elapsed_s, s.distance_m),
            _num(s.avg_cadence_spm),
            _num(s.ascent_m),
            _num(s.avg_hr_bpm),
            r.gear or "",
            _yes_no(r.has_running_dynamics),
        )
    return table


def _outcome_rows(outcomes: Sequence[FileOutcome]) -> Table:
    table = Table(title="Activities read", header_style="bold")
    for name, justify in (
        ("status", "left"), ("id", "right"), ("file", "left"), ("sport", "left"),
        ("date (UTC)", "left"), ("km", "right"), ("duration", "right"), ("cadence", "right"),
        ("ascent m", "right"), ("HR", "right"), ("RD", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for o in outcomes:
        table.add_row(
            Text(o.status, style=_STATUS_STYLE[o.status]),
            "" if o.id is None else str(o.id),
            o.file,
            o.sport.value if o.sport else "",
            _date(o.start_utc),
            _num(o.distance_m, 2, 0.001),
            duration(o.elapsed_s),
            _num(o.avg_cadence_spm),
            _num(o.ascent_m),
            _num(o.avg_hr),
            _yes_no(o.has_running_dynamics),
        )
    return table


def _by_sport(outcomes: Sequence[FileOutcome]) -> Table:
    table = Table(title="Activities read, by sport", header_style="bold")
    for name in ("sport", "activities", "new", "km", "hours", "with RD"):
        table.add_column(name, justify="left" if name == "sport" else "right")
    sports = sorted({o.sport for o in outcomes if o.sport is not None}, key=lambda s: s.value)
    for sport in sports:
        group = [o for o in outcomes if o.sport == sport]
        table.add_row(
            sport.value,
            str(len(group)),
            str(sum(o.status == "imported" for o in group)),
            f"{sum(o.distance_m or 0.0 for o in group) / 1000:.1f}",
            f"{sum(o.elapsed_s or 0.0 for o in group) / 3600:.1f}",
            str(sum(bool(o.has_running_dynamics) for o in group)),
        )
    return table


def _errors(errors: Sequence[FileOutcome]) -> Table:
    """Every failure with its reason; many failures are grouped by reason."""
    table = Table(title="Files not imported", header_style="bold", title_style="red")
    if len(errors) <= ERROR_LIMIT:
        table.add_column("file", overflow="fold")
        table.add_column("reason", overflow="fold")
        for o in errors:
            table.add_row(o.file, o.error or "")
        return table
    table.add_column("reason", overflow="fold")
    table.add_column("files", justify="right")
    table.add_column("for example", overflow="fold")
    groups: dict[str, list[FileOutcome]] = {}
    for o in errors:
        groups.setdefault(o.error or "", []).append(o)
    for reason, group in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        table.add_row(reason, str(len(group)), group[0].file)
    table.caption = "every file is listed with --json"
    return table


def summary(outcomes: Sequence[FileOutcome]) -> RenderableType:
    """The import summary: what was read, counts per status, and every failure with its reason."""
    parts: list[RenderableType] = []
    read = [o for o in outcomes if o.status != "error"]
    errors = [o for o in outcomes if o.status == "error"]
    if read:
        parts.append(_outcome_rows(read) if len(read) <= LIST_LIMIT else _by_sport(read))
    duplicates = [o for o in read if o.status == "duplicate" and o.note]
    if duplicates and len(duplicates) <= LIST_LIMIT:
        dup = Table(title="Duplicates (nothing changed)", header_style="bold")
        dup.add_column("file", overflow="fold")
        dup.add_column("matches", overflow="fold")
        for o in duplicates:
            dup.add_row(o.file, o.note or "")
        parts.append(dup)
    if errors:
        parts.append(_errors(errors))
    counts: Counter[str] = Counter(o.status for o in outcomes)
    line = Text()
    for i, status in enumerate(("imported", "duplicate", "error")):
        if i:
            line.append(" · ")
        line.append(f"{counts[status]} {status}", style=_STATUS_STYLE[status])
    warned = sum(bool(o.warnings) for o in read)
    if warned:
        line.append(f" · {warned} read with warnings (see --json)", style="dim")
    if not outcomes:
        line = Text("nothing to import")
    parts.append(line)
    return Group(*parts)
