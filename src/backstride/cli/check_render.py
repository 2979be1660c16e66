"""Rendering of a back check for the terminal (pure: JSON-ready dicts in, Rich out).

Everything is drawn from the same dict that ``backstride check --json`` prints
(:meth:`~backstride.domain.check.CheckResult.to_dict` plus the command's additions),
so the terminal can never show what the JSON withholds. Order: the triage panel first
(level, where to go and how fast, each reason with its source), then, only when the
triage allows guidance, the pain patterns and what they mean for running, pain and
function with the change since the previous check, self-test findings, the training
signals used, the ranked contributors with evidence and grade, and always the
decision-support notice. For ``emergency`` and ``same_day`` the panel and the notice
are all there is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from backstride.domain.function import (
    PAIN_MEASURES,
    PSFS_ITEM_MID,
    PSFS_MEAN_MID,
)
from backstride.jsonview import Obj
from backstride.jsonview import get_map as _map
from backstride.jsonview import get_maps as _maps
from backstride.jsonview import get_str as _str
from backstride.jsonview import get_strs as _strs

__all__ = ["full_view", "saved_line", "triage_panel", "urgent_view"]


_LEVEL_STYLE: Final = {"emergency": "bold red", "same_day": "bold red", "soon": "yellow",
                       "routine": "cyan", "self_care": "green"}
_STATUS_STYLE: Final = {"improved": "green", "unchanged": "dim", "worse": "red"}
_SIGNAL_STYLE: Final = {"warn": "red", "watch": "yellow", "ok": "green"}
_PAIN_LABELS: Final = dict(PAIN_MEASURES)

#: The minimal important differences, in words (``ostelo2008``, ``stratford1995``).
MID_TEXT: Final = (f"An important change is at least 2 points or 30% for pain, "
                   f"{PSFS_MEAN_MID:g} points for the activity mean and "
                   f"{PSFS_ITEM_MID:g} points for one activity (Ostelo et al. 2008; "
                   "Stratford et al. 1995).")


# -- typed access to JSON-ready dicts ---------------------------------------------------


def _num(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return f"{value:g}" if isinstance(value, int) or value.is_integer() else f"{value:.2f}"


def _score(d: Obj) -> float:
    value = d.get("score")
    return float(value) if isinstance(value, int | float) else 0.0


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


# -- triage -----------------------------------------------------------------------------


def triage_panel(triage: Obj, *, stopped_note: str | None = None) -> Panel:
    """The triage: level title, advice (where to go, how fast), every reason and source."""
    level = _str(triage, "level")
    style = _LEVEL_STYLE.get(level, "bold")
    urgent = level in ("emergency", "same_day")
    parts: list[RenderableType] = []
    if stopped_note:
        parts.append(Text(f"{stopped_note}\n", style="bold"))
    parts.append(Text(_str(triage, "advice"), style="bold" if urgent else ""))
    reasons = _maps(triage, "reasons")
    if reasons:
        parts.append(Text("\nWhy:", style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for reason in reasons:
            grid.add_row("•", Text(_str(reason, "text")))
        parts.append(grid)
    title = _str(triage, "title")
    return Panel(Group(*parts), title=Text(title.upper() if urgent else title, style=style),
                 title_align="left", border_style=style,
                 box=box.HEAVY if urgent else box.ROUNDED, padding=(1, 2) if urgent else (0, 1))


def urgent_view(triage: Obj, notice: str, *, stopped_note: str | None = None) -> Group:
    """Emergency or same-day: the triage panel and the notice, nothing else."""
    return Group(triage_panel(triage, stopped_note=stopped_note), Text(notice, style="dim"))


def saved_line(check_id: object, on: str, *, saved: bool) -> Text:
    """Where the check went: ``check #3 saved for 2025-06-01`` or not saved."""
    if isinstance(check_id, int):
        return Text(f"Check #{check_id} saved for {on}.", style="dim")
    return Text(f"Check for {on} not saved{' (--no-save)' if not saved else ''}.", style="dim")


# -- the sections after triage ----------------------------------------------------------


def _patterns(payload: Obj) -> list[RenderableType]:
    out: list[RenderableType] = [_heading("Pain pattern (what your answers fit; not a diagnosis)")]
    for p in _maps(payload, "patterns"):
        title = Text(_str(p, "label"), style="bold")
        if _str(p, "grade"):
            title.append(f"  [{_str(p, 'grade')}]", style="dim")
        out.append(title)
        details: list[RenderableType] = []
        for label, key in (("", "meaning"), ("Running: ", "running"), ("Exercise: ", "exercise")):
            if _str(p, key):
                details.append(Text.assemble((label, "bold"), _str(p, key)))
        answered = _strs(p, "answered")
        if answered:
            details.append(Text(f"Based on: {'; '.join(answered)}", style="dim"))
        out.append(Padding(Group(*details), (0, 0, 0, 2)))
    for s in _maps(payload, "sensitivities"):
        out.append(Text.assemble(("Movement: ", "bold"), (f"{_str(s, 'label')}. ", "bold"),
                                 _str(s, "text")))
    return out


