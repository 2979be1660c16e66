"""A seeded synthetic year of training for one demo runner (pure: stdlib + numpy).

:func:`synthetic_year` returns 365 days of activities ending on ``end``: 3-5 runs a
week (easy, long, tempo, intervals, hill repeats) plus cross-training (rides, a few
pool swims and walks), each with per-second streams in SI units on the canonical
channels of :mod:`backstride.domain.activity` (cadence in *steps* per minute).
Nothing is written to files here; :mod:`backstride.demo.export` does that.

The runner
----------
"Demo Runner", 72 kg, resting/threshold/maximum heart rate 52/170/188 bpm,
threshold speed 3.85 m/s (about 4:20 min/km), training around Aarhus, Denmark
(56.157 N, 10.211 E, Central European Time with EU daylight saving). Runs go round
fixed loops: three flat ones (River, Park, Harbour) and the hilly "Forest hills"
loop (about 90 m of climbing per 4.6 km lap); rides go round a 31 km countryside
loop. Stream models (per second):

* speed: planned segment speeds with smooth +/-3-5 % variation, slower uphill
  (-2.5 % per % grade) and slightly faster downhill;
* heart rate: ``rest + (threshold - rest) * v_eq / v_threshold`` with
  ``v_eq = v * (1 + 4 * grade)`` uphill, a 25 s first-order lag, cardiac drift of
  3.5-6.5 % per hour (more in summer), integer bpm;
* cadence: ``143 + 7 * v`` steps/min (+ a little uphill), i.e. about 158-172 spm,
  the runner's own slightly low baseline;
* ground contact time ``305 - 16 * v`` ms (+ fatigue), about 240-270 ms;
  ground contact balance (% left) around 49.7 % with a drift toward the left
  (up to about 51.2 %) over the last 120 days; vertical oscillation
  ``72 + 6.5 * v`` mm (about 85-100 mm); step length ``v * 60 / cadence`` (m, then mm);
  vertical ratio = vertical oscillation / step length (8-9.5 % at easy pace);
* power ``mass * v * 1.05 + mass * g * v * grade`` W (running), a simple
  aero/rolling/climbing model on the bike.

Values are quantised to the resolution of the FIT fields the export writes, so the
exported files decode back to exactly these streams.

Storylines (``D`` = days before ``end``; ``end`` itself is D 0)
------------------------------------------------------------------
The weekly rhythm is anchored so that the long run falls on the weekday of D 42.
Week ``w`` holds the long run of D ``42 + 7 w`` and the six days before it.

(a) Single-run distance spike, D 42: a long run of 1.7 x the longest run in the
    previous 30 days (D 72-43; that longest run is the 14 km long run of D 49, the
    hill-block long runs being 12 km), so about 23.8 km. Its week (D 48-42) has five
    runs and about 60-70 % more distance than the week before: a weekly jump.
(b) Hill block, D 83-56 (four weeks): every run on the Forest hills loop, one
    hill-repeat session a week (6-8 x 380 m at about 6.5 %), ascent per km about
    5 times the rest of the year.
(c) Shoe change: pair 1 ("Stridemaster 3 (grey)") is worn for every run until it
    has passed 790 km (so it retires at about 790-800 km), then pair 2
    ("Stridemaster 4 (blue)") for every later run; pair 2 ends the year at about
    740-750 km. Never two pairs in rotation. The date depends on the seed (about
    D 155-160 for seeds 1-7); see :attr:`Storylines.shoe_change_date`.
(d) Run streak, D 33-20: 14 consecutive run days without a rest day (mostly easy
    5-8 km runs, one tempo and one 12 km long run), after the spike.
(e) Ground contact balance drifts toward the left from D 120 on (+1.5 points by D 0).

Rides, swims and walks never carry shoes; rides carry the bike's name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from backstride.domain.activity import FloatArray, Sport, Streams

__all__ = [
    "DAYS",
    "HILL_BLOCK_DAYS",
    "SPIKE_DAY",
    "SPIKE_RATIO",
    "STREAK_DAYS",
    "RunnerProfile",
    "Storylines",
    "SyntheticActivity",
    "SyntheticYear",
    "eu_utc_offset_s",
    "synthetic_year",
]

#: Days in the synthetic year (``end`` and the 364 days before it).
DAYS = 365
#: The spike long run: days before ``end``.
SPIKE_DAY = 42
#: Spike distance / longest run in the previous 30 days.
SPIKE_RATIO = 1.7
#: Hill block: first and last day, as days before ``end``.
HILL_BLOCK_DAYS = (83, 56)
#: Run streak: first and last day, as days before ``end``.
STREAK_DAYS = (33, 20)
#: Ground contact balance starts drifting left this many days before ``end``.
BALANCE_DRIFT_DAYS = 120
#: Pair 1 is retired once it has passed this distance [m].
SHOE_LIMIT_M = 790_000.0

_STREAK_LONG_KM = 12.0
_PRE_SPIKE_LONG_KM = 14.0
_HILL_LONG_KM = 12.0

_M_PER_DEG_LAT = 111_195.0
_GRAVITY = 9.81

# FIT field resolutions (see demo.export): values are rounded to these steps.
_Q_DISTANCE = 0.01
_Q_SPEED = 0.001
_Q_ALTITUDE = 0.2
_Q_CADENCE_SPM = 2.0 / 128.0
_Q_GCT = 0.1
_Q_BALANCE = 0.01
_Q_VO = 0.1
_Q_RATIO = 0.01
_Q_STEP = 0.1
_SEMICIRCLE_DEG = 180.0 / 2.0**31


@dataclass(frozen=True, slots=True)
class RunnerProfile:
    """Who the demo runner is.

    Attributes
    ----------
    hr_rest_bpm, hr_threshold_bpm, hr_max_bpm
        Heart rates [bpm].
    threshold_speed_m_s
        Speed at lactate threshold [m/s].
    mass_kg
        Body mass [kg].
    home_lat_deg, home_lon_deg
        Where the loops start [deg].
    shoes
        The two pairs of running shoes, in order of use.
    bike
        The bike's gear name.
    """

    name: str = "Demo Runner"
    hr_rest_bpm: float = 52.0
    hr_threshold_bpm: float = 170.0
    hr_max_bpm: float = 188.0
    threshold_speed_m_s: float = 3.85
    mass_kg: float = 72.0
    home_lat_deg: float = 56.1572
    home_lon_deg: float = 10.2107
    shoes: tuple[str, str] = ("Stridemaster 3 (grey)", "Stridemaster 4 (blue)")
    bike: str = "Gravel bike"


@dataclass(frozen=True, slots=True, eq=False)
class SyntheticActivity:
    """One synthetic activity.

    Attributes
    ----------
    activity_id
        Strava-like activity id (increasing with time).
    sport
        Sport of the activity.
    kind
        Session type: ``easy``, ``recovery``, ``long``, ``spike_long``, ``tempo``,
        ``intervals``, ``hills``, ``ride``, ``swim`` or ``walk``.
    name
        Title as Strava would show it.
    start_local
        Local wall-clock start (naive).
    utc_offset_s
        Local time minus UTC [s].
    gear
        Shoe or bike name, or None.
    route
        Loop name, or None (pool swims).
    streams
        Per-second channels, SI units, cadence in steps/min.
    pool_length_m
        Pool length for swims [m].
    """

    activity_id: int
    sport: Sport
    kind: str
    name: str
    start_local: datetime
    utc_offset_s: int
    gear: str | None
    route: str | None
    streams: Streams
    pool_length_m: float | None = None

    @property
    def start_utc(self) -> datetime:
        """Start time, aware UTC."""
        return (self.start_local - timedelta(seconds=self.utc_offset_s)).replace(tzinfo=UTC)

    @property
    def day(self) -> date:
        """Local calendar day of the start."""
        return self.start_local.date()

    @property
    def distance_m(self) -> float:
        """Total distance [m]."""
        return float(self.streams["distance_m"][-1])

    @property
    def elapsed_s(self) -> float:
        """Duration, first to last sample [s]."""
        return float(self.streams["time_s"][-1])


@dataclass(frozen=True, slots=True)
class Storylines:
    """Where the storylines of the synthetic year sit (see the module docstring).

    Attributes
    ----------
    end
        Last day of the year.
    spike_date
        Day of the spike long run.
    spike_distance_m
        Distance of the spike run [m].
    spike_prior_longest_m
        Longest run in the 30 days before the spike [m].
    spike_week
        First and last day of the spike week.
    hill_block
        First and last day of the hill block.
    shoe_change_date
        Day of the first run in pair 2.
    first_pair_m
        Distance run in pair 1 [m].
    streak
        First and last day of the run streak.
    balance_drift_start
        Day the ground contact balance starts drifting left.
    """

    end: date
    spike_date: date
    spike_distance_m: float
    spike_prior_longest_m: float
    spike_week: tuple[date, date]
    hill_block: tuple[date, date]
    shoe_change_date: date
    first_pair_m: float
    streak: tuple[date, date]
    balance_drift_start: date

    @property
    def spike_ratio(self) -> float:
        """Spike distance / longest run in the previous 30 days."""
        return self.spike_distance_m / self.spike_prior_longest_m


@dataclass(frozen=True, slots=True)
class SyntheticYear:
    """The demo runner's year: who, what, and where the storylines are."""

    runner: RunnerProfile
    activities: tuple[SyntheticActivity, ...]
    storylines: Storylines
    seed: int = 7

    @property
    def runs(self) -> tuple[SyntheticActivity, ...]:
        """The running activities."""
        return tuple(a for a in self.activities if a.sport.is_running)


