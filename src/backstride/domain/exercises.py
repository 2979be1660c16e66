"""The exercise library as typed data, and how the plan picks and doses exercises.

The library itself is data (``backstride/knowledge/exercises.json``, loaded and
validated once by :func:`backstride.knowledge.exercises.load_exercises`). This module
holds the types and the pure selection rules:

* **Exclusions** (``shared/evidence.md`` sections 2 and 7): an exercise is left out when
  its key or one of its tags is named in a matched sensitivity's ``excluded_exercises``
  (``patterns.json``: ``locust``, ``back_extension``, ``loaded_rotation``), or when one of
  its own ``excluded_for`` keys (a pattern such as ``stress_fracture_suspect`` or a
  sensitivity such as ``extension_sensitive``) is active. Before a doctor has been seen
  (triage ``soon``) only ``gentle`` exercises are allowed.
* **Phase**: an exercise is not used before its ``min_phase``.
* **Dose by phase**: the library holds the standard dose. ``settle`` uses one set fewer,
  60% of the repetitions / hold and the easier version; ``rebuild`` 80%; ``return_to_run``
  the standard dose; ``back_to_training`` the standard dose of the harder version. These
  factors are backstride's own choice (source key ``backstride``); the McGill "Big 3"
  reverse-pyramid sets with short holds follow ``mcgill_big3``.
* **Choice** (``hayden2021``: exercise is the core intervention and the type matters less
  than doing it; ``saragiotto2016``; ``owen2020``): a base of the McGill Big 3 (gentle
  stretches before a doctor has been seen) plus up to two allowed exercises per top
  contributor, in library order.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Final

from backstride.domain.evidence import SOURCES

__all__ = [
    "BASE_GENTLE",
    "BASE_STRENGTH",
    "MOBILITY_FINISHERS",
    "PHASE_DOSE",
    "WARM_UP_DRILLS",
    "Dose",
    "Exclusions",
    "Exercise",
    "ExerciseKind",
    "ExerciseLibrary",
    "Phase",
    "Prescription",
    "Version",
    "prescribe",
    "session_exercises",
    "targeted",
    "warm_up",
]


class Phase(StrEnum):
    """Plan phase, in order: settle, rebuild, return to running, back to training."""

    SETTLE = "settle"
    REBUILD = "rebuild"
    RETURN_TO_RUN = "return_to_run"
    BACK_TO_TRAINING = "back_to_training"

    @property
    def rank(self) -> int:
        """0 for settle ... 3 for back to training."""
        return list(Phase).index(self)


class ExerciseKind(StrEnum):
    """What an exercise is for."""

    STRENGTH = "strength"
    MOBILITY = "mobility"
    WARM_UP = "warm_up"
    RECOVERY = "recovery"


class Version(StrEnum):
    """Which version of an exercise a prescription uses."""

    EASIER = "easier"
    STANDARD = "standard"
    HARDER = "harder"


@dataclass(frozen=True, slots=True)
class Dose:
    """Sets, repetitions or hold, rest.

    Attributes
    ----------
    sets
        Number of sets (>= 1).
    reps
        Repetitions per set (per side when ``per_side``); None for a pure hold.
    hold_s
        Hold per repetition [s]; None when the movement is not held.
    rest_s
        Rest between sets [s].
    per_side
        True when every set is done on each side.
    pyramid
        Reverse pyramid: each set has 2 repetitions fewer than the one before (at
        least 1), e.g. 6, 4, 2 (``mcgill_big3``).
    """

    sets: int
    reps: int | None
    hold_s: int | None
    rest_s: int
    per_side: bool = False
    pyramid: bool = False

    def __post_init__(self) -> None:
        if self.sets < 1 or self.rest_s < 0:
            raise ValueError(f"dose needs sets >= 1 and rest >= 0, got {self}")
        if self.reps is None and self.hold_s is None:
            raise ValueError("dose needs repetitions, a hold, or both")
        if (self.reps is not None and self.reps < 1) or (
                self.hold_s is not None and self.hold_s < 1):
            raise ValueError(f"dose repetitions and hold must be >= 1, got {self}")

    @property
    def reps_per_set(self) -> tuple[int, ...] | None:
        """Repetitions of every set (None for a pure hold)."""
        if self.reps is None:
            return None
        if not self.pyramid:
            return (self.reps,) * self.sets
        return tuple(max(1, self.reps - 2 * i) for i in range(self.sets))

    @property
    def minutes(self) -> float:
        """Rough duration [min]: 3 s a repetition plus holds, rests between sets."""
        reps = self.reps_per_set or (1,) * self.sets
        per_rep_s = (self.hold_s or 0) + (3 if self.reps is not None else 0)
        work = sum(reps) * per_rep_s * (2 if self.per_side else 1)
        return (work + self.rest_s * (self.sets - 1)) / 60.0

    def scaled(self, factor: float, extra_sets: int) -> Dose:
        """The dose with repetitions and hold times times ``factor`` (rounded up)."""
        def up(v: int | None) -> int | None:
            return None if v is None else max(1, math.ceil(v * factor - 1e-9))
        return replace(self, sets=max(1, self.sets + extra_sets), reps=up(self.reps),
                       hold_s=up(self.hold_s))

    def describe(self) -> str:
        """Plain words, e.g. ``3 sets of 6, 4, 2 repetitions per side, 10 s hold, rest 20 s``."""
        reps = self.reps_per_set
        side = " per side" if self.per_side else ""
        if reps is None or reps == (1,) * self.sets:
            hold = _duration(self.hold_s or 0)
            text = f"{self.sets} x {hold} hold{side}" if self.sets > 1 else f"{hold}{side}"
        else:
            counts = ", ".join(str(r) for r in reps) if self.pyramid else str(reps[0])
            sets = f"{self.sets} sets of" if self.sets > 1 else "1 set of"
            text = f"{sets} {counts} repetitions{side}"
            if self.hold_s:
                text += f", {self.hold_s} s hold each"
        return text + (f", rest {self.rest_s} s" if self.rest_s and self.sets > 1 else "")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (``sets``, ``reps``, ``reps_per_set``, ``hold_s``, ``rest_s``,
        ``per_side``, ``pyramid``, ``text``)."""
        reps = self.reps_per_set
        return {"sets": self.sets, "reps": self.reps,
                "reps_per_set": None if reps is None else list(reps), "hold_s": self.hold_s,
                "rest_s": self.rest_s, "per_side": self.per_side, "pyramid": self.pyramid,
                "text": self.describe()}


