"""The plan as iCalendar: every file is parsed back with the icalendar library."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event

from backstride.domain.answers import parse_answers
from backstride.domain.check import run_check
from backstride.domain.ladder import RunningBaseline
from backstride.domain.plan import Plan, SessionKind, build_plan
from backstride.domain.signal import Level, Signal
from backstride.exporters.ics import GAP_MIN, PRODID, plan_to_ics, plan_uid_prefix
from backstride.knowledge import load_knowledge
from backstride.knowledge.exercises import load_exercises

KB = load_knowledge()
LIB = load_exercises()
START = date(2025, 6, 2)
CEST = 7200
UID = re.compile(r"^[0-9a-f]{16}-\d{8}-\d+@backstride$")

#: Running hurts (5/10): walks first, then the walk-run ladder; cadence flagged.
WALK_FIRST = {"age": 30, "hill_running": True, "pain_now": 3, "pain_during_run": 5,
              "recent_mileage_increase": True, "shoe_pairs": 1, "shoe_distance_km": 850}
#: Desk-bound runner, running fine: continuous running from the first day.
DESK = {"age": 34, "desk_hours_per_day": 10, "strength_sessions_per_week": 0,
        "worse_sitting": True, "pain_now": 3, "pain_during_run": 2}
BASE = RunningBaseline(longest_run_m=12_000, weekly_run_km=30, easy_pace_s_per_km=360)


def sig(key: str, source: str, level: Level = Level.WARN) -> Signal:
    return Signal(key=key, level=level, value=1.5, unit="ratio", threshold=1.3,
                  threshold_name=None, explanation=f"{key} rose", advice=f"Ease off: {key}.",
                  source_key=source)


CADENCE = [sig("cadence", "heiderscheit2011", Level.WATCH)]


def plan_for(raw: Mapping[str, object], signals: Sequence[Signal] = (), weeks: int = 12,
             baseline: RunningBaseline = BASE) -> Plan:
    c = run_check(parse_answers(raw, KB.questions), knowledge=KB, signals=list(signals),
                  today=START)
    return build_plan(c, list(signals), start=START, exercises=LIB, weeks=weeks,
                      baseline=baseline)


def parse(data: bytes) -> tuple[Calendar, list[Event]]:
    cal = Calendar.from_ical(data)
    return cal, list(cal.walk("VEVENT"))


def utc(event: Event) -> datetime:
    start = event.decoded("dtstart")
    assert isinstance(start, datetime) and start.tzinfo is not None
    return start.astimezone(UTC)


def text(event: Event, name: str) -> str:
    return str(event.get(name))


def category(event: Event) -> str:
    (only,) = event.categories
    return str(only)


def test_calendar_of_a_walk_first_plan() -> None:
    plan = plan_for(WALK_FIRST, CADENCE)
    data = plan_to_ics(plan, utc_offset_s=CEST)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))      # RFC 5545 folding
    cal, events = parse(data)
    assert str(cal["prodid"]) == PRODID and str(cal["version"]) == "2.0"
    assert str(cal["calscale"]) == "GREGORIAN"
    assert "rest days are not listed" in str(cal["x-wr-caldesc"])
    sessions = [(on, s) for on, s in plan.sessions() if s.kind is not SessionKind.REST]
    assert len(events) == len(sessions) > 60
    uids = [text(e, "uid") for e in events]
    assert len(set(uids)) == len(uids) and all(UID.match(u) for u in uids)
    assert all(u.startswith(plan_uid_prefix(plan)) for u in uids)
    for event, (on, session) in zip(events, sessions, strict=True):
        start = utc(event)
        local = start + timedelta(seconds=CEST)
        assert local.date() == on
        assert event.decoded("duration") == timedelta(minutes=max(1, round(session.minutes)))
        assert text(event, "summary") == session.title
        assert text(event, "uid").split("-")[1] == f"{on:%Y%m%d}"
        description = text(event, "description")
        assert "not a diagnosis" in description and f"Why: {session.reason}" in description
        if session.kind in (SessionKind.RUN, SessionKind.WALK):
            assert (local.hour, local.minute) == (7, 0)
            assert start.hour == 5                                     # written in UTC
        else:
            assert local.hour >= 18
    first = events[0]
    assert text(first, "summary") == "Walk 15 min, flat"
    assert first.to_ical().decode().count("DTSTART:20250602T050000Z") == 1


def test_run_and_strength_descriptions() -> None:
    plan = plan_for(WALK_FIRST, CADENCE)
    _, events = parse(plan_to_ics(plan))
    by_title = {text(e, "summary"): text(e, "description") for e in events}
    stage3 = by_title["Walk-run stage 3: 3 min run / 2 min walk x 5"]
    for words in ("Warm-up: 5 min brisk walk, then the drills:", "- Leg swings:",
                  "Intervals: 5 x (3 min run, 2 min walk); run at RPE 3-5 of 10",
                  "Cadence cue: about +5% steps per minute", "Cool-down: 5 min easy walk",
                  "Terrain: flat", "Heiderscheit et al. 2011", "not a diagnosis"):
        assert words in stage3, words
    strength = next(d for t, d in by_title.items() if t.startswith("Strength and mobility"))
    assert "Exercises:\n- McGill curl-up: " in strength and "repetitions" in strength
    assert "Hayden et al. 2021" in strength
    walk_run = [e for e in events if text(e, "summary").startswith("Walk-run stage")]
    assert walk_run and {category(e) for e in walk_run} == {"run"}


def test_evening_sessions_follow_each_other() -> None:
    plan = plan_for(DESK)
    _, events = parse(plan_to_ics(plan, utc_offset_s=-5 * 3600))
    day = next(d for d in plan.days() if len(d.sessions) >= 2 and d.run is None)
    todays = [e for e in events if (utc(e) - timedelta(hours=5)).date() == day.on]
    assert len(todays) == len(day.sessions) >= 2
    first, second = todays[0], todays[1]
    assert utc(first) == datetime.combine(day.on, datetime.min.time(), UTC) + timedelta(
        hours=23)                                                    # 18:00 at UTC-5
    assert utc(second) == utc(first) + first.decoded("duration") + timedelta(minutes=GAP_MIN)
    runs = [e for e in events if text(e, "summary").startswith("Easy run")]
    assert runs and "Run: 30 min easy continuous" in text(runs[0], "description")


def test_uids_are_stable() -> None:
    a, b = plan_for(DESK), plan_for(DESK)
    uids_a = [text(e, "uid") for e in parse(plan_to_ics(a))[1]]
    uids_b = [text(e, "uid") for e in parse(plan_to_ics(b, utc_offset_s=3600))[1]]
    assert uids_a == uids_b
    other = [text(e, "uid") for e in parse(plan_to_ics(plan_for(WALK_FIRST)))[1]]
    assert not set(uids_a) & set(other)


def test_stopped_plan_is_an_empty_calendar_that_says_why() -> None:
    plan = plan_for({"saddle_numbness": True, "pain_now": 5})
    assert plan.stopped is not None
    cal, events = parse(plan_to_ics(plan))
    assert events == []
    why = str(cal["x-wr-caldesc"])
    assert "No sessions: the plan is stopped" in why and "emergency department" in why


def test_limited_plan_has_walks_and_mobility_only() -> None:
    plan = plan_for({"age": 16, "pain_on_extension": True, "weeks_since_onset": 3,
                     "pain_now": 3})
    assert plan.limited
    _, events = parse(plan_to_ics(plan))
    assert events and {category(e) for e in events} == {"walk", "mobility"}
    assert not any("Intervals" in text(e, "description") for e in events)


@pytest.mark.parametrize("offset", [-13 * 3600, 15 * 3600])
def test_offset_out_of_range(offset: int) -> None:
    with pytest.raises(ValueError, match="offset from UTC"):
        plan_to_ics(plan_for(DESK, weeks=1), utc_offset_s=offset)


answers = st.fixed_dictionaries({}, optional={
    "age": st.integers(14, 80), "pain_now": st.integers(0, 6),
    "pain_during_run": st.integers(0, 6), "pain_below_knee": st.booleans(),
    "leg_tingling_or_numbness": st.booleans(), "pain_on_extension": st.booleans(),
    "worse_sitting": st.booleans(), "desk_hours_per_day": st.integers(0, 12),
    "hill_running": st.booleans(), "shoe_distance_km": st.integers(0, 1200),
    "saddle_numbness": st.booleans(), "fever": st.booleans(), "night_pain": st.booleans()})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=answers, weeks=st.integers(1, 6), offset=st.integers(-12, 14))
def test_any_plan_gives_a_valid_calendar(raw: dict[str, object], weeks: int,
                                         offset: int) -> None:
    plan = plan_for(raw, weeks=weeks)
    _, events = parse(plan_to_ics(plan, utc_offset_s=offset * 3600))
    expected = [(on, s) for on, s in plan.sessions() if s.kind is not SessionKind.REST]
    assert len(events) == len(expected)
    assert len({text(e, "uid") for e in events}) == len(events)
    for event, (on, session) in zip(events, expected, strict=True):
        assert (utc(event) + timedelta(hours=offset)).date() == on
        assert text(event, "summary") == session.title
        assert event.decoded("duration") >= timedelta(minutes=1)
    if plan.stopped is not None:
        assert events == []
