"""``backstride gear``: shoes, with the distance run in each pair.

``backstride gear list [--json]``
    Every pair named on a run (by the file, the Strava export or the runner), most
    used first: running distance, runs, first and last use, and where it stands
    against the 500/800 km guide (weak evidence).
``backstride gear assign NAME [--from DATE] [--to DATE] [--id N ...]``
    Names the pair for the runs between two local dates (either end may be left
    open), or for the activities given by id. Replaces the name from the file.

Exit status: 0 on success; 1 for a database error or an unknown activity id; 2 for
wrong usage (no range and no ids, both, an empty name, a malformed date).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from backstride.domain.signals.shoes import ShoeUse

__all__ = ["gear_app", "gear_table", "pair_dict"]

gear_app = typer.Typer(
    name="gear", help="Shoes: distance per pair, and naming the pair you ran in.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)

def _status(km: float, th: Mapping[str, float]) -> tuple[str, str]:
    check, replace = th["shoes.check_km"], th["shoes.replace_km"]
    if km > replace:
        return f"past {replace:.0f} km: check for wear", "bold yellow"
    if km > check:
        return f"past {check:.0f} km: time to check", "yellow"
    return "", ""


def pair_dict(use: ShoeUse, th: Mapping[str, float]) -> dict[str, Any]:
    """One pair as a JSON-ready dict."""
    km = use.distance_m / 1000.0
    return {"name": use.name, "distance_km": round(km, 2), "runs": use.runs,
            "first_used": use.first_used.isoformat(), "last_used": use.last_used.isoformat(),
            "status": _status(km, th)[0] or None}


def gear_table(uses: Sequence[ShoeUse], th: Mapping[str, float]) -> Table:
    """The pairs as a Rich table."""
    table = Table(title="Shoes (running distance per pair)", title_justify="left")
    for name, right in (("Pair", False), ("km", True), ("Runs", True), ("First run", False),
                        ("Last run", False), ("Status", False)):
        table.add_column(name, justify="right" if right else "left")
    for u in uses:
        km = u.distance_m / 1000.0
        status, style = _status(km, th)
        table.add_row(u.name, f"{km:.0f}", str(u.runs), u.first_used.isoformat(),
                      u.last_used.isoformat(), Text(status, style=style))
    return table


@gear_app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per pair.")] = False,
) -> None:
    """Pairs of shoes with the running distance, runs and first/last use of each."""
    from backstride.cli.main import _consoles, _echo_json, _edge, _settings
    from backstride.domain.signals.shoes import shoe_use
    from backstride.domain.thresholds import Thresholds
    from backstride.storage.analysis import load_sessions
    from backstride.storage.store import Store

    with _edge(ctx):
        out, _ = _consoles()
        with Store.open(_settings()) as store:
            runs = [s for s in load_sessions(store) if s.is_run]
        th = Thresholds()
        uses = shoe_use(runs)
        if as_json:
            for u in uses:
                _echo_json(pair_dict(u, th))
            return
        unnamed = sum(1 for s in runs if not (s.gear or "").strip())
        if uses:
            out.print(gear_table(uses, th))
            out.print(f"The {th['shoes.check_km']:.0f}-{th['shoes.replace_km']:.0f} km guide "
                      "rests on one lab test of cushioning (weak evidence).", style="dim")
        elif not runs:
            out.print("no runs stored yet (try: backstride import PATH, or backstride demo)")
        if unnamed:
            out.print(f"{unnamed} run(s) have no pair named: backstride gear assign NAME "
                      "--from YYYY-MM-DD --to YYYY-MM-DD")


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@gear_app.command("assign")
def assign_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The pair's name, e.g. 'Pegasus 40 (blue)'.")],
    first: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                     help="First local day (inclusive)."),
    ] = None,
    last: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                     help="Last local day (inclusive)."),
    ] = None,
    ids: Annotated[
        list[int] | None,
        typer.Option("--id", metavar="N", help="Activity id (repeatable); instead of a range."),
    ] = None,
) -> None:
    """Name the pair of shoes for the runs between two dates, or for activities by id."""
    from backstride.cli.main import _consoles, _edge, _settings
    from backstride.storage.store import Store

    if not name.strip():
        raise typer.BadParameter("the pair needs a name", param_hint="NAME")
    has_range = first is not None or last is not None
    if has_range and ids:
        raise typer.BadParameter("give a date range or activity ids, not both",
                                 param_hint="'--from/--to' / '--id'")
    if not has_range and not ids:
        raise typer.BadParameter("give a date range (--from/--to) or activity ids (--id)",
                                 param_hint="'--from/--to' / '--id'")
    if first is not None and last is not None and first > last:
        raise typer.BadParameter(f"--from {first:%Y-%m-%d} is after --to {last:%Y-%m-%d}",
                                 param_hint="'--from'")
    with _edge(ctx):
        out, _ = _consoles()
        with Store.open(_settings()) as store:
            changed = store.assign_gear(name, first=_day(first), last=_day(last),
                                        ids=ids or ())
        where = "runs" if has_range else "activities"
        out.print(f"'{name.strip()}' assigned to {len(changed)} {where}", markup=False)
