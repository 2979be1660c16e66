"""Shoes: distance per pair (weak 500-800 km convention) and rotation (association)."""

from __future__ import annotations

import pytest

from backstride.domain.activity import Sport
from backstride.domain.signal import Level
from backstride.domain.signals.shoes import shoe_use


@pytest.mark.parametrize(
    ("km", "level", "name"),
    [
        (499.9, Level.OK, "shoes.check_km"),
        (500.0, Level.OK, "shoes.check_km"),
        (500.1, Level.WATCH, "shoes.check_km"),
        (800.0, Level.WATCH, "shoes.check_km"),
        (800.1, Level.WATCH, "shoes.replace_km"),
        (2000.0, Level.WATCH, "shoes.replace_km"),   # weak evidence: never warn
    ],
)
def test_mileage_boundaries(timeline, km, level, name) -> None:
    timeline.add(100, km - 10.0, gear="Pegasus")
    timeline.add(3, 10.0, gear="Pegasus")
    sig = timeline.one("shoe_mileage")
    assert sig.level is level and sig.value == pytest.approx(km)
    assert sig.threshold_name == name and sig.unit == "km" and sig.source_key == "cook1985"
    if level is Level.WATCH:
        assert "weak evidence" in sig.explanation and "no study has shown" in sig.explanation


def test_names_group_case_insensitively_and_assignments_override(timeline) -> None:
    a = timeline.add(5, 10.0, gear="Pegasus 40")
    timeline.add(4, 10.0, gear=" pegasus 40 ")
    timeline.add(3, 10.0, gear="Trail X")
    timeline.add(2, 10.0, sport=Sport.CYCLING, gear="Pegasus 40")   # not running: not counted
    uses = shoe_use(list(timeline.sessions[:3]))
    assert [(u.name, u.distance_m, u.runs) for u in uses] == [
        ("pegasus 40", 20_000.0, 2), ("Trail X", 10_000.0, 1)]
    sigs = timeline.all("shoe_mileage", gear_assignments={a.id: "Trail X"})
    assert {(s.value, s.explanation.split("'")[1]) for s in sigs} == {
        (10.0, "pegasus 40"), (20.0, "Trail X")}


def test_only_pairs_in_use_are_reported(timeline) -> None:
    timeline.add(200, 900.0, gear="Old pair")
    timeline.add(91, 10.0, gear="Old pair")    # last used 91 days ago: retired
    timeline.add(3, 10.0, gear="New pair")
    keys = [s.explanation for s in timeline.all("shoe_mileage")]
    assert len(keys) == 1 and "New pair" in keys[0]
    assert timeline.one("shoe_rotation").value == 1.0


@pytest.mark.parametrize(("pairs", "level"), [(1, Level.WATCH), (2, Level.OK), (3, Level.OK)])
def test_rotation_boundaries(timeline, pairs, level) -> None:
    for i in range(pairs):
        timeline.add(10 + i, 8.0, gear=f"pair {i}")
    timeline.add(1, 8.0)            # no pair named: ignored, but mentioned
    sig = timeline.one("shoe_rotation")
    assert sig.level is level and sig.value == pairs and sig.threshold == 2.0
    assert sig.source_key == "malisoux2015" and "1 run(s) had no pair" in sig.explanation
    if level is Level.WATCH:
        assert "association, not proof" in sig.explanation


def test_omitted_without_any_pair(timeline) -> None:
    timeline.add(1, 8.0)
    assert timeline.all("shoe_mileage") == [] and timeline.all("shoe_rotation") == []


def test_rotation_without_recent_named_runs(timeline) -> None:
    timeline.add(120, 8.0, gear="Old")
    timeline.add(1, 8.0)
    sig = timeline.one("shoe_rotation")
    assert sig.value is None and sig.level is Level.OK


@pytest.mark.parametrize(("last_used", "in_use"), [(89, True), (90, False)])
def test_active_window_edge(timeline, last_used, in_use) -> None:
    timeline.add(last_used, 600.0, gear="Old pair")
    timeline.add(1, 5.0, gear="New pair")
    names = [s.explanation for s in timeline.all("shoe_mileage")]
    assert any("Old pair" in n for n in names) is in_use
    assert timeline.one("shoe_rotation").value == (2.0 if in_use else 1.0)