def _duration(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds >= 120 and seconds % 60 == 0 else f"{seconds} s"


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise of the library (see ``exercises.json`` for the field meanings)."""

    key: str
    name: str
    kind: ExerciseKind
    muscles: tuple[str, ...]
    contributors: tuple[str, ...]
    plan_elements: tuple[str, ...]
    equipment: tuple[str, ...]
    tags: tuple[str, ...]
    gentle: bool
    min_phase: Phase
    steps: tuple[str, ...]
    dose: Dose
    progression: str
    regression: str
    cautions: tuple[str, ...]
    excluded_for: tuple[str, ...]
    pattern_cautions: Mapping[str, str]
    source_key: str
    also_named: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.source_key not in SOURCES:
            raise ValueError(f"exercise {self.key}: unknown source {self.source_key!r}")

    @property
    def names(self) -> frozenset[str]:
        """Its key and tags: what a sensitivity's ``excluded_exercises`` can name."""
        return frozenset((self.key, *self.tags))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form of the library entry."""
        return {"key": self.key, "name": self.name, "kind": self.kind.value,
                "also_named": list(self.also_named), "muscles": list(self.muscles),
                "contributors": list(self.contributors),
                "plan_elements": list(self.plan_elements), "equipment": list(self.equipment),
                "tags": list(self.tags), "gentle": self.gentle,
                "min_phase": self.min_phase.value, "steps": list(self.steps),
                "dose": self.dose.to_dict(), "progression": self.progression,
                "regression": self.regression, "cautions": list(self.cautions),
                "excluded_for": list(self.excluded_for),
                "pattern_cautions": dict(self.pattern_cautions), "source": self.source_key,
                "citation": SOURCES[self.source_key].citation,
                "grade": SOURCES[self.source_key].grade.value}


@dataclass(frozen=True, slots=True)
class ExerciseLibrary:
    """All exercises, in preference order, with a key index."""

    exercises: tuple[Exercise, ...]
    version: int
    _index: Mapping[str, Exercise] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {e.key: e for e in self.exercises}
        if len(index) != len(self.exercises):
            raise ValueError("duplicate exercise keys")
        object.__setattr__(self, "_index", index)

    def __getitem__(self, key: str) -> Exercise:
        return self._index[key]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self.exercises)

    def __len__(self) -> int:
        return len(self.exercises)

    def of_kind(self, kind: ExerciseKind) -> tuple[Exercise, ...]:
        """Exercises of one kind, in library order."""
        return tuple(e for e in self.exercises if e.kind is kind)


@dataclass(frozen=True, slots=True)
class Exclusions:
    """What the check rules out.

    Attributes
    ----------
    active
        Matched pattern and sensitivity keys (``stress_fracture_suspect``,
        ``extension_sensitive``...).
    names
        Exercise keys and tags named by matched sensitivities' ``excluded_exercises``.
    gentle_only
        True before a doctor has been seen (triage ``soon``).
    """

    active: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    gentle_only: bool = False

    def excludes(self, exercise: Exercise) -> bool:
        """True when the pattern, a sensitivity or the triage limit rules it out."""
        return (bool(exercise.names & self.names)
                or bool(set(exercise.excluded_for) & self.active)
                or (self.gentle_only and not exercise.gentle))

    def allows(self, exercise: Exercise, phase: Phase) -> bool:
        """Not excluded and not before its ``min_phase``."""
        return not self.excludes(exercise) and exercise.min_phase.rank <= phase.rank


#: Factor on repetitions and holds, extra sets, version, by phase (source ``backstride``).
PHASE_DOSE: Final[Mapping[Phase, tuple[float, int, Version]]] = {
    Phase.SETTLE: (0.6, -1, Version.EASIER),
    Phase.REBUILD: (0.8, 0, Version.STANDARD),
    Phase.RETURN_TO_RUN: (1.0, 0, Version.STANDARD),
    Phase.BACK_TO_TRAINING: (1.0, 0, Version.HARDER),
}
#: McGill "Big 3", the strength base of every full plan (``mcgill_big3``).
BASE_STRENGTH: Final = ("curl_up", "side_plank", "bird_dog")
#: Gentle base while the plan is limited to walking and mobility.
BASE_GENTLE: Final = ("hip_flexor_stretch", "hamstring_stretch", "glute_stretch")
#: Mobility added to a strength session that has none yet (first allowed one).
MOBILITY_FINISHERS: Final = ("hip_flexor_stretch", "hamstring_stretch", "glute_stretch",
                             "yoga_flow")
#: Drills of the warm-up before every run (``expert_practice``).
WARM_UP_DRILLS: Final = ("leg_swings", "hip_circles", "walking_lunges")


@dataclass(frozen=True, slots=True)
class Prescription:
    """An exercise as prescribed in one session.

    Attributes
    ----------
    exercise
        The library entry.
    dose
        Dose for the phase.
    version
        Easier (the regression), standard, or harder (the progression).
    cautions
        General cautions plus those for the runner's active patterns/sensitivities.
    reason
        Why it is in the plan (which contributor it targets, or the base).
    """

    exercise: Exercise
    dose: Dose
    version: Version
    cautions: tuple[str, ...]
    reason: str

    @property
    def key(self) -> str:
        """The exercise key."""
        return self.exercise.key

    @property
    def how(self) -> str:
        """The version note: the regression, the progression or nothing."""
        if self.version is Version.EASIER:
            return f"Start with the easier version: {self.exercise.regression}"
        if self.version is Version.HARDER:
            return f"When the standard version is easy: {self.exercise.progression}"
        return ""

    def to_dict(self) -> dict[str, object]:
        """Compact JSON-ready form: ``key``, ``name``, ``kind``, ``dose``, ``version``,
        ``how``, ``cautions``, ``reason``, ``source``. The steps, equipment and muscles
        are in the library entry (:meth:`Exercise.to_dict`), listed once per plan."""
        e = self.exercise
        return {"key": e.key, "name": e.name, "kind": e.kind.value, "dose": self.dose.to_dict(),
                "version": self.version.value, "how": self.how,
                "cautions": list(self.cautions), "reason": self.reason,
                "source": e.source_key}


def prescribe(exercise: Exercise, phase: Phase, active: Collection[str],
              reason: str) -> Prescription:
    """Dose an exercise for a phase and collect its cautions.

    Strength exercises follow :data:`PHASE_DOSE`; mobility, warm-up and recovery keep
    the standard dose and version.
    """
    if exercise.kind is ExerciseKind.STRENGTH:
        factor, extra, version = PHASE_DOSE[phase]
        dose = exercise.dose.scaled(factor, extra)
    else:
        dose, version = exercise.dose, Version.STANDARD
    extra_cautions = tuple(dict.fromkeys(
        text for key, text in exercise.pattern_cautions.items() if key in active))
    return Prescription(exercise, dose, version, exercise.cautions + extra_cautions, reason)


def targeted(library: ExerciseLibrary, contributors: Sequence[tuple[str, str]],
             phase: Phase, exclusions: Exclusions, *, per_contributor: int = 2,
             taken: Collection[str] = ()) -> list[tuple[Exercise, str]]:
    """Exercises for the top contributors, with the contributor each was chosen for.

    Parameters
    ----------
    library
        The exercise library.
    contributors
        ``(key, label)`` of the top contributors, highest first.
    phase
        Plan phase (``min_phase`` filter).
    exclusions
        What the check rules out.
    per_contributor
        At most this many new exercises per contributor (library order).
    taken
        Keys already in the session (the base); they are not chosen again.

    Returns
    -------
    list of (Exercise, contributor label)
        Strength and mobility exercises not yet taken; one chosen for an earlier
        contributor is not repeated for a later one.
    """
    kinds = (ExerciseKind.STRENGTH, ExerciseKind.MOBILITY)
    chosen: dict[str, tuple[Exercise, str]] = {}
    for key, label in contributors:
        fits = [e for e in library if e.kind in kinds and key in e.contributors
                and e.key not in chosen and e.key not in taken
                and exclusions.allows(e, phase)]
        for e in fits[:per_contributor]:
            chosen[e.key] = (e, label)
    return list(chosen.values())


def session_exercises(library: ExerciseLibrary, contributors: Sequence[tuple[str, str]],
                      phase: Phase, exclusions: Exclusions) -> tuple[Prescription, ...]:
    """The exercises of one strength-and-mobility session.

    The base (McGill Big 3, or gentle stretches when only gentle work is allowed), the
    exercises targeting the top contributors, and a mobility finisher when the session
    has no mobility yet. Excluded and too-early exercises never appear.
    """
    active = exclusions.active
    base_keys = BASE_GENTLE if exclusions.gentle_only else BASE_STRENGTH
    reason = ("Gentle mobility base while you wait to be seen" if exclusions.gentle_only
              else "Trunk endurance base (McGill curl-up, side plank, bird dog)")
    out: dict[str, Prescription] = {}
    for key in base_keys:
        if key in library and exclusions.allows(library[key], phase):
            out[key] = prescribe(library[key], phase, active, reason)
    for exercise, label in targeted(library, contributors, phase, exclusions,
                                    taken=tuple(out)):
        text = f"Targets {label.lower()}, one of your top contributors"
        out[exercise.key] = prescribe(exercise, phase, active, text)
    if not any(p.exercise.kind is ExerciseKind.MOBILITY for p in out.values()):
        finisher = next((library[k] for k in MOBILITY_FINISHERS
                         if k in library and exclusions.allows(library[k], phase)), None)
        if finisher is not None:
            out[finisher.key] = prescribe(finisher, phase, active, "Mobility to finish")
    return tuple(out.values())


def warm_up(library: ExerciseLibrary, exclusions: Exclusions) -> tuple[Prescription, ...]:
    """The warm-up drills before every run (``expert_practice``), minus any excluded."""
    return tuple(prescribe(library[k], Phase.RETURN_TO_RUN, exclusions.active,
                           "Warm-up before the run")
                 for k in WARM_UP_DRILLS if k in library and not exclusions.excludes(library[k]))
