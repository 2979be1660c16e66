"""Cross-training volume against the weekly minimum."""

from __future__ import annotations

import pytest

from backstride.domain.activity import Sport
from backstride.domain.signal import Level


@pytest.mark.parametrize(
    ("minutes", "level"),
    [(119.0, Level.WATCH), (120.0, Level.OK), (121.0, Level.OK), (0.0, Level.WATCH)],
)
def test_cross_training_boundaries(timeline, minutes, level) -> None:
    timeline.add(40, 5.0)                                   # history of 41 days
    timeline.add(3, 5.0, minutes=300.0)                     # running never counts
    if minutes:
        timeline.add(10, 20.0, sport=Sport.CYCLING, minutes=minutes / 2, moving_s=minutes * 30)
        timeline.add(12, 1.0, sport=Sport.SWIMMING, minutes=minutes / 2)
    sig = timeline.one("cross_training")
    assert sig.level is level
    assert sig.value == pytest.approx(minutes / 4)           # 28 days = 4 weeks
    assert sig.threshold == 30.0 and sig.unit == "min/week" and sig.source_key == "maselli2020"


def test_window_is_28_days_and_walking_counts(timeline) -> None:
    timeline.add(40, 5.0)
    timeline.add(28, 5.0, sport=Sport.CYCLING, minutes=600.0)   # outside
    timeline.add(27, 5.0, sport=Sport.WALKING, minutes=120.0)   # inside
    sig = timeline.one("cross_training")
    assert sig.value == pytest.approx(30.0) and sig.level is Level.OK


def test_needs_history(timeline) -> None:
    timeline.add(5, 5.0)
    sig = timeline.one("cross_training")
    assert sig.value is None and sig.level is Level.OK
