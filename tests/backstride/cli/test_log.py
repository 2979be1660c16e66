"""``backstride log`` end to end: store a day, print what it does to the plan (real SQLite)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from tests.helpers.cli import flat_text, json_object, one_error_line
from typer.testing import Result

from backstride.domain.triage import TriageLevel
from backstride.knowledge import load_knowledge

KB = load_knowledge()
EMERGENCY_ADVICE = KB.triage.levels[TriageLevel.EMERGENCY].advice
START = date(2025, 6, 2)
EASY: dict[str, object] = {"age": 35, "pain_now": 3, "pain_during_run": 2,
                           "weeks_since_onset": 2, "spasm": True, "pain_one_side": True}

Invoke = Callable[..., Result]


def _day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


@pytest.fixture
def planned(invoke: Invoke, home: Path, run_check: Callable[..., Result]) -> Path:
    """A home with a check and a plan from START (no runs stored: walking first)."""
    run_check(EASY)
    assert invoke("plan", "--start", START.isoformat()).exit_code == 0
    return home


def test_pain_8_steps_back(invoke: Invoke, planned: Path) -> None:
    result = invoke("log", "--date", _day(1), "--pain-during", "8", "--pain-after", "6",
                    "--done", "walk", "--morning", "same")
    assert result.exit_code == 0, result.output
    assert "STEP BACK" in result.stdout
    assert "Pain reached 8/10, above 5/10" in result.stdout
    assert "silbernagel2007 (expert)" in result.stdout
    data = json_object(invoke("log", "--date", _day(1), "--json"))
    assert data["replaced"] is True and data["decision"]["action"] == "step_back"
    assert data["checkin"]["pain_during"] == 8  # kept from the first record


def test_new_red_flag_stops_the_plan_and_says_run_the_check(invoke: Invoke,
                                                              planned: Path) -> None:
    result = invoke("log", "--date", _day(1), "--pain-during", "3", "--pain-after", "3",
                    "--red-flag", "saddle_numbness")
    assert result.exit_code == 0, result.output
    flat = flat_text(result.stdout)
    assert flat.index(" ".join(EMERGENCY_ADVICE.split()[:8])) < flat.index("STOP")
    assert "Run `backstride check` again" in flat
    assert "STOP" in flat
    today = invoke("today", "--date", _day(2))
    assert today.exit_code == 0 and "stopped" in today.stdout
    assert "Easy run" not in today.stdout and "Walk" not in today.stdout
    plan = invoke("plan", "--start", _day(2))
    assert plan.exit_code == 1
    assert "run `backstride check` again" in plan.stderr
    assert "emergency department" in flat_text(plan.stderr)


def test_non_urgent_red_flag_asks_for_the_check_now(invoke: Invoke, planned: Path) -> None:
    data = json_object(invoke("log", "--date", _day(1), "--pain-during", "2", "--pain-after", "2",
                        "--red-flag", "night_pain", "--json"))
    assert data["decision"]["action"] == "stop"
    assert data["red_flag"]["keys"] == ["night_pain"]
    assert data["red_flag"]["level"] == "soon"
    assert "run the check again" in data["decision"]["instruction"].lower()


def test_pain_2_settled_progresses_after_the_stage(invoke: Invoke, planned: Path) -> None:
    walk = json_object(invoke("log", "--date", _day(0), "--pain-during", "2", "--pain-after", "1",
                        "--done", "walk", "--walk-min", "30", "--json"))
    # the next morning is not known yet: hold
    assert walk["decision"]["action"] == "hold"
    assert {r["rule"] for r in walk["decision"]["reasons"]} == {"morning_unknown"}
    # answered the next day for the previous date: the readiness walk passes
    morning = invoke("log", "--date", _day(0), "--morning", "same")
    assert morning.exit_code == 0, morning.output
    assert "PROGRESS" in morning.stdout and "walk-run stage 1" in morning.stdout
    first = json_object(invoke("log", "--date", _day(2), "--pain-during", "2", "--pain-after", "2",
                         "--done", "run", "--morning", "same", "--json"))
    assert first["decision"]["action"] == "hold" and first["decision"]["level"] == 1
    second = json_object(invoke("log", "--date", _day(4), "--pain-during", "1", "--pain-after",
                          "1", "--done", "run,strength", "--morning", "better", "--rpe", "4",
                          "--json"))
    assert second["decision"]["action"] == "progress" and second["decision"]["level"] == 2
    assert second["checkin"]["sessions_done"] == ["run", "strength"]


@pytest.mark.parametrize(("args", "option"), [
    (["--pain-during", "11", "--pain-after", "2"], "--pain-during"),
    (["--pain-during", "2", "--pain-after", "-1"], "--pain-after"),
    (["--pain-during", "2", "--pain-after", "2", "--stiffness", "12"], "--stiffness"),
    (["--pain-during", "2", "--pain-after", "2", "--rpe", "11"], "--rpe"),
    (["--pain-during", "2", "--pain-after", "2", "--morning", "fine"], "--morning"),
    (["--pain-during", "2", "--pain-after", "2", "--done", "yoga"], "--done"),
    (["--pain-during", "2", "--pain-after", "2", "--walk-min", "-5"], "--walk-min"),
    (["--pain-during", "2"], "--pain-after"),
    (["--pain-during", "2", "--pain-after", "2", "--date", "2999-01-01"], "--date"),
])
def test_bad_values_are_one_line_naming_the_option(invoke: Invoke, home: Path,
                                                   args: list[str], option: str) -> None:
    result = invoke("log", *args)
    assert result.exit_code == 2
    assert option in one_error_line(result.stderr)
    assert result.stdout == ""


def test_unknown_red_flag_lists_the_keys(invoke: Invoke, home: Path) -> None:
    result = invoke("log", "--pain-during", "2", "--pain-after", "2", "--red-flag", "dizzy")
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert "--red-flag 'dizzy'" in line
    assert all(r.key in line for r in KB.triage.rules)


def test_log_without_a_plan_is_saved(invoke: Invoke, home: Path) -> None:
    data = json_object(invoke("log", "--date", _day(0), "--pain-during", "4", "--pain-after", "3",
                        "--notes", "sore after sitting", "--leg-symptoms", "--json"))
    assert data["decision"] is None and "backstride check" in data["note"]
    assert data["checkin"]["notes"] == "sore after sitting"
    assert data["checkin"]["leg_symptoms"] is True
    human = invoke("log", "--date", _day(0), "--stiffness", "3")
    assert human.exit_code == 0 and "replaced" in human.stdout


def test_day_before_the_plan_is_said(invoke: Invoke, planned: Path) -> None:
    result = invoke("log", "--date", _day(-1), "--pain-during", "2", "--pain-after", "1")
    assert result.exit_code == 0, result.output
    assert "before the plan's first day" in result.stderr
