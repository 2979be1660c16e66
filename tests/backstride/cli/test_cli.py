"""The ``backstride`` command line, run in-process with Typer's CliRunner on real SQLite."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from tests.helpers.cli import one_error_line
from typer.testing import CliRunner

from backstride.cli.main import app
from backstride.domain.activity import Activity, Sport, Streams, Summary
from backstride.settings import Settings
from backstride.storage.store import Store

IMPORT_KEYS = {
    "file", "status", "id", "sport", "start_utc", "elapsed_s", "distance_m",
    "avg_cadence_spm", "ascent_m", "avg_hr", "has_running_dynamics", "error",
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty BACKSTRIDE_HOME with the default SQLite database."""
    home = tmp_path / "home"
    monkeypatch.setenv("BACKSTRIDE_HOME", str(home))
    monkeypatch.delenv("BACKSTRIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return home


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _run(start: datetime, *, rd: bool) -> Activity:
    t = np.arange(0.0, 1201.0)
    channels = {"time_s": t, "distance_m": t * 2.8, "cadence_spm": np.full(t.size, 170.0)}
    if rd:
        channels["ground_contact_time_ms"] = np.full(t.size, 240.0)
    return Activity(
        sport=Sport.RUNNING,
        start_utc=start,
        summary=Summary(elapsed_s=1200.0, distance_m=3360.0, avg_cadence_spm=170.0,
                        ascent_m=12.0, avg_hr_bpm=148.0),
        streams=Streams(channels),
        source_format="fit",
        gear="Trail shoe",
        utc_offset_s=3600,
    )


# -- usage and errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["import"], ["activities", "--bogus"], ["frobnicate"], ["import", "--json"]],
)
def test_wrong_usage_exits_2(runner: CliRunner, home: Path, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output


def test_unreachable_database_is_one_red_line(
    runner: CliRunner, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKSTRIDE_DATABASE_URL", "postgresql+psycopg://me:hunter2@127.0.0.1:9/db")
    result = runner.invoke(app, ["activities"])
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert "cannot open database" in line
    assert "hunter2" not in result.output
    assert result.stdout == ""


def test_bad_setting_is_one_red_line(
    runner: CliRunner, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKSTRIDE_DATABASE_URL", "not-a-url")
    result = runner.invoke(app, ["activities", "--json"])
    assert result.exit_code == 1
    assert "BACKSTRIDE_DATABASE_URL" in one_error_line(result.stderr)


def test_verbose_shows_the_traceback(
    runner: CliRunner, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKSTRIDE_DATABASE_URL", "postgresql+psycopg://me@127.0.0.1:9/db")
    result = runner.invoke(app, ["--verbose", "activities"])
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert "error: cannot open database" in result.stderr


# -- activities ---------------------------------------------------------------------------


def test_activities_when_empty(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(app, ["activities"])
    assert result.exit_code == 0, result.output
    assert "no activities stored yet" in result.stdout
    assert home.is_dir()
    json_result = runner.invoke(app, ["activities", "--json"])
    assert json_result.exit_code == 0
    assert json_result.stdout == ""


def test_activities_lists_what_is_stored(runner: CliRunner, home: Path) -> None:
    with Store.open(Settings.from_env()) as store:
        store.add_file("a.fit", [_run(datetime(2024, 3, 2, 7, 0, tzinfo=UTC), rd=True)])
        store.add_file("b.fit", [_run(datetime(2024, 3, 1, 18, 30, tzinfo=UTC), rd=False)])

    result = runner.invoke(app, ["activities", "--json"])
    assert result.exit_code == 0, result.output
    rows = _json_lines(result.stdout)
    assert [r["file"] for r in rows] == ["b.fit", "a.fit"]
    first = rows[0]
    assert IMPORT_KEYS - {"status", "error"} <= set(first)
    assert first["start_utc"] == "2024-03-01T18:30:00Z"
    assert first["start_local"] == "2024-03-01T19:30:00+01:00"
    assert first["sport"] == "running"
    assert first["distance_m"] == 3360.0
    assert [r["has_running_dynamics"] for r in rows] == [False, True]

    table = runner.invoke(app, ["activities"])
    assert table.exit_code == 0
    out = table.stdout
    assert "2024-03-01 19:30" in out  # local time
    assert "3.36" in out and "20:00" in out and "5:57" in out  # km, duration, pace
    assert "Trail shoe" in out
    assert "yes" in out and "no" in out
    assert "2 activities" in out


# -- import (needs the importers) ---------------------------------------------------------


def test_import_json_then_duplicate(runner: CliRunner, home: Path, activities_dir: Path) -> None:
    run_tcx = activities_dir / "runpandas" / "run.tcx"
    result = runner.invoke(app, ["import", "--json", str(run_tcx)])
    assert result.exit_code == 0, result.output
    [row] = _json_lines(result.stdout)
    assert set(row) >= IMPORT_KEYS
    assert row["status"] == "imported"
    assert row["sport"] == "running"
    assert row["start_utc"] == "2017-05-27T08:13:01Z"
    assert row["error"] is None
    assert isinstance(row["id"], int)

    again = runner.invoke(app, ["import", "--json", str(run_tcx)])
    assert again.exit_code == 0, again.output
    [dup] = _json_lines(again.stdout)
    assert dup["status"] == "duplicate"
    assert dup["id"] == row["id"]

    listed = _json_lines(runner.invoke(app, ["activities", "--json"]).stdout)
    assert [r["id"] for r in listed] == [row["id"]]


def test_import_mix_of_good_and_bad_files(
    runner: CliRunner, home: Path, activities_dir: Path, tmp_path: Path
) -> None:
    corrupt = tmp_path / "corrupt.fit"
    corrupt.write_bytes(b"\x0e\x10\x00\x00" + b"\xff" * 60)
    empty = tmp_path / "empty.gpx"
    empty.write_bytes(b"")
    files = [corrupt, activities_dir / "runpandas" / "run.tcx", empty]
    result = runner.invoke(app, ["import", "--json", *map(str, files)])
    assert result.exit_code == 1, result.output
    rows = _json_lines(result.stdout)
    by_status = {r["status"] for r in rows}
    assert by_status == {"imported", "error"}
    errors = [r for r in rows if r["status"] == "error"]
    assert len(errors) == 2
    for err in errors:
        assert set(err) >= IMPORT_KEYS
        assert isinstance(err["error"], str) and err["error"]
        assert "\n" not in err["error"]
        assert err["id"] is None
    assert [r["status"] for r in rows] == ["error", "imported", "error"]
    assert "Traceback" not in result.stderr


def test_import_summary_table_names_the_bad_file(
    runner: CliRunner, home: Path, activities_dir: Path, tmp_path: Path
) -> None:
    corrupt = tmp_path / "broken.tcx"
    corrupt.write_bytes(b"<?xml version='1.0'?><TrainingCenterDatabase><Activities><Act")
    result = runner.invoke(
        app, ["import", str(activities_dir / "runpandas" / "run.tcx"), str(corrupt)]
    )
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "1 imported" in out and "0 duplicate" in out and "1 error" in out
    assert "broken.tcx" in out
    assert "Traceback" not in result.output


def test_import_missing_path_fails_the_run(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "--json", str(tmp_path / "nope.fit")])
    assert result.exit_code == 1
    [row] = _json_lines(result.stdout)
    assert row["status"] == "error"
    assert "nope.fit" in str(row["file"])


# -- demo ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_runs_the_whole_journey(runner: CliRunner, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from backstride.storage.checks import check_history
    from backstride.storage.plans import active_plan_record

    monkeypatch.delenv("BACKSTRIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("BACKSTRIDE_HOME", str(tmp_path / "unused"))
    monkeypatch.setenv("COLUMNS", "200")
    demo_home = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--home", str(demo_home)])
    assert result.exit_code == 0, result.output
    assert (demo_home / "demo-export").is_dir()
    assert "imported" in result.stdout
    assert " 0 error" in result.stdout or "· 0 error" in result.stdout
    out = " ".join(result.stdout.replace("│", " ").split())
    assert "Back check of" in out and "Self-care with the plan" in out
    assert "Muscular" in out and "Posture and long sitting" in out
    assert "Plan: " in out and "12 weeks" in out
    for cmd in ("risks --as-of", "backstride plan", "backstride today", "backstride log",
                "backstride plan export"):
        assert cmd in out
    assert f"BACKSTRIDE_HOME={demo_home}" in out  # the commands must be told about --home
    report = demo_home / "report.html"
    physio = demo_home / "physio-report.html"
    assert report.is_file() and physio.is_file()
    assert f"Wrote {report}" in out and f"Wrote {physio}" in out
    chromium = os.environ.get("BACKSTRIDE_CHROMIUM") or shutil.which("chromium")
    pdf = demo_home / "physio-report.pdf"
    if chromium:
        assert pdf.read_bytes().startswith(b"%PDF")
    else:
        assert not pdf.exists() and "No PDF" in out
    settings = Settings(home=demo_home,
                        database_url=f"sqlite:///{demo_home / 'backstride.sqlite3'}")
    with Store.open(settings) as store:
        [check] = check_history(store)
        plan = active_plan_record(store)
    assert check.triage_level == "self_care" and plan is not None
    assert plan.check_id == check.id and plan.start == check.on

    # a second run: every file a duplicate, the same check and plan, still finishes
    again = runner.invoke(app, ["demo", "--home", str(demo_home)])
    assert again.exit_code == 0, again.output
    assert "0 imported" in again.stdout and "duplicate" in again.stdout
    assert "(stored before)" in again.stdout
    with Store.open(settings) as store:
        assert [c.id for c in check_history(store)] == [check.id]
        same = active_plan_record(store)
    assert same is not None and same.id == plan.id

    monkeypatch.setenv("BACKSTRIDE_HOME", str(demo_home))
    rows = _json_lines(runner.invoke(app, ["activities", "--json"]).stdout)
    assert len(rows) > 50
    assert any(r["has_running_dynamics"] for r in rows)
    assert any(r["gear"] for r in rows)
    today = runner.invoke(app, ["today", "--date", check.on.isoformat()])
    assert today.exit_code == 0 and "active" in today.stdout


def test_logging_is_left_as_it_was(runner: CliRunner, home: Path) -> None:
    import logging

    logger = logging.getLogger("backstride")
    level, handlers = logger.level, list(logger.handlers)
    assert runner.invoke(app, ["--verbose", "activities"]).exit_code == 0
    assert runner.invoke(app, ["activities", "--bogus"]).exit_code == 2
    assert (logger.level, logger.handlers) == (level, handlers)


def test_log_lines_carry_no_traceback_without_verbose() -> None:
    import io
    import logging

    from rich.console import Console

    from backstride.cli.main import _OneLineHandler

    buffer = io.StringIO()
    handler = _OneLineHandler(console=Console(file=buffer, width=200))
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "backstride.x", logging.ERROR, __file__, 1, "x.fit: unexpected error", None,
            exc_info=sys.exc_info(),
        )
    handler.emit(record)
    text = buffer.getvalue()
    assert "x.fit: unexpected error" in text
    assert "Traceback" not in text and "boom" not in text
    assert record.exc_info is not None  # other handlers still get the traceback
