"""Analysis data in the store: metrics written at import, backfill, sessions, gear.

Every test runs on SQLite and on PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from backstride.domain.activity import Sport
from backstride.domain.form import FormMetrics, robust_max_hr_bpm
from backstride.domain.training import session_from_activity
from backstride.errors import InputError, NotFoundError, StorageError
from backstride.storage.analysis import assign_gear, load_sessions, metrics_missing
from backstride.storage.metrics import METRICS_VERSION, ActivityMetrics
from backstride.storage.schema import MetricsRow, StreamRow
from backstride.storage.store import Store, prepare_activity

T0 = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)


def _metrics_rows(store: Store) -> dict[int, MetricsRow]:
    with store.session() as s:
        return {r.activity_id: r for r in s.scalars(select(MetricsRow))}


def _assert_close(got: object, want: object, path: str = "") -> None:
    """Equal, floats within 1e-5 relative (nested dicts, lists and tuples)."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), path
        for k in want:
            _assert_close(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list | tuple):
        assert isinstance(got, list | tuple) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _assert_close(g, w, f"{path}[{i}]")
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-5, abs=1e-9), path
    else:
        assert got == want, path


def test_metrics_are_stored_with_the_activity(store: Store, make_activity) -> None:
    activity = make_activity()
    (stored,) = store.add_file("run.fit", [activity])
    row = _metrics_rows(store)[stored.id]
    assert row.version == METRICS_VERSION
    assert row.form is not None and row.terrain is not None
    assert row.max_hr_bpm == pytest.approx(robust_max_hr_bpm(activity.streams))
    # what the analysis reads back is what the domain computes from the activity's
    # streams (stored as float32; metrics kept to 6 significant digits)
    (session,) = load_sessions(store)
    expected = session_from_activity(activity, stored.id)
    assert expected is not None
    _assert_close(dataclasses.asdict(session), dataclasses.asdict(expected))
    assert session.form is not None and session.form.cadence_spm == pytest.approx(172, abs=2)
    assert session.form.bands and session.terrain is not None


def test_prepared_activities_carry_their_metrics(make_activity) -> None:
    activity = make_activity(sport=Sport.CYCLING)
    prepared = prepare_activity(activity)
    assert prepared.metrics.form is None                    # no running form on a bike
    assert prepared.metrics.terrain is not None
    assert prepared.metrics.max_hr_bpm == robust_max_hr_bpm(activity.streams)


def test_metrics_share_the_activity_transaction(store: Store, make_activity) -> None:
    store.add_file("earlier.fit", [make_activity(start=T0 - timedelta(days=3))])
    before, rows_before = store.counts(), set(_metrics_rows(store))
    good = prepare_activity(make_activity(start=T0 + timedelta(days=1), seed=1))
    # metrics the database cannot take (not JSON): the activity rows must go too
    broken = dataclasses.replace(
        prepare_activity(make_activity(start=T0 + timedelta(days=2), seed=2)),
        metrics=ActivityMetrics(form=FormMetrics(steady_s={1.0}, speed_m_s=3.0)),  # type: ignore[arg-type]
    )
    with pytest.raises(StorageError, match=r"^bad\.fit: "):
        store.add_file("bad.fit", [good, broken])
    assert store.counts() == before
    assert set(_metrics_rows(store)) == rows_before


def test_duplicates_add_no_metrics(store: Store, make_activity) -> None:
    activity = make_activity()
    store.add_file("a.fit", [activity])
    again = store.add_file("b.fit", [activity])
    assert again[0].status == "duplicate"
    assert len(_metrics_rows(store)) == 1


