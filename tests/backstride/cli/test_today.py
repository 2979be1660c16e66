"""``backstride today`` end to end (real SQLite, the real demo year for runs)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.helpers.cli import flat_text, json_object, one_error_line
from typer.testing import Result

from backstride.domain.triage import TriageLevel
from backstride.knowledge import load_knowledge

KB = load_knowledge()
EMERGENCY_ADVICE = KB.triage.levels[TriageLevel.EMERGENCY].advice
START = date(2025, 6, 2)
EASY: dict[str, object] = {"age": 35, "pain_now": 3, "pain_during_run": 2,
                           "weeks_since_onset": 2, "spasm": True, "pain_one_side": True}
TODAY_KEYS = {"on", "status", "headline", "sessions", "why", "referrals", "reminders",
              "phase", "week", "level", "level_text", "decision", "exercises"}

Invoke = Callable[..., Result]


def test_nothing_stored_says_what_to_run(invoke: Invoke, home: Path,
                                         run_check: Callable[..., Result]) -> None:
    first = invoke("today")
    assert first.exit_code == 1 and "backstride check" in one_error_line(first.stderr)
    run_check(EASY)
    second = invoke("today", "--date", START.isoformat())
    assert second.exit_code == 1 and "backstride plan" in one_error_line(second.stderr)


def test_emergency_check_says_stop_and_where_to_go(invoke: Invoke, home: Path,
                                                   run_check: Callable[..., Result]) -> None:
    run_check({"saddle_numbness": True})
    for _ in range(2):  # before and after `backstride plan`
        result = invoke("today", "--date", START.isoformat())
        assert result.exit_code == 0, result.output
        flat = flat_text(result.stdout)
        assert " ".join(EMERGENCY_ADVICE.split()) in flat
        assert "stopped" in flat
        data = json_object(invoke("today", "--date", START.isoformat(), "--json"))
        assert data["status"] == "stopped" and data["sessions"] == []
        assert invoke("plan", "--start", START.isoformat()).exit_code == 0


def test_a_run_day_with_warm_up_structure_and_why(invoke: Invoke, demo_home: Path,
                                                  demo: Any,
                                                  run_check: Callable[..., Result]) -> None:
    run_check(EASY, demo.end)
    assert invoke("plan", "--start", demo.end.isoformat()).exit_code == 0
    result = invoke("today", "--date", demo.end.isoformat())
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "active" in out and "week 1" in out
    assert "Warm up:" in out and "Today's run:" in out and "easy (RPE 3-5)" in out
    assert "Why: Week 1" in out and "Pain rule" in out
    data = json_object(invoke("today", "--date", demo.end.isoformat(), "--json"))
    assert set(data) >= TODAY_KEYS and data["status"] == "active"
    run = next(s for s in data["sessions"] if s["kind"] == "run")
    assert run["run"]["workout"] and run["run"]["warm_up_walk_min"] > 0
    # a rest day the day after
    rest = json_object(invoke("today", "--date", (demo.end + timedelta(days=6)).isoformat(),
                        "--json"))
    assert [s["kind"] for s in rest["sessions"]] == ["rest"]


def test_walk_run_structure_and_step_back_after_a_bad_day(
        invoke: Invoke, home: Path, run_check: Callable[..., Result]) -> None:
    run_check(EASY)
    assert invoke("plan", "--start", START.isoformat()).exit_code == 0
    day0 = START.isoformat()
    assert invoke("log", "--date", day0, "--pain-during", "1", "--pain-after", "1",
                  "--done", "walk", "--walk-min", "35", "--morning", "same").exit_code == 0
    # today never goes above the calendar's day (a walk in week 1); week 3 has runs
    walk_day = json_object(invoke("today", "--date", (START + timedelta(days=2)).isoformat(),
                            "--json"))
    assert walk_day["level"] == 1 and walk_day["sessions"][0]["kind"] == "walk"
    run_day = START + timedelta(days=14)
    data = json_object(invoke("today", "--date", run_day.isoformat(), "--json"))
    assert data["level"] == 1
    run = next(s for s in data["sessions"] if s["kind"] == "run")
    assert run["run"]["walk_s"] > 0 and "walk" in run["run"]["text"]
    assert any(r.startswith("Today's run:") for r in data["reminders"])
    assert invoke("log", "--date", run_day.isoformat(), "--pain-during", "7", "--pain-after",
                  "7", "--done", "run", "--morning", "worse").exit_code == 0
    later = json_object(invoke("today", "--date", (run_day + timedelta(days=2)).isoformat(),
                         "--json"))
    assert later["level"] == 0 and later["decision"]["action"] == "step_back"
    assert later["sessions"][0]["kind"] == "walk"
