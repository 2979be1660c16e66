"""Cadence and step length against the runner's own baseline at the same speeds."""

from __future__ import annotations

import pytest

from backstride.domain.signal import Level
from backstride.domain.signals.cadence import band_baseline, compare


def _baseline(timeline, cadence: float = 160.0, step: float | None = 1.0,
              speeds: tuple[float, ...] = (3.0,), runs: int = 3) -> None:
    for d in range(20, 20 + 5 * runs, 5):
        timeline.add(d, 8.0, form=timeline.form(cadence, step, speeds=speeds))


@pytest.mark.parametrize(
    ("recent", "level"),
    [(152.1, Level.OK), (152.0, Level.OK), (151.9, Level.WATCH), (140.0, Level.WATCH),
     (175.0, Level.OK)],
)
def test_cadence_boundaries(timeline, recent, level) -> None:
    _baseline(timeline, 160.0)
    timeline.add(2, 8.0, form=timeline.form(recent, 1.0))
    sig = timeline.one("cadence")
    assert sig.level is level
    assert sig.value == pytest.approx(100 * (recent / 160.0 - 1))
    assert sig.threshold == -5.0 and sig.threshold_name == "cadence.low_pct"
    assert sig.source_key == "heiderscheit2011" and sig.unit == "%"


def test_advice_is_five_percent_over_own_value_never_a_fixed_target(timeline) -> None:
    _baseline(timeline, 182.0)
    timeline.add(2, 8.0, form=timeline.form(171.5, 1.0))   # 5% more would be ~180
    sig = timeline.one("cadence")
    assert sig.level is Level.WATCH
    text = sig.explanation + sig.advice
    assert "180" not in text and "5%" in sig.advice and "gradually" in sig.advice
    assert "own 172" in sig.advice and "9 more steps/min" in sig.advice
    assert "not a target number" in sig.advice


def test_only_matching_speed_bands_are_compared(timeline) -> None:
    _baseline(timeline, 160.0, speeds=(3.0,))
    timeline.add(2, 8.0, form=timeline.form(140.0, 1.0, speeds=(3.5,)))  # faster: no band
    sig = timeline.one("cadence")
    assert sig.value is None and sig.level is Level.OK
    timeline.add(1, 8.0, form=timeline.form(160.0, 1.0, speeds=(3.0,)))
    assert timeline.one("cadence").value == pytest.approx(0.0)


def test_baseline_needs_enough_runs_per_band(timeline) -> None:
    _baseline(timeline, 160.0, runs=2)
    timeline.add(2, 8.0, form=timeline.form(140.0, 1.0))
    assert timeline.one("cadence").value is None
    assert timeline.one("cadence", {"form.min_baseline_runs": 2}).level is Level.WATCH


def test_recent_runs_are_weighted_by_time_in_band(timeline) -> None:
    _baseline(timeline, 160.0)
    timeline.add(3, 8.0, form=timeline.form(160.0, 1.0, seconds=900.0))
    timeline.add(2, 8.0, form=timeline.form(144.0, 1.0, seconds=300.0))
    # (900 * 1.0 + 300 * 0.9) / 1200 = 0.975
    assert timeline.one("cadence").value == pytest.approx(-2.5)


@pytest.mark.parametrize(
    ("recent", "level"),
    [(1.049, Level.OK), (1.05, Level.OK), (1.051, Level.WATCH), (0.9, Level.OK)],
)
def test_step_length_boundaries(timeline, recent, level) -> None:
    _baseline(timeline, 160.0, 1.0)
    timeline.add(2, 8.0, form=timeline.form(160.0, recent))
    sig = timeline.one("step_length")
    assert sig.level is level
    assert sig.value == pytest.approx(100 * (recent - 1.0))
    assert sig.threshold == 5.0 and sig.source_key == "lieberman2015"
    if level is Level.WATCH:
        assert "overstriding" in sig.explanation and "180" not in sig.advice


def test_omitted_without_any_cadence_or_step_data(timeline) -> None:
    timeline.add(2, 8.0)
    assert timeline.all("cadence") == [] and timeline.all("step_length") == []
    timeline.add(1, 8.0, form=timeline.form(None, 1.0))
    assert timeline.all("cadence") == [] and len(timeline.all("step_length")) == 1


def test_helpers(timeline) -> None:
    runs = [timeline.add(d, 5.0, form=timeline.form(c, None, speeds=(3.0, 3.25)))
            for d, c in ((30, 150.0), (31, 160.0), (32, 170.0))]
    base = band_baseline(runs, "cadence_spm", 3)
    assert base == {12: 160.0, 13: 160.0}
    recent = timeline.add(1, 5.0, form=timeline.form(168.0, None, speeds=(3.0, 3.25)))
    cmp = compare([recent], base, "cadence_spm")
    assert cmp is not None
    assert cmp.ratio == pytest.approx(1.05) and cmp.own == 168.0 and cmp.base == 160.0
    assert cmp.speed_m_s == pytest.approx(3.25)   # centres 3.125 and 3.375, equal time


@pytest.mark.parametrize(
    ("first_baseline_day", "compared"),
    [(13, False),    # day 13 is recent, so the baseline has only two runs
     (14, True),     # first day of the baseline window
     (191, True),    # three runs on days 191-193: the baseline's oldest days
     (192, False)],  # day 194 falls outside the 180-day baseline
)
def test_recent_and_baseline_window_edges(timeline, first_baseline_day, compared) -> None:
    for d in range(first_baseline_day, first_baseline_day + 3):
        timeline.add(d, 8.0, form=timeline.form(160.0, 1.0))
    timeline.add(0, 8.0, form=timeline.form(140.0, 1.0))
    assert (timeline.one("cadence").value is not None) is compared
