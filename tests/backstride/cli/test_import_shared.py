"""The whole shared folder of real files through the installed ``backstride`` command.

A new user's first import: every file is reported once, good files are stored,
each bad one gets one line naming the file and never a traceback, and the summary
values agree with REFERENCE.csv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import ReferenceRow

EXE = Path(sys.executable).with_name("backstride")


@pytest.fixture(scope="module")
def imported(activities_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[
    int, list[dict[str, object]], str
]:
    home = tmp_path_factory.mktemp("home")
    env = {**os.environ, "BACKSTRIDE_HOME": str(home)}
    env.pop("BACKSTRIDE_DATABASE_URL", None)
    proc = subprocess.run(
        [str(EXE), "import", "--json", str(activities_dir)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return proc.returncode, lines, proc.stderr


def _rel(record: dict[str, object], activities_dir: Path) -> str:
    return str(Path(str(record["file"])).resolve().relative_to(activities_dir.resolve()))


def test_every_reference_file_is_reported_and_no_traceback(
    imported: tuple[int, list[dict[str, object]], str],
    reference_rows: list[ReferenceRow], activities_dir: Path,
) -> None:
    code, lines, stderr = imported
    assert code in (0, 1)
    assert "Traceback" not in stderr
    reported = {_rel(r, activities_dir) for r in lines}
    assert {row.file for row in reference_rows} <= reported
    for record in lines:
        assert record["status"] in {"imported", "duplicate", "error"}
        if record["status"] == "error":
            assert record["error"] and "\n" not in str(record["error"])


def test_good_files_are_stored_with_reference_values(
    imported: tuple[int, list[dict[str, object]], str],
    reference_rows: list[ReferenceRow], activities_dir: Path,
) -> None:
    _, lines, _ = imported
    by_file: dict[str, list[dict[str, object]]] = {}
    for record in lines:
        by_file.setdefault(_rel(record, activities_dir), []).append(record)
    checked = 0
    for row in reference_rows:
        records = by_file[row.file]
        ok = [r for r in records if r["status"] in ("imported", "duplicate")]
        if row.malformed or not ok or row.elapsed_s is None or row.distance_m is None:
            continue
        if len(ok) != 1 or "+" in row.sport or "track segments" in row.notes:
            continue  # multisport and multi-track files are checked per leg elsewhere
        (rec,) = ok
        if rec["status"] == "duplicate":
            continue  # the same run stored from its twin file
        if row.elapsed_s > 60 and row.distance_m > 100:
            assert float(rec["distance_m"]) == pytest.approx(row.distance_m, rel=0.005, abs=0.2)
            checked += 1
    assert checked >= 60


def test_multisport_first_and_last_summary_layouts_agree(activities_dir: Path) -> None:
    from backstride.importers.fit import parse_fit

    folder = activities_dir / "muktihari-fit"
    first = parse_fit((folder / "triathlon_summary_first.fit").read_bytes(), source="first")
    last = parse_fit((folder / "triathlon_summary_last.fit").read_bytes(), source="last")
    assert [a.sport for a in first] == [a.sport for a in last]
    assert len(first) >= 3
    for a, b in zip(first, last, strict=True):
        assert a.start_utc == b.start_utc
        assert a.summary == b.summary
        assert a.streams.n_samples == b.streams.n_samples
        assert list(a.streams) == list(b.streams)
