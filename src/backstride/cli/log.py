"""``backstride log``: record one day's check-in, then say what it does to the plan.

``backstride log [--date YYYY-MM-DD] --pain-during N --pain-after N [--morning
better|same|worse] [--stiffness N] [--done SESSION ...] [--walk-min MIN] [--rpe N]
[--leg-symptoms] [--new-leg-symptoms] [--red-flag KEY ...] [--notes TEXT] [--json]``

One record per day (``--date``, default today; not in the future): pain during and
after activity (0-10), how the back felt the **next morning** compared with usual,
morning stiffness (0-10), the sessions done (``run``, ``walk``, ``strength``,
``mobility``, ``cross_training``, ``rest``; repeat ``--done`` or separate with commas),
the longest walk in minutes (the 30-minute readiness walk), the effort of the main
session (RPE 0-10), leg symptoms (and whether they are new or spreading), any **new**
warning sign (``--red-flag``, a rule key of the back check; an unknown key lists them
all) and notes.

The next morning is usually known only the next day: log it then for the previous
date, e.g. ``backstride log --date 2025-06-02 --morning same``. Logging a day again
keeps what you do not give (so ``--pain-during`` and ``--pain-after`` are needed only
the first time) and replaces the rest; warning signs are kept until the next check.

Then the decision for that day is printed (progress, hold, step back or stop, with the
rules that decided it and their sources) and any referral trigger met. A new warning
sign stops the plan: where to go and how fast is printed first when it is an emergency
or same-day sign, and you are told to run ``backstride check`` again. ``--json`` prints
``{"checkin", "replaced", "decision", "red_flag", "note"}``.

Exit status: 0 when saved (whatever the decision); 1 when the database fails; 2 for
wrong usage (one line naming the option: a value out of range, a missing pain score,
an unknown session or red-flag key, a date in the future).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from backstride.cli.plan import sources_text, usage_error

if TYPE_CHECKING:
    from backstride.domain.adaptation import CheckIn, Decision
    from backstride.domain.check import Knowledge
    from backstride.domain.triage import LevelAdvice

__all__ = ["decision_view", "log_command"]

ACTION_STYLE: Final = {"progress": "bold green", "hold": "bold cyan",
                       "step_back": "bold yellow", "stop": "bold red"}
SCALE_OPTIONS: Final = ("--pain-during", "--pain-after", "--stiffness", "--rpe")


def _scale(option: str, value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 10:
        usage_error(f"{option} must be a whole number from 0 to 10, got {value}")
    return value


def _sessions(values: list[str] | None) -> tuple[Any, ...] | None:
    from backstride.domain.plan_model import SessionKind

    if not values:
        return None
    names = [v.strip().lower().replace("-", "_") for raw in values for v in raw.split(",")
             if v.strip()]
    known = [k.value for k in SessionKind]
    for name in names:
        if name not in known:
            usage_error(f"--done {name!r} is not a session kind; use one of {', '.join(known)}")
    return tuple(dict.fromkeys(SessionKind(n) for n in names))


def _flags(values: list[str] | None, knowledge: Knowledge) -> tuple[str, ...]:
    from backstride.planning import red_flag_keys

    known = red_flag_keys(knowledge)
    flags = [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]
    for flag in flags:
        if flag not in known:
            usage_error(f"--red-flag {flag!r} is not a red-flag key; known keys: "
                        f"{', '.join(known)}")
    return tuple(dict.fromkeys(flags))


def red_flag_panel(advice: LevelAdvice | None) -> Panel:
    """Where to go for a new warning sign (the level's advice when urgent)."""
    from backstride.domain.adaptation import EMERGENCY_SIGNS

    if advice is not None and advice.level.urgent:
        body = Text(advice.advice, style="bold")
        body.append("\n\nThe plan is stopped. Run `backstride check` again once you have "
                    "been seen.")
        return Panel(body, title=advice.title, title_align="left", border_style="bold red")
    body = Text("Stop the plan and run `backstride check` again now: it asks about the "
                "warning signs and says where to go and how fast.", style="bold")
    if advice is not None:
        body.append(f"\n\n{advice.title}: {advice.advice}")
    body.append(f"\n\n{EMERGENCY_SIGNS}", style="italic")
    return Panel(body, title="New warning sign: the plan is stopped", title_align="left",
                 border_style="bold red")


def decision_view(decision: Decision) -> Group:
    """The decision: action, instruction, reasons with sources, referrals."""
    action = decision.action.value
    head = Text(action.replace("_", " ").upper(), style=ACTION_STYLE.get(action, "bold"))
    when = decision.on.isoformat() if decision.on is not None else "no check-in yet"
    head.append(f"  (check-in of {when})", style="dim")
    parts: list[RenderableType] = [head, Text(decision.instruction)]
    for r in decision.reasons:
        line = Text(f"• {r.text} ")
        line.append(f"[{sources_text(r.source_keys)}]", style="dim")
        parts.append(line)
    for ref in decision.referrals:
        text = Text(f"{ref.text}\n", style="bold")
        text.append(sources_text(ref.source_keys), style="dim")
        parts.append(Panel(text, title=f"See someone: {ref.title}", title_align="left",
                           border_style="yellow"))
    return Group(*parts)


def log_command(
    ctx: typer.Context,
    on: Annotated[
        datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                     help="The day being logged (default: today)."),
    ] = None,
    pain_during: Annotated[
        int | None, typer.Option("--pain-during", metavar="N",
                                 help="Worst pain during activity, 0-10 (needed for a new "
                                      "day).")
    ] = None,
    pain_after: Annotated[
        int | None, typer.Option("--pain-after", metavar="N",
                                 help="Worst pain after activity, 0-10 (needed for a new "
                                      "day).")
    ] = None,
    morning: Annotated[
        str | None, typer.Option("--morning", metavar="better|same|worse",
                                 help="The back the next morning, compared with usual "
                                      "(may be logged the next day for this date).")
    ] = None,
    stiffness: Annotated[
        int | None, typer.Option("--stiffness", metavar="N", help="Morning stiffness, 0-10.")
    ] = None,
    done: Annotated[
        list[str] | None,
        typer.Option("--done", metavar="SESSION",
                     help="Session done: run, walk, strength, mobility, cross_training, rest "
                          "(repeat, or separate with commas)."),
    ] = None,
    walk_min: Annotated[
        float | None, typer.Option("--walk-min", metavar="MIN",
                                   help="Length of the longest walk [min] (the readiness "
                                        "walk is 30).")
    ] = None,
    rpe: Annotated[
        int | None, typer.Option("--rpe", metavar="N",
                                 help="Effort of the main session, 0-10.")
    ] = None,
    leg_symptoms: Annotated[
        bool | None, typer.Option("--leg-symptoms/--no-leg-symptoms",
                                  help="Leg pain, tingling or numbness today.",
                                  show_default=False)
    ] = None,
    new_leg_symptoms: Annotated[
        bool | None, typer.Option("--new-leg-symptoms/--no-new-leg-symptoms",
                                  help="Leg symptoms that are new or spreading.",
                                  show_default=False)
    ] = None,
    red_flag: Annotated[
        list[str] | None,
        typer.Option("--red-flag", metavar="KEY",
                     help="A NEW warning sign, by its back-check key (e.g. saddle_numbness, "
                          "bladder_change, leg_weakness, fever, night_pain); an unknown key "
                          "lists them all. Stops the plan."),
    ] = None,
    notes: Annotated[str | None, typer.Option("--notes", metavar="TEXT", help="Notes.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object.")
    ] = False,
) -> None:
    """Log a day: pain during and after, next morning, sessions, effort, warning signs.

    Then shows what it does to the plan (progress, hold, step back or stop) and why.
    """
    from backstride.domain.adaptation import Morning

    day = on.date() if on is not None else date.today()
    if day > date.today():
        usage_error(f"--date {day.isoformat()} is in the future: log a day once it is done")
    for option, value in zip(SCALE_OPTIONS, (pain_during, pain_after, stiffness, rpe),
                             strict=True):
        _scale(option, value)
    morning_value = None
    if morning is not None:
        if morning.strip().lower() not in {m.value for m in Morning}:
            usage_error(f"--morning must be better, same or worse, got {morning!r}")
        morning_value = Morning(morning.strip().lower())
    if walk_min is not None and not 0 <= walk_min <= 24 * 60:
        usage_error(f"--walk-min must be from 0 to 1440 minutes, got {walk_min:g}")
    from backstride.cli.main import _consoles, _echo_json, _edge
    from backstride.knowledge import load_knowledge

    knowledge = load_knowledge()
    changes = {"pain_during": pain_during, "pain_after": pain_after,
               "morning_vs_usual": morning_value, "stiffness": stiffness,
               "sessions_done": _sessions(done), "rpe": rpe, "walk_minutes": walk_min,
               "leg_symptoms": leg_symptoms, "leg_symptoms_new": new_leg_symptoms,
               "notes": notes}
    flags = _flags(red_flag, knowledge)
    with _edge(ctx) as err:
        out, _ = _consoles()
        checkin, replaced, decision, note = _save_and_decide(day, changes, flags, knowledge)
        from backstride.planning import red_flag_advice

        advice = red_flag_advice(knowledge, checkin.new_red_flags)
        if as_json:
            _echo_json({"checkin": checkin.to_dict(), "replaced": replaced,
                        "decision": None if decision is None else decision.to_dict(),
                        "red_flag": None if not checkin.new_red_flags else {
                            "keys": list(checkin.new_red_flags),
                            "level": None if advice is None else advice.level.value,
                            "title": None if advice is None else advice.title,
                            "advice": None if advice is None else advice.advice},
                        "note": note})
            return
        if checkin.new_red_flags:
            out.print(red_flag_panel(advice))
        verb = "replaced" if replaced else "saved"
        out.print(Text(f"Check-in of {day.isoformat()} {verb}.", style="dim"))
        if decision is not None:
            out.print(decision_view(decision))
        if note:
            err.print(note, style="yellow", soft_wrap=True)
        if checkin.morning_vs_usual is None and not checkin.new_red_flags:
            out.print(Text(f"Tomorrow, add how your back felt in the morning: backstride log "
                           f"--date {day.isoformat()} --morning better|same|worse",
                           style="dim"))


