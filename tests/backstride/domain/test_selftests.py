"""Self-tests: McGill ratio rules, bridge, ASLR, Thomas, single-leg squat, norms."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from backstride.domain.answers import parse_answers
from backstride.domain.selftests import FINDING_KEYS, SelfTestReport, evaluate_self_tests
from backstride.knowledge import load_knowledge

KB = load_knowledge()


def report(raw: Mapping[str, object]) -> SelfTestReport:
    return evaluate_self_tests(parse_answers(raw, KB.questions), KB.self_tests)


def findings(raw: Mapping[str, object]) -> set[str]:
    return {f.key for f in report(raw).findings}


def test_no_tests_no_findings() -> None:
    r = report({})
    assert r.findings == () and r.context == () and r.to_dict()["caveat"] == ""


@pytest.mark.parametrize(("flexor", "flagged"), [(99, False), (100, True), (150, True)])
def test_flexion_extension_ratio_at_one(flexor: float, flagged: bool) -> None:
    raw = {"mcgill_flexor_s": flexor, "mcgill_extensor_s": 100}
    assert ("flexion_extension_ratio" in findings(raw)) is flagged


@pytest.mark.parametrize(("right", "flagged"),
                         [(95, False), (105, False), (94, True), (106, True)])
def test_side_bridge_right_left_outside_095_105(right: float, flagged: bool) -> None:
    raw = {"side_bridge_left_s": 100, "side_bridge_right_s": right}
    assert ("side_bridge_asymmetry" in findings(raw)) is flagged


@pytest.mark.parametrize(("side", "flagged"), [(74, False), (75, True)])
def test_side_bridge_over_extension_at_075(side: float, flagged: bool) -> None:
    raw = {"side_bridge_left_s": side, "side_bridge_right_s": side, "mcgill_extensor_s": 100}
    assert ("side_bridge_extension_ratio" in findings(raw)) is flagged


def test_zero_extensor_hold_does_not_divide_by_zero() -> None:
    assert report({"mcgill_flexor_s": 30, "mcgill_extensor_s": 0}).ratios == {}


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [(25, 25, set()), (19, 25, {"single_leg_bridge_low", "single_leg_bridge_asymmetry"}),
     (30, 28, set()), (30, 26, {"single_leg_bridge_asymmetry"}),
     (15, 15, {"single_leg_bridge_low"})],
)
def test_single_leg_bridge(left: int, right: int, expected: set[str]) -> None:
    raw = {"single_leg_bridge_left_reps": left, "single_leg_bridge_right_reps": right}
    assert findings(raw) == expected


def test_side_tests() -> None:
    assert findings({"aslr_left": "poor", "aslr_right": "poor"}) == {"aslr_poor"}
    assert findings({"aslr_left": "good", "aslr_right": "average"}) == {"aslr_asymmetry"}
    assert findings({"thomas_left": "positive"}) == {"thomas_positive"}
    assert findings({"thomas_left": "positive", "thomas_right": "negative"}) == {
        "thomas_positive", "thomas_asymmetry"}
    assert findings({"single_leg_squat_right": "fail"}) == {"single_leg_squat_fail"}
    assert findings({"single_leg_squat_left": "pass", "single_leg_squat_right": "pass"}) == set()


def test_single_leg_squat_fail_points_to_glutes() -> None:
    f = report({"single_leg_squat_left": "fail"}).findings[0]
    assert f.contributors["glutes_hips"] >= 0.4
    assert "gluteus medius" in f.text


ALL_FLAGGED = {
    "mcgill_flexor_s": 120, "mcgill_extensor_s": 100, "side_bridge_left_s": 80,
    "side_bridge_right_s": 60, "single_leg_bridge_left_reps": 10,
    "single_leg_bridge_right_reps": 18, "aslr_left": "poor", "aslr_right": "good",
    "thomas_left": "positive", "thomas_right": "negative", "single_leg_squat_left": "fail",
    "single_leg_squat_right": "pass",
}


def test_every_finding_can_be_produced_and_its_text_formats() -> None:
    r = report(ALL_FLAGGED)
    assert {f.key for f in r.findings} == set(FINDING_KEYS)
    for f in r.findings:
        assert "{" not in f.text and "?" not in f.text
        assert f.contributors


def test_norms_are_context_with_caveat_and_follow_sex() -> None:
    both = report({"mcgill_extensor_s": 150})
    assert len(both.context) == 2  # male and female norms
    female = report({"mcgill_extensor_s": 150, "sex": "female"})
    assert len(female.context) == 1 and "189" in female.context[0]
    assert "not as a diagnosis" in female.caveat
    assert female.findings == ()  # norms never make a finding


def test_extensor_test_is_skipped_when_arching_hurts() -> None:
    test = next(t for t in KB.self_tests.tests if t.key == "mcgill_extensor")
    assert "extension_sensitive" in test.skip_when
    assert all(t.instructions for t in KB.self_tests.tests)
