"""A real year of runs: the 58 runpandas GPX sessions (Nike Run Club exports, Jul 2020 - Jul 2021).

Expected values are worked out independently from REFERENCE.csv (peer-parser
distances and start times), plus a few known facts checked by hand: two runs
carry GPS jumps (about 22 km in 47 min, on 20 Sep 2020 and 17 Jan 2021) and are
the two biggest single-run spikes; the last run follows a 70-day break.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from backstride.domain.load import LoadKind, TrainingHistory, build_history
from backstride.domain.signal import Level
from backstride.domain.signals import compute_signals
from backstride.domain.signals.spike import run_spikes
from backstride.domain.thresholds import Thresholds
from backstride.domain.training import Session, session_from_activity

FOLDER = "runpandas/session"
LAST = date(2021, 7, 4)


@pytest.fixture(scope="module")
def named_sessions(activities_dir: Path) -> dict[str, Session]:
    gpx = pytest.importorskip("backstride.importers.gpx")
    out: dict[str, Session] = {}
    for i, path in enumerate(sorted((activities_dir / FOLDER).glob("*.gpx"))):
        (activity,) = gpx.parse_gpx(path.read_bytes(), source=path.name)
        session = session_from_activity(activity, i)
        assert session is not None
        out[path.name] = session
    return out


@pytest.fixture(scope="module")
def sessions(named_sessions: dict[str, Session]) -> list[Session]:
    return list(named_sessions.values())


@pytest.fixture(scope="module")
def reference(reference_rows) -> list[tuple[datetime, float, str]]:
    rows = [r for r in reference_rows if r.file.startswith(FOLDER + "/")]
    return sorted((datetime.fromisoformat(r.start_utc.replace("Z", "+00:00")),
                   r.distance_m or 0.0, r.file.rsplit("/", 1)[1]) for r in rows)


@pytest.fixture(scope="module")
def history(sessions: list[Session]) -> TrainingHistory:
    return build_history(sessions, LAST)


def test_the_year_as_imported(sessions, reference) -> None:
    assert len(sessions) == len(reference) == 58
    assert all(s.is_run and s.utc_offset_s is None for s in sessions)
    assert min(s.local_date for s in sessions) == date(2020, 7, 3)
    assert max(s.local_date for s in sessions) == LAST
    assert sum(s.form is not None for s in sessions) == 58       # speed from positions
    assert all(s.form is None or s.form.cadence_spm is None for s in sessions)  # no cadence


def test_weekly_series_match_the_reference(history, reference) -> None:
    runs: Counter[tuple[int, int]] = Counter()
    longest: defaultdict[tuple[int, int], float] = defaultdict(float)
    for start, dist, _ in reference:
        key = start.isocalendar()[:2]
        runs[key] += 1
        longest[key] = max(longest[key], dist)
    w = history.weekly
    assert len(w) == 53 and w.iso_week(0) == (2020, 27) and w.iso_week(52) == (2021, 26)
    got = {w.iso_week(i): int(w.run.count[i]) for i in range(len(w)) if w.run.count[i]}
    assert got == dict(runs)
    for i in range(len(w)):
        key = w.iso_week(i)
        if key in longest:
            assert w.run.longest_m[i] == pytest.approx(longest[key], rel=0.005)   # 2-D vs 3-D
    # known by hand: ISO week 38 of 2020 had 3 runs, one of them the 22 km GPS jump
    i38 = next(i for i in range(len(w)) if w.iso_week(i) == (2020, 38))
    assert w.run.count[i38] == 3 and w.run.longest_m[i38] == pytest.approx(22_064, abs=5)
    run_days = len({start.date() for start, _, _ in reference})
    assert run_days == 54                          # four days had two runs
    assert w.run_days.sum() == run_days and w.rest_days.sum() == history.span_days - run_days
    assert w.cross.count.sum() == 0


def test_loads_are_heart_rate_based_except_the_one_run_without_heart_rate(history) -> None:
    kinds = Counter(x.kind for x in history.loads)
    assert kinds == {LoadKind.TRIMP: 57, LoadKind.DURATION: 1}
    assert history.hr_max_bpm == 196.0
    assert all(x.load > 0 for x in history.loads)


def test_spikes_match_the_reference(sessions, reference) -> None:
    th = Thresholds()
    spikes = run_spikes(sorted(sessions, key=lambda s: s.start_utc), th)
    ref: list[tuple[float, date]] = []
    for i, (start, dist, _) in enumerate(reference):
        prev = [d for t, d, _ in reference[:i] if start - t <= timedelta(days=30)]
        if prev:
            ref.append((dist / max(prev), start.date()))
    rated = sorted(((x.ratio or 0.0, x.session.local_date) for x in spikes), reverse=True)
    ref.sort(reverse=True)
    assert [d for _, d in rated[:4]] == [d for _, d in ref[:4]] == [
        date(2020, 9, 20), date(2021, 1, 17), date(2020, 7, 13), date(2020, 8, 14)]
    for (r, _), (expected, _) in zip(rated[:4], ref[:4], strict=True):
        assert r == pytest.approx(expected, rel=0.005)
    levels = Counter((x.level, x.strong) for x in spikes)
    assert levels[(Level.WARN, True)] == 2        # more than double: both GPS jumps
    assert levels[(Level.WARN, False)] == 1       # 13 Jul 2020, 154%
    assert levels[(Level.WATCH, False)] == 6      # 9 runs above 110% in all


def test_signals_a_few_days_after_the_first_gps_jump(sessions, named_sessions) -> None:
    jump = named_sessions["556160e9-d74c-440c-b0af-363efb753430.gpx"]
    sigs = compute_signals(sessions, date(2020, 9, 25), Thresholds())
    top = sigs[0]
    assert top.key == "single_run_spike" and top.level is Level.WARN
    assert top.activity_id == jump.id and top.on == date(2020, 9, 20)
    assert top.value == pytest.approx(22_064 / 8_268, rel=0.005)
    assert "Strong warning" in top.explanation and "9.1 km" in top.advice
    by_key = {s.key: s for s in sigs}
    assert by_key["weekly_ramp"].level is Level.WATCH
    assert by_key["acwr"].contested and by_key["acwr"].level is Level.WATCH
    assert by_key["hill_volume"].level is Level.OK          # Recife is flat
    assert not {"cadence", "step_length", "shoe_rotation", "gct_balance"} & set(by_key)


def test_history_keeps_the_second_jump_visible_five_weeks_later(sessions) -> None:
    sigs = {s.key: s for s in compute_signals(sessions, date(2021, 2, 22), Thresholds())}
    assert sigs["single_run_spike"].level is Level.OK
    hist = sigs["single_run_spike_history"]
    assert hist.level is Level.WATCH and hist.on == date(2021, 1, 17)


def test_after_the_long_break(sessions) -> None:
    sigs = {s.key: s for s in compute_signals(sessions, LAST, Thresholds())}
    assert sigs["acwr"].value is None                 # no training in the 28 days before
    assert sigs["single_run_spike"].value is None     # nothing in the 30 days before
    assert sigs["rest_days"].value == 6
    assert sigs["cross_training"].level is Level.WATCH and sigs["cross_training"].value == 0
