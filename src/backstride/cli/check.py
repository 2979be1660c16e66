"""``backstride check``: the back check at the command line.

Modes
-----
``backstride check``
    Interactive Rich prompts (:mod:`backstride.cli.check_interactive`), warning signs
    first. An emergency answer stops the check at once and shows what to do now; a
    same-day answer finishes the warning signs, then shows where to go today.
``backstride check --answers FILE.json [--json]``
    Non-interactive (``-`` reads the answers from stdin). A missing key or ``null``
    means "no" or unknown; an unknown key or a value out of range is an error naming
    the file and the key.
``backstride check --template``
    Prints an answers file with every key set to ``null``, each key's meaning and its
    allowed values; it is accepted back by ``--answers`` as it is.

Options: ``--as-of YYYY-MM-DD`` (the day the check is for, default today: the date it
is stored under and the day training signals are computed for), ``--no-save``.

What happens
------------
Triage comes first. For ``emergency`` and ``same_day`` the human view is printed
*before* the database is touched, and it contains nothing about running or exercise.
Then the stored data is read: the latest earlier check with pain or activity scores
(the change is judged against the minimal important differences) and, when activities
are stored, the training signals (:func:`backstride.analysis.current_signals`), which
count as contributor evidence. The check is saved (unless ``--no-save``) with its date.

A database or analysis failure never hides the result: the check is shown without the
stored data, then the error follows as one red line on stderr (exit status 1).

Exit status
-----------
0
    The check ran, whatever the triage level (the level is in the output).
1
    Bad input: the answers file is unreadable, not JSON, or has an unknown key or an
    out-of-range value (one line naming the file and the key); the interactive check was
    interrupted before the end; or the database could not be read or written.
2
    Wrong usage (unknown option, a malformed ``--as-of`` date, ``--template`` together
    with ``--answers``).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from backstride.domain.answers import Answers, QuestionSet
    from backstride.domain.check import Knowledge
    from backstride.domain.signal import Signal
    from backstride.settings import Settings
    from backstride.storage.checks import StoredCheck
    from backstride.storage.store import Store

__all__ = ["check_command", "read_answers_file"]

log = logging.getLogger(__name__)

#: Module the training signals come from (written separately; see :func:`_signals`).
ANALYSIS_MODULE = "backstride.analysis"


def read_answers_file(path: Path, questions: QuestionSet) -> Answers:
    """Read and validate an answers file (``-`` is stdin).

    Raises
    ------
    AnswersError
        One line naming the file: unreadable, not UTF-8, not JSON, not an object, an
        unknown key or a value out of range (the key is named).
    """
    from backstride.domain.answers import parse_answers
    from backstride.errors import AnswersError

    name = "stdin" if str(path) == "-" else str(path)
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise AnswersError(f"{name}: the answers file is not UTF-8 text") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise AnswersError(f"{name}: cannot read the answers file: {reason}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnswersError(f"{name}: not valid JSON: {exc.msg} at line {exc.lineno}, "
                           f"column {exc.colno}") from None
    if not isinstance(raw, dict):
        raise AnswersError(f"{name}: the answers file must be a JSON object of question keys "
                           "(see: backstride check --template)")
    try:
        return parse_answers(raw, questions)
    except AnswersError as exc:
        raise AnswersError(f"{name}: {exc}") from None


# -- stored data --------------------------------------------------------------------------


@dataclass(slots=True)
class _Stored:
    """What the database gave for this check, and the first error met (shown last)."""

    store: Store | None = None
    previous: StoredCheck | None = None
    signals: list[Signal] = field(default_factory=list)
    note: str = ""
    error: BaseException | None = None

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def _load_stored(settings: Callable[[], Settings], on: date, *, want_signals: bool) -> _Stored:
    from backstride.errors import BackstrideError
    from backstride.storage.checks import latest_check
    from backstride.storage.store import Store

    stored = _Stored()
    try:
        stored.store = Store.open(settings())
        stored.previous = latest_check(stored.store, on_or_before=on, with_function=True)
    except BackstrideError as exc:
        stored.error = exc
        stored.note = "Training signals not used: the database could not be read."
        return stored
    if not want_signals:
        stored.note = "Training signals not used: training guidance is withheld."
        return stored
    try:
        stored.signals, stored.note = _signals(stored.store, on)
    except Exception as exc:  # shown after the result: a bug must not hide a red flag
        stored.error = exc
        stored.note = "Training signals not used: they could not be computed (error below)."
    return stored


def _signals(store: Store, on: date) -> tuple[list[Signal], str]:
    """The current training signals, when activities are stored.

    :mod:`backstride.analysis` is imported lazily and only its absence (the module
    itself missing) is tolerated: the check then runs on the answers alone, with a note.
    """
    stored = store.counts().get("activities", 0)
    if stored == 0:
        return [], ("No activities stored: import your training history (backstride import) "
                    "to add training signals as evidence.")
    try:
        from backstride.analysis import current_signals
    except ModuleNotFoundError as exc:
        if exc.name != ANALYSIS_MODULE:
            raise
        log.warning("%s is not available; training signals not used", ANALYSIS_MODULE)
        return [], "Training signals are not available in this version of backstride."
    signals = list(current_signals(store, as_of=on).signals)
    return signals, (f"{len(signals)} training signal(s) computed for {on.isoformat()} from "
                     f"{stored} stored activities.")


def _signal_json(signal: Signal, knowledge: Knowledge, *, with_advice: bool) -> dict[str, object]:
    """One training signal; ``counts_toward`` names the contributors it adds evidence to.

    A signal counts when its level is above ``ok`` and the signal map of
    ``contributors.json`` has its key; other signals are listed as context only.
    """
    from backstride.domain.signal import Level

    rows = knowledge.contributors.signal_map.get(signal.key, ())
    counts = [r.contributor for r in rows] if signal.level is not Level.OK else []
    out: dict[str, object] = {
        "key": signal.key, "level": signal.level.value, "value": signal.value,
        "unit": signal.unit, "threshold": signal.threshold, "explanation": signal.explanation,
        "source": signal.source_key, "grade": signal.evidence_grade.value,
        "citation": signal.source, "on": None if signal.on is None else signal.on.isoformat(),
        "contested": signal.contested, "activity_id": signal.activity_id,
        "counts_toward": counts,
    }
    if with_advice:
        out["advice"] = signal.advice
    return out


# -- the check ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Output:
    out: Console
    err: Console
    as_json: bool


def _complete(answers: Answers, knowledge: Knowledge, *, settings: Callable[[], Settings],
              on: date, save: bool, output: _Output, stopped_note: str | None = None,
              interactive: bool = False) -> None:
    """Triage, stored data, the whole check, save, render; re-raise a deferred error.

    For an urgent triage the human view is printed first (on stderr with ``--json`` when
    a person is at the prompts; not at all for ``--answers --json``, whose JSON has it).
    """
    from backstride.cli import check_render
    from backstride.domain.check import run_check, screen
    from backstride.domain.triage import PlanLimit
    from backstride.errors import BackstrideError
    from backstride.storage.checks import save_check

    triage = screen(answers, knowledge)
    urgent = triage.level.urgent
    if urgent and (interactive or not output.as_json):
        # where to go comes first, before anything that could be slow or fail
        view = check_render.urgent_view(triage.to_dict(), knowledge.triage.notice,
                                        stopped_note=stopped_note)
        (output.err if output.as_json else output.out).print(view)
    stored = _load_stored(settings, on, want_signals=not urgent)
    try:
        previous = None if stored.previous is None else stored.previous.function_scores()
        result = run_check(answers, knowledge=knowledge, signals=stored.signals,
                           previous=previous, today=on)
        full = result.triage.plan_limit is PlanLimit.FULL
        extra: dict[str, object] = {
            "training_signals": [_signal_json(s, knowledge, with_advice=full)
                                 for s in stored.signals],
            "training_signals_note": stored.note,
            "previous_check_id": None if stored.previous is None else stored.previous.id,
        }
        check_id: int | None = None
        if save and stored.store is not None:
            try:
                check_id = save_check(stored.store, result, extra=extra).id
            except BackstrideError as exc:
                stored.error = stored.error or exc
    finally:
        stored.close()
    payload = {**result.to_dict(), **extra, "check_id": check_id}
    if output.as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
    elif not urgent:
        labels = {k: e.label for k, e in knowledge.contributors.plan_elements.items()}
        labels |= {c.key: c.label for c in knowledge.contributors.contributors}
        output.out.print(check_render.full_view(payload, labels=labels))
    if not output.as_json:
        output.out.print(check_render.saved_line(check_id, on.isoformat(), saved=save))
    if stored.error is not None:
        raise stored.error


def _interactive(knowledge: Knowledge, *, settings: Callable[[], Settings], on: date,
                 save: bool, output: _Output) -> None:
    from backstride.cli import check_render
    from backstride.cli.check_interactive import Interview, InterviewAborted
    from backstride.domain.answers import parse_answers
    from backstride.domain.check import screen
    from backstride.domain.triage import TriageLevel

    prompts = output.err if output.as_json else output.out
    try:
        outcome = Interview(prompts, knowledge).run()
    except InterviewAborted as stop:
        triage = screen(parse_answers(stop.raw, knowledge.questions), knowledge)
        if triage.level is not TriageLevel.SELF_CARE:
            output.err.print(check_render.triage_panel(
                triage.to_dict(), stopped_note="The check was stopped before the end. "
                "From what you answered:"))
        output.err.print(Text("check stopped before the end; nothing saved", style="red"))
        raise typer.Exit(1) from None
    note = None
    if outcome.stopped is TriageLevel.EMERGENCY:
        note = "The check stopped here because of your last answer."
    elif outcome.stopped is TriageLevel.SAME_DAY:
        note = "The check stopped after the warning signs because of your answers."
    answers = parse_answers(outcome.raw, knowledge.questions)
    _complete(answers, knowledge, settings=settings, on=on, save=save, output=output,
              stopped_note=note, interactive=True)


def check_command(
    ctx: typer.Context,
    answers_file: Annotated[
        Path | None,
        typer.Option("--answers", metavar="FILE.json", dir_okay=False,
                     help="Answers file (JSON; '-' reads stdin) instead of the prompts. "
                          "Missing keys mean no or unknown."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as one JSON object.")
    ] = False,
    template: Annotated[
        bool, typer.Option("--template",
                           help="Print an answers file with every key, its meaning and "
                                "allowed values, then exit.")
    ] = False,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                     help="The day the check is for (default: today)."),
    ] = None,
    no_save: Annotated[
        bool, typer.Option("--no-save", help="Do not store this check.")
    ] = False,
) -> None:
    """Back check: warning signs first, then pain pattern, function, self-tests, contributors.

    Decision support, never a diagnosis. Exit status 0 whatever the triage level;
    1 for a bad answers file (the file and key are named), an interrupted check or a
    database error; 2 for wrong usage.
    """
    from backstride.cli.main import _consoles, _edge, _settings

    if template and answers_file is not None:
        raise typer.BadParameter("--template cannot be combined with --answers",
                                 param_hint="--template")
    with _edge(ctx) as err:
        from backstride.domain.answers import answers_template
        from backstride.knowledge import load_knowledge

        knowledge = load_knowledge()
        if template:
            typer.echo(json.dumps(answers_template(knowledge.questions), indent=2,
                                  ensure_ascii=False))
            return
        out, _ = _consoles()
        on = as_of.date() if as_of is not None else date.today()
        output = _Output(out, err, as_json)
        if answers_file is None:
            _interactive(knowledge, settings=_settings, on=on, save=not no_save,
                         output=output)
            return
        answers = read_answers_file(answers_file, knowledge.questions)
        _complete(answers, knowledge, settings=_settings, on=on, save=not no_save,
                  output=output)

