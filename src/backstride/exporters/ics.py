"""The plan as an iCalendar file (RFC 5545): one event per planned session.

:func:`plan_to_ics` writes one ``VEVENT`` per session of the plan: runs, walks,
strength, mobility and cross-training. **Rest days are left out**: a calendar entry
for doing nothing only clutters the day, and their recovery notes are in the plan
itself (``backstride plan``).

Times
-----
The plan has days, not times, so the events get sensible local times (the runner
moves them in the calendar as they like): the run or walk of a day at
:data:`MORNING` (07:00), the other sessions from :data:`EVENING` (18:00) one after
another with :data:`GAP_MIN` minutes between them. Local time is the plan's day plus
``utc_offset_s`` (the runner's offset from UTC); ``DTSTART`` is written in UTC
(``...Z``), so no ``VTIMEZONE`` is needed and every calendar shows the right hour.
``DURATION`` is the session's planned minutes (rounded, at least one minute).

Content
-------
``SUMMARY`` is the session title; ``DESCRIPTION`` holds the structure (warm-up,
drills, walk-run intervals with the effort and the cadence cue, cool-down, terrain and
the single-run cap; or the exercises with their dosing), the safety notes, the reason,
the sources and the decision-support notice. ``CATEGORIES`` is the session kind.

``UID`` is stable: ``<basis hash>-<YYYYMMDD>-<index>@backstride`` where the hash is
of the plan's basis (what it was built from) and the index is the session's place in
its day. Importing the same plan again, or a re-plan of the same check, updates the
events of those days instead of adding copies. ``DTSTAMP`` is the time of the export
(RFC 5545), so two exports differ only there.

A stopped plan (emergency or same-day triage) gives a valid calendar with **no
events**; its ``X-WR-CALDESC`` says why (the triage title and advice), so an import
never looks like an empty plan by mistake.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from icalendar import Calendar, Event

from backstride.domain.evidence import SOURCES
from backstride.domain.exercises import Prescription
from backstride.domain.plan_model import Plan, PlannedSession, RunPlan, SessionKind, Terrain

__all__ = ["EVENING", "GAP_MIN", "MORNING", "PRODID", "plan_to_ics", "plan_uid_prefix",
           "session_description"]

#: Product identifier of the calendar (RFC 5545 3.7.3).
PRODID: Final = "-//backstride//backstride plan//EN"
#: Local start of a day's run or walk.
MORNING: Final = time(7, 0)
#: Local start of a day's other sessions (strength, mobility, cross-training).
EVENING: Final = time(18, 0)
#: Minutes between two evening sessions of the same day.
GAP_MIN: Final = 15
#: Session kinds that go in the morning slot.
_MORNING_KINDS: Final = (SessionKind.RUN, SessionKind.WALK)
#: Offsets from UTC in use, UTC-12 ... UTC+14 [s].
_OFFSETS_S: Final = (-12 * 3600, 14 * 3600)


def plan_uid_prefix(plan: Plan) -> str:
    """The stable part of every event UID: a short hash of the plan's basis."""
    canonical = json.dumps(plan.basis.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _minutes(m: float) -> str:
    return f"{m:g} min" if m < 10 else f"{m:.0f} min"


def _dose_line(p: Prescription) -> str:
    line = f"- {p.exercise.name}: {p.dose.describe()}"
    if p.version.value != "standard":
        line += f" ({p.version.value} version)"
    return line


def _run_lines(run: RunPlan) -> list[str]:
    lines = [f"Warm-up: {run.warm_up_walk_min} min brisk walk"]
    if run.drills:
        lines[-1] += ", then the drills:"
        lines += [_dose_line(p) for p in run.drills]
    effort = f"RPE {run.rpe[0]}-{run.rpe[1]} of 10 (easy, able to talk)"
    if run.continuous:
        lines.append(f"Run: {run.run_s / 60:g} min easy continuous, {effort}")
    else:
        lines.append(f"Intervals: {run.repeats} x ({run.run_s / 60:g} min run, "
                     f"{run.walk_s / 60:g} min walk); run at {effort}")
    if run.cadence_cue_pct:
        lines.append(f"Cadence cue: about +{run.cadence_cue_pct:g}% steps per minute over "
                     "your usual at this pace (not a fixed 180)")
    lines.append(f"Cool-down: {run.cool_down_walk_min} min easy walk")
    lines.append("Terrain: flat" if run.terrain is Terrain.FLAT
                 else "Terrain: flat or gentle uphill (no downhill, no hill sessions)")
    if run.max_distance_m is not None:
        lines.append(f"Longest allowed: {run.max_distance_m / 1000:.1f} km (110% of your "
                     "longest run in the 30 days before)")
    lines.append(f"About {run.est_distance_m / 1000:.1f} km at your easy pace; "
                 f"{_minutes(run.total_min)} in all")
    return lines


def session_description(session: PlannedSession, notice: str) -> str:
    """Plain text for a calendar entry: structure, notes, reason, sources, notice."""
    lines: list[str] = []
    if session.run is not None:
        lines += _run_lines(session.run)
    elif session.kind is SessionKind.CROSS_TRAINING:
        lines.append(f"{(session.activity or 'cross-training').capitalize()}, "
                     f"{_minutes(session.minutes)} at an easy effort")
    elif session.kind is SessionKind.WALK:
        lines.append(f"Walk {_minutes(session.minutes)}"
                     + (" briskly: the readiness walk" if session.gate else ""))
    if session.exercises:
        lines.append("Exercises:")
        lines += [_dose_line(p) for p in session.exercises]
        hows = [f"  {p.exercise.name}: {p.how}" for p in session.exercises if p.how]
        if hows:
            lines.append("How:")
            lines += hows
    if session.notes:
        lines.append("")
        lines += [f"* {n}" for n in session.notes]
    lines += ["", f"Why: {session.reason}"]
    cited = [SOURCES[k].citation for k in session.source_keys if k in SOURCES]
    if cited:
        lines.append("Sources: " + "; ".join(cited))
    lines += ["", notice]
    return "\n".join(lines)


def _check_offset(utc_offset_s: int) -> None:
    if not _OFFSETS_S[0] <= utc_offset_s <= _OFFSETS_S[1]:
        raise ValueError(f"utc_offset_s={utc_offset_s} is not an offset from UTC "
                         "(-12 h to +14 h)")


def _utc(on: date, local: time, utc_offset_s: int) -> datetime:
    """A local wall-clock time on ``on`` as an aware UTC datetime."""
    return (datetime.combine(on, local) - timedelta(seconds=utc_offset_s)).replace(tzinfo=UTC)


def _calendar_description(plan: Plan) -> str:
    if plan.stopped is not None:
        return (f"No sessions: the plan is stopped ({plan.stopped.title}). "
                f"{plan.stopped.advice} Run the back check again once you have been seen.")
    text = (f"backstride plan from {plan.start.isoformat()} to {plan.end.isoformat()}: "
            "runs and walks at 07:00, other sessions from 18:00 (move them as you like); "
            "rest days are not listed.")
    return " ".join([text, *plan.notes])


def plan_to_ics(plan: Plan, *, utc_offset_s: int = 0) -> bytes:
    """The plan's sessions as an iCalendar file (see the module docstring).

    Parameters
    ----------
    plan
        A built plan (:func:`backstride.domain.plan.build_plan`).
    utc_offset_s
        The runner's local offset from UTC [s] (e.g. 7200 for CEST); the events start
        at 07:00 / 18:00 local time and are written in UTC.

    Returns
    -------
    bytes
        UTF-8 ``text/calendar`` with CRLF line ends; no events for a stopped plan.

    Raises
    ------
    ValueError
        When ``utc_offset_s`` is outside -12 h to +14 h.
    """
    _check_offset(utc_offset_s)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"backstride plan from {plan.start.isoformat()}")
    cal.add("x-wr-caldesc", _calendar_description(plan))
    prefix = plan_uid_prefix(plan)
    stamp = datetime.now(UTC).replace(microsecond=0)
    notice = plan.basis.notice
    for day in plan.days():
        evening = _utc(day.on, EVENING, utc_offset_s)
        for index, session in enumerate(day.sessions):
            if session.kind is SessionKind.REST:
                continue
            duration = timedelta(minutes=max(1, round(session.minutes)))
            if session.kind in _MORNING_KINDS:
                start = _utc(day.on, MORNING, utc_offset_s)
            else:
                start, evening = evening, evening + duration + timedelta(minutes=GAP_MIN)
            event = Event()
            event.add("uid", f"{prefix}-{day.on:%Y%m%d}-{index}@backstride")
            event.add("dtstamp", stamp)
            event.add("dtstart", start)
            event.add("duration", duration)
            event.add("summary", session.title)
            event.add("description", session_description(session, notice))
            event.add("categories", [session.kind.value.replace("_", " ")])
            cal.add_component(event)
    return bytes(cal.to_ical())
