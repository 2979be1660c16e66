"""The plan's run sessions as FIT workout files, for a running watch.

:func:`plan_workouts` returns one FIT workout file per distinct run structure in the
plan (walk-run stages and easy continuous runs; walks, strength and rest need no watch
workout), in the order they first appear, each with a file name such as
``backstride-L3-3min-run-2min-walk-x5.fit`` or ``backstride-L9-32min-easy.fit``.

Each file follows :meth:`~backstride.domain.plan_model.RunPlan.workout` step for step
and is built with :class:`backstride.fit.encode.FitEncoder` (FIT SDK profile 21.171,
"Workout File" in the FIT cookbook):

``file_id``
    ``type=workout``, ``manufacturer=development``, ``product=0``, a
    ``serial_number`` from a hash of the structure (distinct workouts never share an
    identity on a device) and ``time_created`` = the plan's first day 00:00 UTC (the
    same plan gives the same bytes).
``workout``
    ``sport=running``, ``sub_sport=generic``, ``num_valid_steps``, ``wkt_name`` (e.g.
    ``Walk-run L3 3/2 x5``) and ``wkt_description``.
``workout_step`` (``message_index`` 0, 1, ...)
    0. the warm-up walk: ``duration_type=time``, ``intensity=warmup``;
    1. the run: ``time``, ``intensity=active``, the effort (and the cadence cue, when
       the plan has one) in ``wkt_step_name``;
    2. the walk: ``time``, ``intensity=recovery``;
    3. the repeat: ``duration_type=repeat_until_steps_cmplt``, ``duration_value`` =
       1 (the ``message_index`` of the run step, the FIT ``duration_step``) and
       ``target_value`` = the number of repeats (``repeat_steps``); the watch goes
       back to step 1 until steps 1-2 have been done that many times;
    4. the cool-down walk: ``time``, ``intensity=cooldown``.

    A continuous run is warm-up, run, cool-down (no repeat step). Durations are in
    profile seconds (raw milliseconds in the file). Every timed step has
    ``target_type=open``: the cadence cue is relative to the runner's own cadence at
    easy pace (``heiderscheit2011``), so no absolute cadence target is set; it is in
    the step name and ``notes`` instead.

Getting a file onto a watch: Garmin watches take workout files copied into the
``GARMIN/NewFiles`` folder over USB; other tools that import FIT workouts take the
file as it is.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time
from typing import Final

from backstride.domain.plan_model import (
    Plan,
    RunPlan,
    StepIntent,
    WorkoutRepeat,
    WorkoutStep,
)
from backstride.fit.encode import FieldValue, FitEncoder

__all__ = ["INTENSITY", "plan_workouts", "workout_file_name", "workout_fit", "workout_name"]

#: FIT ``intensity`` of each step intent.
INTENSITY: Final = {StepIntent.WARM_UP: "warmup", StepIntent.RUN: "active",
                    StepIntent.WALK: "recovery", StepIntent.COOL_DOWN: "cooldown"}
#: Longest text written to a FIT string field [bytes] (the encoder allows 254).
_MAX_TEXT: Final = 200


def _span(seconds: int) -> str:
    """``3min`` or ``90s`` (for file names)."""
    return f"{seconds // 60}min" if seconds % 60 == 0 else f"{seconds}s"


def _short(seconds: int) -> str:
    """``3`` or ``1.5`` minutes (for workout names)."""
    return f"{seconds / 60:g}"


def workout_file_name(run: RunPlan) -> str:
    """``backstride-L3-3min-run-2min-walk-x5.fit`` or ``backstride-L9-32min-easy.fit``."""
    if run.continuous:
        return f"backstride-L{run.level}-{_span(run.run_s)}-easy.fit"
    return (f"backstride-L{run.level}-{_span(run.run_s)}-run-{_span(run.walk_s)}-walk"
            f"-x{run.repeats}.fit")


def workout_name(run: RunPlan) -> str:
    """The watch's workout name: ``Walk-run L3 3/2 x5`` or ``Easy run L9 32 min``."""
    if run.continuous:
        return f"Easy run L{run.level} {_short(run.run_s)} min"
    return f"Walk-run L{run.level} {_short(run.run_s)}/{_short(run.walk_s)} x{run.repeats}"


