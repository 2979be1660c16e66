"""``backstride risks``: the training signals on a day, worst first.

``backstride risks [--as-of YYYY-MM-DD] [--json]``

The human view is a Rich table (level, signal, value, threshold, what was found,
what to do, evidence grade and source; contested measures labelled as context
only) followed by the last eight ISO weeks. ``--json`` prints one object::

    {"as_of": "2025-06-01",
     "signals": [{"key", "level", "value", "unit", "threshold", "explanation",
                  "advice", "evidence_grade", "source", ...}],
     "weeks": [{"week": "2025-W22", "start", "runs", "run_distance_km", ...}],
     "notice": "..."}

Exit status: 0 with signals; 1 when no activity is stored on or before the day
(one line saying to import files or run the demo) or the database fails; 2 for
wrong usage (e.g. a malformed date).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from backstride.analysis import Analysis, WeekRow
    from backstride.domain.signal import Signal
    from backstride.storage.store import Store

__all__ = ["risks_command", "risks_json", "signals_table", "weeks_table"]

LEVEL_STYLE: Final = {"warn": "bold red", "watch": "bold yellow", "ok": "green"}
#: ISO weeks listed under the signals table.
TABLE_WEEKS: Final = 8

AsOf = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                 help="The local day the signals are for (default: today)."),
]


#: Below this console width the signals table folds into three columns.
WIDE: Final = 120


def _level(signal: Signal) -> Text:
    text = Text(signal.level.value.upper(), style=LEVEL_STYLE.get(signal.level.value, ""))
    if signal.contested:
        text.append("\ncontested:\ncontext only", style="italic")
    return text


def _evidence(signal: Signal) -> Text:
    evidence = Text(signal.evidence_grade.value, style="bold")
    evidence.append(f"\n{signal.source}", style="dim")
    return evidence


def signals_table(signals: Sequence[Signal], as_of: date, width: int = WIDE) -> Table:
    """The signals as a Rich table, in the given order (worst first).

    From :data:`WIDE` columns on: level, signal, value, threshold, what was found, what
    to do and evidence each in a column; narrower consoles get three columns (level,
    signal with value and threshold, and the words with the evidence under them).
    """
    from backstride.report.labels import format_threshold, format_value, title

    table = Table(title=f"Training signals on {as_of.isoformat()}", show_lines=True,
                  title_justify="left", expand=True)
    wide = width >= WIDE
    table.add_column("Level", min_width=7, no_wrap=True)
    table.add_column("Signal", min_width=18, max_width=22)
    if wide:
        table.add_column("Value", justify="right", no_wrap=True)
        table.add_column("Threshold", justify="right", no_wrap=True)
        table.add_column("What we found", ratio=6)
        table.add_column("What to do", ratio=4)
        table.add_column("Evidence", ratio=3, overflow="fold")
    else:
        table.add_column("What we found · what to do · evidence", ratio=5, overflow="fold")
    for s in signals:
        name = Text(title(s), style="bold")
        if s.on is not None:
            name.append(f"\n{s.on.isoformat()}", style="dim")
        if wide:
            table.add_row(_level(s), name, format_value(s), format_threshold(s), s.explanation,
                          s.advice, _evidence(s))
            continue
        name.append(f"\n{format_value(s)}")
        threshold = format_threshold(s)
        if threshold:
            name.append(f" (threshold {threshold})", style="dim")
        words = Text(s.explanation)
        words.append(f"\n→ {s.advice}\n")
        words.append_text(_evidence(s))
        table.add_row(_level(s), name, words)
    return table


def weeks_table(weeks: Sequence[WeekRow]) -> Table:
    """ISO weeks as a compact Rich table (oldest first)."""
    table = Table(title="Recent weeks (running; cross-training apart)", title_justify="left")
    for name in ("Week", "Runs", "km", "Longest", "Climb m", "Moving", "Cross min", "Rest days",
                 "Load"):
        table.add_column(name, justify="left" if name == "Week" else "right")
    table.add_column("Marks")
    for w in weeks:
        marks = []
        if w.spike_level.value != "ok":
            marks.append(Text(f"spike {w.spike_ratio or 0:.2f}×",
                              style=LEVEL_STYLE[w.spike_level.value]))
        if w.hill_week:
            marks.append(Text("hills"))
        hours, minutes = divmod(round(w.run_moving_s / 60), 60)
        table.add_row(
            w.week, str(w.runs), f"{w.run_distance_km:.1f}", f"{w.longest_run_km:.1f}",
            f"{w.run_ascent_m:.0f}", f"{hours}:{minutes:02d}", f"{w.cross_moving_s / 60:.0f}",
            str(w.rest_days), f"{w.load:.0f}", Text(" ").join(marks),
        )
    return table


def risks_json(analysis: Analysis) -> dict[str, Any]:
    """The ``--json`` object: ``as_of``, ``signals``, ``weeks`` and the notice."""
    from backstride.report.labels import NOTICE, signal_dict

    return {
        "as_of": analysis.as_of.isoformat(),
        "signals": [signal_dict(s) for s in analysis.signals],
        "weeks": [w.as_dict() for w in analysis.weeks],
        "notice": NOTICE,
    }


def load_analysis(store: Store, as_of: date | None) -> Analysis:
    """The analysis on ``as_of``; :class:`NotFoundError` when nothing is stored up to it."""
    from backstride.analysis import current_signals
    from backstride.errors import NotFoundError

    analysis = current_signals(store, as_of=as_of)
    if not analysis.sessions:
        raise NotFoundError("no activities stored yet: import your files "
                            "(backstride import PATH) or try the demo (backstride demo)")
    if analysis.is_empty:
        raise NotFoundError(f"no activities on or before {analysis.as_of.isoformat()} "
                            f"(the first is on {analysis.sessions[0].local_date.isoformat()})")
    return analysis


def backfill_note(analysis: Analysis) -> str | None:
    """One line when metrics were computed for older activities during this run."""
    n = analysis.metrics_backfilled
    return (f"computed analysis metrics for {n} stored activities (once, from their streams)"
            if n else None)


def risks_command(
    ctx: typer.Context,
    as_of: AsOf = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object (signals and weekly series).")
    ] = False,
) -> None:
    """Training signals, worst first: level, value, threshold, explanation, advice, source.

    Decision support, never a diagnosis. Exit status 1 when no activities are stored.
    """
    from backstride.cli.main import _consoles, _echo_json, _edge, _settings
    from backstride.storage.store import Store

    with _edge(ctx) as err:
        out, _ = _consoles()
        with Store.open(_settings()) as store:
            analysis = load_analysis(store, as_of.date() if as_of is not None else None)
        note = backfill_note(analysis)
        if note:
            err.print(note, style="dim", soft_wrap=True)
        if as_json:
            _echo_json(risks_json(analysis))
            return
        from backstride.report.labels import NOTICE

        parts: list[RenderableType] = [
            signals_table(analysis.signals, analysis.as_of, out.width),
            weeks_table(list(analysis.weeks)[-TABLE_WEEKS:]),
            Text(NOTICE, style="italic"),
        ]
        out.print(Group(*parts))
