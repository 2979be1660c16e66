"""Pain and PSFS scores; change against the minimal important differences."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backstride.domain.answers import PsfsItem, parse_answers
from backstride.domain.function import FunctionScores, Status, compare, scores_from_answers
from backstride.knowledge import load_knowledge

KB = load_knowledge()
D1, D2 = date(2025, 1, 1), date(2025, 2, 1)


def pain(now: int) -> FunctionScores:
    return FunctionScores(D1, {"pain_now": now})


def test_scores_from_answers() -> None:
    answers = parse_answers({"pain_now": 3, "pain_during_run": 5, "psfs": [
        {"activity": "run 10 km", "score": 4}, {"activity": "sit 2 h", "score": 7}]},
        KB.questions)
    scores = scores_from_answers(answers, D1)
    assert scores.pain == {"pain_now": 3, "pain_during_run": 5}
    assert scores.psfs_mean == pytest.approx(5.5)
    assert FunctionScores(D1, {}).psfs_mean is None


@pytest.mark.parametrize(
    ("before", "after", "status"),
    [
        (6, 4, Status.IMPROVED),   # 2 points
        (6, 5, Status.UNCHANGED),  # 1 point, 17%
        (3, 2, Status.IMPROVED),   # 1 point but 33%
        (10, 9, Status.UNCHANGED),
        (4, 6, Status.WORSE),
        (0, 1, Status.UNCHANGED),  # from 0 only points count
        (0, 2, Status.WORSE),
        (5, 5, Status.UNCHANGED),
    ],
)
def test_pain_mid_is_two_points_or_thirty_percent(before: int, after: int,
                                                   status: Status) -> None:
    report = compare(pain(before), FunctionScores(D2, {"pain_now": after}))
    assert report.changes[0].status is status
    assert report.overall is status


@pytest.mark.parametrize(
    ("before", "after", "status"),
    [((3, 5), (5, 7), Status.IMPROVED), ((3, 5), (4, 5), Status.UNCHANGED),
     ((6, 6), (4, 4), Status.WORSE)],
)
def test_psfs_mean_mid_is_two_points(before: tuple[int, int], after: tuple[int, int],
                                     status: Status) -> None:
    def scores(day: date, values: tuple[int, int]) -> FunctionScores:
        return FunctionScores(day, {}, (PsfsItem("run", values[0]), PsfsItem("sit", values[1])))

    report = compare(scores(D1, before), scores(D2, after))
    mean = next(c for c in report.changes if c.measure == "psfs_mean")
    assert mean.status is status


def test_psfs_single_activity_mid_is_three_points_matched_by_name() -> None:
    before = FunctionScores(D1, {}, (PsfsItem("Run 10 km", 2), PsfsItem("sit", 5)))
    after = FunctionScores(D2, {}, (PsfsItem("run 10 KM", 5), PsfsItem("sit", 5),
                                    PsfsItem("new", 1)))
    report = compare(before, after)
    items = {c.measure: c.status for c in report.changes if c.measure.startswith("psfs:")}
    assert items == {"psfs:run 10 KM": Status.IMPROVED, "psfs:sit": Status.UNCHANGED}


def test_any_worse_measure_makes_the_overall_worse() -> None:
    before = FunctionScores(D1, {"pain_now": 6, "pain_during_run": 2})
    after = FunctionScores(D2, {"pain_now": 2, "pain_during_run": 5})
    report = compare(before, after)
    assert report.overall is Status.WORSE
    assert "2025-01-01" in report.text


def test_nothing_in_common() -> None:
    report = compare(FunctionScores(D1, {"pain_now": 3}), FunctionScores(D2, {}))
    assert report.changes == () and report.overall is Status.UNCHANGED


@given(st.integers(0, 10), st.integers(0, 10))
def test_an_improvement_undone_is_a_worsening(a: int, b: int) -> None:
    forward = compare(pain(a), FunctionScores(D2, {"pain_now": b})).overall
    back = compare(pain(b), FunctionScores(D2, {"pain_now": a})).overall
    if forward is Status.IMPROVED and b > 0:  # from 0 only the 2 points count
        assert back is Status.WORSE
    if abs(a - b) >= 2:
        assert forward is not Status.UNCHANGED
    if a == b:
        assert forward is Status.UNCHANGED


def test_round_trip_through_dict() -> None:
    scores = FunctionScores(D1, {"pain_now": 3}, (PsfsItem("run", 4),))
    assert FunctionScores.from_dict(scores.to_dict()) == scores
    with pytest.raises(ValueError, match="not a stored"):
        FunctionScores.from_dict({"pain": {}})
