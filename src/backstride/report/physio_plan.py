"""Parts of the physiotherapist's report: numbered references, the plan, the check-ins.

Used by :mod:`backstride.report.physio` (which assembles the page):

:class:`Refs`
    Numbers sources in order of first use, so tables cite ``[3, 7]`` and the sources
    list at the end gives each citation once with its evidence grade.
:func:`plan_section`
    Phases, the current (or first) four weeks as a compact calendar, the exercises with
    their first dose, the action items (referrals first) and the plan's rules.
:func:`checkins_section`
    Pain during and after activity per day with the plan decisions marked, the
    decisions that changed the level, referral triggers and the current instruction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from html import escape
from typing import Final

from backstride.domain.adaptation import Action, Decision, PlanState, level_text, replay
from backstride.domain.checkin import CheckIn
from backstride.domain.evidence import SOURCES
from backstride.domain.plan_model import Plan, PlannedSession, PlanWeek, SessionKind
from backstride.report import svg
from backstride.report.page import Section, figure, table

__all__ = ["CALENDAR_WEEKS", "Refs", "checkins_section", "day_label", "plan_section"]

#: Weeks of the plan shown as a calendar.
CALENDAR_WEEKS: Final = 4
#: Where the decision markers sit on the check-in chart (above the 0-10 pain scale).
_DECISION_ROW: Final = 11.2
_MARKED: Final[dict[Action, tuple[str, svg.Shape, str]]] = {
    Action.PROGRESS: ("moved up a level", "triangle", svg.COLOURS["green"]),
    Action.STEP_BACK: ("stepped back", "triangle-down", svg.COLOURS["vermillion"]),
    Action.STOP: ("stopped", "diamond", svg.COLOURS["ink"]),
}


class Refs:
    """Source keys numbered in order of first use."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._fallback: dict[str, tuple[str, str]] = {}

    def cite(self, keys: Sequence[str], *, citation: str = "", grade: str = "") -> str:
        """HTML like ``<span class="refs">[2, 5]</span>`` (empty without keys).

        ``citation`` and ``grade`` describe a single key missing from
        :data:`~backstride.domain.evidence.SOURCES` (e.g. from an older stored check).
        """
        numbers = []
        for key in dict.fromkeys(k for k in keys if k):
            if key not in self._numbers:
                self._numbers[key] = len(self._numbers) + 1
            if key not in SOURCES and citation:
                self._fallback.setdefault(key, (citation, grade))
            numbers.append(self._numbers[key])
        if not numbers:
            return ""
        return f'<span class="refs">[{", ".join(str(n) for n in numbers)}]</span>'

    def items(self) -> list[tuple[int, str, str]]:
        """``(number, citation, grade)`` in number order."""
        out = []
        for key, n in self._numbers.items():
            if key in SOURCES:
                out.append((n, SOURCES[key].citation, SOURCES[key].grade.value))
            else:
                citation, grade = self._fallback.get(key, (key, ""))
                out.append((n, citation, grade))
        return out


def day_label(d: date) -> str:
    """``2 Jun 2025``."""
    return f"{d.day} {d:%b %Y}"


def _short_day(d: date) -> str:
    return f"{d.day} {d:%b}"


def _phase(value: str) -> str:
    return value.replace("_", " ").capitalize()


# -- the plan ---------------------------------------------------------------------------


def _session_cell(s: PlannedSession) -> str:
    """A compact calendar entry: ``Run L3 3/2 min x5``, ``Strength 24 min``..."""
    if s.run is not None:
        r = s.run
        text = (f"Run {r.run_s / 60:g} min" if r.continuous else
                f"Run L{r.level}: {r.run_s / 60:g}/{r.walk_s / 60:g} min ×{r.repeats}")
        if r.cadence_cue_pct:
            text += f", cadence +{r.cadence_cue_pct:g}%"
    elif s.kind is SessionKind.WALK:
        text = f"Walk {s.minutes:.0f} min" + (" (readiness)" if s.gate else "")
    elif s.kind is SessionKind.CROSS_TRAINING:
        text = f"{(s.activity or 'cross-training').capitalize()} {s.minutes:.0f} min"
    elif s.kind is SessionKind.REST:
        return '<span class="muted">Rest</span>'
    else:
        text = f"{s.kind.value.capitalize()} {s.minutes:.0f} min"
    return escape(text)


def _calendar_weeks(plan: Plan, today: date) -> tuple[list[PlanWeek], str]:
    weeks = list(plan.weeks)
    current = next((i for i, w in enumerate(weeks)
                    if w.start <= today <= w.days[-1].on), None)
    if current is None or current == 0:
        return weeks[:CALENDAR_WEEKS], "the first weeks"
    return weeks[current:current + CALENDAR_WEEKS], "the weeks from the current one on"


