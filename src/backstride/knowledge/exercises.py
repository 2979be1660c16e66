"""Load and validate the exercise library (``exercises.json``) once.

Read with :mod:`importlib.resources` like the check's files (see
:mod:`backstride.knowledge.loader`) and validated into
:class:`~backstride.domain.exercises.ExerciseLibrary`: every source key must exist in
:data:`~backstride.domain.evidence.SOURCES`, every targeted contributor in
``contributors.json``, every plan element in the plan-element list, every pattern or
sensitivity key in ``patterns.json``; every exercise the issue names must be present,
every name a sensitivity excludes must match an exercise key or tag, and the plan's
base, finisher and warm-up keys must exist. A broken file raises
:class:`~backstride.knowledge.loader.KnowledgeError` naming the place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from functools import cache
from typing import TypeVar

from backstride.domain.check import Knowledge
from backstride.domain.contributors import PLAN_ELEMENT_KEYS
from backstride.domain.evidence import SOURCES
from backstride.domain.exercises import (
    BASE_GENTLE,
    BASE_STRENGTH,
    MOBILITY_FINISHERS,
    WARM_UP_DRILLS,
    Dose,
    Exercise,
    ExerciseKind,
    ExerciseLibrary,
    Phase,
)
from backstride.domain.patterns import PATTERN_KEYS
from backstride.knowledge.loader import KnowledgeError, load_knowledge, read_json

__all__ = ["FILE", "REQUIRED_EXERCISES", "build_exercises", "load_exercises"]

#: The data file.
FILE = "exercises.json"
#: Every exercise the issue names (plus the McGill curl-up).
REQUIRED_EXERCISES: tuple[str, ...] = (
    "plank", "side_plank", "glute_bridge", "locust", "back_extension", "reverse_leg_raise",
    "bird_dog", "dead_bug", "russian_twist", "clamshell", "lunge", "squat", "hip_thrust",
    "hamstring_curl", "leg_swings", "walking_lunges", "hip_circles", "hip_flexor_stretch",
    "hamstring_stretch", "glute_stretch", "foam_rolling", "back_roller", "yoga_flow",
    "curl_up",
)
_FIELDS = frozenset({
    "key", "name", "kind", "also_named", "muscles", "contributors", "plan_elements",
    "equipment", "tags", "gentle", "min_phase", "steps", "dose", "progression",
    "regression", "cautions", "excluded_for", "pattern_cautions", "source"})
_DOSE_FIELDS = frozenset({"sets", "reps", "hold_s", "rest_s", "per_side", "pyramid"})

Obj = Mapping[str, object]
_E = TypeVar("_E")


@cache
def load_exercises() -> ExerciseLibrary:
    """Load, validate and cache the exercise library.

    Raises
    ------
    KnowledgeError
        When the file is malformed or refers to something that does not exist.
    """
    return build_exercises(read_json(FILE), load_knowledge())


def build_exercises(data: Obj, knowledge: Knowledge) -> ExerciseLibrary:
    """Validate an already-parsed ``exercises.json`` against the check's knowledge."""
    _exact(data, FILE, {"version", "exercises"}, {"about"})
    raw = data["exercises"]
    if not isinstance(raw, list) or not raw:
        raise KnowledgeError(f"{FILE}.exercises: expected a non-empty list")
    refs = _References.of(knowledge)
    exercises = tuple(_exercise(_obj(o, f"{FILE}.exercises[{i}]"), f"{FILE}.exercises[{i}]",
                                refs) for i, o in enumerate(raw))
    try:
        library = ExerciseLibrary(exercises, _int(data, "version", FILE))
    except ValueError as error:
        raise KnowledgeError(f"{FILE}: {error}") from None
    _check_library(library, knowledge)
    return library


class _References:
    """Keys an exercise may refer to."""

    def __init__(self, contributors: AbstractSet[str], exclusion_keys: AbstractSet[str]):
        self.contributors = contributors
        self.exclusion_keys = exclusion_keys

    @classmethod
    def of(cls, knowledge: Knowledge) -> _References:
        contributors = {c.key for c in knowledge.contributors.contributors}
        sensitivities = {s.key for s in knowledge.patterns.sensitivities}
        return cls(contributors, set(PATTERN_KEYS) | sensitivities)