def _function(payload: Obj) -> list[RenderableType]:
    function = _map(payload, "function")
    out: list[RenderableType] = [_heading("Pain and function")]
    pain = _map(function, "pain")
    psfs = _maps(function, "psfs")
    if not pain and not psfs:
        out.append(Text("No pain scores or activities answered.", style="dim"))
    for key, value in pain.items():
        out.append(Text(f"{_PAIN_LABELS.get(key, key).capitalize()}: {_num(value)}/10"))
    if psfs:
        out.append(Text("Activities your back makes hard (0 = cannot, 10 = as before):"))
        for item in psfs:
            out.append(Text(f'  "{_str(item, "activity")}": {_num(item.get("score"))}/10'))
        out.append(Text(f"  Mean: {_num(function.get('psfs_mean'))}/10"))
    change = _map(payload, "change")
    if not change:
        out.append(Text("No earlier check with pain or activity scores is stored; the next "
                        "check will show the change.", style="dim"))
        return out
    overall = _str(change, "overall")
    out.append(Text(_str(change, "text"), style=_STATUS_STYLE.get(overall, "")))
    changes = _maps(change, "changes")
    if changes:
        table = Table(box=box.SIMPLE, header_style="bold", pad_edge=False)
        for name, justify in (("measure", "left"), ("before", "right"), ("now", "right"),
                              ("change", "right"), ("", "left")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for c in changes:
            status = _str(c, "status")
            delta = c.get("delta")
            sign = "+" if isinstance(delta, int | float) and delta > 0 else ""
            table.add_row(Text(_str(c, "label")), _num(c.get("previous")), _num(c.get("current")),
                          f"{sign}{_num(delta)}", Text(status, style=_STATUS_STYLE.get(status, "")))
        out.append(table)
    out.append(Text(MID_TEXT, style="dim"))
    return out


def _self_tests(payload: Obj) -> list[RenderableType]:
    tests = _map(payload, "self_tests")
    if not _map(tests, "measures"):
        return []
    out: list[RenderableType] = [_heading("Self-tests")]
    findings = _maps(tests, "findings")
    if not findings:
        out.append(Text("No self-test result was flagged."))
    for f in findings:
        out.append(Text(f"• {_str(f, 'text')}"))
    for line in _strs(tests, "context"):
        out.append(Text(f"  {line}", style="dim"))
    if _str(tests, "caveat"):
        out.append(Text(_str(tests, "caveat"), style="dim"))
    return out


def _signals(payload: Obj, labels: Mapping[str, str]) -> list[RenderableType]:
    out: list[RenderableType] = [_heading("Training signals used as evidence")]
    note = _str(payload, "training_signals_note")
    if note:
        out.append(Text(note, style="dim"))
    signals = _maps(payload, "training_signals")
    shown = [s for s in signals if _str(s, "level") != "ok"]
    if shown:
        table = Table(box=box.SIMPLE, header_style="bold", pad_edge=False, expand=True)
        for name, ratio in (("signal", 2), ("level", 1), ("what was found", 6),
                            ("counts toward", 2), ("source", 3)):
            table.add_column(name, overflow="fold", ratio=ratio)
        for s in shown:
            level = _str(s, "level")
            toward = [labels.get(k, k) for k in _strs(s, "counts_toward")]
            table.add_row(Text(_str(s, "key")), Text(level, style=_SIGNAL_STYLE.get(level, "")),
                          Text(_str(s, "explanation")),
                          Text("\n".join(toward) if toward else "context only", style=""
                               if toward else "dim"),
                          Text(f"{_str(s, 'citation')} [{_str(s, 'grade')}]", style="dim"))
        out.append(table)
    quiet = len(signals) - len(shown)
    if quiet:
        out.append(Text(f"{quiet} more signal(s) at 'ok' add nothing.", style="dim"))
    return out


def _contributors(payload: Obj, labels: Mapping[str, str]) -> list[RenderableType]:
    contributors = _maps(payload, "contributors")
    out: list[RenderableType] = [_heading("What may be adding to your back pain, ranked")]
    scored = [c for c in contributors if _score(c) > 0]
    if scored:
        table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False,
                      show_lines=True, expand=True)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("contributor", ratio=2)
        table.add_column("score", justify="right", no_wrap=True)
        table.add_column("evidence", overflow="fold", ratio=6)
        table.add_column("plan", overflow="fold", ratio=2)
        for i, c in enumerate(scored, 1):
            grade = _str(c, "grade")
            evidence = "\n".join(f"• {e}" for e in _strs(c, "evidence"))
            plan = "\n".join(labels.get(k, k) for k in _strs(c, "plan_elements"))
            table.add_row(str(i), Text.assemble(_str(c, "label"), (f"\n[{grade}]", "dim")),
                          f"{_score(c):.2f}", Text(evidence), Text(plan))
        out.append(table)
        out.append(Text("The score ranks the evidence for you (0-1); it is not the chance "
                        "that something causes your pain. [grade] = strength of the published "
                        "evidence for the contributor.", style="dim"))
    rest = [_str(c, "label") for c in contributors if c not in scored]
    if rest:
        out.append(Text(f"No evidence yet for: {', '.join(rest)}.", style="dim"))
    return out


def full_view(payload: Obj, *, labels: Mapping[str, str]) -> Group:
    """The whole check (triage allows guidance): every section, then the notice.

    ``labels`` maps contributor and plan-element keys to their plain names.
    """
    parts: list[RenderableType] = [triage_panel(_map(payload, "triage"))]
    parts += _patterns(payload)
    parts += _function(payload)
    parts += _self_tests(payload)
    parts += _signals(payload, labels)
    parts += _contributors(payload, labels)
    parts.append(Text(f"\n{_str(payload, 'notice')}", style="dim"))
    return Group(*parts)
