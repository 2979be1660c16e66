"""Stored plans and check-ins on real SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from backstride.domain.answers import parse_answers
from backstride.domain.check import run_check
from backstride.domain.checkin import CheckIn, Morning
from backstride.domain.ladder import RunningBaseline
from backstride.domain.plan import Plan, SessionKind, build_plan, plan_from_dict
from backstride.knowledge import load_knowledge
from backstride.knowledge.exercises import load_exercises
from backstride.storage.checks import save_check
from backstride.storage.plans import (
    REBUILD_KEYS,
    active_plan_record,
    get_checkin,
    list_checkins,
    save_checkin,
    save_plan,
    update_plan_state,
)
from backstride.storage.store import Store

KB = load_knowledge()
LIB = load_exercises()
START = date(2025, 6, 2)
T0 = datetime(2025, 6, 2, 7, 0, tzinfo=UTC)
EASY = {"age": 35, "pain_now": 2, "pain_during_run": 2, "desk_hours_per_day": 9}


def _plan(raw: Mapping[str, object] = EASY, start: date = START) -> Plan:
    check = run_check(parse_answers(raw, KB.questions), knowledge=KB, today=start)
    return build_plan(check, [], start=start, exercises=LIB, weeks=12,
                      baseline=RunningBaseline(longest_run_m=9000, weekly_run_km=25))


def test_plan_keeps_only_the_rebuild_fields_and_rebuilds_exactly(store: Store) -> None:
    plan = _plan()
    result = run_check(parse_answers(EASY, KB.questions), knowledge=KB, today=START)
    check = save_check(store, result, taken_at=T0)
    saved = save_plan(store, plan, state={"state": {"level": 3}}, check_id=check.id,
                      created_at=T0)
    back = active_plan_record(store)
    assert back == saved and back.active and back.check_id == check.id
    assert back.start == START and back.weeks == 12
    assert set(back.plan) == {"schema", *REBUILD_KEYS}
    assert len(json.dumps(back.plan)) < 20_000 < len(json.dumps(plan.to_dict()))
    assert plan_from_dict(back.plan, exercises=LIB) == plan
    assert back.state == {"state": {"level": 3}}


def test_a_new_plan_deactivates_the_old_one(store: Store) -> None:
    first = save_plan(store, _plan(), state={}, check_id=None, created_at=T0)
    second = save_plan(store, _plan(start=START + timedelta(7)), state={}, check_id=None,
                       created_at=T0 + timedelta(hours=1))
    active = active_plan_record(store)
    assert active is not None and active.id == second.id != first.id
    with store.session() as session:
        from sqlalchemy import text

        rows = session.execute(text("SELECT id, active FROM plans ORDER BY id")).all()
    assert [(r[0], bool(r[1])) for r in rows] == [(first.id, False), (second.id, True)]
    update_plan_state(store, second.id, {"state": {"stopped": True}})
    again = active_plan_record(store)
    assert again is not None and again.state == {"state": {"stopped": True}}


def test_no_plan_yet(store: Store) -> None:
    assert active_plan_record(store) is None
    assert list_checkins(store) == []
    assert get_checkin(store, START) is None


def test_checkin_is_saved_and_replaced_per_day(store: Store) -> None:
    day = CheckIn(START, pain_during=3, pain_after=2, sessions_done=(SessionKind.RUN,),
                  rpe=4, notes="easy 20 min")
    saved = save_checkin(store, day, recorded_at=T0)
    assert saved.red_flags_since is None
    assert get_checkin(store, START) == saved
    # the next morning, answered the day after: the same day is replaced, not added
    filled = CheckIn(START, pain_during=3, pain_after=2, sessions_done=(SessionKind.RUN,),
                     rpe=4, morning_vs_usual=Morning.SAME, notes="easy 20 min")
    save_checkin(store, filled, recorded_at=T0 + timedelta(days=1))
    [row] = list_checkins(store)
    assert row.checkin == filled
    assert row.recorded_at == T0 + timedelta(days=1)


def test_checkins_in_a_range_oldest_first(store: Store) -> None:
    for n in (4, 0, 2, 9):
        save_checkin(store, CheckIn(START + timedelta(n), pain_during=n, pain_after=n))
    assert [c.on.day for c in list_checkins(store)] == [2, 4, 6, 11]
    found = list_checkins(store, start=START + timedelta(1), end=START + timedelta(4))
    assert [c.checkin.pain_during for c in found] == [2, 4]
    assert [c.on.day for c in list_checkins(store, end=START + timedelta(2))] == [2, 4]


def test_red_flags_keep_when_they_were_first_recorded(store: Store) -> None:
    flagged = CheckIn(START, pain_during=2, pain_after=2, new_red_flags=("fever",))
    saved = save_checkin(store, flagged, recorded_at=T0)
    assert saved.red_flags_since == T0
    later = save_checkin(store, flagged, recorded_at=T0 + timedelta(days=1),
                         red_flags_since=T0)
    assert later.red_flags_since == T0
    back = get_checkin(store, START)
    assert back is not None and back.red_flags_since == T0
    assert back.red_flags_since.tzinfo is not None
    assert back.checkin.new_red_flags == ("fever",)
