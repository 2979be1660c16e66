"""Self-test results: findings that count as contributor evidence.

Tests, instructions, norms, ratio limits and the contributor weights of each finding
are data in ``backstride/knowledge/self_tests.json`` (``shared/evidence.md`` section 4):

* McGill torso endurance (``mcgill1999``): flexor / extensor >= 1.0, right / left side
  bridge outside 0.95-1.05, side bridge / extensor >= 0.75 (either side) are flagged.
  The young-adult norms are shown as context only, with their caveat: they come from
  students, are not age-graded, and ratio deficits have not been shown to cause back
  pain in runners. Use them to track one person over time.
* Single-leg bridge (``freckleton2014``): fewer than 20 repetitions, or a left-right
  difference over 10% of the better side.
* Active straight-leg raise (``ayala2012``): "poor" on either side, or a side difference.
* Modified Thomas test (``vigotsky2016``): positive on either side (weak as a self-test).
* Single-leg squat / pelvic drop (``single_leg_squat2017``): a fail on either side.

A finding is descriptive ("the extensor hold was shorter than the flexor hold"); what to
do about it is the plan's job, through the contributors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from backstride.domain.answers import Answers

__all__ = [
    "ANSWER_KEYS",
    "FINDING_KEYS",
    "Finding",
    "FindingInfo",
    "Norm",
    "RatioLimits",
    "SelfTest",
    "SelfTestKnowledge",
    "SelfTestReport",
    "evaluate_self_tests",
]

#: Answer keys this module reads (each must be a self-test question).
ANSWER_KEYS: tuple[str, ...] = (
    "sex", "mcgill_flexor_s", "mcgill_extensor_s", "side_bridge_left_s", "side_bridge_right_s",
    "single_leg_bridge_left_reps", "single_leg_bridge_right_reps", "aslr_left", "aslr_right",
    "thomas_left", "thomas_right", "single_leg_squat_left", "single_leg_squat_right",
)
#: Every finding the engine can produce (each needs an entry in ``self_tests.json``).
FINDING_KEYS: tuple[str, ...] = (
    "flexion_extension_ratio", "side_bridge_asymmetry", "side_bridge_extension_ratio",
    "single_leg_bridge_low", "single_leg_bridge_asymmetry", "aslr_poor", "aslr_asymmetry",
    "thomas_positive", "thomas_asymmetry", "single_leg_squat_fail",
    "single_leg_squat_asymmetry",
)


@dataclass(frozen=True, slots=True)
class SelfTest:
    """One self-test, with instructions in our own words.

    Attributes
    ----------
    key
        ``mcgill_flexor``, ``side_bridge``, ``thomas``...
    label
        Plain name.
    instructions
        Steps, in order.
    result_keys
        Answer keys that hold the results.
    skip_when
        Sensitivity keys (see :mod:`~backstride.domain.patterns`) for which the test
        should be skipped (e.g. the extensor hold while arching hurts).
    source_key
        Key into :data:`~backstride.domain.evidence.SOURCES`.
    """

    key: str
    label: str
    instructions: tuple[str, ...]
    result_keys: tuple[str, ...]
    skip_when: tuple[str, ...]
    source_key: str


@dataclass(frozen=True, slots=True)
class Norm:
    """Mean (SD) hold time of healthy young adults (context only) [s]."""

    answer_key: str
    label: str
    sex: str
    mean_s: float
    sd_s: float


@dataclass(frozen=True, slots=True)
class RatioLimits:
    """Limits of the McGill ratio rules and the single-leg bridge (dimensionless/reps)."""

    flexion_extension_max: float
    side_ratio_low: float
    side_ratio_high: float
    side_extension_max: float
    bridge_min_reps: int
    bridge_max_side_difference: float


@dataclass(frozen=True, slots=True)
class FindingInfo:
    """What a finding says and which contributors it supports, with what weight (0-1)."""

    key: str
    text: str
    source_key: str
    contributors: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class SelfTestKnowledge:
    """Everything in ``self_tests.json``."""

    tests: tuple[SelfTest, ...]
    norms: tuple[Norm, ...]
    limits: RatioLimits
    findings: Mapping[str, FindingInfo]
    safety: str
    caveat: str
    version: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One flagged self-test result."""

    key: str
    text: str
    source_key: str
    contributors: Mapping[str, float]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"key": self.key, "text": self.text, "source": self.source_key,
                "contributors": sorted(self.contributors)}


@dataclass(frozen=True, slots=True)
class SelfTestReport:
    """Self-test results: measurements, ratios, findings and norm context."""

    measures: Mapping[str, object]
    ratios: Mapping[str, float]
    findings: tuple[Finding, ...]
    context: tuple[str, ...]
    caveat: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"measures": dict(self.measures),
                "ratios": {k: round(v, 3) for k, v in self.ratios.items()},
                "findings": [f.to_dict() for f in self.findings],
                "context": list(self.context), "caveat": self.caveat if self.measures else ""}


