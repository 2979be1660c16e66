"""FIT workouts of the plan, decoded with fitdecode (independent) and backstride's decoder."""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import fitdecode
import numpy as np
import pytest
from fitdecode.utils import compute_crc

from backstride.domain.answers import parse_answers
from backstride.domain.check import run_check
from backstride.domain.ladder import CONTINUOUS_LEVEL, RunningBaseline
from backstride.domain.plan import Plan, RunPlan, build_plan
from backstride.domain.signal import Level, Signal
from backstride.exporters.workouts import plan_workouts, workout_file_name
from backstride.fit.decode import decode as own_decode
from backstride.knowledge import load_knowledge
from backstride.knowledge.exercises import load_exercises

KB = load_knowledge()
LIB = load_exercises()
START = date(2025, 6, 2)
BASE = RunningBaseline(longest_run_m=12_000, weekly_run_km=30, easy_pace_s_per_km=360)
WALK_FIRST = {"age": 30, "pain_now": 3, "pain_during_run": 5}
DESK = {"age": 34, "desk_hours_per_day": 10, "pain_now": 3, "pain_during_run": 2}
NAME = re.compile(r"^backstride-L\d+-(\d+min-run-\d+min-walk-x\d+|\d+min-easy)\.fit$")
CADENCE = Signal(key="cadence", level=Level.WATCH, value=-6.0, unit="%", threshold=-5.0,
                 threshold_name=None, explanation="cadence fell", advice="Shorter steps.",
                 source_key="heiderscheit2011")


def plan_for(raw: Mapping[str, object], signals: Sequence[Signal] = (),
             weeks: int = 12) -> Plan:
    c = run_check(parse_answers(raw, KB.questions), knowledge=KB, signals=list(signals),
                  today=START)
    return build_plan(c, list(signals), start=START, exercises=LIB, weeks=weeks, baseline=BASE)


