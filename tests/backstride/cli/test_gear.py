"""``backstride gear list`` and ``gear assign`` on the imported demo year (real SQLite)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backstride.cli.main import app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _pairs(runner: CliRunner) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["gear", "list", "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_list_the_demo_pairs(runner: CliRunner, demo_home: Path, demo) -> None:
    pairs = _pairs(runner)
    assert [p["name"] for p in pairs] == list(demo.pairs)            # most used first
    first, second = pairs
    assert 780 < first["distance_km"] < 800 and second["distance_km"] > 700
    assert first["runs"] + second["runs"] == demo.runs
    assert first["last_used"] < second["first_used"]                 # a change, no rotation
    assert second["last_used"] == demo.end.isoformat()
    assert first["status"] == "past 500 km: time to check"
    table = runner.invoke(app, ["gear", "list"])
    assert table.exit_code == 0
    for text_ in (*demo.pairs, "Runs", "First run", "past 500 km", "weak evidence"):
        assert text_ in table.stdout, text_


def test_assign_a_range_then_ids(runner: CliRunner, demo_home: Path, demo) -> None:
    result = runner.invoke(app, ["gear", "assign", "Trail Pair", "--from", "2025-05-01",
                                 "--to", "2025-05-31"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("'Trail Pair' assigned to ") and " runs" in result.stdout
    n = int(result.stdout.split("assigned to ")[1].split()[0])
    pairs = {p["name"]: p for p in _pairs(runner)}
    assert pairs["Trail Pair"]["runs"] == n > 10
    assert pairs["Trail Pair"]["first_used"] >= "2025-05-01"
    assert pairs["Trail Pair"]["last_used"] <= "2025-05-31"
    assert sum(p["runs"] for p in pairs.values()) == demo.runs      # runs only, none lost
    # the signals see the new pair: two pairs in use now
    risks = json.loads(runner.invoke(app, ["risks", "--json", "--as-of",
                                           demo.end.isoformat()]).stdout)
    rotation = next(s for s in risks["signals"] if s["key"] == "shoe_rotation")
    assert rotation["value"] == 2 and rotation["level"] == "ok"
    by_id = runner.invoke(app, ["activities", "--json"])
    ids = [json.loads(line)["id"] for line in by_id.stdout.splitlines()][:2]
    one = runner.invoke(app, ["gear", "assign", "Old pair", "--id", str(ids[0]),
                              "--id", str(ids[1])])
    assert one.exit_code == 0 and "assigned to 2 activities" in one.stdout
    assert {p["name"]: p["runs"] for p in _pairs(runner)}.get("Old pair", 0) >= 1


@pytest.mark.parametrize("args", [
    ["gear", "assign", "X"],                                          # no range, no ids
    ["gear", "assign", "X", "--from", "2025-01-01", "--id", "1"],    # both
    ["gear", "assign", " ", "--id", "1"],                             # empty name
    ["gear", "assign", "X", "--from", "2025-02-01", "--to", "2025-01-01"],
    ["gear", "assign", "X", "--from", "1 May"],
    ["gear"],
])
def test_wrong_usage_exits_2(runner: CliRunner, demo_home: Path, args: list[str]) -> None:
    assert runner.invoke(app, args).exit_code == 2


def test_unknown_id_and_empty_store(runner: CliRunner, demo_home: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["gear", "assign", "X", "--id", "99999"])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["error: no activity #99999"]
    monkeypatch.setenv("BACKSTRIDE_HOME", str(tmp_path / "empty"))
    empty = runner.invoke(app, ["gear", "list"])
    assert empty.exit_code == 0 and "no runs stored yet" in empty.stdout
    assert runner.invoke(app, ["gear", "list", "--json"]).stdout == ""
