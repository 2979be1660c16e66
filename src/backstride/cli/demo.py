"""``backstride demo``: the whole journey on the synthetic demo runner.

After the demo year has been written and imported (:func:`backstride.cli.main.demo`),
:func:`run_journey`:

1. runs the back check with the built-in demo answers (``backstride/demo/answers.json``:
   a desk-bound runner with one-sided muscular pain of about 4/10 and no warning sign)
   on the demo's last day, with the training signals of that day as evidence, and
   stores it;
2. builds the 12-week plan from it (:func:`backstride.planning.make_plan`) starting on
   that day and stores it as the active plan;
3. writes the training report (``<home>/report.html``) and the report for a
   physiotherapist (``<home>/physio-report.html``, plus ``physio-report.pdf`` when
   Chromium is found; otherwise the message says how to get it);
4. prints a short summary and the next commands to try.

The demo's last day is kept in ``<home>/demo.json`` (today on the first run), so running
the demo again on a later day writes the same year (every file a duplicate), reuses the
stored demo check and plan, and rewrites the reports. When the home already holds a
check that is not the demo's, the demo leaves your check and plan alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.text import Text

if TYPE_CHECKING:
    from backstride.analysis import Analysis
    from backstride.domain.answers import Answers
    from backstride.domain.check import Knowledge
    from backstride.domain.plan import Plan
    from backstride.settings import Settings
    from backstride.storage.checks import StoredCheck
    from backstride.storage.store import Store

__all__ = ["DEMO_MARKER", "JourneyResult", "demo_answers", "demo_end", "run_journey"]

#: File in the home folder that remembers the demo's last day.
DEMO_MARKER: Final = "demo.json"
TRAINING_REPORT: Final = "report.html"
PHYSIO_HTML: Final = "physio-report.html"
PHYSIO_PDF: Final = "physio-report.pdf"
PLAN_WEEKS: Final = 12
PHYSIO_MODULES: Final = ("backstride.report.physio", "backstride.report.pdf")


def demo_answers(knowledge: Knowledge) -> Answers:
    """The demo runner's check answers (packaged ``demo/answers.json``), validated."""
    from backstride.domain.answers import parse_answers

    text = resources.files("backstride.demo").joinpath("answers.json").read_text("utf-8")
    return parse_answers(json.loads(text), knowledge.questions)


def demo_end(home: Path) -> date:
    """The demo's last day: the one remembered in ``<home>/demo.json``, else today (and
    remembered from now on)."""
    marker = home / DEMO_MARKER
    try:
        return date.fromisoformat(str(json.loads(marker.read_text("utf-8"))["end"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    end = date.today()
    home.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"end": end.isoformat()}) + "\n", encoding="utf-8")
    return end


@dataclass(frozen=True, slots=True)
class JourneyResult:
    """What the journey did."""

    end: date
    analysis: Analysis
    check: StoredCheck | None
    check_reused: bool
    plan: Plan | None
    plan_reused: bool
    files: tuple[Path, ...]
    notes: tuple[str, ...]


def _check(store: Store, knowledge: Knowledge, analysis: Analysis, end: date
           ) -> tuple[StoredCheck | None, bool, str | None]:
    """The stored demo check (reused when the latest check is the demo's), or None when
    the home holds the runner's own check."""
    from backstride.cli.check import _signal_json
    from backstride.domain.check import run_check
    from backstride.domain.triage import PlanLimit
    from backstride.storage.checks import latest_check, save_check

    answers = demo_answers(knowledge)
    latest = latest_check(store)
    if latest is not None and dict(latest.answers) == answers.to_dict():
        if latest.on == end:
            return latest, True, None
    elif latest is not None:
        return None, False, ("Your own back check is stored here: the demo leaves your check "
                             "and plan alone (use --home DIR for a separate demo).")
    signals = list(analysis.signals)
    result = run_check(answers, knowledge=knowledge, signals=signals, today=end)
    full = result.triage.plan_limit is PlanLimit.FULL
    extra: dict[str, object] = {
        "training_signals": [_signal_json(s, knowledge, with_advice=full) for s in signals],
        "training_signals_note": f"{len(signals)} training signal(s) computed for "
                                 f"{end.isoformat()} from the demo year.",
        "previous_check_id": None,
    }
    return save_check(store, result, extra=extra), False, None


def _reports(store: Store, settings: Settings, analysis: Analysis, end: date
             ) -> tuple[list[Path], list[str]]:
    """Training report, physio report HTML and (with Chromium) PDF."""
    from backstride.cli.plan import physio_html
    from backstride.cli.report import write_text_atomically
    from backstride.errors import BackstrideError
    from backstride.planning import active_plan_info
    from backstride.report.training import training_report

    home = settings.home.expanduser().absolute()
    files, notes = [home / TRAINING_REPORT], []
    write_text_atomically(files[0], training_report(
        analysis, generated=datetime.now().astimezone()))
    try:
        html = physio_html(store, active_plan_info(store), end)
        from backstride.report.pdf import html_to_pdf
    except ModuleNotFoundError as exc:
        if exc.name not in PHYSIO_MODULES:
            raise
        return files, ["The report for a physiotherapist is not available in this version."]
    write_text_atomically(home / PHYSIO_HTML, html)
    files.append(home / PHYSIO_HTML)
    try:
        html_to_pdf(html, home / PHYSIO_PDF)
        files.append(home / PHYSIO_PDF)
    except BackstrideError as exc:
        (home / PHYSIO_PDF).unlink(missing_ok=True)  # never leave an older PDF behind
        notes.append(f"No PDF: {exc}")
    return files, notes


