"""The import service on real files and a real SQLite store."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from backstride.ingest import FileOutcome, default_workers, import_paths
from backstride.settings import ImportLimits, Settings
from backstride.storage.store import Store

LIMITS = ImportLimits()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    home = tmp_path / "home"
    opened = Store.open(Settings(home=home, database_url=f"sqlite:///{home / 'db.sqlite3'}"))
    try:
        yield opened
    finally:
        opened.close()


def test_outcome_fields() -> None:
    fields = {f.name for f in dataclasses.fields(FileOutcome)}
    assert {
        "file", "status", "id", "sport", "start_utc", "elapsed_s", "distance_m",
        "avg_cadence_spm", "ascent_m", "avg_hr", "has_running_dynamics", "error", "warnings",
    } <= fields
    failed = FileOutcome.failed("x.fit", "bad\nthing  here")
    assert failed.error == "bad thing here"
    assert failed.status == "error"
    assert 1 <= default_workers() <= 2


@pytest.mark.parametrize(("workers", "pool_after_s"), [(1, 0.0), (2, 0.0), (2, 1.0)])
def test_order_is_kept_and_one_bad_file_never_stops_the_rest(
    store: Store, activities_dir: Path, tmp_path: Path, workers: int, pool_after_s: float
) -> None:
    garbage = tmp_path / "garbage.fit"
    garbage.write_bytes(b"this is not an activity file at all" * 10)
    truncated = tmp_path / "truncated.tcx"
    truncated.write_bytes(b"<?xml version='1.0'?><TrainingCenterDatabase><Activities><Act")
    runpandas = activities_dir / "runpandas"
    files = [
        runpandas / "run.tcx",
        garbage,
        truncated,
        runpandas / "basic.tcx",
        activities_dir / "activityio" / "c2eb1b_2.tcx",
        # strict XML parsers reject it; it is read in recovery mode, and it is the
        # same run as basic.tcx
        runpandas / "malformed" / "malformed.tcx",
    ]
    calls: list[tuple[int, int, str]] = []
    outcomes = list(
        import_paths(store, files, LIMITS, workers=workers, pool_after_s=pool_after_s,
                     on_progress=lambda d, t, f: calls.append((d, t, f)))
    )
    assert [Path(o.file).name for o in outcomes] == [f.name for f in files]
    assert [o.status for o in outcomes] == [
        "imported", "error", "error", "imported", "imported", "duplicate"
    ]
    for bad in outcomes[1:3]:
        assert bad.error and "\n" not in bad.error
        assert bad.id is None
    good = outcomes[0]
    assert good.sport is not None and good.sport.is_running
    assert good.start_utc is not None
    assert good.start_utc.isoformat() == "2017-05-27T08:13:01+00:00"
    assert good.elapsed_s == pytest.approx(1423.0, abs=2)
    assert good.id is not None and good.error is None
    recovered = outcomes[5]
    assert recovered.id == outcomes[3].id
    assert recovered.note is not None and "basic.tcx" in recovered.note
    assert calls[0] == (0, 6, "")
    assert [c[0] for c in calls] == [0, 1, 2, 3, 4, 5, 6]
    assert store.counts()["activities"] == 3


def test_importing_again_changes_nothing(store: Store, activities_dir: Path) -> None:
    files = [activities_dir / "runpandas" / "run.tcx", activities_dir / "runpandas" / "basic.tcx"]
    first = list(import_paths(store, files, LIMITS, workers=1))
    before = store.counts()
    again = list(import_paths(store, files, LIMITS, workers=2, pool_after_s=0.0))
    assert [o.status for o in again] == ["duplicate", "duplicate"]
    assert [o.id for o in again] == [o.id for o in first]
    assert store.counts() == before


def test_same_run_as_fit_and_tcx_is_stored_once(store: Store, activities_dir: Path) -> None:
    folder = activities_dir / "GoldenCheetah"
    outcomes = list(import_paths(
        store, [folder / "10kUNLP2014-Garmin15.fit", folder / "10kUNLP2014-Garmin15.tcx"],
        LIMITS, workers=1,
    ))
    assert [o.status for o in outcomes] == ["imported", "duplicate"], outcomes
    assert outcomes[1].id == outcomes[0].id


def test_missing_path_is_an_error_outcome(store: Store, tmp_path: Path) -> None:
    [outcome] = list(import_paths(store, [tmp_path / "missing.gpx"], LIMITS))
    assert outcome.status == "error"
    assert "missing.gpx" in outcome.file