def _text(value: str) -> str:
    """At most :data:`_MAX_TEXT` UTF-8 bytes (cut on a character boundary)."""
    data = value.encode()
    if len(data) <= _MAX_TEXT:
        return value
    return data[: _MAX_TEXT - 3].decode(errors="ignore").rstrip() + "..."


def _step_notes(step: WorkoutStep, run: RunPlan) -> str:
    if step.intent is StepIntent.WARM_UP:
        drills = ", ".join(p.exercise.name for p in run.drills)
        return f"{run.warm_up_walk_min} min brisk walk" + (f"; drills: {drills}" if drills
                                                             else "")
    if step.intent is StepIntent.RUN:
        note = f"Easy: RPE {run.rpe[0]}-{run.rpe[1]} of 10, able to talk."
        if run.cadence_cue_pct:
            note += (f" Cadence about +{run.cadence_cue_pct:g}% over your usual at this "
                     "pace, not a fixed 180.")
        return note + " Stop if pain passes 3/10 or goes down the leg."
    if step.intent is StepIntent.WALK:
        return "Walk briskly until the next run."
    return f"{run.cool_down_walk_min} min easy walk."


def _description(run: RunPlan) -> str:
    return (f"backstride: {run.describe()}; warm-up {run.warm_up_walk_min} min, cool-down "
            f"{run.cool_down_walk_min} min. Decision support, not a diagnosis.")


def _timed(index: int, step: WorkoutStep, run: RunPlan) -> dict[str, FieldValue]:
    return {"message_index": index, "wkt_step_name": _text(step.text),
            "duration_type": "time", "duration_time": float(step.duration_s),
            "target_type": "open", "intensity": INTENSITY[step.intent],
            "notes": _text(_step_notes(step, run))}


def _steps(run: RunPlan) -> list[dict[str, FieldValue]]:
    """The ``workout_step`` messages of a run (see the module docstring)."""
    out: list[dict[str, FieldValue]] = []
    for item in run.workout():
        if isinstance(item, WorkoutRepeat):
            first = len(out)
            out += [_timed(len(out) + i, s, run) for i, s in enumerate(item.steps)]
            out.append({"message_index": len(out), "duration_type": "repeat_until_steps_cmplt",
                        "duration_step": first, "repeat_steps": item.count})
        else:
            out.append(_timed(len(out), item, run))
    return out


def _serial(run: RunPlan) -> int:
    """A non-zero 32-bit serial number from the workout's structure."""
    digest = hashlib.sha256(repr((run.level, run.workout())).encode()).digest()
    return int.from_bytes(digest[:4], "little") or 1


def workout_fit(run: RunPlan, *, created: datetime) -> bytes:
    """One run as a FIT workout file (see the module docstring for the messages).

    Parameters
    ----------
    run
        The run's structure.
    created
        ``file_id.time_created`` (an aware datetime).
    """
    steps = _steps(run)
    enc = FitEncoder()
    enc.add("file_id", type="workout", manufacturer="development", product=0,
            serial_number=_serial(run), time_created=created)
    enc.add("workout", sport="running", sub_sport="generic", num_valid_steps=len(steps),
            wkt_name=workout_name(run), wkt_description=_text(_description(run)))
    for step in steps:
        enc.add("workout_step", **step)
    return enc.to_bytes()


def plan_workouts(plan: Plan) -> list[tuple[str, bytes]]:
    """One FIT workout file per distinct run structure of the plan.

    Parameters
    ----------
    plan
        A built plan; a stopped or walking-only plan has no runs and gives ``[]``.

    Returns
    -------
    list of (file name, FIT bytes)
        In the order the runs first appear; names are unique (a second structure with
        the same name, which the ladder does not produce, gets ``-2``, ``-3``...).
    """
    created = datetime.combine(plan.start, time(0), tzinfo=UTC)
    seen: set[tuple[object, ...]] = set()
    names: set[str] = set()
    out: list[tuple[str, bytes]] = []
    for _, session in plan.sessions():
        run = session.run
        if run is None:
            continue
        key = (run.level, run.workout())
        if key in seen:
            continue
        seen.add(key)
        name = workout_file_name(run)
        stem, n = name.removesuffix(".fit"), 2
        while name in names:
            name, n = f"{stem}-{n}.fit", n + 1
        names.add(name)
        out.append((name, workout_fit(run, created=created)))
    return out