def evaluate_self_tests(answers: Answers, knowledge: SelfTestKnowledge) -> SelfTestReport:
    """Turn self-test answers into findings (only for tests that were done)."""
    keys = [k for t in knowledge.tests for k in t.result_keys]
    measures = {k: answers.values[k] for k in keys if k in answers.values}
    ratios = _mcgill_ratios(answers)
    found: list[tuple[str, dict[str, object]]] = []
    found += _mcgill_findings(ratios, knowledge.limits)
    found += _bridge_findings(answers, knowledge.limits)
    found += _side_findings(answers, "aslr", bad="poor", finding="aslr")
    found += _side_findings(answers, "thomas", bad="positive", finding="thomas")
    found += _side_findings(answers, "single_leg_squat", bad="fail",
                            finding="single_leg_squat")
    findings = tuple(_finding(knowledge.findings[key], values) for key, values in found)
    return SelfTestReport(measures, ratios, findings, _norm_context(answers, knowledge),
                          knowledge.caveat)


def _finding(info: FindingInfo, values: Mapping[str, object]) -> Finding:
    return Finding(info.key, info.text.format_map(dict(values)), info.source_key,
                   info.contributors)


def _mcgill_ratios(answers: Answers) -> dict[str, float]:
    flexor = answers.number("mcgill_flexor_s")
    extensor = answers.number("mcgill_extensor_s")
    left = answers.number("side_bridge_left_s")
    right = answers.number("side_bridge_right_s")
    ratios: dict[str, float] = {}
    if flexor is not None and extensor:
        ratios["flexion_extension"] = flexor / extensor
    if left and right is not None:
        ratios["side_right_left"] = right / left
    if extensor:
        sides = [s for s in (left, right) if s is not None]
        if sides:
            ratios["side_extension"] = max(sides) / extensor
    return ratios


def _mcgill_findings(ratios: Mapping[str, float],
                     limits: RatioLimits) -> list[tuple[str, dict[str, object]]]:
    out: list[tuple[str, dict[str, object]]] = []
    fe = ratios.get("flexion_extension")
    if fe is not None and fe >= limits.flexion_extension_max:
        out.append(("flexion_extension_ratio",
                    {"ratio": fe, "limit": limits.flexion_extension_max}))
    rl = ratios.get("side_right_left")
    if rl is not None and not limits.side_ratio_low <= rl <= limits.side_ratio_high:
        out.append(("side_bridge_asymmetry", {"ratio": rl, "low": limits.side_ratio_low,
                                              "high": limits.side_ratio_high}))
    se = ratios.get("side_extension")
    if se is not None and se >= limits.side_extension_max:
        out.append(("side_bridge_extension_ratio",
                    {"ratio": se, "limit": limits.side_extension_max}))
    return out


def _bridge_findings(answers: Answers,
                     limits: RatioLimits) -> list[tuple[str, dict[str, object]]]:
    left = answers.number("single_leg_bridge_left_reps")
    right = answers.number("single_leg_bridge_right_reps")
    sides = {"left": left, "right": right}
    out: list[tuple[str, dict[str, object]]] = []
    low = [f"{side} {v:.0f}" for side, v in sides.items()
           if v is not None and v < limits.bridge_min_reps]
    if low:
        out.append(("single_leg_bridge_low",
                    {"sides": ", ".join(low), "limit": limits.bridge_min_reps}))
    if left is not None and right is not None and max(left, right) > 0:
        diff = abs(left - right) / max(left, right)
        if diff > limits.bridge_max_side_difference:
            out.append(("single_leg_bridge_asymmetry",
                        {"left": left, "right": right, "pct": 100 * diff,
                         "limit_pct": 100 * limits.bridge_max_side_difference}))
    return out


def _side_findings(answers: Answers, test: str, *, bad: str,
                   finding: str) -> list[tuple[str, dict[str, object]]]:
    left = answers.choice(f"{test}_left")
    right = answers.choice(f"{test}_right")
    out: list[tuple[str, dict[str, object]]] = []
    bad_sides = [s for s, v in (("left", left), ("right", right)) if v == bad]
    if bad_sides:
        out.append((f"{finding}_{bad}",
                    {"sides": " and ".join(bad_sides), "left": left, "right": right}))
    if left is not None and right is not None and left != right:
        out.append((f"{finding}_asymmetry", {"left": left, "right": right}))
    return out


def _norm_context(answers: Answers, knowledge: SelfTestKnowledge) -> tuple[str, ...]:
    sex = answers.choice("sex")
    lines: list[str] = []
    for norm in knowledge.norms:
        value = answers.number(norm.answer_key)
        if value is None or (sex is not None and norm.sex != sex):
            continue
        where = "above" if value > norm.mean_s else "at or below"
        lines.append(f"{norm.label}: {value:g} s, {where} the mean of young "
                     f"{norm.sex} adults ({norm.mean_s:g} s, SD {norm.sd_s:g}).")
    return tuple(lines)
