"""The ``backstride`` command: import activity files, list them, run the demo.

A thin edge: each command builds :class:`~backstride.settings.Settings` from the
environment, opens the :class:`~backstride.storage.store.Store`, calls one library
function and renders the result. Every :class:`~backstride.errors.BackstrideError`
becomes one red ``error: ...`` line on stderr and exit status 1 (with the traceback
only under ``--verbose``). Exit status 2 is left to Typer for wrong usage.

Output: tables and JSON lines on stdout; progress, logs and errors on stderr.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from backstride.cli.check import check_command
from backstride.cli.gear import gear_app
from backstride.cli.log import log_command
from backstride.cli.plan import plan_app
from backstride.cli.report import report_command
from backstride.cli.risks import risks_command
from backstride.cli.today import today_command
from backstride.errors import BackstrideError
from backstride.settings import Settings

__all__ = ["app", "run"]

log = logging.getLogger(__name__)

app = typer.Typer(
    name="backstride",
    help="Decision support for runners with low back pain, from their own training data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@dataclass(slots=True)
class _Options:
    verbose: bool = False


#: Width of tables written to a pipe or file (a terminal uses its own width).
_PIPE_WIDTH = 160


def _consoles() -> tuple[Console, Console]:
    """Stdout and stderr consoles, bound to the streams of this invocation."""
    out = Console(highlight=False)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out.width = _PIPE_WIDTH
    return out, Console(stderr=True, highlight=False)


class _OneLineHandler(RichHandler):
    """Rich log handler that leaves tracebacks out (they are for --verbose only)."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.exc_text:
            record = logging.makeLogRecord(
                {**record.__dict__, "exc_info": None, "exc_text": None}
            )
        super().emit(record)


def _configure_logging(ctx: typer.Context, verbose: bool) -> None:
    """Log to stderr through Rich for this invocation; undone when the command ends."""
    logger = logging.getLogger("backstride")
    previous_level = logger.level
    err = Console(stderr=True)
    handler = (
        RichHandler(console=err, show_path=True, rich_tracebacks=True)
        if verbose
        else _OneLineHandler(console=err, show_path=False, show_time=False)
    )
    logger.addHandler(handler)
    # importers log each survived problem as a warning; they are also in the outcomes
    # (summary table, --json), so without --verbose only errors are logged
    logger.setLevel(logging.DEBUG if verbose else logging.ERROR)

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)

    ctx.call_on_close(restore)


def _verbose(ctx: typer.Context) -> bool:
    options = ctx.find_object(_Options)
    return bool(options and options.verbose)


@contextmanager
def _edge(ctx: typer.Context) -> Iterator[Console]:
    """Turn errors into one red line on stderr and exit status 1."""
    _, err = _consoles()
    verbose = _verbose(ctx)
    try:
        yield err
    except (typer.Exit, typer.Abort):
        raise
    except BrokenPipeError:
        # the reader went away (``backstride activities --json | head``): stop quietly
        with suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None
    except BackstrideError as exc:
        if verbose:
            err.print_exception()
        err.print(Text(f"error: {exc}", style="red"), soft_wrap=True)
        raise typer.Exit(1) from None
    except Exception as exc:
        if verbose:
            err.print_exception()
        hint = "" if verbose else " (run with --verbose for the traceback)"
        err.print(
            Text(f"error: unexpected {type(exc).__name__}: {exc}{hint}", style="red"),
            soft_wrap=True,
        )
        raise typer.Exit(1) from None


def _settings(home: Path | None = None) -> Settings:
    env = dict(os.environ)
    if home is not None:
        env["BACKSTRIDE_HOME"] = str(home)
    return Settings.from_env(env)


def _echo_json(obj: dict[str, Any]) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False))


@app.callback()
def _main(
    ctx: typer.Context,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Debug logging and full tracebacks on stderr.")
    ] = False,
) -> None:
    """Decision support for runners with low back pain, from their own training data."""
    ctx.obj = _Options(verbose=verbose)
    _configure_logging(ctx, verbose)


def _import(paths: Sequence[Path], settings: Settings, *, as_json: bool, err: Console) -> bool:
    """Import ``paths`` with a progress bar; print the summary or JSON lines. True if all ok."""
    from backstride.cli import render
    from backstride.ingest import FileOutcome, import_paths
    from backstride.storage.store import Store

    out, _ = _consoles()
    outcomes: list[FileOutcome] = []
    progress = Progress(
        TextColumn("[bold]importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}", style="dim"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    task = progress.add_task("", total=None)

    def on_progress(done: int, total: int, file: str) -> None:
        progress.update(task, completed=done, total=total, description=Path(file).name)

    with Store.open(settings) as store, progress:
        for outcome in import_paths(
            store,
            paths,
            settings.limits,
            on_progress=on_progress,
            workers=settings.import_workers,
        ):
            outcomes.append(outcome)
            if as_json:
                _echo_json(render.outcome_json(outcome))
    if not as_json:
        out.print(render.summary(outcomes))
    return all(o.status != "error" for o in outcomes)


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Activity files (FIT, GPX, TCX, .gz), folders, zip archives or Strava exports.",
            show_default=False,
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per activity or failed file.")
    ] = False,
) -> None:
    """Import activity files; each file in its own transaction, duplicates skipped.

    Exit status 0 when every file was imported or a duplicate, 1 when any failed.
    """
    with _edge(ctx) as err:
        ok = _import(paths, _settings(), as_json=as_json, err=err)
    if not ok:
        raise typer.Exit(1)


@app.command("activities")
def activities(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per activity.")] = False,
) -> None:
    """List the stored activities, oldest first."""
    from backstride.cli import render
    from backstride.storage.store import Store

    with _edge(ctx):
        out, _ = _consoles()
        with Store.open(_settings()) as store:
            records = store.list_activities()
        if as_json:
            for record in records:
                _echo_json(render.activity_json(record))
        elif records:
            out.print(render.activities_table(records))
            out.print(f"{len(records)} activities")
        else:
            out.print("no activities stored yet (try: backstride import PATH, or backstride demo)")


@app.command("demo")
def demo(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Data directory for the demo (default: BACKSTRIDE_HOME or the user data dir).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """The whole journey on a synthetic runner: import a year, check, signals, plan, reports.

    Writes the year as a Strava-style export and imports it, runs the back check with
    built-in answers, builds the plan and writes the training and physio reports into
    the data directory (see backstride.cli.demo). Safe to run again.
    """
    from backstride.cli.demo import demo_end, print_summary, run_journey

    with _edge(ctx) as err:
        settings = _settings(home)
        from backstride.storage.store import Store

        # open first: creates the data directory and fails early on a bad database
        Store.open(settings).close()
        try:
            from backstride.demo.export import write_demo_export
        except ImportError as exc:
            raise BackstrideError(f"the demo generator is not available: {exc}") from exc
        end = demo_end(settings.home)
        export = write_demo_export(settings.home / "demo-export", end=end)
        err.print(f"demo export written to {export}", soft_wrap=True, markup=False)
        ok = _import([export], settings, as_json=False, err=err)
        err.print("back check with the demo answers, signals, plan and reports...")
        with Store.open(settings) as store:
            journey = run_journey(store, settings, end=end)
        print_summary(_consoles()[0], journey, settings)
    if not ok:
        raise typer.Exit(1)


app.command("check")(check_command)
app.command("risks")(risks_command)
app.command("report")(report_command)
app.add_typer(gear_app, name="gear")
app.add_typer(plan_app, name="plan")
app.command("log")(log_command)
app.command("today")(today_command)


def run() -> None:
    """Console-script entry point (``backstride``)."""
    app()