def run_journey(store: Store, settings: Settings, *, end: date) -> JourneyResult:
    """Check, signals, plan and reports for the imported demo year (see the module doc)."""
    from backstride.analysis import current_signals
    from backstride.knowledge import load_knowledge
    from backstride.knowledge.exercises import load_exercises
    from backstride.planning import active_plan_info, make_plan

    knowledge, exercises = load_knowledge(), load_exercises()
    analysis = current_signals(store, as_of=end)
    check, check_reused, note = _check(store, knowledge, analysis, end)
    notes = [note] if note else []
    plan, plan_reused = None, False
    if check is not None:
        found = active_plan_info(store, exercises)
        if (found is not None and found.record.check_id == check.id
                and found.plan.start == end and found.plan.weeks_requested == PLAN_WEEKS):
            plan, plan_reused = found.plan, True
        else:
            plan = make_plan(store, on=end, weeks=PLAN_WEEKS, knowledge=knowledge,
                             exercises=exercises)
    files, more = _reports(store, settings, analysis, end)
    return JourneyResult(end, analysis, check, check_reused, plan, plan_reused,
                         tuple(files), tuple(notes + more))


# -- summary ------------------------------------------------------------------------------


def _signals_line(analysis: Analysis) -> Text:
    from backstride.domain.signal import Level
    from backstride.report.labels import title

    raised = [s for s in analysis.signals if s.level is not Level.OK]
    text = Text(f"Signals on {analysis.as_of.isoformat()}: ", style="bold")
    if not raised:
        return text.append("nothing raised.")
    text.append(f"{len(raised)} raised, worst first: ")
    text.append(", ".join(f"{title(s)} ({s.level.value})" for s in raised[:4]))
    return text


def _check_line(check: StoredCheck, reused: bool) -> Text:
    result: dict[str, Any] = dict(check.result)
    triage = result.get("triage") or {}
    patterns = ", ".join(str(p.get("label") or p.get("key")) for p in result.get("patterns", []))
    top = ", ".join(str(c.get("label")) for c in result.get("contributors", [])[:3])
    text = Text(f"Back check of {check.on.isoformat()}"
                f"{' (stored before)' if reused else ''}: ", style="bold")
    text.append(f"{triage.get('title', check.triage_level)}; pattern: {patterns or 'none'}; "
                f"main contributors: {top or 'none'}.")
    return text


def _plan_line(plan: Plan, reused: bool) -> Text:
    from backstride.domain.adaptation import level_text

    text = Text(f"Plan{' (stored before)' if reused else ''}: ", style="bold")
    text.append(f"{plan.start.isoformat()} to {plan.end.isoformat()}, {len(plan.weeks)} weeks, "
                f"starting at {level_text(plan.start_level)}.")
    first = plan.weeks[0] if plan.weeks else None
    if first is not None:
        text.append(f" Week 1: {sum(len(d.sessions) for d in first.days)} sessions, "
                    f"{first.run_minutes:.0f} min of running.")
    return text


def summary(result: JourneyResult, *, home: Path | None = None) -> Group:
    """The journey's summary and the next commands to try (``home``: a data folder the
    commands must be told about)."""
    parts: list[RenderableType] = [_signals_line(result.analysis)]
    if result.check is not None:
        parts.append(_check_line(result.check, result.check_reused))
    if result.plan is not None:
        parts.append(_plan_line(result.plan, result.plan_reused))
    for path in result.files:
        parts.append(Text(f"Wrote {path}", style="green"))
    parts += [Text(n, style="yellow") for n in result.notes]
    end = result.end.isoformat()
    prefix = "" if home is None else f"BACKSTRIDE_HOME={home} "
    nxt = Text("Next, try:\n", style="bold")
    for cmd, what in (
        (f"backstride risks --as-of {end}", "training signals, worst first"),
        ("backstride plan", "the weekly calendar and action items"),
        ("backstride today", "what to do today, and why"),
        ("backstride log --pain-during 2 --pain-after 1 --done run --rpe 4",
         "log the day (add --morning better|same|worse the next day)"),
        ("backstride plan export --ics plan.ics --fit-dir workouts --pdf physio.pdf",
         "calendar, watch workouts, report for a physiotherapist"),
    ):
        nxt.append(f"  {prefix}.venv/bin/{cmd}", style="cyan")
        nxt.append(f"   {what}\n", style="dim")
    parts.append(nxt)
    parts.append(Text("Decision support, never a diagnosis: a red flag always overrides the "
                      "plan.", style="italic"))
    return Group(Panel(Group(*parts), title="The demo runner's journey", title_align="left"))


def print_summary(out: Console, result: JourneyResult, settings: Settings) -> None:
    """Print :func:`summary` on ``out`` (naming the data folder when it is not the one the
    environment gives)."""
    from backstride.cli.main import _settings

    home = settings.home.expanduser().absolute()
    default = _settings().home.expanduser().absolute()
    out.print(summary(result, home=None if home == default else home))