def messages(data: bytes) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, values, raw values) of every data message; CRC and structure strict."""
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE,
                             error_handling=fitdecode.ErrorHandling.RAISE) as reader:
        return [(f.name, {x.name: x.value for x in f.fields},
                 {x.name: x.raw_value for x in f.fields})
                for f in reader if isinstance(f, fitdecode.FitDataMessage)]


def execute(steps: list[dict[str, Any]]) -> list[tuple[str, float]]:
    """Run the workout steps as a watch would: (intensity, seconds) in the order done.

    Repeat step semantics (FIT profile, ``repeat_until_steps_cmplt``): go back to step
    ``duration_step`` until the block has been done ``repeat_steps`` times in all.
    """
    done: list[tuple[str, float]] = []
    counts: dict[int, int] = {}
    i = 0
    while i < len(steps):
        step = steps[i]
        if step["duration_type"] == "repeat_until_steps_cmplt":
            counts[i] = counts.get(i, 1) + 1
            if counts[i] <= step["repeat_steps"]:
                i = step["duration_step"]
                continue
        else:
            assert step["duration_type"] == "time"
            done.append((step["intensity"], step["duration_time"]))
        i += 1
    return done


def expected_timeline(run: RunPlan) -> list[tuple[str, float]]:
    body = [("active", float(run.run_s))]
    if not run.continuous:
        body.append(("recovery", float(run.walk_s)))
    return ([("warmup", run.warm_up_walk_min * 60.0)] + body * run.repeats
            + [("cooldown", run.cool_down_walk_min * 60.0)])


def runs_of(plan: Plan) -> list[RunPlan]:
    return [s.run for _, s in plan.sessions() if s.run is not None]


def test_one_file_per_distinct_run_structure() -> None:
    plan = plan_for(WALK_FIRST)
    files = plan_workouts(plan)
    names = [n for n, _ in files]
    assert len(set(names)) == len(names) and all(NAME.match(n) for n in names)
    distinct = list(dict.fromkeys((r.level, r.workout()) for r in runs_of(plan)))
    assert len(files) == len(distinct) >= 8
    assert names[:3] == ["backstride-L1-1min-run-2min-walk-x6.fit",
                         "backstride-L2-2min-run-2min-walk-x5.fit",
                         "backstride-L3-3min-run-2min-walk-x5.fit"]
    assert any(n.endswith("-easy.fit") for n in names)
    assert plan_workouts(plan) == files                            # same plan, same bytes


def test_walk_run_file_decodes_with_fitdecode() -> None:
    plan = plan_for(WALK_FIRST, [CADENCE])
    run = next(r for r in runs_of(plan) if r.level == 3)
    data = dict(plan_workouts(plan))[workout_file_name(run)]
    msgs = messages(data)
    assert [m[0] for m in msgs] == ["file_id", "workout", *["workout_step"] * 5]
    file_id, workout = msgs[0][1], msgs[1][1]
    assert file_id["type"] == "workout" and file_id["manufacturer"] == "development"
    assert file_id["time_created"] == datetime(2025, 6, 2, tzinfo=UTC)
    assert file_id["serial_number"] > 0
    assert workout["sport"] == "running" and workout["num_valid_steps"] == 5
    assert workout["wkt_name"] == "Walk-run L3 3/2 x5"
    steps = [m[1] for m in msgs[2:]]
    raw = [m[2] for m in msgs[2:]]
    assert [s["message_index"] for s in steps] == [0, 1, 2, 3, 4]
    assert [s.get("intensity") for s in steps] == ["warmup", "active", "recovery", None,
                                                   "cooldown"]
    # durations: profile seconds, raw milliseconds in duration_value (field 2)
    assert [r.get("duration_time") for r in raw] == [300_000, 180_000, 120_000, None,
                                                     300_000]
    assert all(s.get("target_type") in ("open", None) for s in steps)
    repeat = steps[3]
    assert repeat["duration_type"] == "repeat_until_steps_cmplt"
    assert repeat["duration_step"] == 1 and repeat["repeat_steps"] == 5
    assert steps[1]["wkt_step_name"] == "Easy run, RPE 3-5, cadence +5%"
    assert "not a fixed 180" in steps[1]["notes"]
    assert "drills: Leg swings" in steps[0]["notes"]
    assert execute(steps) == expected_timeline(run)
    assert sum(t for _, t in execute(steps)) == pytest.approx(run.total_min * 60 - sum(
        p.dose.minutes * 60 for p in run.drills))


def test_every_file_has_valid_crcs_and_runs_as_planned() -> None:
    plan = plan_for(WALK_FIRST)
    by_name = {workout_file_name(r): r for r in runs_of(plan)}
    for name, data in plan_workouts(plan):
        header_size, _, _, size, magic, header_crc = struct.unpack("<BBHI4sH", data[:14])
        assert header_size == 14 and magic == b".FIT" and size == len(data) - 16
        assert header_crc == compute_crc(data[:12])
        assert struct.unpack("<H", data[-2:])[0] == compute_crc(data[:-2])
        msgs = messages(data)
        steps = [m[1] for m in msgs if m[0] == "workout_step"]
        run = by_name[name]
        assert msgs[1][1]["num_valid_steps"] == len(steps) == (3 if run.continuous else 5)
        assert execute(steps) == expected_timeline(run)


def test_continuous_run_has_no_repeat_step() -> None:
    plan = plan_for(DESK)
    assert plan.start_level >= CONTINUOUS_LEVEL
    name, data = plan_workouts(plan)[0]
    assert name == "backstride-L8-30min-easy.fit"
    steps = [m[1] for m in messages(data) if m[0] == "workout_step"]
    assert [s["intensity"] for s in steps] == ["warmup", "active", "cooldown"]
    assert [s["duration_time"] for s in steps] == [300.0, 1800.0, 300.0]
    assert steps[1]["wkt_step_name"] == "Easy run, RPE 3-5"


def test_own_decoder_reads_the_same_workout() -> None:
    plan = plan_for(WALK_FIRST)
    for _, data in plan_workouts(plan)[:3]:
        fit = own_decode(data)
        assert fit.crc_ok is True and fit.warnings == () and fit.segments == 1
        steps = fit["workout_step"]
        assert fit["file_id"].value("type") == 5                     # workout
        assert fit["workout"].value("num_valid_steps") == len(steps) == 5
        # duration_type enum raw values: 0 = time, 6 = repeat_until_steps_cmplt
        np.testing.assert_array_equal(steps.fields["duration_type"], [0, 0, 0, 6, 0])
        assert steps.value("duration_step", 3) == 1
        reference = [m[1] for m in messages(data) if m[0] == "workout_step"]
        assert steps.value("repeat_steps", 3) == reference[3]["repeat_steps"]
        for i, ref in enumerate(reference):
            if "duration_time" in ref:
                assert steps.value("duration_time", i) == ref["duration_time"]
                assert steps.text("wkt_step_name", i) == ref["wkt_step_name"]


@pytest.mark.parametrize("raw", [{"saddle_numbness": True, "pain_now": 5},
                                 {"age": 16, "pain_on_extension": True,
                                  "weeks_since_onset": 3, "pain_now": 3}])
def test_plans_without_runs_give_no_workouts(raw: dict[str, object]) -> None:
    plan = plan_for(raw)
    assert plan.stopped is not None or plan.limited
    assert plan_workouts(plan) == []