def test_backfill_recomputes_missing_and_outdated_metrics(
    store: Store, make_activity, caplog: pytest.LogCaptureFixture
) -> None:
    ids = [store.add_file(f"{i}.fit", [make_activity(start=T0 + timedelta(days=i), seed=i)])[0].id
           for i in range(4)]
    original = {k: (r.form, r.terrain, r.max_hr_bpm) for k, r in _metrics_rows(store).items()}
    assert metrics_missing(store) == 0 and store.backfill_metrics() == 0
    with store.session(write=True) as s, s.begin():
        s.execute(delete(MetricsRow).where(MetricsRow.activity_id == ids[0]))
        s.execute(update(MetricsRow).where(MetricsRow.activity_id == ids[1]).values(
            version=METRICS_VERSION - 1, form=None))
        s.execute(delete(MetricsRow).where(MetricsRow.activity_id == ids[2]))
        s.execute(update(StreamRow).where(StreamRow.activity_id == ids[2]).values(data=b"junk"))
    assert metrics_missing(store) == 3
    progress: list[tuple[int, int]] = []
    with caplog.at_level(logging.WARNING, logger="backstride"):
        assert store.backfill_metrics(on_progress=lambda d, t: progress.append((d, t))) == 3
    assert progress == [(3, 3)]
    assert f"activity #{ids[2]}: stored streams unreadable" in caplog.text
    rows = _metrics_rows(store)
    assert {r.version for r in rows.values()} == {METRICS_VERSION}
    for i in (ids[0], ids[1], ids[3]):
        assert (rows[i].form, rows[i].terrain, rows[i].max_hr_bpm) == original[i]
    # unreadable streams get an empty row, so they are not retried on every run
    assert (rows[ids[2]].form, rows[ids[2]].terrain) == (None, None)
    assert metrics_missing(store) == 0 and store.backfill_metrics() == 0


def test_sessions_use_local_days_and_leave_out_undated(store: Store, make_activity) -> None:
    late = make_activity(start=datetime(2024, 5, 1, 23, 30, tzinfo=UTC), utc_offset_s=7200)
    west = make_activity(start=datetime(2024, 5, 3, 2, 0, tzinfo=UTC), utc_offset_s=-6 * 3600,
                         seed=1)
    ride = make_activity(start=datetime(2024, 5, 4, 9, 0, tzinfo=UTC), sport=Sport.CYCLING,
                         gear="Bike", seed=2, utc_offset_s=None)
    store.add_file("ride.fit", [ride])
    store.add_file("undated.fit", [make_activity(start=None, seed=3)])
    store.add_file("west.fit", [west])
    store.add_file("late.fit", [late])
    sessions = load_sessions(store)
    assert [s.local_date for s in sessions] == [date(2024, 5, 2), date(2024, 5, 2),
                                                date(2024, 5, 4)]
    assert [s.sport for s in sessions] == [Sport.RUNNING, Sport.RUNNING, Sport.CYCLING]
    assert sessions[2].form is None and sessions[2].gear == "Bike"
    assert sessions[0].start_utc < sessions[1].start_utc


def test_gear_for_a_range_of_local_days_changes_runs_only(store: Store, make_activity) -> None:
    # 23:30 UTC on 30 Apr is 1 May at +02:00: inside a range starting 1 May
    starts = [datetime(2024, 4, 30, 23, 30, tzinfo=UTC), T0 + timedelta(days=1),
              T0 + timedelta(days=9)]
    ids = [store.add_file(f"{i}.fit", [make_activity(start=s, seed=i)])[0].id
           for i, s in enumerate(starts)]
    ride = store.add_file("ride.fit", [make_activity(start=T0 + timedelta(days=2),
                                                     sport=Sport.CYCLING, gear="Bike")])[0].id
    changed = store.assign_gear("  Trail pair ", first=date(2024, 5, 1), last=date(2024, 5, 5))
    assert changed == ids[:2]
    gear = {s.id: s.gear for s in load_sessions(store)}
    assert gear == {ids[0]: "Trail pair", ids[1]: "Trail pair", ids[2]: "Pegasus 40",
                    ride: "Bike"}
    # open-ended range, then ids (any sport)
    assert store.assign_gear("Road pair", first=date(2024, 5, 6)) == [ids[2]]
    assert assign_gear(store, "Commuter", ids=[ride, ride]) == [ride]
    assert {s.id: s.gear for s in load_sessions(store)}[ride] == "Commuter"


def test_gear_errors(store: Store, make_activity) -> None:
    (stored,) = store.add_file("a.fit", [make_activity()])
    with pytest.raises(InputError, match="name"):
        store.assign_gear("  ", ids=[stored.id])
    with pytest.raises(InputError, match="--from"):
        store.assign_gear("X")
    with pytest.raises(InputError, match="not both"):
        store.assign_gear("X", first=date(2024, 1, 1), ids=[stored.id])
    with pytest.raises(InputError, match="after"):
        store.assign_gear("X", first=date(2024, 2, 1), last=date(2024, 1, 1))
    with pytest.raises(NotFoundError, match="#999"):
        store.assign_gear("X", ids=[stored.id, 999])
    # nothing changed by the failed calls
    assert [s.gear for s in load_sessions(store)] == ["Pegasus 40"]
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(MetricsRow)) == 1
