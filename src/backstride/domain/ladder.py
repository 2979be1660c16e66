"""Return to running: run levels, the walk-run ladder and the single-run rule.

Run levels
----------
One integer says how much running the runner is at; the plan and the daily
adaptation move it up and down one step at a time.

``0``
    Walking only. The **readiness gate** (``readiness_gate``, Expert): a 30-minute walk
    with pain below 3/10 (at most 2) and a settled next morning before the first run.
``1`` - ``7``
    Walk-run stages (:data:`LADDER`), after the shape of the US Army return-to-run
    table (``army_rtr2023``, Expert): each stage done at least twice with acceptable
    symptoms and a next-morning check before moving on, at least one rest day between
    runs, flat routes, easy effort (RPE 3-5 of 10).
``8``
    Continuous 30 minutes, three times a week.
``9`` and up
    Continuous running, weekly time ``90 min x 1.1^(level - 8)``, split over three
    easy runs (four in the back-to-training phase above 180 min). A level is held at
    least 7 days and 2 acceptable runs before the next. The 10% step is a soft default,
    not a protective rule (``buist2008``); weekly time therefore never rises more than
    21% across two weeks, inside the 30% soft limit of ``nielsen2014``.

Single-run rule (``nielsen2025``, Moderate)
-------------------------------------------
A planned run is never longer than 110% of the longest run in the 30 days before it
(:func:`single_run_cap_m`). Distances of planned sessions are estimated from their
running and walking time at the runner's easy pace and a 10:00 min/km walk. Walk-run
stages are held against the *recorded* runs of the window (their stage-to-stage
growth is governed by the ladder's own gates); continuous runs against recorded
and planned runs (walk-run sessions included).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from backstride.domain.training import Session

__all__ = [
    "CONTINUOUS_LEVEL",
    "DEFAULT_EASY_PACE_S_PER_KM",
    "GATE_PAIN_MAX",
    "GATE_WALK_MIN",
    "LADDER",
    "PAIN_HOLD_MAX",
    "PAIN_OK_MAX",
    "SINGLE_RUN_LIMIT",
    "WALK_LEVEL",
    "WALK_PACE_S_PER_KM",
    "WINDOW_DAYS",
    "RunningBaseline",
    "Stage",
    "distance_m",
    "level_distance_m",
    "level_for_weekly_minutes",
    "ready_to_progress",
    "runs_per_week",
    "single_run_cap_m",
    "stage",
    "top_level",
    "weekly_run_minutes",
]

#: Walking only (before the readiness gate).
WALK_LEVEL: Final = 0
#: Continuous 30 minutes: the last ladder stage.
CONTINUOUS_LEVEL: Final = 8
#: Acceptable sessions needed at a level before the next (``army_rtr2023``).
SESSIONS_PER_STAGE: Final = 2
#: Days a continuous level is held at least (``backstride``).
DAYS_PER_CONTINUOUS_LEVEL: Final = 7
#: Weekly running time at level 8 [min] and growth per continuous level (``backstride``).
CONTINUOUS_WEEKLY_MIN: Final = 90.0
LEVEL_GROWTH: Final = 1.10
#: Levels above 8 when the runner's usual weekly volume is unknown.
UNKNOWN_TARGET_LEVELS: Final = 4
#: Single-run limit: ratio to the longest run of the window, and the window [days].
SINGLE_RUN_LIMIT: Final = 1.10
WINDOW_DAYS: Final = 30
#: Readiness gate: walk length [min] and highest pain during it [0-10].
GATE_WALK_MIN: Final = 30
GATE_PAIN_MAX: Final = 2
#: Pain-monitoring model (``silbernagel2007``, Expert for backs): pain during or after
#: activity up to 3/10 lets the plan progress (the conservative setting), 4-5 holds it,
#: above 5 steps it back.
PAIN_OK_MAX: Final = 3
PAIN_HOLD_MAX: Final = 5
#: Assumed easy running pace when unknown, and the walking pace [s/km].
DEFAULT_EASY_PACE_S_PER_KM: Final = 390.0
WALK_PACE_S_PER_KM: Final = 600.0


@dataclass(frozen=True, slots=True)
class Stage:
    """One walk-run stage.

    Attributes
    ----------
    level
        1-8.
    run_s, walk_s
        Length of each running and walking interval [s] (walk 0 when continuous).
    repeats
        Number of run/walk pairs.
    """

    level: int
    run_s: int
    walk_s: int
    repeats: int

    @property
    def continuous(self) -> bool:
        """True for the last stage (no walking)."""
        return self.walk_s == 0

    @property
    def run_min(self) -> float:
        """Running time [min]."""
        return self.run_s * self.repeats / 60.0

    @property
    def total_min(self) -> float:
        """Running plus walking time [min] (without warm-up and cool-down)."""
        return (self.run_s + self.walk_s) * self.repeats / 60.0

    def describe(self) -> str:
        """E.g. ``1 min run / 2 min walk x 6`` or ``30 min continuous``."""
        if self.continuous:
            return f"{self.run_min:g} min continuous"
        return f"{self.run_s / 60:g} min run / {self.walk_s / 60:g} min walk x {self.repeats}"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"level": self.level, "run_s": self.run_s, "walk_s": self.walk_s,
                "repeats": self.repeats, "run_min": self.run_min,
                "total_min": self.total_min, "text": self.describe()}


#: The walk-run ladder, levels 1-8 (``army_rtr2023`` shape; our own step sizes).
LADDER: Final[tuple[Stage, ...]] = (
    Stage(1, 60, 120, 6),
    Stage(2, 120, 120, 5),
    Stage(3, 180, 120, 5),
    Stage(4, 240, 60, 5),
    Stage(5, 360, 60, 4),
    Stage(6, 540, 60, 3),
    Stage(7, 840, 60, 2),
    Stage(8, 1800, 0, 1),
)


def stage(level: int) -> Stage:
    """The walk-run stage of a ladder level (1-8)."""
    if not 1 <= level <= CONTINUOUS_LEVEL:
        raise ValueError(f"level {level} is not a walk-run stage")
    return LADDER[level - 1]


def runs_per_week(weekly_min: float, *, back_to_training: bool) -> int:
    """Three runs a week; four above 180 min in the back-to-training phase."""
    return 4 if back_to_training and weekly_min > 180 else 3


def weekly_run_minutes(level: int) -> float:
    """Planned weekly running time of a level [min] (three sessions a week)."""
    if level <= WALK_LEVEL:
        return 0.0
    if level <= CONTINUOUS_LEVEL:
        return 3 * stage(level).run_min
    return CONTINUOUS_WEEKLY_MIN * LEVEL_GROWTH ** (level - CONTINUOUS_LEVEL)


def level_for_weekly_minutes(minutes: float) -> int:
    """Highest level whose weekly running time is at most ``minutes`` (at least 1)."""
    if minutes < weekly_run_minutes(CONTINUOUS_LEVEL):
        fits = [s.level for s in LADDER if weekly_run_minutes(s.level) <= minutes]
        return max(fits, default=1)
    steps = math.floor(math.log(minutes / CONTINUOUS_WEEKLY_MIN) / math.log(LEVEL_GROWTH)
                       + 1e-9)
    return CONTINUOUS_LEVEL + steps


def top_level(target_weekly_min: float | None) -> int:
    """The plan's highest level: the runner's usual weekly running time.

    Unknown usual volume: 4 levels above continuous 30 minutes (about 132 min a week).
    """
    if target_weekly_min is None or target_weekly_min <= 0:
        return CONTINUOUS_LEVEL + UNKNOWN_TARGET_LEVELS
    return level_for_weekly_minutes(target_weekly_min)


def ready_to_progress(level: int, acceptable: int, days_at_level: int) -> bool:
    """Whether a level has been held long enough to move up.

    Parameters
    ----------
    level
        Current run level.
    acceptable
        Symptom-acceptable sessions at this level (for level 0: passed gate walks).
    days_at_level
        Days since the level began, counting the day the decision takes effect.
    """
    if level <= WALK_LEVEL:
        return acceptable >= 1
    if level < CONTINUOUS_LEVEL:
        return acceptable >= SESSIONS_PER_STAGE
    return acceptable >= SESSIONS_PER_STAGE and days_at_level >= DAYS_PER_CONTINUOUS_LEVEL


def distance_m(run_s: float, walk_s: float, pace_s_per_km: float) -> float:
    """Estimated distance of a session [m]: running at the easy pace, walking at 10:00/km."""
    return 1000.0 * (run_s / pace_s_per_km + walk_s / WALK_PACE_S_PER_KM)


def level_distance_m(level: int, pace_s_per_km: float) -> float:
    """Estimated distance of one session at a level [m] (three runs a week)."""
    if level <= WALK_LEVEL:
        return 0.0
    if level < CONTINUOUS_LEVEL:
        st = stage(level)
        return distance_m(st.run_s * st.repeats, st.walk_s * st.repeats, pace_s_per_km)
    minutes = math.floor(weekly_run_minutes(level) / 3)
    return distance_m(minutes * 60, 0, pace_s_per_km)


def single_run_cap_m(on: date, runs: Iterable[tuple[date, float]]) -> float | None:
    """110% of the longest run in the 30 days before ``on`` [m] (``nielsen2025``).

    Parameters
    ----------
    on
        Day of the planned run.
    runs
        ``(day, distance [m])`` of recorded or planned runs.

    Returns
    -------
    float or None
        The cap, None when no run falls in the window.
    """
    start = on - timedelta(days=WINDOW_DAYS)
    longest = max((d for day, d in runs if start <= day < on), default=0.0)
    return SINGLE_RUN_LIMIT * longest if longest > 0 else None


@dataclass(frozen=True, slots=True)
class RunningBaseline:
    """The runner's recent running, as the plan needs it.

    Attributes
    ----------
    longest_run_m
        Longest run of the 30 days before the plan [m]; None when there was none.
    longest_run_on
        Its day; None is taken as the day before the plan starts.
    weekly_run_km
        Usual weekly running distance [km] (mean of the last 4 weeks).
    weekly_run_min
        Usual weekly running time [min]; derived from the distance and pace when None.
    easy_pace_s_per_km
        Easy running pace [s/km]; :data:`DEFAULT_EASY_PACE_S_PER_KM` when None.
    """

    longest_run_m: float | None = None
    longest_run_on: date | None = None
    weekly_run_km: float | None = None
    weekly_run_min: float | None = None
    easy_pace_s_per_km: float | None = None

    def __post_init__(self) -> None:
        for name in ("longest_run_m", "weekly_run_km", "weekly_run_min",
                     "easy_pace_s_per_km"):
            value = getattr(self, name)
            if value is not None and (not math.isfinite(value) or value < 0):
                raise ValueError(f"baseline {name}={value!r} must be finite and >= 0")

    @property
    def pace_s_per_km(self) -> float:
        """Easy pace [s/km] (assumed when unknown)."""
        return self.easy_pace_s_per_km or DEFAULT_EASY_PACE_S_PER_KM

    @property
    def weekly_minutes(self) -> float | None:
        """Usual weekly running time [min], None when unknown."""
        if self.weekly_run_min is not None:
            return self.weekly_run_min
        if self.weekly_run_km is None:
            return None
        return self.weekly_run_km * self.pace_s_per_km / 60.0

    @property
    def has_recent_runs(self) -> bool:
        """True when a run was recorded in the 30 days before the plan."""
        return bool(self.longest_run_m)

    def history(self, start: date) -> tuple[tuple[date, float], ...]:
        """The recorded longest run as ``(day, distance [m])`` for the single-run rule."""
        if not self.longest_run_m:
            return ()
        return ((self.longest_run_on or start - timedelta(days=1), self.longest_run_m),)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, accepted by :meth:`from_dict`."""
        return {"longest_run_m": self.longest_run_m,
                "longest_run_on": None if self.longest_run_on is None
                else self.longest_run_on.isoformat(),
                "weekly_run_km": self.weekly_run_km, "weekly_run_min": self.weekly_run_min,
                "easy_pace_s_per_km": self.easy_pace_s_per_km}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> RunningBaseline:
        """Rebuild from :meth:`to_dict` output."""
        on = data.get("longest_run_on")
        return cls(_opt_float(data.get("longest_run_m")),
                   date.fromisoformat(on) if isinstance(on, str) else None,
                   _opt_float(data.get("weekly_run_km")),
                   _opt_float(data.get("weekly_run_min")),
                   _opt_float(data.get("easy_pace_s_per_km")))

    @classmethod
    def from_sessions(cls, sessions: Sequence[Session], as_of: date) -> RunningBaseline:
        """Baseline from stored sessions before ``as_of`` (normally the plan's start).

        The longest run of the 30 days before ``as_of``; weekly distance and time as
        the mean of the 28 days before it; the pace as their ratio.
        """
        runs = [s for s in sessions if s.is_run and s.local_date < as_of]
        recent = [s for s in runs if s.local_date >= as_of - timedelta(days=WINDOW_DAYS)]
        longest = max(recent, key=lambda s: s.distance_or_zero_m, default=None)
        month = [s for s in runs if s.local_date >= as_of - timedelta(days=28)]
        km = sum(s.distance_or_zero_m for s in month) / 1000.0
        minutes = sum(s.active_s for s in month if s.distance_or_zero_m > 0) / 60.0
        with_distance = sum(s.distance_or_zero_m for s in month) > 0
        return cls(
            longest_run_m=longest.distance_or_zero_m if longest and
            longest.distance_or_zero_m > 0 else None,
            longest_run_on=longest.local_date if longest else None,
            weekly_run_km=km / 4.0 if month else None,
            weekly_run_min=sum(s.active_s for s in month) / 60.0 / 4.0 if month else None,
            easy_pace_s_per_km=minutes * 60.0 / km if with_distance and km > 0 else None)


def _opt_float(value: object) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
