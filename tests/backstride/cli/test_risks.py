"""``backstride risks`` on the imported demo year and on real shared files (real SQLite)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from tests.helpers.cli import one_error_line
from typer.testing import CliRunner

from backstride.cli.main import app

SIGNAL_KEYS = {"key", "level", "value", "unit", "threshold", "explanation", "advice",
               "evidence_grade", "source"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _risks(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["risks", "--json", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _first(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in data["signals"] if s["key"] == key)


def test_json_shape(runner: CliRunner, demo_home: Path, demo) -> None:
    data = _risks(runner, "--as-of", demo.end.isoformat())
    assert {"as_of", "signals", "weeks"} <= set(data)
    assert data["as_of"] == "2025-06-01"
    for s in data["signals"]:
        assert set(s) >= SIGNAL_KEYS
        assert s["level"] in {"ok", "watch", "warn"}
        assert s["evidence_grade"] in {"guideline", "strong", "moderate", "weak", "expert",
                                       "contested", "unverified"}
        assert s["source"] and s["explanation"] and s["advice"]
    ranks = [("ok", "watch", "warn").index(s["level"]) for s in data["signals"]]
    assert ranks == sorted(ranks, reverse=True)                     # worst first
    week = data["weeks"][-1]
    assert week["week"] == "2025-W22" and week["start"] == "2025-05-26"
    assert {"runs", "run_distance_km", "longest_run_km", "run_ascent_m", "run_load",
            "cross_sessions", "cross_moving_s", "load", "hill_week", "spike_level"} <= set(week)
    assert sum(w["runs"] for w in data["weeks"]) == demo.runs


def test_storylines(runner: CliRunner, demo_home: Path, demo) -> None:
    spike = _risks(runner, "--as-of", demo.spike_day.isoformat())
    assert spike["signals"][0]["key"] == "single_run_spike"
    assert spike["signals"][0]["level"] == "warn"
    assert spike["signals"][0]["value"] == pytest.approx(1.7, abs=0.02)
    assert spike["signals"][0]["evidence_grade"] == "moderate"
    assert "Nielsen" in spike["signals"][0]["source"]

    hills = _risks(runner, "--as-of", demo.hill_end.isoformat())
    assert _first(hills, "hill_volume")["level"] == "watch"
    assert _first(hills, "downhill_volume")["level"] == "watch"
    assert [w["start"] for w in hills["weeks"] if w["hill_week"]] == [
        "2025-03-10", "2025-03-17", "2025-03-24", "2025-03-31"]

    end = _risks(runner, "--as-of", demo.end.isoformat())
    assert _first(end, "shoe_mileage")["level"] == "watch"
    assert _first(end, "shoe_mileage")["unit"] == "km"
    assert _first(end, "shoe_rotation")["level"] == "watch"
    assert _first(end, "single_run_spike_history")["level"] == "watch"
    assert _first(end, "gct_balance")["unit"] == "percentage points"
    assert _first(end, "acwr")["contested"] is True


def test_table(runner: CliRunner, demo_home: Path, demo) -> None:
    result = runner.invoke(app, ["risks", "--as-of", demo.spike_day.isoformat()])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Training signals on 2025-04-20" in out
    first_row = out.index("Single-run spike")
    assert out.index("WARN") < first_row < out.index("Shoe distance")
    for text_ in ("1.70×", "1.30×", "moderate", "Nielsen", "contested", "context only",
                  "Recent weeks", "2025-W16", "spike 1.70×", "never a diagnosis"):
        assert text_ in out, text_
    assert result.stderr == ""
    # a narrow terminal folds the words into one column; nothing is lost
    narrow = runner.invoke(app, ["risks", "--as-of", demo.spike_day.isoformat()],
                           env={"COLUMNS": "80"})
    assert narrow.exit_code == 0
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    for text_ in ("Single-run spike", "1.70×", "(threshold", "→ ", "moderate", "contested:"):
        assert text_ in narrow.stdout, text_


def test_missing_metrics_are_computed_and_said(runner: CliRunner, demo_home: Path, demo) -> None:
    engine = create_engine(f"sqlite:///{demo_home / 'backstride.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM activity_metrics"))
    engine.dispose()
    result = runner.invoke(app, ["risks", "--json", "--as-of", demo.end.isoformat()])
    assert result.exit_code == 0, result.output
    assert f"computed analysis metrics for {demo.activities} stored activities" in result.stderr
    assert _first(json.loads(result.stdout), "shoe_mileage")["level"] == "watch"
    again = runner.invoke(app, ["risks", "--json", "--as-of", demo.end.isoformat()])
    assert again.stderr == ""


def test_nothing_stored(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKSTRIDE_HOME", str(tmp_path / "empty"))
    monkeypatch.delenv("BACKSTRIDE_DATABASE_URL", raising=False)
    for args in (["risks"], ["risks", "--json"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        line = one_error_line(result.stderr)
        assert "backstride import" in line and "backstride demo" in line
        assert result.stdout == ""


def test_day_before_any_activity_and_bad_dates(runner: CliRunner, demo_home: Path) -> None:
    result = runner.invoke(app, ["risks", "--as-of", "2020-01-01"])
    assert result.exit_code == 1
    assert "no activities on or before 2020-01-01" in one_error_line(result.stderr)
    for bad in ("2025-13-01", "yesterday"):
        assert runner.invoke(app, ["risks", "--as-of", bad]).exit_code == 2


def test_real_gpx_year_weeks(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, activities_dir: Path,
    reference_rows,
) -> None:
    """58 real Nike Run Club GPX runs: the weekly rows match REFERENCE.csv (peer parsers)."""
    monkeypatch.setenv("BACKSTRIDE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BACKSTRIDE_DATABASE_URL", raising=False)
    folder = activities_dir / "runpandas" / "session"
    imported = runner.invoke(app, ["import", "--json", str(folder)])
    assert imported.exit_code == 0, imported.output
    data = _risks(runner, "--as-of", "2021-07-04")
    rows = [r for r in reference_rows if r.file.startswith("runpandas/session/")]
    runs: Counter[str] = Counter()
    longest: defaultdict[str, float] = defaultdict(float)
    for r in rows:
        year, week, _ = datetime.fromisoformat(r.start_utc.replace("Z", "+00:00")).isocalendar()
        key = f"{year}-W{week:02d}"
        runs[key] += 1
        longest[key] = max(longest[key], (r.distance_m or 0.0) / 1000)
    weeks = data["weeks"]
    assert len(weeks) == 53 and weeks[0]["week"] == "2020-W27" and weeks[-1]["week"] == "2021-W26"
    assert {w["week"]: w["runs"] for w in weeks if w["runs"]} == dict(runs)
    for w in weeks:
        if w["runs"]:
            assert w["longest_run_km"] == pytest.approx(longest[w["week"]], rel=0.005, abs=0.002)
        assert w["cross_sessions"] == 0
    # the last run follows a 70-day break: nothing to compare it with
    assert _first(data, "single_run_spike")["value"] is None