# ------------------------------------------------------------------ time zone


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def eu_utc_offset_s(local_day: date) -> int:
    """Central European offset for a local day: +2 h from the last Sunday of March
    to the day before the last Sunday of October, else +1 h (EU rule, Directive
    2000/84/EC; the switching hour itself is ignored)."""
    start = _last_sunday(local_day.year, 3)
    stop = _last_sunday(local_day.year, 10)
    return 7200 if start <= local_day < stop else 3600


# ---------------------------------------------------------------------- routes


@dataclass(frozen=True, slots=True)
class _Route:
    name: str
    s: FloatArray
    lat: FloatArray
    lon: FloatArray
    alt: FloatArray
    grade: FloatArray
    length_m: float
    climb: tuple[float, float] | None = None

    def sample(self, s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Latitude, longitude, altitude and grade at route positions ``s`` [m]."""
        pos = np.mod(s, self.length_m)
        return (
            np.interp(pos, self.s, self.lat),
            np.interp(pos, self.s, self.lon),
            np.interp(pos, self.s, self.alt),
            np.interp(pos, self.s, self.grade),
        )


@dataclass(frozen=True, slots=True)
class _Hill:
    height_m: float
    width_m: float
    centre_m: float


def _make_route(
    name: str,
    *,
    length_m: float,
    home: tuple[float, float],
    rotation: float,
    wobble: tuple[float, float, float, float],
    base_alt_m: float,
    hills: Sequence[_Hill],
    undulation_m: float,
    undulation_cycles: int,
    climb_of: int | None = None,
) -> _Route:
    """A closed loop starting and ending at ``home``, ``length_m`` long."""
    u = np.linspace(0.0, 2 * math.pi, 4001)
    a3, p3, a5, p5 = wobble
    r = 1.0 + a3 * np.sin(3 * u + p3) + a5 * np.cos(5 * u + p5)
    x = r * np.cos(u + rotation)
    y = r * np.sin(u + rotation)
    x -= x[0]
    y -= y[0]
    seg = np.hypot(np.diff(x), np.diff(y))
    scale = length_m / float(seg.sum())
    s = np.concatenate([[0.0], np.cumsum(seg)]) * scale
    lat0, lon0 = home
    lat = lat0 + y * scale / _M_PER_DEG_LAT
    lon = lon0 + x * scale / (_M_PER_DEG_LAT * math.cos(math.radians(lat0)))
    alt = base_alt_m + undulation_m * np.sin(2 * math.pi * undulation_cycles * s / length_m)
    for hill in hills:
        d = np.abs(s - hill.centre_m)
        d = np.minimum(d, length_m - d)  # periodic distance along the loop
        alt = alt + hill.height_m * np.exp(-((d / hill.width_m) ** 2))
    grade = np.gradient(alt, s)
    climb = None
    if climb_of is not None:
        h = hills[climb_of]
        climb = (h.centre_m - 0.9 * h.width_m, h.centre_m - 0.05 * h.width_m)
    return _Route(name, s, lat, lon, alt, grade, float(length_m), climb)


def _routes(runner: RunnerProfile) -> dict[str, _Route]:
    home = (runner.home_lat_deg, runner.home_lon_deg)
    return {
        "River loop": _make_route(
            "River loop", length_m=5200, home=home, rotation=0.3,
            wobble=(0.12, 0.4, 0.05, 1.0), base_alt_m=12.0,
            hills=[_Hill(3.5, 300, 1200), _Hill(3.0, 250, 3600)],
            undulation_m=0.8, undulation_cycles=5,
        ),
        "Park loop": _make_route(
            "Park loop", length_m=3300, home=home, rotation=2.0,
            wobble=(0.08, 1.1, 0.06, 0.2), base_alt_m=30.0,
            hills=[_Hill(5.0, 200, 1500)], undulation_m=0.6, undulation_cycles=3,
        ),
        "Harbour loop": _make_route(
            "Harbour loop", length_m=8400, home=home, rotation=4.0,
            wobble=(0.15, 2.0, 0.04, 0.7), base_alt_m=5.0,
            hills=[_Hill(4.0, 400, 5000)], undulation_m=0.7, undulation_cycles=6,
        ),
        "Forest hills loop": _make_route(
            "Forest hills loop", length_m=4600, home=home, rotation=5.2,
            wobble=(0.1, 0.9, 0.08, 2.2), base_alt_m=28.0,
            hills=[_Hill(45.0, 450, 2200), _Hill(26.0, 260, 3500), _Hill(18.0, 200, 900)],
            undulation_m=1.0, undulation_cycles=7, climb_of=0,
        ),
        "Countryside loop": _make_route(
            "Countryside loop", length_m=31_000, home=home, rotation=1.0,
            wobble=(0.2, 0.3, 0.1, 1.4), base_alt_m=25.0,
            hills=[_Hill(30.0, 900, 8000), _Hill(22.0, 600, 17_000), _Hill(28.0, 800, 25_000)],
            undulation_m=2.0, undulation_cycles=12,
        ),
    }


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


# ---------------------------------------------------------------- stream model


def _smooth_noise(rng: np.random.Generator, n: int, width: int) -> FloatArray:
    """Unit-variance noise smoothed over about ``width`` samples."""
    width = max(1, width)
    kernel = np.hanning(2 * width + 1)
    kernel /= math.sqrt(float((kernel**2).sum()))
    white = rng.standard_normal(n + 2 * width)
    out: FloatArray = np.convolve(white, kernel, mode="valid")[:n]
    return out


def _lag(x: FloatArray, tau_s: float, initial: float) -> FloatArray:
    """First-order lag (time constant ``tau_s``) of a 1 Hz series starting from ``initial``."""
    m = int(5 * tau_s)
    kernel = np.exp(-np.arange(m) / tau_s)
    kernel /= kernel.sum()
    padded = np.concatenate([np.full(m, initial), x])
    out: FloatArray = np.convolve(padded, kernel)[m : m + len(x)]
    return out


def _q(x: FloatArray, step: float) -> FloatArray:
    out: FloatArray = np.round(x / step) * step
    return out


def _motion(plan: _Plan, route: _Route | None, rng: np.random.Generator,
            variability: float, uphill_cost: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-second speed, route position and signed travel direction (n + 1 samples)."""
    speeds: list[FloatArray] = []
    dirs: list[FloatArray] = []
    bounds: list[tuple[int, int, float]] = []
    start = 0
    for seg in plan.segments:
        n = max(2, round(seg.distance_m / seg.speed_m_s))
        v = seg.speed_m_s * (1.0 + variability * _smooth_noise(rng, n, 40))
        speeds.append(v)
        dirs.append(np.full(n, float(seg.direction)))
        bounds.append((start, start + n, seg.distance_m))
        start += n
    v = np.concatenate(speeds)
    direction = np.concatenate(dirs)
    if route is not None:
        s = np.concatenate([[0.0], np.cumsum(direction * v)])[:-1]
        grade = route.sample(s)[3] * direction
        v = v * np.where(grade > 0, 1.0 - uphill_cost * grade, 1.0 - 0.6 * grade)
    # soften steps between segments, then make every segment exactly its distance
    v = np.convolve(np.concatenate([np.full(3, v[0]), v, np.full(3, v[-1])]),
                    np.ones(7) / 7.0, mode="valid")
    for a, b, dist in bounds:
        v[a:b] *= dist / float(v[a:b].sum())
    s = np.concatenate([[0.0], np.cumsum(direction * v)])
    speed = np.concatenate([v, v[-1:]])
    dir_ext = np.concatenate([direction, direction[-1:]])
    return speed, s, dir_ext


def _activity_streams(plan: _Plan, runner: RunnerProfile, routes: dict[str, _Route],
                      rng: np.random.Generator, end: date) -> Streams:
    route = routes[plan.route] if plan.route else None
    sport = plan.sport
    variability = {Sport.CYCLING: 0.06, Sport.SWIMMING: 0.03}.get(sport, 0.035)
    uphill_cost = 3.0 if sport is Sport.CYCLING else 2.5
    speed, s, direction = _motion(plan, route, rng, variability, uphill_cost)
    n = len(speed)
    t = np.arange(n, dtype=np.float64)
    distance = np.concatenate([[0.0], np.cumsum(speed[:-1])])
    ch: dict[str, FloatArray] = {
        "time_s": t,
        "distance_m": _q(distance, _Q_DISTANCE),
        "speed_m_s": _q(speed, _Q_SPEED),
    }
    grade = np.zeros(n)
    if route is not None:
        lat, lon, alt, g = route.sample(s)
        grade = g * direction
        ch["latitude_deg"] = np.round(lat / _SEMICIRCLE_DEG) * _SEMICIRCLE_DEG
        ch["longitude_deg"] = np.round(lon / _SEMICIRCLE_DEG) * _SEMICIRCLE_DEG
        ch["altitude_m"] = _q(alt + 0.3 * _smooth_noise(rng, n, 120), _Q_ALTITUDE)
    if sport is Sport.SWIMMING:
        return Streams(ch)

    d_before = (end - _plan_day(plan, end)).days
    summer = 4 <= _plan_day(plan, end).month <= 9
    hours = t / 3600.0
    rest, thr = runner.hr_rest_bpm, runner.hr_threshold_bpm
    if sport is Sport.CYCLING:
        m_total = runner.mass_kg + 10.0
        power = (0.5 * 1.2 * 0.32 * speed**3 + 0.005 * m_total * _GRAVITY * speed
                 + m_total * _GRAVITY * speed * np.maximum(grade, -0.02))
        power = np.clip(power * (1 + 0.08 * _smooth_noise(rng, n, 5)), 0.0, 600.0)
        frac = 0.38 + 0.5 * power / 230.0
        ch["power_w"] = _q(power, 1.0)
    else:
        v_eq = speed * np.where(grade > 0, 1.0 + 4.0 * grade, 1.0 + 1.5 * grade)
        frac = np.maximum(v_eq, 0.3) / runner.threshold_speed_m_s
    hr_ss = rest + (thr - rest) * frac
    hr = _lag(hr_ss, 25.0, rest + 30.0)
    drift = (0.065 if summer else 0.035) + float(rng.normal(0, 0.008))
    hr = hr * (1.0 + drift * hours) + float(rng.normal(0, 2.0)) + 1.2 * _smooth_noise(rng, n, 8)
    ch["heart_rate_bpm"] = _q(np.clip(hr, 60.0, runner.hr_max_bpm - 1.0), 1.0)
    if sport is Sport.CYCLING:
        return Streams(ch)

    if sport is Sport.WALKING:
        cad = 112.0 + 6.0 * (speed - 1.4) + 1.0 * _smooth_noise(rng, n, 10)
        ch["cadence_spm"] = _q(np.clip(cad, 90.0, 130.0), _Q_CADENCE_SPM)
        return Streams(ch)

    # running
    long_fatigue = np.clip(hours - 1.0, 0.0, None)
    cad = (143.0 + 7.0 * speed + 20.0 * np.clip(grade, 0.0, None) - 1.5 * long_fatigue
           + float(rng.normal(0, 0.8)) + 1.0 * _smooth_noise(rng, n, 6))
    cad = np.clip(cad, 150.0, 185.0)
    cad = _q(cad, _Q_CADENCE_SPM)
    ch["cadence_spm"] = cad
    gct = 305.0 - 16.0 * speed + 4.0 * hours + float(rng.normal(0, 2.0)) + 2.5 * _smooth_noise(
        rng, n, 4)
    ch["ground_contact_time_ms"] = _q(np.clip(gct, 200.0, 320.0), _Q_GCT)
    drift_pts = 1.5 * max(0.0, (BALANCE_DRIFT_DAYS - d_before) / BALANCE_DRIFT_DAYS)
    balance = 49.7 + drift_pts + float(rng.normal(0, 0.2)) + 0.35 * _smooth_noise(rng, n, 15)
    ch["ground_contact_balance_pct"] = _q(np.clip(balance, 48.0, 53.0), _Q_BALANCE)
    vo = 72.0 + 6.5 * speed + float(rng.normal(0, 1.2)) + 1.2 * _smooth_noise(rng, n, 5)
    vo = _q(np.clip(vo, 70.0, 115.0), _Q_VO)
    ch["vertical_oscillation_mm"] = vo
    step_mm = _q(ch["speed_m_s"] * 60.0 / cad * 1000.0, _Q_STEP)
    ch["step_length_mm"] = step_mm
    ch["vertical_ratio_pct"] = _q(vo / step_mm * 100.0, _Q_RATIO)
    power = runner.mass_kg * speed * (1.05 + _GRAVITY * np.where(grade > 0, grade, 0.5 * grade))
    ch["power_w"] = _q(np.clip(power, 40.0, 700.0), 1.0)
    return Streams(ch)


def _plan_day(plan: _Plan, end: date) -> date:
    """Local calendar day of a planned session."""
    return end - timedelta(days=plan.days_before_end)


# ----------------------------------------------------------------------- entry


def synthetic_year(end: date, *, seed: int = 7,
                   runner: RunnerProfile | None = None) -> SyntheticYear:
    """Generate the demo runner's year ending on ``end`` (pure and deterministic).

    Parameters
    ----------
    end
        Last day of the year (local calendar day); the year covers ``end`` and
        the 364 days before it.
    seed
        Seed of every random choice; the same ``(end, seed)`` gives identical output.
    runner
        The runner; :class:`RunnerProfile` defaults when None.

    Returns
    -------
    SyntheticYear
        Activities in time order, with the storyline dates.
    """
    runner = runner or RunnerProfile()
    routes = _routes(runner)
    plans, prior_longest, spike_m = _plan_year(end, runner, routes, np.random.default_rng(seed))
    activities: list[SyntheticActivity] = []
    id_rng = np.random.default_rng([seed, 1])
    next_id = 10_100_000_000
    for i, plan in enumerate(plans):
        rng = np.random.default_rng([seed, 2, i])
        local_day = _plan_day(plan, end)
        next_id += int(id_rng.integers(40_000, 90_000))
        activities.append(
            SyntheticActivity(
                activity_id=next_id,
                sport=plan.sport,
                kind=plan.kind,
                name=plan.name,
                start_local=datetime.combine(local_day, plan.start),
                utc_offset_s=eu_utc_offset_s(local_day),
                gear=plan.gear,
                route=plan.route,
                streams=_activity_streams(plan, runner, routes, rng, end),
                pool_length_m=25.0 if plan.sport is Sport.SWIMMING else None,
            )
        )
    pair2 = [a for a in activities if a.gear == runner.shoes[1]]
    first_pair_m = sum(a.distance_m for a in activities if a.gear == runner.shoes[0])

    def day(days_before_end: int) -> date:
        return end - timedelta(days=days_before_end)

    storylines = Storylines(
        end=end,
        spike_date=day(SPIKE_DAY),
        spike_distance_m=spike_m,
        spike_prior_longest_m=prior_longest,
        spike_week=(day(SPIKE_DAY + 6), day(SPIKE_DAY)),
        hill_block=(day(HILL_BLOCK_DAYS[0]), day(HILL_BLOCK_DAYS[1])),
        shoe_change_date=pair2[0].day if pair2 else end,
        first_pair_m=first_pair_m,
        streak=(day(STREAK_DAYS[0]), day(STREAK_DAYS[1])),
        balance_drift_start=day(BALANCE_DRIFT_DAYS),
    )
    return SyntheticYear(runner, tuple(activities), storylines, seed)
