"""compute_signals: the whole set, sorting, sources, wording rules."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import numpy as np

from backstride.domain.activity import Sport
from backstride.domain.evidence import SOURCES
from backstride.domain.signal import Level
from backstride.domain.signals import SIGNAL_KEYS, compute_signals
from backstride.domain.thresholds import REGISTRY, Thresholds
from backstride.domain.training import Session

DERIVED = {"strain", "cadence"}   # thresholds derived from the registry value (own peak, sign)


def _rich_timeline(timeline) -> None:
    """Four months with every kind of data, ending with a big spike and hills."""
    rng = np.random.default_rng(7)
    for d in range(120, 0, -1):
        if d % 7 in (1, 4):
            continue
        bal = 50.5 if d > 14 else 53.0
        timeline.add(d, float(rng.uniform(5, 9)), minutes=45.0, gear="Pair A" if d % 2 else "b",
                     ascent_m=40.0, descent_m=40.0, avg_hr_bpm=150.0, max_hr_bpm=185.0,
                     form=timeline.form(165.0 if d > 14 else 150.0, 1.05,
                                        ground_contact_balance_pct=bal,
                                        vertical_oscillation_mm=80.0, vertical_ratio_pct=8.0),
                     terrain=timeline.terrain(up_s=100, down_s=100))
    timeline.add(0, 25.0, minutes=150.0, ascent_m=600.0, descent_m=600.0, rpe=8.0)
    timeline.add(2, 10.0, sport=Sport.CYCLING, minutes=60.0)


def test_every_family_reports_and_results_are_sorted_worst_first(timeline) -> None:
    _rich_timeline(timeline)
    sigs = timeline.signals()
    keys = [s.key for s in sigs]
    assert set(keys) == set(SIGNAL_KEYS) - {"single_run_spike_history"}
    ranks = [s.level.rank for s in sigs]
    assert ranks == sorted(ranks, reverse=True)
    assert sigs[0].key == "single_run_spike" and sigs[0].level is Level.WARN
    assert "Strong warning" in sigs[0].explanation
    flagged = {s.key for s in sigs if s.level is not Level.OK}
    assert {"cadence", "gct_balance", "gct_balance_shift", "hill_volume"} <= flagged


def test_signal_contract(timeline) -> None:
    _rich_timeline(timeline)
    th = Thresholds()
    for s in timeline.signals():
        assert s.source_key in SOURCES and s.evidence_grade
        assert s.explanation.strip() and s.advice.strip()
        if s.threshold_name is not None:
            assert s.threshold_name in REGISTRY
            if s.key not in DERIVED:
                assert s.threshold == th[s.threshold_name], s.key
        if s.key in ("acwr", "weekly_ten_percent"):
            assert s.contested
        else:
            assert not s.contested


def test_wording_is_never_diagnostic_nor_alarming_nor_180(timeline) -> None:
    _rich_timeline(timeline)
    banned = re.compile(r"diagnos|you have|danger|injur(ed|y) (is|will)|\b180\b|must", re.I)
    for s in timeline.signals():
        assert not banned.search(s.explanation + " " + s.advice), (s.key, s.explanation)


def test_sessions_after_as_of_are_ignored(timeline) -> None:
    _rich_timeline(timeline)
    before = timeline.signals()
    timeline.add(-1, 80.0)   # tomorrow
    assert timeline.signals() == before


def test_empty_history_gives_ok_signals_only() -> None:
    sigs = compute_signals([], date(2024, 1, 1), Thresholds())
    assert sigs and all(s.level is Level.OK and s.value is None for s in sigs)
    assert {s.key for s in sigs} == {"single_run_spike", "weekly_ramp", "weekly_ten_percent",
                                     "acwr", "monotony", "strain", "rest_days", "run_streak",
                                     "cross_training"}


def test_local_time_decides_the_day() -> None:
    # 23:30 UTC on 1 Jan is 1 Jan 22:30 in UTC-1 but 2 Jan 01:30 in UTC+2.
    start = datetime(2024, 1, 1, 23, 30, tzinfo=UTC)
    east = Session(id=1, sport=Sport.RUNNING, start_utc=start, utc_offset_s=7200,
                   elapsed_s=1800, distance_m=5000)
    assert not [s for s in compute_signals([east], date(2024, 1, 1), Thresholds())
                if s.key == "run_streak" and s.value]
    got = [s for s in compute_signals([east], date(2024, 1, 2), Thresholds())
           if s.key == "run_streak"]
    assert got[0].value == 1 and got[0].on == date(2024, 1, 2)


def test_ties_keep_family_order_and_recent_first(timeline) -> None:
    for d in range(0, 60):
        timeline.add(d, 5.0)
    sigs = timeline.signals()
    watch = [s.key for s in sigs if s.level is Level.WATCH]
    assert watch == sorted(watch, key=SIGNAL_KEYS.index)
