"""Exercise selection and dosing: exclusions hold, top contributors get exercises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backstride.domain.exercises import (
    BASE_STRENGTH,
    Dose,
    Exclusions,
    ExerciseKind,
    Phase,
    Version,
    prescribe,
    session_exercises,
    targeted,
    warm_up,
)
from backstride.knowledge import load_knowledge
from backstride.knowledge.exercises import load_exercises

KB = load_knowledge()
LIB = load_exercises()
CONTRIBUTORS = [(c.key, c.label) for c in KB.contributors.contributors]
SENSITIVITIES = {s.key: s for s in KB.patterns.sensitivities}
ACTIVE_KEYS = [p.key for p in KB.patterns.patterns] + list(SENSITIVITIES)


def exclusions(active: set[str], gentle_only: bool = False) -> Exclusions:
    names = frozenset(n for k in active if k in SENSITIVITIES
                      for n in SENSITIVITIES[k].excluded_exercises)
    return Exclusions(frozenset(active), names, gentle_only)


def test_dose_pyramid_scaling_and_words() -> None:
    dose = Dose(sets=3, reps=6, hold_s=10, rest_s=20, per_side=True, pyramid=True)
    assert dose.reps_per_set == (6, 4, 2)
    assert dose.describe() == "3 sets of 6, 4, 2 repetitions per side, 10 s hold each, rest 20 s"
    settle = dose.scaled(0.6, -1)
    assert (settle.sets, settle.reps, settle.hold_s) == (2, 4, 6)
    assert settle.reps_per_set == (4, 2)
    hold = Dose(sets=2, reps=1, hold_s=30, rest_s=15, per_side=True)
    assert hold.describe() == "2 x 30 s hold per side, rest 15 s"
    assert Dose(sets=1, reps=1, hold_s=600, rest_s=0).describe() == "10 min"
    assert dose.minutes > 0


@pytest.mark.parametrize("kwargs", [
    {"sets": 0, "reps": 5, "hold_s": None, "rest_s": 10},
    {"sets": 1, "reps": None, "hold_s": None, "rest_s": 10},
    {"sets": 1, "reps": 0, "hold_s": None, "rest_s": 10},
    {"sets": 1, "reps": 3, "hold_s": None, "rest_s": -1},
])
def test_bad_doses_fail(kwargs: dict[str, int | None]) -> None:
    with pytest.raises(ValueError, match="dose"):
        Dose(**kwargs)  # type: ignore[arg-type]


def test_extension_and_rotation_exclusions() -> None:
    ext = exclusions({"extension_sensitive"})
    for key in ("locust", "back_extension", "reverse_leg_raise", "back_roller"):
        assert ext.excludes(LIB[key]), key
    young = exclusions({"stress_fracture_suspect"})
    assert young.excludes(LIB["locust"]) and young.excludes(LIB["back_extension"])
    rot = exclusions({"rotation_sensitive"})
    assert rot.excludes(LIB["russian_twist"])
    assert not rot.excludes(LIB["locust"])
    gentle = exclusions(set(), gentle_only=True)
    assert gentle.excludes(LIB["plank"]) and not gentle.excludes(LIB["hamstring_stretch"])


def test_prescribe_by_phase() -> None:
    bridge = LIB["glute_bridge"]
    settle = prescribe(bridge, Phase.SETTLE, set(), "r")
    assert settle.version is Version.EASIER and settle.dose.sets == bridge.dose.sets - 1
    assert bridge.regression in settle.how
    back = prescribe(bridge, Phase.BACK_TO_TRAINING, set(), "r")
    assert back.version is Version.HARDER and bridge.progression in back.how
    assert back.dose == bridge.dose
    stretch = prescribe(LIB["hamstring_stretch"], Phase.SETTLE, {"radicular"}, "r")
    assert stretch.dose == LIB["hamstring_stretch"].dose
    assert LIB["hamstring_stretch"].pattern_cautions["radicular"] in stretch.cautions
    assert prescribe(bridge, Phase.REBUILD, set(), "r").to_dict()["source"] == "owen2020"


def test_session_has_big3_and_targets() -> None:
    top = [("core_endurance", "Core"), ("glutes_hips", "Glutes"), ("hamstrings", "Hams")]
    session = session_exercises(LIB, top, Phase.RETURN_TO_RUN, exclusions(set()))
    keys = [p.key for p in session]
    assert keys[:3] == list(BASE_STRENGTH)
    for contributor, _ in top:
        assert any(contributor in p.exercise.contributors for p in session), contributor
    assert any(p.exercise.kind is ExerciseKind.MOBILITY for p in session)
    assert len(keys) == len(set(keys))


def test_gentle_session_is_mobility_only() -> None:
    session = session_exercises(LIB, [("hip_flexor_hamstring_tightness", "Tight")],
                                Phase.SETTLE, exclusions({"extension_sensitive"}, True))
    assert session
    assert all(p.exercise.gentle for p in session)
    assert "back_roller" not in {p.key for p in session}


def test_phase_gate() -> None:
    picks = targeted(LIB, [("core_endurance", "Core")], Phase.SETTLE, exclusions(set()),
                     per_contributor=10)
    assert all(e.min_phase is Phase.SETTLE for e, _ in picks)
    later = targeted(LIB, [("core_endurance", "Core")], Phase.BACK_TO_TRAINING,
                     exclusions(set()), per_contributor=20)
    assert "russian_twist" in {e.key for e, _ in later}


def test_warm_up_drills() -> None:
    assert [p.key for p in warm_up(LIB, exclusions(set()))] == [
        "leg_swings", "hip_circles", "walking_lunges"]


@settings(max_examples=150, deadline=None)
@given(top=st.lists(st.sampled_from(CONTRIBUTORS), max_size=3, unique=True),
       active=st.sets(st.sampled_from(ACTIVE_KEYS)),
       phase=st.sampled_from(list(Phase)), gentle=st.booleans())
def test_no_excluded_exercise_and_every_top_contributor_served(
        top: list[tuple[str, str]], active: set[str], phase: Phase, gentle: bool) -> None:
    ex = exclusions(active, gentle)
    session = session_exercises(LIB, top, phase, ex)
    for p in session:
        assert not ex.excludes(p.exercise), p.key
        assert p.exercise.min_phase.rank <= phase.rank, p.key
        if gentle:
            assert p.exercise.gentle
    kinds = (ExerciseKind.STRENGTH, ExerciseKind.MOBILITY)
    for key, _ in top:
        servable = [e for e in LIB if e.kind in kinds and key in e.contributors
                    and ex.allows(e, phase)]
        if servable:
            assert any(key in p.exercise.contributors for p in session), key
