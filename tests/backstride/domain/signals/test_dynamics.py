"""Running dynamics: ground contact balance (heuristic), oscillation and ratio trends."""

from __future__ import annotations

import pytest

from backstride.domain.signal import Level


def _runs(timeline, days: range, **metrics: float) -> None:
    for d in days:
        timeline.add(d, 8.0, form=timeline.form(165.0, 1.1, **metrics))


RECENT = range(1, 4)       # three runs in the last 14 days
EARLIER = range(20, 23)    # three runs in the baseline


@pytest.mark.parametrize(
    ("balance", "level"),
    [(51.4, Level.OK), (51.5, Level.OK), (51.6, Level.WATCH), (48.5, Level.OK),
     (48.4, Level.WATCH), (50.0, Level.OK)],
)
def test_balance_deviation_boundaries(timeline, balance, level) -> None:
    _runs(timeline, RECENT, ground_contact_balance_pct=balance)
    sig = timeline.one("gct_balance")
    assert sig.level is level
    assert sig.value == pytest.approx(balance - 50.0)
    assert sig.threshold == 1.5 and sig.unit == "percentage points"
    assert sig.source_key == "joubert2020" and "heuristic" in sig.explanation


def test_balance_needs_a_sustained_pattern(timeline) -> None:
    _runs(timeline, range(1, 3), ground_contact_balance_pct=54.0)   # two runs only
    assert timeline.one("gct_balance").value is None
    assert timeline.one("gct_balance", {"gct_balance.min_runs": 2}).level is Level.WATCH


def test_balance_uses_the_median_run(timeline) -> None:
    for d, b in zip(RECENT, (50.2, 55.0, 50.4), strict=True):   # one odd run
        timeline.add(d, 8.0, form=timeline.form(165.0, 1.1, ground_contact_balance_pct=b))
    sig = timeline.one("gct_balance")
    assert sig.value == pytest.approx(0.4) and sig.level is Level.OK


@pytest.mark.parametrize(
    ("recent", "level"),
    [(50.9, Level.OK), (51.0, Level.OK), (51.1, Level.WATCH), (47.0, Level.OK),
     (46.9, Level.WATCH)],
)
def test_balance_shift_boundaries(timeline, recent, level) -> None:
    _runs(timeline, EARLIER, ground_contact_balance_pct=49.0)
    _runs(timeline, RECENT, ground_contact_balance_pct=recent)
    sig = timeline.one("gct_balance_shift")
    assert sig.level is level
    assert sig.value == pytest.approx(recent - 49.0)
    assert sig.threshold == 2.0


@pytest.mark.parametrize(
    ("recent", "level"), [(87.9, Level.OK), (88.0, Level.OK), (88.1, Level.WATCH), (60.0, Level.OK)]
)
@pytest.mark.parametrize(("field", "key"), [("vertical_oscillation_mm", "vertical_oscillation"),
                                            ("vertical_ratio_pct", "vertical_ratio")])
def test_trend_boundaries(timeline, recent, level, field, key) -> None:
    _runs(timeline, EARLIER, **{field: 80.0})
    _runs(timeline, RECENT, **{field: recent})
    sig = timeline.one(key)
    assert sig.level is level
    assert sig.value == pytest.approx(100 * (recent / 80.0 - 1))
    assert sig.threshold == 10.0 and sig.source_key == "backstride"


def test_dynamics_are_omitted_without_data_and_ok_when_only_old(timeline) -> None:
    _runs(timeline, RECENT)
    keys = {s.key for s in timeline.signals()}
    assert not keys & {"gct_balance", "gct_balance_shift", "vertical_oscillation",
                       "vertical_ratio"}
    timeline.sessions.clear()
    _runs(timeline, range(100, 103), ground_contact_balance_pct=55.0, vertical_ratio_pct=8.0)
    assert timeline.one("gct_balance").value is None
    assert timeline.one("vertical_ratio").value is None
    assert timeline.all("vertical_oscillation") == []


def test_dynamics_never_warn(timeline) -> None:
    _runs(timeline, EARLIER, ground_contact_balance_pct=45.0, vertical_oscillation_mm=60.0)
    _runs(timeline, RECENT, ground_contact_balance_pct=60.0, vertical_oscillation_mm=150.0)
    levels = {s.level for s in timeline.signals()
              if s.key in {"gct_balance", "gct_balance_shift", "vertical_oscillation"}}
    assert levels == {Level.WATCH}
