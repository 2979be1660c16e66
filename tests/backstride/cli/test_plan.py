"""``backstride plan`` and ``backstride plan export`` end to end (real SQLite, no mocks)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.cli import flat_text, json_object, one_error_line
from typer.testing import Result

from backstride.domain.triage import TriageLevel
from backstride.knowledge import load_knowledge

KB = load_knowledge()
EMERGENCY_ADVICE = KB.triage.levels[TriageLevel.EMERGENCY].advice
START = date(2025, 6, 2)
EASY: dict[str, object] = {"age": 35, "pain_now": 3, "pain_during_run": 2,
                           "weeks_since_onset": 2, "spasm": True, "pain_one_side": True,
                           "desk_hours_per_day": 9}
PLAN_KEYS = {"schema", "start", "end", "weeks_requested", "start_level", "top_level",
             "stopped", "limited", "triage", "notice", "notes", "phases", "weeks", "actions",
             "exercises", "ladder", "sources", "basis", "plan_id", "check"}

Invoke = Callable[..., Result]


def _kinds(plan: dict[str, Any]) -> set[str]:
    return {s["kind"] for w in plan["weeks"] for d in w["days"] for s in d["sessions"]}


def test_plan_without_a_check_is_a_clear_error(invoke: Invoke, home: Path) -> None:
    result = invoke("plan")
    assert result.exit_code == 1
    assert "run `backstride check` first" in one_error_line(result.stderr)
    assert result.stdout == ""


def test_emergency_check_prints_no_sessions_and_the_advice(
        invoke: Invoke, home: Path, run_check: Callable[..., Result]) -> None:
    run_check({"saddle_numbness": True, "pain_now": 6})
    result = invoke("plan", "--start", START.isoformat())
    assert result.exit_code == 0, result.output
    flat = flat_text(result.stdout)
    assert " ".join(EMERGENCY_ADVICE.split()) in flat
    assert "No training sessions" in flat
    assert "Week 1" not in result.stdout and "Easy run" not in result.stdout
    data = json_object(invoke("plan", "--start", START.isoformat(), "--json"))
    assert data["weeks"] == [] and data["stopped"]["level"] == "emergency"
    assert data["exercises"] == {}


def test_soon_is_gentle_walking_and_mobility_only(
        invoke: Invoke, home: Path, run_check: Callable[..., Result]) -> None:
    run_check({**EASY, "night_pain": True})
    data = json_object(invoke("plan", "--start", START.isoformat(), "--json"))
    assert data["limited"] is True and len(data["weeks"]) <= 2
    assert _kinds(data) <= {"walk", "mobility", "rest"}
    assert data["actions"][0]["category"] == "referral"
    human = invoke("plan", "--start", START.isoformat())
    assert "gentle walking and mobility only" in human.stdout
    assert "Easy run" not in human.stdout


def test_normal_check_gives_a_calendar_with_runs(
        invoke: Invoke, demo_home: Path, demo: Any,
        run_check: Callable[..., Result]) -> None:
    run_check(EASY, demo.end)
    result = invoke("plan", "--start", demo.end.isoformat(), "--weeks", "3")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Week 1" in out and "Week 3" in out and "Week 4" not in out
    assert "Easy run" in out and "Rest day" in out
    assert out.index("When to see someone") < out.index("Week 1")  # referrals first
    for heading in ("Day", "Sessions", "Min", "Why"):
        assert heading in out


def test_plan_json_shape(invoke: Invoke, demo_home: Path, demo: Any,
                         run_check: Callable[..., Result]) -> None:
    stored = json_object(run_check(EASY, demo.end))
    data = json_object(invoke("plan", "--start", demo.end.isoformat(), "--weeks", "4", "--json"))
    assert set(data) >= PLAN_KEYS
    assert data["start"] == demo.end.isoformat() and len(data["weeks"]) == 4
    assert data["check"] == {"id": stored["check_id"], "on": demo.end.isoformat(),
                             "triage_level": stored["triage"]["level"]}
    assert isinstance(data["plan_id"], int)
    assert "run" in _kinds(data)
    week = data["weeks"][0]
    assert {"index", "phase", "start", "run_minutes", "run_distance_km", "days"} <= set(week)
    assert week["days"][0]["date"] == demo.end.isoformat()
    run = next(s for d in week["days"] for s in d["sessions"] if s["kind"] == "run")
    assert {"title", "minutes", "reason", "sources", "run"} <= set(run)
    assert run["run"]["workout"]
    # a second plan replaces the first as the active one
    again = json_object(invoke("plan", "--start", demo.end.isoformat(), "--weeks", "4", "--json"))
    assert again["plan_id"] != data["plan_id"]


def test_wrong_usage_is_one_line(invoke: Invoke, home: Path) -> None:
    result = invoke("plan", "--weeks", "0")
    assert result.exit_code == 2
    assert "--weeks" in one_error_line(result.stderr)
    assert invoke("plan", "--start", "June").exit_code == 2
    export = invoke("plan", "export")
    assert export.exit_code == 2 and "--ics" in one_error_line(export.stderr)


def test_export_without_a_plan(invoke: Invoke, home: Path, tmp_path: Path) -> None:
    result = invoke("plan", "export", "--ics", str(tmp_path / "plan.ics"))
    assert result.exit_code == 1
    assert "backstride" in one_error_line(result.stderr)
    assert not (tmp_path / "plan.ics").exists()


def _chromium() -> str | None:
    found = os.environ.get("BACKSTRIDE_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser") or shutil.which("google-chrome")
    return found or None


def test_export_end_to_end(invoke: Invoke, home: Path, tmp_path: Path,
                           run_check: Callable[..., Result]) -> None:
    pytest.importorskip("backstride.exporters.ics", reason="ICS exporter not available yet")
    pytest.importorskip("backstride.report.physio", reason="physio report not available yet")
    run_check(EASY)
    assert invoke("plan", "--start", START.isoformat(), "--weeks", "3").exit_code == 0
    out = tmp_path / "out"
    result = invoke("plan", "export", "--ics", str(out / "plan.ics"), "--fit-dir",
                    str(out / "workouts"), "--html", str(out / "physio.html"))
    assert result.exit_code == 0, result.output
    ics = (out / "plan.ics").read_bytes()
    assert ics.startswith(b"BEGIN:VCALENDAR") and b"BEGIN:VEVENT" in ics
    fits = sorted((out / "workouts").glob("*.fit"))
    assert fits and all(f.read_bytes()[8:12] == b".FIT" for f in fits)
    html = (out / "physio.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert str(out / "plan.ics") in result.stdout
    pdf = invoke("plan", "export", "--pdf", str(out / "physio.pdf"))
    if _chromium() is None:
        assert pdf.exit_code == 1 and "hromium" in one_error_line(pdf.stderr)
    else:
        assert pdf.exit_code == 0, pdf.output
        assert (out / "physio.pdf").read_bytes().startswith(b"%PDF")


def test_stopped_plan_has_nothing_to_export(invoke: Invoke, home: Path, tmp_path: Path,
                                            run_check: Callable[..., Result]) -> None:
    run_check({"bladder_change": True})
    assert invoke("plan", "--start", START.isoformat()).exit_code == 0
    result = invoke("plan", "export", "--ics", str(tmp_path / "plan.ics"))
    assert result.exit_code == 1 and "stopped" in one_error_line(result.stderr)


def test_old_check_is_called_out(invoke: Invoke, home: Path,
                                 run_check: Callable[..., Result]) -> None:
    run_check(EASY, START)
    result = invoke("plan", "--start", (START + timedelta(days=40)).isoformat(), "--json")
    assert result.exit_code == 0, result.output
    assert "40 days old" in result.stderr
