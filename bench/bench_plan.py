"""Benchmark: build a 12-week plan, and adapt it to 12 weeks of daily check-ins.

Three runners (the golden-plan vignettes: walk-run ladder, reduced volume with
signals, and a desk-bound runner) are checked once; then, repeatedly:

* **build**: :func:`backstride.domain.plan.build_plan` for 12 weeks (basis, sessions,
  exercises, caps, actions) plus ``to_dict()``;
* **adapt**: :func:`backstride.domain.adaptation.adapt` over 84 daily check-ins
  (replayed from the plan's start, referral triggers included), then
  :func:`backstride.domain.today.today` for the last day and
  :func:`backstride.domain.plan.replan` of the rest of the plan from the adapted level.

The target is under 100 ms each. Reports the median and the 95th percentile.

Run: ``.venv/bin/python bench/bench_plan.py [--repeat 200]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

from backstride.domain.adaptation import CheckIn, Morning, PlanState, adapt
from backstride.domain.answers import parse_answers
from backstride.domain.check import CheckResult, run_check
from backstride.domain.ladder import RunningBaseline
from backstride.domain.plan import Plan, SessionKind, build_plan, replan
from backstride.domain.signal import Level, Signal
from backstride.domain.today import today
from backstride.knowledge import load_knowledge
from backstride.knowledge.exercises import load_exercises

START = date(2025, 6, 2)
KB = load_knowledge()
LIB = load_exercises()

RUNNERS: dict[str, tuple[dict[str, object], list[Signal], RunningBaseline]] = {
    "sciatica (ladder)": (
        {"age": 40, "pain_below_knee": True, "leg_tingling_or_numbness": True,
         "pain_now": 4, "pain_during_run": 5, "aslr_left": "poor"}, [],
        RunningBaseline(longest_run_m=10_000, weekly_run_km=25)),
    "hill spike (reduced volume)": (
        {"age": 30, "hill_running": True, "pain_during_run": 3, "shoe_pairs": 1},
        [Signal("single_run_spike", Level.WARN, 1.6, "ratio", 1.3, None, "spike", "ease",
                "nielsen2025"),
         Signal("cadence", Level.WATCH, -6, "%", 5, None, "cadence", "raise",
                "heiderscheit2011")],
        RunningBaseline(longest_run_m=21_000, weekly_run_km=45)),
    "desk-bound weak core": (
        {"age": 34, "desk_hours_per_day": 10, "strength_sessions_per_week": 0,
         "pain_during_run": 2, "sex": "male", "mcgill_flexor_s": 150,
         "mcgill_extensor_s": 90}, [],
        RunningBaseline(longest_run_m=12_000, weekly_run_km=30, easy_pace_s_per_km=360)),
}


def checkins(plan: Plan) -> list[CheckIn]:
    """84 daily check-ins: mostly fine, a sore week in the middle."""
    out = []
    for i, day in enumerate(plan.days()):
        sore = 30 <= i < 37
        kinds = tuple(s.kind for s in day.sessions if s.kind is not SessionKind.REST)
        walk = max((s.minutes for s in day.sessions if s.kind is SessionKind.WALK),
                   default=None)
        out.append(CheckIn(day.on, pain_during=5 if sore else 2, pain_after=2,
                           morning_vs_usual=Morning.WORSE if i == 31 else Morning.SAME,
                           stiffness=3, sessions_done=kinds, rpe=4, walk_minutes=walk,
                           leg_symptoms=i < 20))
    return out


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall times [ms] of ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(name: str, times: list[float]) -> None:
    """Print the median and 95th percentile [ms]."""
    p95 = statistics.quantiles(times, n=20)[-1]
    flag = "OK" if statistics.median(times) < 100 else "SLOW"
    print(f"  {name:<7} median {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms  {flag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    for name, (raw, signals, baseline) in RUNNERS.items():
        check: CheckResult = run_check(parse_answers(raw, KB.questions), knowledge=KB,
                                       signals=signals, today=START)

        def build(c: CheckResult = check, s: list[Signal] = signals,
                  b: RunningBaseline = baseline) -> Plan:
            plan = build_plan(c, s, start=START, exercises=LIB, weeks=12, baseline=b)
            plan.to_dict()
            return plan

        plan = build()
        items = checkins(plan)
        state = PlanState.initial(plan)
        last = plan.end

        def adapt_all(p: Plan = plan, s: PlanState = state, cis: list[CheckIn] = items,
                      on: date = last) -> None:
            decision = adapt(s, cis, triage=KB.triage)
            today(p, s, cis, on, exercises=LIB, triage=KB.triage)
            replan(p, level=decision.state.level, on=on - timedelta(days=40), exercises=LIB)

        decision = adapt(state, items)
        print(f"{name}: {sum(1 for _ in plan.sessions())} sessions, final level "
              f"{decision.state.level}, referrals {[r.key for r in decision.referrals]}")
        report("build", timed(build, args.repeat))
        report("adapt", timed(adapt_all, args.repeat))


if __name__ == "__main__":
    main()