def _calendar(plan: Plan, today: date) -> str:
    weeks, which = _calendar_weeks(plan, today)
    headers = ["Week", *(f"{d.on:%a}" for d in weeks[0].days)]
    rows = []
    for w in weeks:
        cells = [f"<strong>{w.index}</strong><br><span class=\"small\">"
                 f"{escape(_phase(w.phase.value))}</span>"]
        for d in w.days:
            entries = "<br>".join(_session_cell(s) for s in d.sessions)
            cells.append(f'<span class="d">{escape(_short_day(d.on))}</span>{entries}')
        rows.append(cells)
    caption = (f"Calendar of {which}: the path if every session goes well; the daily "
               "check-ins move the level up, hold it or step it back. Run L3 3/2 min ×5 = "
               "walk-run stage 3: 5 × (3 min run, 2 min walk), with a 5-minute warm-up "
               "walk, drills and a 5-minute cool-down walk.")
    return (f'<div class="cal">{table(headers, rows, raw=tuple(range(len(headers))))}</div>'
            f'<p class="small muted">{escape(caption)}</p>')


def _exercises(plan: Plan, refs: Refs) -> str:
    first: dict[str, tuple[date, str, str]] = {}
    for on, s in plan.sessions():
        drills = s.run.drills if s.run is not None else ()
        for p in (*s.exercises, *drills):
            if p.key not in first:
                version = "" if p.version.value == "standard" else f" ({p.version.value})"
                first[p.key] = (on, p.dose.describe() + version, p.reason)
    if not first:
        return ""
    library = plan.exercises()
    rows = [[f"<strong>{escape(library[k].name)}</strong><br><span class=\"small muted\">"
             f"{escape(library[k].kind.value.replace('_', ' '))}</span>",
             escape(dose), escape(reason), escape(_short_day(on)),
             refs.cite([library[k].source_key])]
            for k, (on, dose, reason) in first.items()]
    return ("<h3>Exercises</h3>" + table(
        ["Exercise", "First dose", "Why", "From", "Ref."], rows, raw=(0, 1, 2, 3, 4))
            + '<p class="small muted">Doses rise by phase: settle 60% with one set fewer and '
              "the easier version, rebuild 80%, return to running the standard dose, back "
              "to training the harder version.</p>")


def _actions(plan: Plan, refs: Refs) -> str:
    if not plan.actions:
        return ""
    rows = [[escape(a.category.replace("_", " ")),
             f"<strong>{escape(a.title)}</strong><br>{escape(a.text)}", escape(a.reason),
             refs.cite(a.source_keys)] for a in plan.actions]
    return "<h3>Action items</h3>" + table(["Kind", "Action", "Why", "Ref."], rows,
                                           raw=(0, 1, 2, 3))


def plan_section(plan: Plan | None, *, today: date, refs: Refs,
                 stopped: Decision | None = None) -> Section:
    """The plan: summary, phases, a compact calendar, exercises, action items, rules.

    ``stopped`` is the latest check-in decision when it stopped the plan: then only
    the reason is shown, no sessions.
    """
    if plan is None:
        return Section("plan", "The plan", "<p>No plan has been made yet.</p>")
    if plan.stopped is not None or stopped is not None:
        why = (plan.stopped.title if plan.stopped is not None
               else stopped.reasons[0].text if stopped is not None and stopped.reasons
               else "stopped")
        return Section("plan", "The plan", f"<p><strong>The plan is stopped</strong>: "
                       f"{escape(why)} No sessions are planned until the runner has been "
                       "seen and has run the check again.</p>")
    top = level_text(plan.top_level)
    head = (f"<p>{escape(day_label(plan.start))} to {escape(day_label(plan.end))} "
            f"({len(plan.weeks)} weeks). Start: {escape(level_text(plan.start_level))}; "
            f"highest level planned: {escape(top)}.</p>")
    if plan.limited:
        head += ("<p><strong>Limited plan</strong>: gentle walking and mobility only until "
                 "the runner has been seen (triage <em>soon</em>).</p>")
    phases = table(["Phase", "From", "To"],
                   [[_phase(p.value), day_label(s), day_label(e)] for p, s, e in plan.phases()])
    notes = "".join(f"<li>{escape(n)}</li>" for n in plan.notes[1:])
    body = (head + phases + _calendar(plan, today) + _actions(plan, refs)
            + _exercises(plan, refs)
            + (f'<h3>Rules</h3><ul class="tight">{notes}</ul>' if notes else ""))
    return Section("plan", "The plan", body)


