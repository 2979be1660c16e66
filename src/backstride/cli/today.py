"""``backstride today``: what to do today, and why.

``backstride today [--date YYYY-MM-DD] [--json]``

The day of the active plan adapted to the check-ins logged before it
(:func:`backstride.planning.advice_for`): the sessions with their exercises and doses,
the warm-up, the walk-run structure of the run, the cadence cue when cadence was
flagged, the pain rule, the reasons for the current level and any referral trigger
met. A stopped plan (an emergency or same-day check, or a new warning sign in a
check-in, even one logged today) gives no sessions: only where to go and the
instruction to run ``backstride check`` again. ``--json`` prints
:meth:`~backstride.domain.today.TodayAdvice.to_dict`.

Exit status: 0 with advice; 1 with one line when there is no check or no plan yet
(``backstride check``, then ``backstride plan``) or the database fails; 2 for wrong
usage.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Final

import typer
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

if TYPE_CHECKING:
    from backstride.domain.today import TodayAdvice

__all__ = ["today_command", "today_view"]

STATUS_STYLE: Final = {"active": "green", "limited": "yellow", "stopped": "bold red",
                       "outside_plan": "cyan"}


def today_view(advice: TodayAdvice) -> Group:
    """The advice for the terminal: headline panel, then :meth:`TodayAdvice.lines`."""
    status = advice.status.value
    title = f"{advice.on.strftime('%A %d %B %Y')} · {status.replace('_', ' ')}"
    if advice.week is not None and advice.phase is not None:
        title += f" · week {advice.week}, {advice.phase.value.replace('_', ' ')}"
    head = Text(advice.headline, style="bold")
    lines = advice.lines()[1:]
    if status == "stopped":  # where to go and what to do, plainly, at once
        head.append("".join(f"\n\n{r}" for r in advice.reminders))
        lines = [line for line in lines if line not in advice.reminders]
    parts: list[RenderableType] = [
        Panel(head, title=title, title_align="left",
              border_style=STATUS_STYLE.get(status, "bold"))]
    for line in lines:
        style = ""
        if line.startswith("See someone:"):
            style = "bold yellow"
        elif line.startswith("Why:"):
            style = "dim"
        parts.append(Text(line, style=style))
    return Group(*parts)


def today_command(
    ctx: typer.Context,
    on: Annotated[
        datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                     help="The day (default: today)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object.")
    ] = False,
) -> None:
    """What to do today and why: sessions, warm-up, run structure, cadence cue, or stop.

    Decision support, never a diagnosis.
    """
    from backstride.cli.main import _consoles, _echo_json, _edge, _settings
    from backstride.planning import advice_for
    from backstride.storage.store import Store

    with _edge(ctx):
        out, _ = _consoles()
        day = on.date() if on is not None else date.today()
        with Store.open(_settings()) as store:
            advice = advice_for(store, day)
        if as_json:
            _echo_json(advice.to_dict())
            return
        out.print(today_view(advice))