def _exercise(o: Obj, where: str, refs: _References) -> Exercise:
    _exact(o, where, _FIELDS)
    kind = _choice(ExerciseKind, o, "kind", where)
    contributors = _strs(o, "contributors", where)
    _subset(contributors, refs.contributors, f"{where}.contributors", "contributor")
    if kind in (ExerciseKind.STRENGTH, ExerciseKind.MOBILITY) and not contributors:
        raise KnowledgeError(f"{where}.contributors: strength and mobility need a target")
    elements = _strs(o, "plan_elements", where)
    _subset(elements, set(PLAN_ELEMENT_KEYS), f"{where}.plan_elements", "plan element")
    excluded = _strs(o, "excluded_for", where)
    _subset(excluded, refs.exclusion_keys, f"{where}.excluded_for", "pattern/sensitivity")
    cautions = _obj(o["pattern_cautions"], f"{where}.pattern_cautions")
    _subset(tuple(cautions), refs.exclusion_keys, f"{where}.pattern_cautions",
            "pattern/sensitivity")
    source = _str(o, "source", where)
    if source not in SOURCES:
        raise KnowledgeError(f"{where}.source: unknown source key {source!r}")
    gentle = o["gentle"]
    if not isinstance(gentle, bool):
        raise KnowledgeError(f"{where}.gentle: expected true or false")
    steps = _strs(o, "steps", where)
    if not steps:
        raise KnowledgeError(f"{where}.steps: at least one step is needed")
    return Exercise(
        key=_str(o, "key", where), name=_str(o, "name", where), kind=kind,
        muscles=_strs(o, "muscles", where), contributors=contributors,
        plan_elements=elements, equipment=_strs(o, "equipment", where),
        tags=_strs(o, "tags", where), gentle=gentle,
        min_phase=_choice(Phase, o, "min_phase", where), steps=steps,
        dose=_dose(_obj(o["dose"], f"{where}.dose"), f"{where}.dose"),
        progression=_str(o, "progression", where), regression=_str(o, "regression", where),
        cautions=_strs(o, "cautions", where), excluded_for=excluded,
        pattern_cautions={k: _str(cautions, k, f"{where}.pattern_cautions")
                          for k in cautions},
        source_key=source, also_named=_strs(o, "also_named", where))


def _dose(o: Obj, where: str) -> Dose:
    _exact(o, where, _DOSE_FIELDS)
    flags = [o["per_side"], o["pyramid"]]
    if not all(isinstance(f, bool) for f in flags):
        raise KnowledgeError(f"{where}: per_side and pyramid must be true or false")
    try:
        return Dose(sets=_int(o, "sets", where), reps=_opt_int(o, "reps", where),
                    hold_s=_opt_int(o, "hold_s", where), rest_s=_int(o, "rest_s", where),
                    per_side=bool(o["per_side"]), pyramid=bool(o["pyramid"]))
    except ValueError as error:
        raise KnowledgeError(f"{where}: {error}") from None


def _check_library(library: ExerciseLibrary, knowledge: Knowledge) -> None:
    missing = [k for k in REQUIRED_EXERCISES if k not in library]
    if missing:
        raise KnowledgeError(f"{FILE}: exercises the issue names are missing: {missing}")
    names = {n for e in library for n in e.names}
    for sensitivity in knowledge.patterns.sensitivities:
        unknown = set(sensitivity.excluded_exercises) - names
        if unknown:
            raise KnowledgeError(f"{FILE}: sensitivity {sensitivity.key!r} excludes "
                                 f"{sorted(unknown)}, which no exercise key or tag names")
    for key in (*BASE_STRENGTH, *BASE_GENTLE, *MOBILITY_FINISHERS, *WARM_UP_DRILLS):
        if key not in library:
            raise KnowledgeError(f"{FILE}: the plan uses {key!r}, which is missing")
    for key in BASE_GENTLE:
        if not library[key].gentle:
            raise KnowledgeError(f"{FILE}: gentle base exercise {key!r} is not gentle")


# --- primitives ----------------------------------------------------------------------


def _obj(value: object, where: str) -> Obj:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise KnowledgeError(f"{where}: expected an object")
    return value


def _exact(o: Obj, where: str, required: AbstractSet[str],
           optional: AbstractSet[str] = frozenset()) -> None:
    missing, extra = required - set(o), set(o) - required - optional
    if missing or extra:
        raise KnowledgeError(f"{where}: missing {sorted(missing)}, unexpected {sorted(extra)}")


def _str(o: Obj, key: str, where: str) -> str:
    value = o.get(key)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeError(f"{where}.{key}: expected non-empty text")
    return value


def _strs(o: Obj, key: str, where: str) -> tuple[str, ...]:
    value = o.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise KnowledgeError(f"{where}.{key}: expected a list of text")
    return tuple(str(v) for v in value)


def _int(o: Obj, key: str, where: str) -> int:
    value = o.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise KnowledgeError(f"{where}.{key}: expected a whole number")
    return value


def _opt_int(o: Obj, key: str, where: str) -> int | None:
    return None if o.get(key) is None else _int(o, key, where)


def _choice(enum: Callable[[str], _E], o: Obj, key: str, where: str) -> _E:
    try:
        return enum(str(o.get(key)))
    except ValueError:
        raise KnowledgeError(f"{where}.{key}: unknown value {o.get(key)!r}") from None


def _subset(found: tuple[str, ...], known: AbstractSet[str], where: str, what: str) -> None:
    unknown = sorted(set(found) - known)
    if unknown:
        raise KnowledgeError(f"{where}: unknown {what} {unknown}")