# -- check-ins --------------------------------------------------------------------------


def _week_ticks(first: date, last: date) -> list[tuple[float, str]]:
    days = (last - first).days
    step = 7 * max(1, -(-days // 70))
    return [(float((first + timedelta(days=i)).toordinal()),
             _short_day(first + timedelta(days=i))) for i in range(0, days + 1, step)]


def _chart(checkins: Sequence[CheckIn], decisions: Sequence[Decision]) -> str:
    def series(label: str, attr: str, colour: str, shape: svg.Shape) -> svg.Series:
        pts = tuple(svg.Point(float(c.on.toordinal()), float(v),
                              f"{day_label(c.on)}: {label} {v}/10")
                    for c in checkins if (v := getattr(c, attr)) is not None)
        return svg.Series(label, pts, colour, joined=True, shape=shape)

    lines = [series("pain during activity", "pain_during", svg.COLOURS["blue"], "circle"),
             series("pain after activity", "pain_after", svg.COLOURS["orange"], "square")]
    for action, (label, shape, colour) in _MARKED.items():
        pts = tuple(svg.Point(float(d.on.toordinal()), _DECISION_ROW,
                              f"{day_label(d.on)}: {label}: "
                              + " ".join(r.text for r in d.reasons))
                    for d in decisions if d.action is action and d.on is not None)
        if pts:
            lines.append(svg.Series(label, pts, colour, shape=shape))
    first, last = checkins[0].on, checkins[-1].on
    return svg.line_chart(
        lines, title="Check-ins: pain during and after activity",
        desc="Pain during and after activity (0-10) per check-in day, with the days the "
             "plan moved up, stepped back or stopped marked along the top.",
        y_label="pain (0-10)", x_ticks=_week_ticks(first, last),
        y_range=(0.0, 11.9), y_ticks=(0, 2, 4, 6, 8, 10),
        ref_lines=[svg.RefLine(3, "3/10: acceptable", svg.COLOURS["green"]),
                   svg.RefLine(5, "above 5/10: step back", svg.COLOURS["vermillion"])])


def checkins_section(checkins: Sequence[CheckIn], decisions: Sequence[Decision] | None,
                     plan: Plan | None, refs: Refs) -> Section:
    """Pain trend with decisions, the decisions that changed the level, referrals."""
    ordered = sorted({c.on: c for c in checkins}.values(), key=lambda c: c.on)
    if not ordered:
        return Section("checkins", "Daily check-ins", "<p>No daily check-ins recorded.</p>")
    if decisions is None:
        decisions = replay(PlanState.initial(plan), ordered) if plan is not None else []
    pains = [c.pain for c in ordered[-7:] if c.pain is not None]
    summary = (f"<p>{len(ordered)} check-ins from {escape(day_label(ordered[0].on))} to "
               f"{escape(day_label(ordered[-1].on))}"
               + (f"; worst pain in the last 7 check-ins {max(pains)}/10" if pains else "")
               + ".</p>")
    caption = ("Pain during and after activity on the 0-10 scale. Marks along the top: "
               "the plan moved up a level (triangle), stepped back (downward triangle) or "
               "stopped (diamond); other days held the level. Pain rule: up to 3/10 and "
               "settled by the next morning is acceptable; 4-5/10 holds; above 5/10, a "
               "worse next morning or new leg symptoms step back (Silbernagel et al. 2007).")
    body = summary + figure(_chart(ordered, decisions), caption)
    changed = [d for d in decisions if d.action is not Action.HOLD]
    if changed:
        rows = [[escape(day_label(d.on) if d.on else "-"),
                 escape(d.action.value.replace("_", " ")),
                 escape(f"{d.level_before} → {d.state.level}"),
                 escape(" ".join(r.text for r in d.reasons)),
                 refs.cite([k for r in d.reasons for k in r.source_keys])] for d in changed]
        body += "<h3>Decisions that changed the plan</h3>" + table(
            ["Day", "Decision", "Level", "Why", "Ref."], rows, raw=(0, 1, 2, 3, 4))
    if decisions:
        latest = decisions[-1]
        body += (f"<p><strong>Now</strong> ({escape(day_label(latest.on) if latest.on else '')}"
                 f"): {escape(latest.instruction)}</p>")
        if latest.referrals:
            items = "".join(f"<li><strong>{escape(r.title)}</strong>: {escape(r.text)} "
                            f"{refs.cite(r.source_keys)}</li>" for r in latest.referrals)
            body += f"<h3>Referral triggers met</h3><ul>{items}</ul>"
    return Section("checkins", "Daily check-ins", body)
