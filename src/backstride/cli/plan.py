"""``backstride plan``: build the plan from the latest check, show it, export it.

``backstride plan [--weeks N] [--start YYYY-MM-DD] [--json]``
    Builds the plan from the latest stored check, the training signals and the recent
    running on the start day (default today), stores it as the active plan and prints
    the action items (referrals first) and the weekly calendar (day, sessions, minutes,
    why). Triage limits it exactly: ``emergency`` and ``same_day`` give no sessions, only
    where to go and how fast; ``soon`` gives gentle walking and mobility only, until
    seen. Building the plan again from the same check continues at the run level the
    check-ins have reached. ``--json`` prints :meth:`~backstride.domain.plan.Plan.to_dict`
    plus ``plan_id`` and ``check`` (``id``, ``on``, ``triage_level``).
``backstride plan export [--ics FILE] [--fit-dir DIR] [--html FILE] [--pdf FILE]``
    Exports the active plan: an iCalendar file (one event per session), one FIT workout
    file per distinct run session for a watch, and the report for a physiotherapist as
    HTML or PDF (through headless Chromium; the error says how to install it).

Exit status: 0 on success (also for a stopped plan: the output says where to go);
1 with one line when no check is stored (run ``backstride check`` first), a warning
sign was logged after the latest check, there is no plan to export, a file cannot be
written or the database fails; 2 for wrong usage (one line naming the option).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final, NoReturn

import typer
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from backstride.domain.plan import Plan, PlanWeek
    from backstride.planning import ActivePlan
    from backstride.storage.store import Store

__all__ = ["plan_app", "plan_json", "plan_view", "usage_error"]

#: Most weeks ``--weeks`` accepts.
MAX_WEEKS: Final = 52
#: A check older than this is called out [days].
STALE_CHECK_DAYS: Final = 28

plan_app = typer.Typer(
    name="plan", help="The training plan: build it from your latest check, show it, export it.",
    add_completion=False, pretty_exceptions_enable=False,
)

DateOption = Annotated[
    datetime | None,
    typer.Option("--start", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                 help="First day of the plan (default: today)."),
]


def usage_error(message: str) -> NoReturn:
    """Print one red ``error:`` line on stderr and exit with status 2 (wrong usage)."""
    Console(stderr=True, highlight=False).print(Text(f"error: {message}", style="red"),
                                                soft_wrap=True)
    raise typer.Exit(2)


def sources_text(keys: Sequence[str]) -> str:
    """Source keys with their evidence grade, e.g. ``silbernagel2007 (expert)``."""
    from backstride.domain.evidence import SOURCES

    return ", ".join(f"{k} ({SOURCES[k].grade.value})" if k in SOURCES else k for k in keys)


# -- rendering ----------------------------------------------------------------------------


def _stopped(plan: Plan) -> RenderableType:
    from backstride.domain.adaptation import EMERGENCY_SIGNS

    stop = plan.stopped
    assert stop is not None
    body = Text(stop.advice + "\n", style="bold")
    for reason in stop.reasons:
        body.append(f"\n• {reason}")
    body.append("\n\nNo training sessions: nothing about running or exercise until you have "
                "been seen. Run `backstride check` again afterwards for a plan.\n")
    body.append(EMERGENCY_SIGNS, style="italic")
    return Panel(body, title=stop.title, title_align="left", border_style="bold red")


def _actions(plan: Plan) -> Table:
    table = Table(title="What to do besides the sessions (referrals first)",
                  title_justify="left", show_lines=True, expand=True)
    table.add_column("Action", ratio=2)
    table.add_column("What to do", ratio=5)
    table.add_column("Why · sources", ratio=3)
    for a in plan.actions:
        style = "bold yellow" if a.category == "referral" else "bold"
        name = Text(a.title, style=style)
        name.append(f"\n{a.category.replace('_', ' ')}", style="dim")
        why = Text(a.reason)
        why.append(f"\n{sources_text(a.source_keys)}", style="dim")
        table.add_row(name, a.text, why)
    return table


def week_table(week: PlanWeek) -> Table:
    """One plan week: day, sessions, minutes, why (each reason once per week)."""
    phase = week.phase.value.replace("_", " ")
    title = (f"Week {week.index} · {phase} · {week.start.isoformat()} to "
             f"{week.days[-1].on.isoformat()} · running {week.run_minutes:.0f} min")
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("Day", no_wrap=True)
    table.add_column("Sessions", ratio=3)
    table.add_column("Min", justify="right", no_wrap=True)
    table.add_column("Why", ratio=5)
    seen: set[str] = set()
    for day in week.days:
        titles, minutes, why = [], [], []
        for s in day.sessions:
            titles.append(s.title)
            minutes.append(f"{s.minutes:.0f}" if s.minutes else "")
            why.append("" if s.reason in seen else s.reason)
            seen.add(s.reason)
        table.add_row(day.on.strftime("%a %d %b"), "\n".join(titles), "\n".join(minutes),
                      Text("\n".join(why), style="dim"))
    return table


def plan_view(plan: Plan) -> Group:
    """The plan for the terminal: header, stop or limit notice, actions, calendar, notes."""
    from backstride.domain.plan import LIMITED_NOTE

    b = plan.basis
    header = Text(f"Plan from your check of {b.check_on.isoformat()} ", style="bold")
    header.append(f"({b.triage_title})", style="dim")
    if plan.stopped is not None:
        return Group(header, _stopped(plan), Text(b.notice, style="italic"))
    header.append(f"\n{plan.start.isoformat()} to {plan.end.isoformat()}, "
                  f"{len(plan.weeks)} week(s)")
    parts: list[RenderableType] = [header]
    if plan.limited:
        text = Text(LIMITED_NOTE + "\n", style="bold")
        text.append(b.triage_advice)
        parts.append(Panel(text, title=b.triage_title, title_align="left",
                           border_style="yellow"))
    parts.append(_actions(plan))
    parts += [week_table(w) for w in plan.weeks]
    parts += [Text(n, style="italic") for n in plan.notes]
    parts.append(Text("Next: `backstride today` for today's session; `backstride log` after "
                      "each day; `backstride plan export --ics plan.ics` for your calendar.",
                      style="dim"))
    return Group(*parts)


def plan_json(plan: Plan, found: ActivePlan | None) -> dict[str, Any]:
    """The ``--json`` object: the plan plus ``plan_id`` and ``check``."""
    check = None if found is None or found.check is None else found.check
    return {**plan.to_dict(), "plan_id": None if found is None else found.record.id,
            "check": None if check is None else {"id": check.id, "on": check.on.isoformat(),
                                                  "triage_level": check.triage_level}}


def _stale_note(store: Store, on: date) -> str | None:
    from backstride.storage.checks import latest_check

    check = latest_check(store)
    if check is None or (on - check.on).days <= STALE_CHECK_DAYS:
        return None
    return (f"Your latest check is {(on - check.on).days} days old: run `backstride check` "
            "again for a plan that fits how your back is now.")


# -- commands -----------------------------------------------------------------------------


@plan_app.callback(invoke_without_command=True)
def plan_command(
    ctx: typer.Context,
    weeks: Annotated[
        int, typer.Option("--weeks", metavar="N",
                          help=f"Weeks to plan (1-{MAX_WEEKS}; a limited plan covers at "
                               "most 2).")
    ] = 12,
    start: DateOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the plan as one JSON object.")
    ] = False,
) -> None:
    """Build the plan from your latest check and show it (or: plan export ...).

    Decision support, never a diagnosis. A red flag in the check means no sessions,
    only where to go and how fast.
    """
    if ctx.invoked_subcommand is not None:
        return
    if not 1 <= weeks <= MAX_WEEKS:
        usage_error(f"--weeks must be a whole number from 1 to {MAX_WEEKS}, got {weeks}")
    from backstride.cli.main import _consoles, _echo_json, _edge, _settings
    from backstride.knowledge import load_knowledge
    from backstride.knowledge.exercises import load_exercises
    from backstride.planning import RedFlagStopError, active_plan_info, make_plan
    from backstride.storage.store import Store

    with _edge(ctx) as err:
        out, _ = _consoles()
        on = start.date() if start is not None else date.today()
        exercises = load_exercises()
        with Store.open(_settings()) as store:
            try:
                plan = make_plan(store, on=on, weeks=weeks, knowledge=load_knowledge(),
                                 exercises=exercises)
            except RedFlagStopError as stop:
                from backstride.cli.log import red_flag_panel
                from backstride.errors import BackstrideError

                err.print(red_flag_panel(stop.advice))
                raise BackstrideError(stop.short) from None
            found = active_plan_info(store, exercises)
            note = _stale_note(store, on)
        if note:
            err.print(note, style="yellow", soft_wrap=True)
        if as_json:
            _echo_json(plan_json(plan, found))
            return
        out.print(plan_view(plan))


def _write_bytes(path: Path, data: bytes) -> None:
    from backstride.errors import InputError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from exc


@plan_app.command("export")
def export_command(
    ctx: typer.Context,
    ics: Annotated[
        Path | None, typer.Option("--ics", metavar="FILE", dir_okay=False,
                                  help="Write the sessions as an iCalendar file.")
    ] = None,
    fit_dir: Annotated[
        Path | None, typer.Option("--fit-dir", metavar="DIR", file_okay=False,
                                  help="Write one FIT workout file per run session here.")
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", metavar="FILE", dir_okay=False,
                                  help="Write the report for a physiotherapist (HTML).")
    ] = None,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", metavar="FILE", dir_okay=False,
                                  help="Write the report for a physiotherapist as PDF "
                                       "(needs Chromium).")
    ] = None,
) -> None:
    """Export the active plan: calendar (.ics), watch workouts (.fit), physio report."""
    if ics is None and fit_dir is None and html is None and pdf is None:
        usage_error("give at least one of --ics FILE, --fit-dir DIR, --html FILE, --pdf FILE")
    from backstride.cli.main import _consoles, _edge, _settings
    from backstride.errors import NotFoundError
    from backstride.planning import NO_PLAN, active_plan_info
    from backstride.storage.store import Store

    with _edge(ctx):
        out, _ = _consoles()
        written: list[Path] = []
        with Store.open(_settings()) as store:
            found = active_plan_info(store)
            if found is None and (ics is not None or fit_dir is not None):
                raise NotFoundError(NO_PLAN)
            if found is not None and (ics is not None or fit_dir is not None):
                written += _export_plan(found.plan, ics, fit_dir)
            if html is not None or pdf is not None:
                written += _export_report(store, found, html, pdf)
        for path in written:
            out.print(str(path), soft_wrap=True, markup=False, highlight=False)


def _export_plan(plan: Plan, ics: Path | None, fit_dir: Path | None) -> list[Path]:
    from backstride.errors import NotFoundError

    if plan.stopped is not None:
        raise NotFoundError(f"the plan is stopped ({plan.stopped.title}): there are no "
                            "sessions to export")
    written: list[Path] = []
    if ics is not None:
        from backstride.exporters.ics import plan_to_ics

        offset = datetime.now().astimezone().utcoffset()
        data = plan_to_ics(plan, utc_offset_s=int(offset.total_seconds()) if offset else 0)
        path = ics.expanduser().absolute()
        _write_bytes(path, data)
        written.append(path)
    if fit_dir is not None:
        from backstride.exporters.workouts import plan_workouts

        folder = fit_dir.expanduser().absolute()
        for name, data in plan_workouts(plan):
            _write_bytes(folder / Path(name).name, data)
            written.append(folder / Path(name).name)
    return written


def physio_html(store: Store, found: ActivePlan | None, on: date) -> str:
    """The report for a physiotherapist on ``on`` (latest check, plan, signals, log)."""
    from backstride.analysis import current_signals
    from backstride.errors import NotFoundError
    from backstride.planning import NO_CHECK, history
    from backstride.report.physio import physio_report_html
    from backstride.storage.checks import latest_check

    check = latest_check(store)
    if check is None:
        raise NotFoundError(NO_CHECK)
    analysis = current_signals(store, as_of=on) if store.counts().get("activities") else None
    checkins, decisions = history(store, on)
    return physio_report_html(check=dict(check.result), plan=None if found is None
                              else found.plan, analysis=analysis, checkins=checkins,
                              decisions=decisions if found is not None else None, today=on)


def _export_report(store: Store, found: ActivePlan | None, html: Path | None,
                   pdf: Path | None) -> list[Path]:
    from backstride.cli.report import write_text_atomically

    text = physio_html(store, found, date.today())
    written: list[Path] = []
    if html is not None:
        path = html.expanduser().absolute()
        write_text_atomically(path, text)
        written.append(path)
    if pdf is not None:
        from backstride.report.pdf import html_to_pdf

        path = pdf.expanduser().absolute()
        html_to_pdf(text, path)  # creates the folder; says how to get Chromium when missing
        written.append(path)
    return written

