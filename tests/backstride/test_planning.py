"""The planning service on real SQLite: plan from the latest check, check-ins, today."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from backstride.domain.adaptation import Action, CheckIn, Morning
from backstride.domain.answers import parse_answers
from backstride.domain.check import run_check
from backstride.domain.ladder import WALK_LEVEL
from backstride.domain.plan import Plan, SessionKind
from backstride.domain.today import Status
from backstride.domain.triage import TriageLevel
from backstride.errors import InputError, NotFoundError
from backstride.knowledge import load_knowledge
from backstride.knowledge.exercises import load_exercises
from backstride.planning import (
    RedFlagStopError,
    active_plan,
    advice_for,
    decide,
    history,
    make_plan,
    merge_checkin,
    record_checkin,
)
from backstride.settings import Settings
from backstride.storage.checks import StoredCheck, save_check
from backstride.storage.plans import active_plan_record, get_checkin
from backstride.storage.store import Store

KB = load_knowledge()
LIB = load_exercises()
START = date(2025, 6, 2)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
EASY = {"age": 35, "pain_now": 3, "pain_during_run": 2, "weeks_since_onset": 2,
        "spasm": True, "pain_one_side": True}
EMERGENCY_ADVICE = KB.triage.levels[TriageLevel.EMERGENCY].advice
RUN, WALK = (SessionKind.RUN,), (SessionKind.WALK,)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    home = tmp_path / "home"
    with Store.open(Settings(home=home, database_url=f"sqlite:///{home / 'db.sqlite3'}")) as s:
        yield s


def check(store: Store, raw: Mapping[str, object], on: date = START,
          taken_at: datetime | None = LONG_AGO) -> StoredCheck:
    result = run_check(parse_answers(raw, KB.questions), knowledge=KB, today=on)
    return save_check(store, result, taken_at=taken_at)


def plan_on(store: Store, on: date = START, weeks: int = 12) -> Plan:
    return make_plan(store, on=on, weeks=weeks, knowledge=KB, exercises=LIB)


def day(n: int) -> date:
    return START + timedelta(days=n)


def log(store: Store, n: int, kinds: tuple[SessionKind, ...] = RUN, **kw: object) -> None:
    values: dict[str, object] = {"pain_during": 2, "pain_after": 1,
                                 "morning_vs_usual": Morning.SAME, "sessions_done": kinds}
    values.update(kw)
    record_checkin(store, CheckIn(day(n), **values), knowledge=KB)  # type: ignore[arg-type]


def test_no_check_is_a_clear_error(store: Store) -> None:
    with pytest.raises(NotFoundError, match=r"run `backstride check` first"):
        plan_on(store)
    with pytest.raises(NotFoundError, match="backstride check"):
        advice_for(store, START)
    with pytest.raises(NotFoundError, match="backstride check"):
        decide(store, START)
    assert active_plan(store, LIB) is None


def test_emergency_check_no_sessions_and_today_says_where_to_go(store: Store) -> None:
    check(store, {"saddle_numbness": True})
    # before any plan: today already says where to go
    early = advice_for(store, START)
    assert early.status is Status.STOPPED and EMERGENCY_ADVICE in early.headline
    plan = plan_on(store)
    assert plan.stopped is not None and plan.weeks == () and list(plan.sessions()) == []
    advice = advice_for(store, day(3))
    assert advice.status is Status.STOPPED and advice.sessions == ()
    assert "emergency department" in advice.headline


def test_soon_gives_gentle_walks_and_mobility_only(store: Store) -> None:
    check(store, {**EASY, "night_pain": True})
    plan = plan_on(store)
    assert plan.limited and 1 <= len(plan.weeks) <= 2
    assert {s.kind for _, s in plan.sessions()} <= {SessionKind.WALK, SessionKind.MOBILITY,
                                                    SessionKind.REST}
    assert plan.actions[0].category == "referral"
    assert advice_for(store, START).status is Status.LIMITED


def test_plan_is_stored_small_and_rebuilt_exactly(store: Store) -> None:
    stored = check(store, EASY)
    plan = plan_on(store, weeks=4)
    record = active_plan_record(store)
    assert record is not None and record.check_id == stored.id and record.weeks == 4
    assert active_plan(store, LIB) == plan
    assert record.state["state"]["level"] == plan.start_level == WALK_LEVEL  # no runs stored


def test_plan_cannot_start_before_the_check(store: Store) -> None:
    check(store, EASY, on=day(5))
    with pytest.raises(InputError, match="cannot start before your latest check"):
        plan_on(store, START)


def test_pain_2_and_settled_progress_after_the_stages_sessions(store: Store) -> None:
    check(store, EASY)
    plan_on(store)  # no stored runs: walking first, then the walk-run ladder
    log(store, 0, WALK, walk_minutes=30.0)
    first = decide(store, day(0), knowledge=KB)
    assert first.action is Action.PROGRESS and first.state.level == 1
    log(store, 2)
    held = decide(store, day(2), knowledge=KB)
    assert held.action is Action.HOLD and held.state.acceptable == 1
    log(store, 4)
    moved = decide(store, day(4), knowledge=KB)
    assert moved.action is Action.PROGRESS and moved.state.level == 2
    record = active_plan_record(store)
    assert record is not None and record.state["state"]["level"] == 2
    assert record.state["action"] == "progress"
    # the earlier day's decision is still available by date
    assert decide(store, day(2), knowledge=KB).action is Action.HOLD


def test_pain_8_steps_back(store: Store) -> None:
    check(store, EASY)
    plan_on(store)
    log(store, 0, WALK, walk_minutes=30.0)
    log(store, 2, pain_during=8, pain_after=6)
    decision = decide(store, day(2), knowledge=KB)
    assert decision.action is Action.STEP_BACK and decision.state.level == WALK_LEVEL
    assert any("8/10" in r.text for r in decision.reasons)


def test_replanning_from_the_same_check_keeps_the_adapted_level(store: Store) -> None:
    check(store, EASY)
    plan_on(store)
    log(store, 0, WALK, walk_minutes=30.0)
    log(store, 2)
    log(store, 4)
    again = plan_on(store, day(6))
    assert again.requested_level == 2 and again.start_level == 2


def test_new_red_flag_stops_the_plan_until_the_check_is_run_again(store: Store) -> None:
    check(store, EASY)
    plan_on(store)
    log(store, 1, new_red_flags=("saddle_numbness",))
    decision = decide(store, day(1), knowledge=KB)
    assert decision.action is Action.STOP and decision.state.stopped
    assert EMERGENCY_ADVICE in decision.instruction
    assert "run the check again" in decision.instruction
    later = advice_for(store, day(2))
    assert later.status is Status.STOPPED and later.sessions == ()
    with pytest.raises(RedFlagStopError, match="run `backstride check` again") as stopped:
        plan_on(store, day(2))
    assert stopped.value.advice is not None and stopped.value.advice.level.urgent
    # answering the morning later keeps the sign's first time: still newer than the check
    existing = get_checkin(store, day(1))
    assert existing is not None
    record_checkin(store, merge_checkin(existing.checkin, day(1),
                                        {"morning_vs_usual": Morning.WORSE}), knowledge=KB)
    with pytest.raises(RedFlagStopError):
        plan_on(store, day(2))
    # the check run again (after the sign) supersedes it: a new plan is not stopped
    check(store, EASY, on=day(2), taken_at=None)
    plan = plan_on(store, day(2))
    assert plan.stopped is None
    assert advice_for(store, day(2)).status is Status.ACTIVE
    checkins, decisions = history(store, day(2), knowledge=KB)
    assert [c.new_red_flags for c in checkins] == [()]
    assert all(d.action is not Action.STOP for d in decisions)


def test_red_flag_logged_today_stops_today(store: Store) -> None:
    check(store, EASY)
    plan_on(store)
    assert advice_for(store, day(2)).status is Status.ACTIVE
    log(store, 2, new_red_flags=("fever",))
    advice = advice_for(store, day(2))
    assert advice.status is Status.STOPPED and advice.sessions == ()
    assert any("run the check again" in r.lower() for r in advice.reminders)


def test_red_flag_logged_before_the_plan_starts_stops_it(store: Store) -> None:
    check(store, EASY)
    plan_on(store, day(3))
    log(store, 1, new_red_flags=("leg_weakness",))
    assert decide(store, day(5), knowledge=KB).action is Action.STOP
    assert advice_for(store, day(4)).status is Status.STOPPED


def test_a_newer_check_makes_the_plan_outdated(store: Store) -> None:
    check(store, EASY)
    plan_on(store)
    check(store, EASY, on=day(3), taken_at=LONG_AGO + timedelta(days=1))
    outdated = advice_for(store, day(3))
    assert outdated.status is Status.OUTSIDE and outdated.sessions == ()
    assert "backstride plan" in outdated.headline
    check(store, {"bladder_change": True}, on=day(4), taken_at=LONG_AGO + timedelta(days=2))
    urgent = advice_for(store, day(4))
    assert urgent.status is Status.STOPPED and EMERGENCY_ADVICE in urgent.headline


def test_unknown_red_flag_key_lists_the_known_ones(store: Store) -> None:
    with pytest.raises(InputError, match="saddle_numbness"):
        record_checkin(store, CheckIn(START, new_red_flags=("bogus",)), knowledge=KB)


def test_merge_keeps_what_is_not_given() -> None:
    first = CheckIn(START, pain_during=3, pain_after=2, sessions_done=RUN, notes="hilly")
    merged = merge_checkin(first, START, {"morning_vs_usual": Morning.BETTER,
                                          "pain_during": None})
    assert merged.pain_during == 3 and merged.notes == "hilly"
    assert merged.morning_vs_usual is Morning.BETTER
    fresh = merge_checkin(None, START, {"pain_during": 1, "pain_after": 0})
    assert fresh.on == START and fresh.pain == 1
    with pytest.raises(ValueError, match="0-10"):
        merge_checkin(None, START, {"pain_during": 12})


def test_plan_from_the_demo_year_has_runs(demo_db: Path, tmp_path: Path, demo) -> None:
    import shutil

    home = tmp_path / "home"
    shutil.copytree(demo_db, home)
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'backstride.sqlite3'}")
    with Store.open(settings) as store:
        check(store, EASY, on=demo.end)
        plan = plan_on(store, demo.end)
        runs = [s.run for _, s in plan.sessions() if s.run is not None]
        assert plan.basis.baseline.has_recent_runs and plan.start_level > WALK_LEVEL
        assert runs and all(r.max_distance_m is not None for r in runs[:3])
        log_day = demo.end + timedelta(days=2)
        record_checkin(store, CheckIn(log_day, pain_during=8, pain_after=7,
                                      morning_vs_usual=Morning.WORSE, sessions_done=RUN))
        decision = decide(store, log_day)
        assert decision.action is Action.STEP_BACK
        assert decision.state.level == plan.start_level - 1
