"""Weekly ramp (>30% over two weeks) and the 10% rule shown as a convention."""

from __future__ import annotations

import pytest

from backstride.domain.signal import Level


def _weeks(timeline, now_km: float, last_km: float, before_km: float) -> None:
    """One run in each rolling week: this week (day 1), last week (8), two weeks ago (15)."""
    for days, km in ((1, now_km), (8, last_km), (15, before_km)):
        if km:
            timeline.add(days, km)
    timeline.add(22, 1.0)  # history reaches back beyond three weeks (outside every window)


@pytest.mark.parametrize(
    ("now_km", "level"),
    [(12.999, Level.OK), (13.0, Level.OK), (13.001, Level.WATCH), (30.0, Level.WATCH)],
)
def test_two_week_ramp_boundaries(timeline, now_km, level) -> None:
    _weeks(timeline, now_km, 10.0, 10.0)
    sig = timeline.one("weekly_ramp")
    assert sig.level is level
    assert sig.value == pytest.approx(100 * (now_km / 10.0 - 1))
    assert sig.threshold == 30.0 and sig.unit == "%" and sig.source_key == "nielsen2014"
    assert not sig.contested


def test_ramp_is_soft_never_warn(timeline) -> None:
    _weeks(timeline, 100.0, 10.0, 1.0)
    sig = timeline.one("weekly_ramp")
    assert sig.level is Level.WATCH and "weak evidence" in sig.explanation


def test_ramp_override_applies(timeline) -> None:
    _weeks(timeline, 12.0, 10.0, 10.0)
    assert timeline.one("weekly_ramp").level is Level.OK
    assert timeline.one("weekly_ramp", {"ramp.two_week_pct": 19.9}).level is Level.WATCH


def test_ramp_needs_three_weeks_and_running_two_weeks_ago(timeline) -> None:
    timeline.add(1, 10.0)
    timeline.add(8, 10.0)
    sig = timeline.one("weekly_ramp")
    assert sig.level is Level.OK and sig.value is None


@pytest.mark.parametrize("now_km", [10.999, 11.0, 11.001, 20.0])
def test_ten_percent_rule_is_always_ok_and_contested(timeline, now_km) -> None:
    _weeks(timeline, now_km, 10.0, 10.0)
    sig = timeline.one("weekly_ten_percent")
    assert sig.level is Level.OK and sig.contested
    assert sig.value == pytest.approx(100 * (now_km / 10.0 - 1))
    assert sig.threshold == 10.0 and sig.source_key == "buist2008"
    assert "convention" in sig.explanation
    side = "above" if now_km > 11.0 else "within"
    assert f"{side} the 10% convention" in sig.explanation


def test_ten_percent_without_a_previous_week(timeline) -> None:
    timeline.add(1, 5.0)
    sig = timeline.one("weekly_ten_percent")
    assert sig.value is None and sig.contested and sig.level is Level.OK
