"""``backstride report``: the training report as one self-contained HTML file.

``backstride report [--out FILE.html] [--as-of YYYY-MM-DD]``

Writes the report (:func:`backstride.report.training.training_report`) to ``FILE``
(default ``<BACKSTRIDE_HOME>/report.html``) and prints its path on stdout. The file
needs nothing else: open it in any browser, offline, or print it.

Exit status: 0 when written; 1 when no activity is stored, the database fails or the
file cannot be written; 2 for wrong usage.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from backstride.cli.risks import AsOf

__all__ = ["DEFAULT_NAME", "report_command", "write_text_atomically"]

#: File name of the report in the data directory.
DEFAULT_NAME = "report.html"


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename.

    Raises
    ------
    InputError
        When the folder cannot be created or the file cannot be written.
    """
    from backstride.errors import InputError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with tmp.open("w", encoding="utf-8") as fh:  # the usual permissions (umask)
                fh.write(text)
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"cannot write the report to {path}: "
                         f"{exc.strerror or type(exc).__name__}") from exc


def report_command(
    ctx: typer.Context,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE.html", dir_okay=False,
                     help="Where to write the report (default: <BACKSTRIDE_HOME>/report.html)."),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Write the training report (signals and charts) as a self-contained HTML file.

    Works offline; prints the file's path.
    """
    from backstride.cli.main import _edge, _settings
    from backstride.cli.risks import backfill_note, load_analysis
    from backstride.report.training import training_report
    from backstride.storage.store import Store

    with _edge(ctx) as err:
        settings = _settings()
        with Store.open(settings) as store:
            analysis = load_analysis(store, as_of.date() if as_of is not None else None)
        note = backfill_note(analysis)
        if note:
            err.print(note, style="dim", soft_wrap=True)
        path = (out_file or settings.home / DEFAULT_NAME).expanduser().absolute()
        html = training_report(analysis, generated=datetime.now().astimezone())
        write_text_atomically(path, html)
        typer.echo(str(path))
