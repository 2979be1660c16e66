"""The exercise library file: packaged, complete, consistent; broken files fail loudly."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources

import pytest

from backstride.domain.contributors import PLAN_ELEMENT_KEYS
from backstride.domain.evidence import SOURCES
from backstride.domain.exercises import ExerciseKind, Phase
from backstride.knowledge import KnowledgeError, load_knowledge
from backstride.knowledge.exercises import (
    FILE,
    REQUIRED_EXERCISES,
    build_exercises,
    load_exercises,
)
from backstride.knowledge.loader import read_json

KB = load_knowledge()
LIB = load_exercises()


def raw() -> dict[str, object]:
    return copy.deepcopy(dict(read_json(FILE)))


def first(data: dict[str, object]) -> dict[str, object]:
    exercises = data["exercises"]
    assert isinstance(exercises, list)
    item = exercises[0]
    assert isinstance(item, dict)
    return item


def test_loads_once_and_is_packaged() -> None:
    assert load_exercises() is LIB
    root = resources.files("backstride.knowledge")
    assert isinstance(json.loads(root.joinpath(FILE).read_text("utf-8"))["version"], int)


def test_every_exercise_the_issue_names_is_there() -> None:
    for key in REQUIRED_EXERCISES:
        assert key in LIB, key
    names = " ".join(f"{e.name} {' '.join(e.also_named)}".lower() for e in LIB)
    for word in ("plank", "side plank", "bridge pose", "locust", "back extension",
                 "reverse leg raise", "bird dog", "dead bug", "russian twist", "clamshell",
                 "lunges", "squat", "hip thrust", "hamstring curl", "leg swings",
                 "walking lunges", "hip circles", "hip-flexor stretch", "hamstring stretch",
                 "glute stretch", "foam roll", "back roller", "yoga", "mcgill curl-up"):
        assert word in names, word


def test_every_reference_exists() -> None:
    contributors = {c.key for c in KB.contributors.contributors}
    exclusion_keys = {p.key for p in KB.patterns.patterns} | {
        s.key for s in KB.patterns.sensitivities}
    for e in LIB:
        assert e.source_key in SOURCES, e.key
        assert set(e.contributors) <= contributors, e.key
        assert set(e.plan_elements) <= set(PLAN_ELEMENT_KEYS), e.key
        assert set(e.excluded_for) <= exclusion_keys, e.key
        assert set(e.pattern_cautions) <= exclusion_keys, e.key


def test_every_exercise_is_complete() -> None:
    for e in LIB:
        assert e.steps and e.muscles and e.progression and e.regression and e.cautions, e.key
        assert e.dose.sets >= 1 and (e.dose.reps or e.dose.hold_s), e.key
        if e.kind in (ExerciseKind.STRENGTH, ExerciseKind.MOBILITY):
            assert e.contributors, e.key


def test_issue_cautions_are_data() -> None:
    for key in ("locust", "back_extension"):
        assert {"stress_fracture_suspect", "extension_sensitive"} <= set(
            LIB[key].excluded_for), key
        assert "extension" in LIB[key].tags
    assert "rotation_sensitive" in LIB["russian_twist"].excluded_for
    assert "loaded_rotation" in LIB["russian_twist"].tags
    names = {n for e in LIB for n in e.names}
    for s in KB.patterns.sensitivities:
        assert set(s.excluded_exercises) <= names, s.key


def test_gentle_exercises_are_mobility_or_recovery() -> None:
    for e in LIB:
        if e.gentle:
            assert e.kind in (ExerciseKind.MOBILITY, ExerciseKind.RECOVERY), e.key
    assert LIB["curl_up"].min_phase is Phase.SETTLE
    assert LIB["russian_twist"].min_phase is Phase.BACK_TO_TRAINING


def test_text_is_our_own_words() -> None:
    text = json.dumps(read_json(FILE)).lower()
    for marker in ("©", "(c)", "copyright", "all rights reserved"):
        assert marker not in text
    for e in LIB:
        assert all(len(step) < 300 for step in e.steps), e.key


def _set(field: str, value: object) -> Callable[[dict[str, object]], None]:
    def change(data: dict[str, object]) -> None:
        first(data)[field] = value
    return change


def _drop(key: str) -> Callable[[dict[str, object]], None]:
    def change(data: dict[str, object]) -> None:
        exercises = data["exercises"]
        assert isinstance(exercises, list)
        data["exercises"] = [e for e in exercises if e["key"] != key]
    return change


def _dose(**values: object) -> Callable[[dict[str, object]], None]:
    def change(data: dict[str, object]) -> None:
        dose = first(data)["dose"]
        assert isinstance(dose, dict)
        dose.update(values)
    return change


@pytest.mark.parametrize(("change", "where"), [
    (_set("source", "nobody2020"), "exercises[0].source"),
    (_set("contributors", ["core_endurance", "bad_knees"]), "exercises[0].contributors"),
    (_set("plan_elements", ["magic"]), "exercises[0].plan_elements"),
    (_set("kind", "dance"), "exercises[0].kind"),
    (_set("min_phase", "later"), "exercises[0].min_phase"),
    (_set("excluded_for", ["tall_runner"]), "exercises[0].excluded_for"),
    (_set("steps", []), "exercises[0].steps"),
    (_set("extra", 1), "exercises[0]"),
    (_dose(sets=0), "exercises[0].dose"),
    (_dose(reps=None, hold_s=None), "exercises[0].dose"),
    (_dose(pyramid="yes"), "exercises[0].dose"),
    (_drop("locust"), "locust"),
    (_drop("russian_twist"), "russian_twist"),
    (_drop("leg_swings"), "leg_swings"),
])
def test_broken_file_names_the_place(change: Callable[[dict[str, object]], None],
                                     where: str) -> None:
    data = raw()
    change(data)
    with pytest.raises(KnowledgeError, match=where.replace("[", r"\[").replace("]", r"\]")):
        build_exercises(data, KB)


def test_duplicate_keys_fail() -> None:
    data = raw()
    exercises = data["exercises"]
    assert isinstance(exercises, list)
    exercises.append(copy.deepcopy(exercises[0]))
    with pytest.raises(KnowledgeError, match="duplicate"):
        build_exercises(data, KB)
