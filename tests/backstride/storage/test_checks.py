"""Stored back checks on real SQLite and PostgreSQL: save, read back, latest, previous, history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import pytest

from backstride.domain.answers import parse_answers
from backstride.domain.check import CheckResult, run_check
from backstride.domain.function import FunctionScores, Status
from backstride.errors import NotFoundError
from backstride.knowledge import load_knowledge
from backstride.storage.checks import (
    check_history,
    get_check,
    latest_check,
    previous_check,
    save_check,
)
from backstride.storage.store import Store

KB = load_knowledge()
T0 = datetime(2025, 6, 1, 7, 0, tzinfo=UTC)


def _check(raw: Mapping[str, object], on: date,
           previous: FunctionScores | None = None) -> CheckResult:
    return run_check(parse_answers(raw, KB.questions), knowledge=KB, previous=previous, today=on)


def _pain(pain_now: int, run_score: int) -> dict[str, object]:
    return {"age": 41, "first_episode": False, "weeks_since_onset": 3.5, "pain_now": pain_now,
            "psfs": [{"activity": "run 10 km", "score": run_score}], "spasm": True}


def test_save_and_read_back_everything(store: Store) -> None:
    result = _check(_pain(6, 3), date(2025, 6, 1))
    saved = save_check(store, result, extra={"training_signals": []}, taken_at=T0)
    assert saved.id > 0

    back = get_check(store, saved.id)
    assert back == saved
    assert back.on == date(2025, 6, 1)
    assert back.taken_at == T0 and back.taken_at.tzinfo is not None
    assert back.knowledge_version == KB.version
    assert back.triage_level == result.triage.level.value
    # answers go back through the validator unchanged
    assert parse_answers(back.answers, KB.questions) == result.answers
    assert back.result == {**result.to_dict(), "training_signals": []}
    scores = back.function_scores()
    assert scores == result.function


def test_missing_check_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no check #99"):
        get_check(store, 99)
    assert latest_check(store) is None
    assert check_history(store) == []


def test_latest_previous_and_history_order(store: Store) -> None:
    # saved out of date order: order is by the day a check is for, then when it was taken
    b = save_check(store, _check(_pain(5, 4), date(2025, 6, 8)), taken_at=T0)
    a = save_check(store, _check(_pain(6, 3), date(2025, 6, 1)), taken_at=T0 + timedelta(1))
    c1 = save_check(store, _check(_pain(4, 6), date(2025, 6, 15)), taken_at=T0 + timedelta(2))
    c2 = save_check(store, _check(_pain(3, 7), date(2025, 6, 15)), taken_at=T0 + timedelta(3))

    assert [c.id for c in check_history(store)] == [a.id, b.id, c1.id, c2.id]
    assert [c.id for c in check_history(store, limit=2)] == [c1.id, c2.id]
    latest = latest_check(store)
    assert latest is not None and latest.id == c2.id
    earlier = latest_check(store, on_or_before=date(2025, 6, 10))
    assert earlier is not None and earlier.id == b.id
    assert latest_check(store, on_or_before=date(2025, 5, 31)) is None

    before_c2 = previous_check(store, c2)
    assert before_c2 is not None and before_c2.id == c1.id
    before_b = previous_check(store, b)
    assert before_b is not None and before_b.id == a.id
    assert previous_check(store, a) is None


def test_with_function_skips_a_check_stopped_at_a_red_flag(store: Store) -> None:
    first = save_check(store, _check(_pain(6, 3), date(2025, 6, 1)), taken_at=T0)
    stopped = save_check(store, _check({"saddle_numbness": True}, date(2025, 6, 3)),
                         taken_at=T0 + timedelta(2))
    assert stopped.triage_level == "emergency"
    assert stopped.function_scores() is None

    plain = latest_check(store)
    assert plain is not None and plain.id == stopped.id
    useful = latest_check(store, with_function=True)
    assert useful is not None and useful.id == first.id
    previous = previous_check(store, stopped, with_function=True)
    assert previous is not None and previous.id == first.id


def test_stored_scores_drive_the_change_of_the_next_check(store: Store) -> None:
    save_check(store, _check(_pain(6, 3), date(2025, 6, 1)), taken_at=T0)
    previous = latest_check(store, on_or_before=date(2025, 6, 15), with_function=True)
    assert previous is not None
    result = _check(_pain(3, 7), date(2025, 6, 15), previous=previous.function_scores())
    assert result.change is not None
    statuses = {c.measure: c.status for c in result.change.changes}
    assert statuses["pain_now"] is Status.IMPROVED
    assert statuses["psfs_mean"] is Status.IMPROVED
    saved = save_check(store, result)
    change = get_check(store, saved.id).result["change"]
    assert change["previous_on"] == "2025-06-01"
    assert change["overall"] == "improved"
