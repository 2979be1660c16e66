"""Hills: recent climbing and descent against the weeks before; time on grades; hill sessions."""

from __future__ import annotations

import pytest

from backstride.domain.signal import Level
from backstride.domain.signals.hills import grade_share, hill_sessions


def _periods(timeline, before_m: float, now_m: float, *, down: bool = False) -> None:
    key = "descent_m" if down else "ascent_m"
    timeline.add(60, 5.0, **{key: 0.0})              # history of 61 days
    timeline.add(40, 10.0, **{key: before_m})        # the 28 days before
    timeline.add(5, 10.0, **{key: now_m})            # the last 28 days


@pytest.mark.parametrize(
    ("before", "now", "level"),
    [
        (200.0, 299.9, Level.OK),
        (200.0, 300.0, Level.OK),     # exactly 1.5x: ok
        (200.0, 300.1, Level.WATCH),
        (0.0, 150.0, Level.OK),       # flat before: counts as 100 m, 1.5x
        (0.0, 151.0, Level.WATCH),
        (50.0, 150.0, Level.OK),
    ],
)
@pytest.mark.parametrize("down", [False, True])
def test_rise_boundaries(timeline, before, now, level, down) -> None:
    _periods(timeline, before, now, down=down)
    sig = timeline.one("downhill_volume" if down else "hill_volume")
    assert sig.level is level
    assert sig.value == pytest.approx(now / max(before, 100.0))
    assert sig.threshold == 1.5 and sig.source_key == "levine2007"


def test_periods_are_28_days_each(timeline) -> None:
    timeline.add(60, 5.0, ascent_m=0.0)
    timeline.add(28, 5.0, ascent_m=400.0)   # day 28 before as_of: the earlier period
    timeline.add(27, 5.0, ascent_m=400.0)   # day 27: the recent period
    sig = timeline.one("hill_volume")
    assert sig.value == pytest.approx(1.0)


def test_override_and_downhill_advice(timeline) -> None:
    _periods(timeline, 200.0, 250.0, down=True)
    assert timeline.one("downhill_volume").level is Level.OK
    sig = timeline.one("downhill_volume", {"hills.rise_ratio": 1.2})
    assert sig.level is Level.WATCH and "downhill" in sig.advice.lower()


def test_details_time_share_and_hill_sessions(timeline) -> None:
    timeline.add(60, 5.0, ascent_m=0.0)
    timeline.add(3, 5.0, ascent_m=150.0, terrain=timeline.terrain(up_s=300, flat_s=900))
    timeline.add(2, 5.0, ascent_m=50.0, terrain=timeline.terrain(down_s=600, flat_s=600))
    sig = timeline.one("hill_volume")
    assert "20 m of climbing per km" in sig.explanation        # 200 m / 10 km
    assert "12% of running time" in sig.explanation           # 300 s of 2400 s
    assert "1 hill session(s)" in sig.explanation             # 30 m/km > 20; 10 m/km not
    down = timeline.one("downhill_volume")
    assert "25% of running time on grades steeper than -5%" in down.explanation


def test_grade_share_and_hill_sessions_helpers(timeline) -> None:
    a = timeline.add(3, 5.0, ascent_m=100.0, terrain=timeline.terrain(up_s=100, flat_s=300))
    b = timeline.add(2, 5.0, ascent_m=101.0)
    assert grade_share([a, b], 5.0, downhill=False) == pytest.approx(0.25)
    assert grade_share([a, b], 9.0, downhill=False) == 0.0     # 8 % bins are below 9 %
    assert grade_share([b], 5.0, downhill=False) is None
    assert hill_sessions([a, b], 20.0) == 1                   # 20 m/km is not above 20


def test_needs_history_and_omitted_without_any_ascent(timeline) -> None:
    timeline.add(10, 5.0, ascent_m=30.0)
    sig = timeline.one("hill_volume")
    assert sig.value is None and sig.level is Level.OK
    timeline.sessions.clear()
    timeline.add(60, 5.0)
    timeline.add(1, 5.0)
    assert timeline.all("hill_volume") == [] and timeline.all("downhill_volume") == []
