"""The day-by-day training plan of the synthetic year (kinds, distances, segments)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

import numpy as np

from backstride.demo.constants import (
    _HILL_LONG_KM,
    _PRE_SPIKE_LONG_KM,
    _STREAK_LONG_KM,
    DAYS,
    HILL_BLOCK_DAYS,
    SHOE_LIMIT_M,
    SPIKE_DAY,
    SPIKE_RATIO,
    STREAK_DAYS,
)
from backstride.demo.routes import _Route
from backstride.domain.activity import Sport

if TYPE_CHECKING:
    from backstride.demo.synthetic import RunnerProfile


# ------------------------------------------------------------------- planning


@dataclass(frozen=True, slots=True)
class _Seg:
    distance_m: float
    speed_m_s: float
    direction: int = 1


@dataclass(slots=True)
class _Plan:
    days_before_end: int
    kind: str
    sport: Sport
    distance_m: float
    route: str | None
    start: time
    name: str
    segments: list[_Seg] = field(default_factory=list)
    gear: str | None = None


_RUN_KINDS = frozenset({"easy", "recovery", "long", "spike_long", "tempo", "intervals", "hills"})


def _volume_km(age_weeks: float, rng: np.random.Generator) -> float:
    """Planned weekly running distance [km] by weeks since the year started."""
    build = min(1.0, age_weeks / 24.0)
    base = 22.0 + 8.0 * (3 * build**2 - 2 * build**3)
    if age_weeks > 40:
        base = 28.0
    if int(age_weeks) % 4 == 3:
        base *= 0.72  # recovery week
    return base * float(rng.uniform(0.93, 1.07))


def _start_time(rng: np.random.Generator, hour: float, spread_min: float) -> time:
    minutes = hour * 60 + float(rng.uniform(0, spread_min))
    h, m = divmod(int(minutes), 60)
    return time(h, m, int(rng.integers(0, 60)))


def _day_part(t: time) -> str:
    if t.hour < 11:
        return "Morning"
    if t.hour < 14:
        return "Lunch"
    if t.hour < 17:
        return "Afternoon"
    if t.hour < 21:
        return "Evening"
    return "Night"


class _Planner:
    """Builds the day-by-day plan (kinds, distances, segments, start times)."""

    def __init__(self, end: date, runner: RunnerProfile, routes: dict[str, _Route],
                 rng: np.random.Generator) -> None:
        self.end = end
        self.runner = runner
        self.routes = routes
        self.rng = rng
        self.v_thr = runner.threshold_speed_m_s

    # speeds [m/s]
    def easy_speed(self, age: float) -> float:
        return 2.80 + 0.08 * min(1.0, age / 40.0) + float(self.rng.normal(0, 0.04))

    def run(self, d: int, kind: str, km: float, age: float, route: str | None = None,
            reps: int = 8) -> _Plan:
        """One running session on day ``d`` (days before the end) of ``km`` kilometres
        (``reps`` hill repeats for ``kind="hills"``, whose distance follows from the loop)."""
        v_easy = self.easy_speed(age)
        rng = self.rng
        segs: list[_Seg]
        if kind == "tempo":
            tempo_km = max(3.0, km - 3.5)
            segs = [_Seg(2000, v_easy - 0.1), _Seg(tempo_km * 1000, 0.97 * self.v_thr),
                    _Seg(1500, v_easy - 0.15)]
            name = f"Tempo {tempo_km:.0f} km"
            route = route or "River loop"
        elif kind == "intervals":
            reps = int(np.clip(round((km - 3.5) / 1.2), 4, 7))
            segs = [_Seg(2000, v_easy - 0.1)]
            for _ in range(reps):
                segs += [_Seg(800, 1.09 * self.v_thr), _Seg(400, 2.3)]
            segs.append(_Seg(1500, v_easy - 0.15))
            name = f"Intervals {reps} × 800 m"
            route = route or "River loop"
        elif kind == "hills":
            hilly = self.routes["Forest hills loop"]
            assert hilly.climb is not None
            s_a, s_b = hilly.climb
            climb = s_b - s_a
            segs = [_Seg(s_a, v_easy - 0.1)]
            for _ in range(reps):
                segs += [_Seg(climb, 4.6), _Seg(climb, 2.5, -1)]
            segs.append(_Seg(hilly.length_m - s_a, v_easy - 0.15))
            name = f"Hill repeats {reps} × {climb:.0f} m"
            route = "Forest hills loop"
        else:
            speed = {"recovery": v_easy - 0.2, "long": v_easy - 0.05,
                     "spike_long": v_easy - 0.08}.get(kind, v_easy)
            segs = [_Seg(km * 1000, speed)]
            name = ""
            if route is None:
                route = "Harbour loop" if kind in ("long", "spike_long") else (
                    "Park loop" if km <= 6 else "River loop")
        if kind in ("long", "spike_long"):
            start = _start_time(rng, 8.3, 60)
            name = f"Long run {sum(s.distance_m for s in segs) / 1000:.0f} km"
        elif rng.random() < 0.25:
            start = _start_time(rng, 17.8, 70)
        else:
            start = _start_time(rng, 6.2, 55)
        if not name:
            name = f"{_day_part(start)} Run"
        return _Plan(d, kind, Sport.RUNNING, sum(s.distance_m for s in segs), route, start,
                     name, segs)

    def cross(self, d: int, kind: str) -> _Plan:
        rng = self.rng
        if kind == "ride":
            km = float(rng.choice([31.0, 31.0, 46.5, 62.0]))
            start = _start_time(rng, 17.0, 40) if rng.random() < 0.6 else _start_time(rng, 9.5, 60)
            return _Plan(d, "ride", Sport.CYCLING, km * 1000, "Countryside loop", start,
                         f"{_day_part(start)} Ride",
                         [_Seg(km * 1000, 7.3 + float(rng.normal(0, 0.3)))])
        if kind == "swim":
            m = float(rng.choice([1000.0, 1200.0, 1500.0, 1500.0, 2000.0]))
            start = _start_time(rng, 12.1, 25)
            return _Plan(d, "swim", Sport.SWIMMING, m, None, start, f"{_day_part(start)} Swim",
                         [_Seg(m, 0.92 + float(rng.normal(0, 0.03)))])
        km = float(rng.uniform(3.0, 6.0))
        start = _start_time(rng, 18.9, 50)
        return _Plan(d, "walk", Sport.WALKING, km * 1000, "Park loop", start,
                     f"{_day_part(start)} Walk", [_Seg(km * 1000, 1.4)])

    def week(self, w: int) -> list[_Plan]:
        """Sessions of week ``w``: the long run of day D = 42 + 7 w and the 6 days before."""
        rng = self.rng
        d_long = SPIKE_DAY + 7 * w
        age = (DAYS - 1 - d_long) / 7.0
        plans: list[_Plan] = []

        def run(p: int, kind: str, km: float, route: str | None = None, reps: int = 8) -> None:
            plans.append(self.run(d_long + p, kind, km, age, route, reps))

        hill_first, hill_last = HILL_BLOCK_DAYS
        if hill_last <= d_long <= hill_first:  # the four hill-block weeks (w = 2..5)
            reps = {5: 6, 4: 7, 3: 8, 2: 8}.get(w, 8)
            run(5, "easy", 7.0, "Forest hills loop")
            run(3, "hills", 0.0, reps=reps)
            run(1, "easy", 6.0, "Forest hills loop")
            run(0, "long", _HILL_LONG_KM, "Forest hills loop")
            if rng.random() < 0.7:
                plans.append(self.cross(d_long + 4, "ride"))
            return plans
        if w == 1:  # the week before the spike: its long run is the 30-day longest
            run(5, "easy", 7.0)
            run(3, "tempo", 8.5)
            run(1, "easy", 6.0)
            run(0, "long", _PRE_SPIKE_LONG_KM)
            plans.append(self.cross(d_long + 4, "ride"))
            return plans
        if w == 0:  # spike week (the spike distance is set later from the real 30-day max)
            run(5, "easy", 8.0)
            run(4, "easy", 7.0)
            run(3, "tempo", 9.0)
            run(1, "easy", 8.0)
            run(0, "spike_long", 0.0)
            return plans
        streak_first, streak_last = STREAK_DAYS
        if w in (-2, -3, -4):  # run streak, D 33..20, no rest day
            for p in range(6, -1, -1):
                d = d_long + p
                if not streak_last <= d <= streak_first:
                    continue
                if p == 0:
                    run(p, "long", _STREAK_LONG_KM, "River loop")
                elif p == 3 and w == -3:
                    run(p, "tempo", 8.0)
                else:
                    run(p, "easy", float(rng.uniform(5.0, 8.0)))
            if w == -4:  # after the streak: two rest days, then an easy week end
                run(3, "easy", 6.0)
                run(1, "easy", 7.0)
                run(0, "long", 11.0)
            return plans
        if w == -1:  # after the spike: short easy week (D 41..35)
            run(5, "easy", 6.0)
            run(3, "easy", 7.0)
            run(0, "long", 10.0)
            return plans
        if round(age) == 11:  # a week with a cold: one short run and a walk
            run(1, "easy", 5.0)
            plans.append(self.cross(d_long + 3, "walk"))
            return plans

        volume = _volume_km(age, rng)
        n_runs = int(rng.choice([3, 4, 5], p=[0.2, 0.55, 0.25]))
        if int(age) % 4 == 3:
            n_runs = 3
        if w <= -5:
            n_runs = 4
        long_km = float(np.clip(0.36 * volume, 9.0, 18.5))
        quality_km = float(np.clip(0.24 * volume, 7.0, 11.0))
        quality = "easy" if age < 5 else ("tempo" if w % 2 == 0 else "intervals")
        n_easy = n_runs - 2
        easy_km = max(5.0, (volume - long_km - quality_km) / n_easy)
        hilly = "Forest hills loop" if rng.random() < 0.12 else None
        run(5, "easy", round(easy_km + float(rng.normal(0, 0.5)), 1), hilly)
        run(3, quality, round(quality_km, 1))
        if n_runs >= 4:
            run(1, "easy", round(easy_km + float(rng.normal(0, 0.5)), 1))
        if n_runs >= 5:
            run(4, "recovery", 5.0)
        run(0, "long", round(long_km, 1))
        summer = self.is_summer(d_long)
        if rng.random() < (0.75 if summer else 0.3):
            plans.append(self.cross(d_long + (6 if n_runs >= 5 else 4), "ride"))
        if rng.random() < 0.25:
            plans.append(self.cross(d_long + 6 if n_runs < 5 else d_long + 2, "swim"))
        elif rng.random() < 0.3:
            plans.append(self.cross(d_long + 2, "walk"))
        return plans

    def is_summer(self, d: int) -> bool:
        return 4 <= (self.end - timedelta(days=d)).month <= 9


def _plan_year(end: date, runner: RunnerProfile, routes: dict[str, _Route],
               rng: np.random.Generator) -> tuple[list[_Plan], float, float]:
    planner = _Planner(end, runner, routes, rng)
    plans: list[_Plan] = []
    last_week = (DAYS - 1 - SPIKE_DAY) // 7 + 1
    for w in range(last_week, -7, -1):
        plans += [p for p in planner.week(w) if 0 <= p.days_before_end < DAYS]
    # two sessions on one day: keep the run
    seen: dict[int, _Plan] = {}
    for p in plans:
        other = seen.get(p.days_before_end)
        if other is None or (p.kind in _RUN_KINDS and other.kind not in _RUN_KINDS):
            seen[p.days_before_end] = p
    plans = sorted(seen.values(), key=lambda p: -p.days_before_end)
    # the spike: SPIKE_RATIO x the longest run of the 30 days before it
    prior = [p.distance_m for p in plans
             if p.kind in _RUN_KINDS and SPIKE_DAY < p.days_before_end <= SPIKE_DAY + 30]
    prior_longest = max(prior)
    spike_m = round(SPIKE_RATIO * prior_longest / 10.0) * 10.0
    for p in plans:
        if p.kind == "spike_long":
            speed = p.segments[0].speed_m_s if p.segments else 2.75
            p.distance_m = spike_m
            p.segments = [_Seg(spike_m, speed)]
            p.name = f"Long run {spike_m / 1000:.0f} km"
    # shoes: pair 1 until it has passed SHOE_LIMIT_M, then pair 2; the bike on rides
    worn = 0.0
    for p in plans:
        if p.sport.is_running:
            pair = 0 if worn < SHOE_LIMIT_M else 1
            p.gear = runner.shoes[pair]
            if pair == 0:
                worn += p.distance_m
        elif p.sport is Sport.CYCLING:
            p.gear = runner.bike
    return plans, prior_longest, spike_m


