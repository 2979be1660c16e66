"""ACWR: uncoupled EWMA, always contested, never above watch."""

from __future__ import annotations

import pytest

from backstride.domain.load import acwr, build_history
from backstride.domain.signal import Level


def _steady_then_block(timeline, block_minutes: float) -> float:
    """Six weeks of 30-min runs every other day, then 3 days of ``block_minutes``.

    Returns the ratio on as_of from the load module, computed independently.
    """
    for d in range(44, 3, -2):
        timeline.add(d, 5.0, minutes=30.0)
    for d in range(3):
        timeline.add(d, 10.0, minutes=block_minutes)
    history = build_history(timeline.sessions, timeline.as_of)
    return float(acwr(history.daily.load, 7, 28).ratio[-1])


def test_ratio_matches_the_load_module_and_boundary_is_strict(timeline) -> None:
    ratio = _steady_then_block(timeline, 90.0)
    assert ratio > 1.5
    sig = timeline.one("acwr")
    assert sig.value == pytest.approx(ratio)
    assert sig.level is Level.WATCH and sig.contested
    assert timeline.one("acwr", {"acwr.high": ratio}).level is Level.OK        # at: ok
    assert timeline.one("acwr", {"acwr.high": ratio - 1e-9}).level is Level.WATCH
    assert timeline.one("acwr", {"acwr.high": ratio + 1e-9}).level is Level.OK


def test_never_above_watch_and_always_contested(timeline) -> None:
    _steady_then_block(timeline, 600.0)
    sig = timeline.one("acwr")
    assert sig.value is not None and sig.value > 3
    assert sig.level is Level.WATCH and sig.contested
    assert sig.source_key == "impellizzeri2020" and "disputed" in sig.explanation


def test_normal_training_is_ok(timeline) -> None:
    _steady_then_block(timeline, 30.0)
    sig = timeline.one("acwr")
    assert sig.level is Level.OK and sig.contested and 0.5 < (sig.value or 0) < 1.5


def test_needs_history_and_recent_chronic_training(timeline) -> None:
    timeline.add(10, 5.0)
    sig = timeline.one("acwr")
    assert sig.value is None and sig.level is Level.OK and sig.contested
    timeline.add(200, 5.0)          # long history, but nothing in the chronic window
    assert timeline.one("acwr").value is None


def test_mixed_load_kinds_are_mentioned(timeline) -> None:
    for d in range(40, 0, -2):
        timeline.add(d, 5.0, rpe=5.0 if d % 4 else None)
    sig = timeline.one("acwr")
    assert "mix different measures (duration, rpe)" in sig.explanation
