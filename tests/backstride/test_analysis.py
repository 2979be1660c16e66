"""The application service current_signals, on the demo year imported into real SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import delete

from backstride.analysis import Analysis, current_signals
from backstride.domain.signal import Level, Signal
from backstride.domain.thresholds import Thresholds
from backstride.settings import Settings
from backstride.storage.schema import MetricsRow
from backstride.storage.store import Store


@pytest.fixture
def store(demo_home: Path) -> Iterator[Store]:
    url = f"sqlite:///{demo_home / 'backstride.sqlite3'}"
    with Store.open(Settings(home=demo_home, database_url=url)) as opened:
        yield opened


def _by_key(analysis: Analysis) -> dict[str, Signal]:
    out: dict[str, Signal] = {}
    for s in analysis.signals:
        out.setdefault(s.key, s)
    return out


def test_spike_day(store: Store, demo) -> None:
    analysis = current_signals(store, as_of=demo.spike_day)
    spike = _by_key(analysis)["single_run_spike"]
    assert spike.level is Level.WARN and spike.value == pytest.approx(1.7, abs=0.02)
    assert spike.on == demo.spike_day
    run = next(s for s in analysis.sessions if s.id == spike.activity_id)
    assert run.distance_or_zero_m == pytest.approx(23_800, rel=0.01)
    assert analysis.signals[0].level is Level.WARN                   # worst first
    week = next(w for w in analysis.weeks if w.start <= demo.spike_day < w.start + timedelta(7))
    assert week.spike_level is Level.WARN and week.spike_ratio == pytest.approx(spike.value)
    assert week.longest_run_km == pytest.approx(23.8, abs=0.1)


def test_hill_block(store: Store, demo) -> None:
    analysis = current_signals(store, as_of=demo.hill_end)
    signals = _by_key(analysis)
    assert signals["hill_volume"].level is Level.WATCH
    assert signals["downhill_volume"].level is Level.WATCH
    assert signals["hill_volume"].value is not None and signals["hill_volume"].value > 3
    hill_weeks = [w.start for w in analysis.weeks if w.hill_week]
    assert hill_weeks == [demo.hill_start + timedelta(weeks=i) for i in range(4)]


def test_last_day_shoes_and_history(store: Store, demo) -> None:
    analysis = current_signals(store, as_of=demo.end)
    signals = _by_key(analysis)
    mileage = [s for s in analysis.signals if s.key == "shoe_mileage"]
    assert len(mileage) == 1 and demo.pairs[1] in mileage[0].explanation   # pair 1 retired
    assert mileage[0].level is Level.WATCH and 700 < (mileage[0].value or 0) < 760
    assert signals["shoe_rotation"].level is Level.WATCH and signals["shoe_rotation"].value == 1
    assert signals["single_run_spike_history"].level is Level.WATCH
    assert signals["single_run_spike"].level is Level.OK
    assert {"acwr", "weekly_ten_percent"} <= {s.key for s in analysis.signals if s.contested}


def test_weeks_add_up_and_cover_the_history(store: Store, demo) -> None:
    analysis = current_signals(store, as_of=demo.end)
    weeks = analysis.weeks
    runs = [s for s in analysis.sessions if s.is_run]
    assert sum(w.runs for w in weeks) == len(runs) == demo.runs
    assert sum(w.cross_sessions for w in weeks) == demo.activities - demo.runs
    assert sum(w.run_distance_km for w in weeks) == pytest.approx(
        sum(s.distance_or_zero_m for s in runs) / 1000)
    assert sum(w.days for w in weeks) == analysis.history.span_days
    assert all(b.start - a.start == timedelta(7) for a, b in pairwise(weeks))
    assert weeks[0].start <= analysis.history.daily.first_day < weeks[0].start + timedelta(7)
    assert weeks[-1].week == "2025-W22" and weeks[-1].start == date(2025, 5, 26)
    row = weeks[-1].as_dict()
    assert row["start"] == "2025-05-26" and row["spike_level"] in {"ok", "watch", "warn"}
    assert all(w.run_days + w.rest_days == w.days for w in weeks)


def test_thresholds_are_passed_through(store: Store, demo) -> None:
    strict = current_signals(store, as_of=demo.spike_day,
                             thresholds=Thresholds({"spike.warn_ratio": 1.8}))
    assert _by_key(strict)["single_run_spike"].level is Level.WATCH


def test_missing_metrics_are_computed_once_with_the_same_signals(store: Store, demo) -> None:
    before = current_signals(store, as_of=demo.end)
    assert before.metrics_backfilled == 0
    with store.session(write=True) as s, s.begin():
        s.execute(delete(MetricsRow))
    after = current_signals(store, as_of=demo.end)
    assert after.metrics_backfilled == demo.activities
    assert after.signals == before.signals
    assert current_signals(store, as_of=demo.end).metrics_backfilled == 0


def test_default_day_and_days_before_the_first_activity(store: Store, demo) -> None:
    assert current_signals(store, as_of=None).as_of == date.today()
    early = current_signals(store, as_of=demo.end - timedelta(days=400))
    assert early.is_empty and early.sessions and not early.runs


def test_empty_store(tmp_path: Path) -> None:
    home = tmp_path / "empty"
    with Store.open(Settings(home=home, database_url=f"sqlite:///{home / 'db.sqlite3'}")) as s:
        analysis = current_signals(s, as_of=date(2025, 1, 1))
    assert analysis.is_empty and not analysis.sessions
    assert _by_key(analysis)["single_run_spike"].level is Level.OK


def test_effort_logged_in_a_check_in_becomes_session_rpe_load(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    import numpy as np

    from backstride.domain.activity import Activity, Sport, Streams, Summary
    from backstride.domain.checkin import CheckIn
    from backstride.domain.load import LoadKind
    from backstride.storage.plans import save_checkin

    start = datetime(2025, 3, 4, 7, 0, tzinfo=UTC)
    t = np.arange(0.0, 1800.0, 5.0)
    run = Activity(
        Sport.RUNNING, start, Summary(elapsed_s=1795.0, distance_m=5385.0),
        Streams({"time_s": t, "distance_m": t * 3.0}), "fit", utc_offset_s=3600,
    )
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    with Store.open(Settings(home=tmp_path, database_url=url)) as store:
        store.add_file("run.fit", [run])
        before = current_signals(store, as_of=date(2025, 3, 5))
        assert before.sessions[0].rpe is None
        assert LoadKind.RPE not in before.history.kinds_in(7)
        save_checkin(store, CheckIn(date(2025, 3, 4), pain_during=2, pain_after=1, rpe=7))
        after = current_signals(store, as_of=date(2025, 3, 5))
        assert after.sessions[0].rpe == 7.0
        assert after.history.kinds_in(7) == {LoadKind.RPE}
