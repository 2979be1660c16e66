"""The Store on real SQLite and PostgreSQL: round trip, duplicates, one transaction per file."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from backstride.domain.activity import Sport
from backstride.domain.identity import fingerprint
from backstride.errors import NotFoundError, StorageError
from backstride.settings import Settings
from backstride.storage.store import Store, safe_url

T0 = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)


def test_round_trip_keeps_everything(store: Store, make_activity) -> None:
    activity = make_activity()
    [stored] = store.add_file("runs/morning.fit", [activity])
    assert stored.status == "imported"
    assert stored.fingerprint == fingerprint(activity)

    record = store.get(stored.id)
    assert record.source_name == "runs/morning.fit"
    assert record.sport is Sport.RUNNING
    assert record.start_utc == T0
    assert record.start_utc is not None and record.start_utc.utcoffset() == timedelta(0)
    assert record.start_local is not None and record.start_local.hour == 8
    assert record.summary == activity.summary
    assert record.has_running_dynamics is True
    assert record.n_samples == activity.streams.n_samples
    assert record.warnings == activity.warnings
    assert record.imported_at.tzinfo is not None

    loaded = store.load_activity(stored.id)
    assert loaded.sport == activity.sport
    assert loaded.start_utc == activity.start_utc
    assert loaded.summary == activity.summary
    assert loaded.laps == activity.laps
    assert (loaded.device, loaded.gear, loaded.name) == (
        activity.device, activity.gear, activity.name
    )
    assert loaded.utc_offset_s == 7200
    assert list(loaded.streams) == list(activity.streams)
    for name in activity.streams:
        original, back = activity.streams[name], loaded.streams[name]
        assert np.array_equal(np.isnan(original), np.isnan(back)), name
        tol = 0.0 if name in ("latitude_deg", "longitude_deg") else 1e-6
        np.testing.assert_allclose(back, original, rtol=tol, atol=0, equal_nan=True)
    assert np.isnan(loaded.streams["heart_rate_bpm"][6])


def test_activity_without_date_or_laps(store: Store, make_activity) -> None:
    activity = make_activity(start=None, laps=0, utc_offset_s=None, gear=None)
    [stored] = store.add_file("relative-times.fit", [activity])
    loaded = store.load_activity(stored.id)
    assert loaded.start_utc is None
    assert loaded.laps == ()
    record = store.get(stored.id)
    assert record.start_local is None


def test_same_content_is_a_duplicate_and_changes_nothing(store: Store, make_activity) -> None:
    [first] = store.add_file("a.fit", [make_activity()])
    before = store.counts()
    # same recording, other file name, other gear and title: still the same content
    again = dataclasses.replace(make_activity(), gear="other shoe", name="renamed")
    [dup] = store.add_file("copy-of-a.fit.gz", [again])
    assert dup.status == "duplicate"
    assert dup.id == first.id
    assert dup.duplicate_reason is not None and "same content" in dup.duplicate_reason
    assert store.counts() == before
    assert store.get(first.id).gear == "Pegasus 40"


def test_same_run_from_another_format_is_a_duplicate(store: Store, make_activity) -> None:
    [fit] = store.add_file("run.fit", [make_activity()])
    gpx = make_activity(
        start=T0 + timedelta(seconds=42), elapsed_s=1850.0, source_format="gpx", seed=3,
        sport=Sport.TRAIL_RUNNING,  # same family: running
    )
    [dup] = store.add_file("run.gpx", [gpx])
    assert dup.status == "duplicate"
    assert dup.id == fit.id
    assert dup.duplicate_reason is not None and "same run" in dup.duplicate_reason
    assert store.counts()["activities"] == 1


@pytest.mark.parametrize(
    ("shift_s", "elapsed_s", "sport"),
    [
        (61.0, 1800.0, Sport.RUNNING),  # started more than 60 s later
        (0.5, 2100.0, Sport.RUNNING),  # 16 % longer
        (10.0, 1800.0, Sport.CYCLING),  # other sport family
    ],
)
def test_different_runs_are_kept(
    store: Store, make_activity, shift_s: float, elapsed_s: float, sport: Sport
) -> None:
    store.add_file("run.fit", [make_activity()])
    other = make_activity(start=T0 + timedelta(seconds=shift_s), elapsed_s=elapsed_s,
                          sport=sport, seed=9)
    [stored] = store.add_file("other.fit", [other])
    assert stored.status == "imported"
    assert store.counts()["activities"] == 2


def test_multisport_legs_are_not_duplicates_of_each_other(store: Store, make_activity) -> None:
    legs = [
        make_activity(leg_index=0, sport=Sport.OTHER, elapsed_s=40.0, seed=1, laps=0),
        make_activity(start=T0 + timedelta(seconds=41), leg_index=1, sport=Sport.OTHER,
                      elapsed_s=42.0, seed=2, laps=0),
    ]
    stored = store.add_file("brick.fit", legs)
    assert [s.status for s in stored] == ["imported", "imported"]
    # the whole file again: both legs are duplicates of what is stored
    again = store.add_file("brick-copy.fit", legs)
    assert [s.status for s in again] == ["duplicate", "duplicate"]
    assert [s.id for s in again] == [s.id for s in stored]


def test_a_failing_insert_leaves_nothing_of_that_file(store: Store, make_activity) -> None:
    store.add_file("earlier.fit", [make_activity(start=T0 - timedelta(days=3))])
    before = store.counts()
    good = make_activity(start=T0 + timedelta(days=1), seed=1)
    # an offset no INTEGER column can hold: the database (or driver) refuses the second row
    bad = make_activity(start=T0 + timedelta(days=2), seed=2, utc_offset_s=2**70)
    with pytest.raises(StorageError, match=r"^mixed\.fit: "):
        store.add_file("mixed.fit", [good, bad])
    assert store.counts() == before
    assert [r.source_name for r in store.list_activities()] == ["earlier.fit"]
    # the file can be imported once it is fixed
    fixed = store.add_file("mixed.fit", [good, dataclasses.replace(bad, utc_offset_s=3600)])
    assert [s.status for s in fixed] == ["imported", "imported"]


def test_list_is_in_time_order_with_undated_last(store: Store, make_activity) -> None:
    store.add_file("late.fit", [make_activity(start=T0 + timedelta(days=2), seed=1)])
    store.add_file("undated.fit", [make_activity(start=None, seed=2)])
    store.add_file("early.fit", [make_activity(start=T0 - timedelta(days=2), seed=3)])
    assert [r.source_name for r in store.list_activities()] == [
        "early.fit", "late.fit", "undated.fit"
    ]


def test_missing_ids_raise_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.get(12345)
    with pytest.raises(NotFoundError):
        store.load_streams(12345)
    with pytest.raises(NotFoundError):
        store.load_activity(12345)


def test_reopening_keeps_data_and_migrates_idempotently(settings: Settings, make_activity) -> None:
    with Store.open(settings) as first:
        [stored] = first.add_file("a.fit", [make_activity()])
    with Store.open(settings) as second:
        assert second.get(stored.id).source_name == "a.fit"
        assert second.load_streams(stored.id).n_samples == 1801


def test_sqlite_pragmas_and_home_created(tmp_path: Path) -> None:
    home = tmp_path / "new" / "home"
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'db.sqlite3'}")
    with Store.open(settings) as store:
        assert store.dialect == "sqlite"
    assert home.is_dir()
    conn = sqlite3.connect(home / "db.sqlite3")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_unreachable_postgres_is_one_clear_line_without_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://runner:s3cret@127.0.0.1:9/nowhere"
    with pytest.raises(StorageError) as info:
        Store.open(Settings(home=tmp_path, database_url=url))
    message = str(info.value)
    assert "\n" not in message
    assert "s3cret" not in message
    assert "runner:***@127.0.0.1:9/nowhere" in message
    assert message.startswith("cannot open database")


def test_bad_urls_and_folders_are_storage_errors(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="not valid"):
        Store.open(Settings(home=tmp_path, database_url="::nonsense::"))
    with pytest.raises(StorageError, match="no database driver"):
        Store.open(Settings(home=tmp_path, database_url="nosuchdb://x/y"))
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="cannot create folder"):
        Store.open(Settings(home=blocker / "home", database_url=f"sqlite:///{blocker}/h/db"))
    not_a_db = tmp_path / "garbage.sqlite3"
    not_a_db.write_bytes(b"this is not a database file" * 100)
    with pytest.raises(StorageError, match="cannot open database"):
        Store.open(Settings(home=tmp_path, database_url=f"sqlite:///{not_a_db}"))


def test_safe_url_masks_password() -> None:
    assert safe_url("postgresql+psycopg://u:pw@h/db") == "postgresql+psycopg://u:***@h/db"


def test_deleting_an_activity_cascades_to_streams_and_laps(store: Store, make_activity) -> None:
    from sqlalchemy import text

    [stored] = store.add_file("a.fit", [make_activity()])
    assert store.counts() == {"activities": 1, "activity_streams": 1, "laps": 2}
    # raw SQL on purpose: the schema's ON DELETE CASCADE (and SQLite's foreign_keys pragma)
    with store._engine.begin() as conn:
        conn.execute(text("DELETE FROM activities WHERE id = :id"), {"id": stored.id})
    assert store.counts() == {"activities": 0, "activity_streams": 0, "laps": 0}


def test_two_writers_at_once_both_succeed(settings: Settings, make_activity) -> None:
    import threading

    errors: list[BaseException] = []

    def writer(offset_days: int) -> None:
        try:
            with Store.open(settings) as store:
                for i in range(15):
                    start = T0 + timedelta(days=offset_days + i)
                    store.add_file(f"w{offset_days}-{i}.fit", [make_activity(start=start, seed=i)])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    Store.open(settings).close()  # migrate once first
    threads = [threading.Thread(target=writer, args=(d,)) for d in (0, 100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store.open(settings) as store:
        assert store.counts()["activities"] == 30
