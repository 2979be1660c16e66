"""The sessions of a plan day: walks, runs, strength, mobility, cross-training, rest.

Every constructor takes a :class:`SessionContext` (the basis, the exercise library,
the exclusions and a few derived choices) and returns a
:class:`~backstride.domain.plan_model.PlannedSession` with its reason, notes and
sources. The day layout and the run levels are decided by
:mod:`backstride.domain.plan`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from backstride.domain.exercises import (
    Exclusions,
    ExerciseLibrary,
    Phase,
    Prescription,
    prescribe,
    session_exercises,
    warm_up,
)
from backstride.domain.ladder import (
    CONTINUOUS_LEVEL,
    GATE_PAIN_MAX,
    PAIN_OK_MAX,
    distance_m,
    stage,
)
from backstride.domain.plan_basis import CADENCE_SIGNALS, PlanBasis
from backstride.domain.plan_model import PlannedSession, RunPlan, SessionKind, Terrain

__all__ = [
    "CADENCE_CUE_PCT",
    "CROSS_ACTIVITIES",
    "SessionContext",
    "continuous_session",
    "cross_session",
    "mobility_session",
    "rest_session",
    "strength_session",
    "walk_run_session",
    "walk_session",
]

#: Cadence cue when cadence was flagged [%] (``heiderscheit2011``: +5-10%).
CADENCE_CUE_PCT: Final = 5.0
#: Cross-training activities, in rotation.
CROSS_ACTIVITIES: Final = ("cycling", "swimming", "yoga")
#: Cross-training minutes by phase.
CROSS_MIN: Final = {Phase.SETTLE: 30, Phase.REBUILD: 35, Phase.RETURN_TO_RUN: 30,
                    Phase.BACK_TO_TRAINING: 30}
#: Warm-up and cool-down walks around a run [min].
WARM_UP_WALK_MIN: Final = 5
COOL_DOWN_WALK_MIN: Final = 5
#: Shortest continuous run worth planning [min].
MIN_CONTINUOUS_MIN: Final = 10

PAIN_NOTE: Final = (f"Pain during the session may reach {PAIN_OK_MAX}/10 and must settle by "
                    "the next morning; stop or shorten it if the pain passes "
                    f"{PAIN_OK_MAX}/10.")
LEG_NOTE: Final = ("Stop any session that sends pain, tingling or numbness down the leg; "
                   "seek help at once if a leg gets weak, numbness spreads or both legs "
                   "are affected.")


@dataclass(frozen=True, slots=True)
class SessionContext:
    """What every session constructor needs.

    Attributes
    ----------
    basis
        The plan basis.
    library
        Exercise library.
    exclusions
        Exercises the check rules out.
    top
        ``(key, label)`` of the top contributors.
    pace_s_per_km
        Easy running pace [s/km].
    cadence_cue_pct
        Cadence cue for runs, None when cadence was not flagged.
    drills
        Warm-up drills before every run.
    """

    basis: PlanBasis
    library: ExerciseLibrary
    exclusions: Exclusions
    top: tuple[tuple[str, str], ...]
    pace_s_per_km: float
    cadence_cue_pct: float | None
    drills: tuple[Prescription, ...]

    @classmethod
    def of(cls, basis: PlanBasis, library: ExerciseLibrary, *, gentle_only: bool
           ) -> SessionContext:
        """Derive the context from a basis."""
        exclusions = Exclusions(basis.active, frozenset(basis.excluded_names), gentle_only)
        cue = CADENCE_CUE_PCT if basis.flag(CADENCE_SIGNALS) else None
        return cls(basis, library, exclusions, tuple((c.key, c.label) for c in basis.top),
                   basis.baseline.pace_s_per_km, cue, warm_up(library, exclusions))

    @property
    def radicular(self) -> bool:
        """True when the radicular pattern matched."""
        return "radicular" in self.basis.patterns

    def safety_notes(self) -> tuple[str, ...]:
        """The pain rule, plus the leg-symptom rule for the radicular pattern."""
        return (PAIN_NOTE, LEG_NOTE) if self.radicular else (PAIN_NOTE,)


def walk_session(ctx: SessionContext, minutes: int, *, limited: bool,
                 gate: bool = False) -> PlannedSession:
    """A flat walk; with ``gate`` the readiness-gate walk (``readiness_gate``)."""
    notes = (*ctx.safety_notes(), "Flat ground; no downhill stretches.")
    if gate:
        return PlannedSession(
            SessionKind.WALK, f"Readiness walk: {minutes} min brisk, flat", minutes,
            f"Before the first run: a {minutes}-minute brisk walk with pain at most "
            f"{GATE_PAIN_MAX}/10 and a settled next morning.",
            ("readiness_gate", "nice_ng59"), activity="walk", notes=notes, gate=True)
    reason = ("Until you have been seen: gentle walking keeps you moving while it stays "
              "pain-free." if limited else
              "Walking keeps the back moving while it settles; staying active helps.")
    return PlannedSession(SessionKind.WALK, f"Walk {minutes} min, flat", minutes, reason,
                          ("nice_ng59",), activity="walk", notes=notes)


def _run_notes(ctx: SessionContext, run: RunPlan) -> tuple[str, ...]:
    notes = list(ctx.safety_notes())
    notes.append("Warm up first: 5 minutes of brisk walking, then the drills.")
    if run.terrain is Terrain.FLAT:
        notes.append("Flat route: no hills until the pain has settled; downhill comes back "
                     "last.")
    else:
        notes.append("Flat or gentle uphill; still no downhill running or hill sessions.")
    if run.cadence_cue_pct:
        notes.append(f"Cadence: about {run.cadence_cue_pct:g}% more steps per minute than "
                     "your usual at this easy pace (a metronome app helps); not a fixed 180.")
    if run.shortened:
        notes.append("Shortened to stay within 110% of your longest run in the last 30 days.")
    return tuple(notes)


def _run_sources(run: RunPlan, *first: str) -> tuple[str, ...]:
    keys = [*first, "silbernagel2007", "nielsen2025", "levine2007", "expert_practice"]
    if run.cadence_cue_pct:
        keys += ["heiderscheit2011", "burns2019"]
    return tuple(dict.fromkeys(keys))


def _terrain(phase: Phase) -> Terrain:
    return Terrain.FLAT_OR_UPHILL if phase is Phase.BACK_TO_TRAINING else Terrain.FLAT


def walk_run_session(ctx: SessionContext, level: int, phase: Phase,
                     cap_m: float | None) -> PlannedSession | None:
    """A walk-run ladder session (levels 1-7), shortened to fit the cap.

    Fewer repeats when the stage would exceed ``cap_m``; None when not even one fits.
    """
    st = stage(level)
    repeats = st.repeats
    while repeats > 0 and cap_m is not None and distance_m(
            st.run_s * repeats, st.walk_s * repeats, ctx.pace_s_per_km) > cap_m:
        repeats -= 1
    if repeats == 0:
        return None
    run = RunPlan(level, st.run_s, st.walk_s, repeats, WARM_UP_WALK_MIN, COOL_DOWN_WALK_MIN,
                  ctx.drills, ctx.cadence_cue_pct, _terrain(phase), cap_m,
                  distance_m(st.run_s * repeats, st.walk_s * repeats, ctx.pace_s_per_km),
                  shortened=repeats < st.repeats)
    rule = (f"Walk-run stage {level} of {CONTINUOUS_LEVEL}: do each stage at least twice, "
            f"with pain at most {PAIN_OK_MAX}/10 and a settled next morning, before the "
            "next; at least one rest day between runs.")
    notes = (rule, *_run_notes(ctx, run))
    return PlannedSession(
        SessionKind.RUN, f"Walk-run stage {level}: {run.describe()}", run.total_min,
        "Running comes back in walk-run stages, each repeated before moving on.",
        _run_sources(run, "army_rtr2023"), run=run, activity="run", notes=notes)


def continuous_session(ctx: SessionContext, level: int, minutes: int, phase: Phase,
                       cap_m: float | None) -> PlannedSession | None:
    """An easy continuous run of ``minutes``, shortened to fit the cap (None if < 10 min)."""
    allowed = minutes
    if cap_m is not None:
        allowed = min(minutes, math.floor(cap_m / 1000.0 * ctx.pace_s_per_km / 60.0))
    if allowed < MIN_CONTINUOUS_MIN:
        return None
    run = RunPlan(level, allowed * 60, 0, 1, WARM_UP_WALK_MIN, COOL_DOWN_WALK_MIN,
                  ctx.drills, ctx.cadence_cue_pct, _terrain(phase), cap_m,
                  distance_m(allowed * 60, 0, ctx.pace_s_per_km), shortened=allowed < minutes)
    title = f"Easy run {allowed} min" + (", flat" if run.terrain is Terrain.FLAT else "")
    return PlannedSession(
        SessionKind.RUN, title, run.total_min,
        "Easy continuous running, built up about 10% a week, each run at most 110% of the "
        "longest run in the previous 30 days.",
        _run_sources(run, "nielsen2014"), run=run, activity="run",
        notes=_run_notes(ctx, run))


def strength_session(ctx: SessionContext, phase: Phase) -> PlannedSession:
    """Strength and mobility for the top contributors, dosed for the phase."""
    exercises = session_exercises(ctx.library, ctx.top, phase, ctx.exclusions)
    labels = ", ".join(label.lower() for _, label in ctx.top) or "general back endurance"
    notes = (*ctx.safety_notes(), "Good form first: stop a set when form slips.")
    return PlannedSession(
        SessionKind.STRENGTH, f"Strength and mobility ({phase.value.replace('_', ' ')})",
        _minutes(exercises),
        f"Exercise is the core of back-pain care; this session targets {labels}.",
        ("hayden2021", "saragiotto2016", "owen2020"), exercises=exercises, notes=notes)


def mobility_session(ctx: SessionContext, phase: Phase, *, limited: bool) -> PlannedSession:
    """Gentle mobility: stretches and the gentle exercises for the top contributors."""
    gentle = Exclusions(ctx.exclusions.active, ctx.exclusions.names, gentle_only=True)
    exercises = session_exercises(ctx.library, ctx.top, phase, gentle)
    reason = ("Until you have been seen: gentle mobility only." if limited
              else "Mobility keeps tight hips and hamstrings moving between strength days.")
    return PlannedSession(SessionKind.MOBILITY, "Gentle mobility", _minutes(exercises),
                          reason, ("nice_ng59", "maselli2020"), exercises=exercises,
                          notes=ctx.safety_notes())


def cross_session(ctx: SessionContext, phase: Phase, activity: str) -> PlannedSession:
    """Easy cross-training (cycling, swimming or yoga) to keep fitness."""
    minutes = CROSS_MIN[phase]
    notes = ["Easy effort: RPE 3-4 of 10, able to talk in full sentences.",
             *ctx.safety_notes()]
    exercises: tuple[Prescription, ...] = ()
    if activity == "yoga" and not ctx.exclusions.excludes(ctx.library["yoga_flow"]):
        exercises = (prescribe(ctx.library["yoga_flow"], phase, ctx.exclusions.active,
                               "Yoga as cross-training"),)
        notes.append("Gentle yoga without back bends.")
    if activity == "cycling" and ctx.radicular:
        notes.append("If sitting on the bike sends pain down the leg, swim or walk instead.")
    if activity == "swimming" and "extension_sensitive" in ctx.basis.active:
        notes.append("Breaststroke arches the back; front crawl with a float or backstroke "
                     "may suit better.")
    return PlannedSession(
        SessionKind.CROSS_TRAINING, f"Cross-training: {activity} {minutes} min", minutes,
        "Other aerobic exercise keeps fitness up while running is reduced.",
        ("maselli2020", "malisoux2015"), exercises=exercises, activity=activity,
        notes=tuple(notes))


def rest_session(ctx: SessionContext) -> PlannedSession:
    """A rest day with recovery guidance (sleep, food, fluids)."""
    sleep = ctx.basis.facts.get("sleep_hours")
    notes = ["Sleep 7-9 hours" + (f" (you reported about {sleep:g})." if sleep is not None
                                  and sleep < 7 else "."),
             "Regular meals with protein and carbohydrate, especially after training days.",
             "Drink to thirst through the day.",
             "An easy walk is fine; no running or hard exercise."]
    return PlannedSession(SessionKind.REST, "Rest day", 0.0,
                          "A full rest day each week lets the back and legs recover and "
                          "breaks up training monotony.", ("foster1998", "expert_practice"),
                          notes=tuple(notes))


def _minutes(exercises: tuple[Prescription, ...]) -> float:
    """Session length [min]: the doses plus a minute to set up each exercise."""
    return round(sum(p.dose.minutes + 1.0 for p in exercises))