def _save_and_decide(day: date, changes: dict[str, Any], flags: tuple[str, ...],
                     knowledge: Knowledge) -> tuple[CheckIn, bool, Decision | None, str | None]:
    """Merge with the stored day, save, decide; a note when there is no plan (yet)."""
    from backstride.cli.main import _settings
    from backstride.errors import NotFoundError
    from backstride.planning import active_plan_info, decide, merge_checkin, record_checkin
    from backstride.storage.plans import get_checkin
    from backstride.storage.store import Store

    with Store.open(_settings()) as store:
        existing = get_checkin(store, day)
        if existing is None:
            for option, key in (("--pain-during", "pain_during"), ("--pain-after", "pain_after")):
                if changes[key] is None:
                    usage_error(f"{option} is needed for a new day ({day.isoformat()} has no "
                                "check-in yet)")
        old = existing.checkin if existing is not None else None
        merged_flags = tuple(dict.fromkeys((*(old.new_red_flags if old else ()), *flags)))
        try:
            checkin = merge_checkin(old, day, {**changes, "new_red_flags": merged_flags})
        except ValueError as exc:
            usage_error(str(exc))
        record_checkin(store, checkin, knowledge=knowledge)
        try:
            decision = decide(store, day, knowledge=knowledge)
        except NotFoundError as exc:
            return checkin, existing is not None, None, (
                f"Saved; {exc}. The check-in counts once you have a plan.")
        found = active_plan_info(store)
        note = None
        if found is not None and day < found.plan.start:
            note = (f"{day.isoformat()} is before the plan's first day "
                    f"({found.plan.start.isoformat()}): it counts for the referral triggers "
                    "(and any warning sign stops the plan), not for the run level.")
        return checkin, existing is not None, decision, note
