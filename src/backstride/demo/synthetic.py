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

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from backstride.demo.constants import (
    BALANCE_DRIFT_DAYS,
    DAYS,
    HILL_BLOCK_DAYS,
    SPIKE_DAY,
    SPIKE_RATIO,
    STREAK_DAYS,
)
from backstride.demo.planner import _plan_year
from backstride.demo.routes import _routes, eu_utc_offset_s
from backstride.demo.streams import _activity_streams, _plan_day
from backstride.domain.activity import Sport, Streams

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
