"""What the signals read: one :class:`Session` per stored activity, and the runner.

The storage layer fills :class:`Session` from its activity rows (summary totals
plus the :class:`~backstride.domain.form.FormMetrics` and
:class:`~backstride.domain.terrain.TerrainMetrics` stored at import time); the
signals never re-read files or streams. :func:`session_from_activity` does the
same from an in-memory :class:`~backstride.domain.activity.Activity` (tests,
demo).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Final, Literal

from backstride.domain.activity import Activity, Sport
from backstride.domain.form import FormMetrics, form_metrics, robust_max_hr_bpm
from backstride.domain.signal import Level
from backstride.domain.terrain import TerrainMetrics, terrain_metrics

__all__ = [
    "RunnerProfile",
    "Session",
    "level_above",
    "level_below",
    "session_from_activity",
    "with_daily_effort",
]

#: Highest value of the CR-10 effort scale (Foster's session RPE).
RPE_MAX: Final = 10.0


def _check_non_negative(owner: str, **values: float | None) -> None:
    for name, value in values.items():
        if value is not None and (not math.isfinite(value) or value < 0):
            raise ValueError(f"{owner} {name}={value!r} must be finite and >= 0")


@dataclass(frozen=True, slots=True)
class Session:
    """One stored activity, as the signals see it.

    Attributes
    ----------
    id
        Stored activity id (reported back in :attr:`Signal.activity_id`).
    sport
        Sport of the session; running sports are kept apart from cross-training.
    start_utc
        Start, timezone-aware UTC.
    utc_offset_s
        Local time minus UTC at the start [s]; None is treated as UTC. Days and
        ISO weeks are the runner's *local* days.
    elapsed_s
        Wall-clock duration [s].
    moving_s
        Moving time [s], when known.
    distance_m
        Distance [m], when known.
    ascent_m, descent_m
        Climbing and descending [m] (device totals or the elevation rule).
    avg_hr_bpm, max_hr_bpm
        Average and highest heart rate [bpm], when recorded.
    rpe
        Session effort rating on the CR-10 scale (0-10), when the runner logged one.
    gear
        Shoe name from the file or archive, when any.
    form
        Steady-running form (running sessions with enough data).
    terrain
        Grades and time on hills, when the track has altitude.
    """

    id: int
    sport: Sport
    start_utc: datetime
    elapsed_s: float
    utc_offset_s: int | None = None
    moving_s: float | None = None
    distance_m: float | None = None
    ascent_m: float | None = None
    descent_m: float | None = None
    avg_hr_bpm: float | None = None
    max_hr_bpm: float | None = None
    rpe: float | None = None
    gear: str | None = None
    form: FormMetrics | None = None
    terrain: TerrainMetrics | None = None

    def __post_init__(self) -> None:
        if self.start_utc.utcoffset() != timedelta(0):
            raise ValueError("Session.start_utc must be timezone-aware UTC")
        _check_non_negative(
            "session", elapsed_s=self.elapsed_s, moving_s=self.moving_s,
            distance_m=self.distance_m, ascent_m=self.ascent_m, descent_m=self.descent_m,
            avg_hr_bpm=self.avg_hr_bpm, max_hr_bpm=self.max_hr_bpm, rpe=self.rpe,
        )
        if self.rpe is not None and self.rpe > RPE_MAX:
            raise ValueError(f"session rpe={self.rpe!r} must be on the 0-10 scale")

    @property
    def is_run(self) -> bool:
        """True for road, trail and treadmill running."""
        return self.sport.is_running

    @property
    def local_start(self) -> datetime:
        """Start in the runner's local time (naive)."""
        return (self.start_utc + timedelta(seconds=self.utc_offset_s or 0)).replace(tzinfo=None)

    @property
    def local_date(self) -> date:
        """The runner's local calendar day of the start."""
        return (self.start_utc + timedelta(seconds=self.utc_offset_s or 0)).date()

    @property
    def active_s(self) -> float:
        """Duration used for loads [s]: moving time when known, else elapsed time."""
        return self.moving_s if self.moving_s is not None else self.elapsed_s

    @property
    def distance_or_zero_m(self) -> float:
        """Distance [m], 0 when unknown."""
        return self.distance_m or 0.0

    @property
    def ascent_or_terrain_m(self) -> float | None:
        """Ascent [m]: the session total, else the terrain grid's, else None."""
        if self.ascent_m is not None:
            return self.ascent_m
        return self.terrain.ascent_m if self.terrain is not None else None

    @property
    def descent_or_terrain_m(self) -> float | None:
        """Descent [m]: the session total, else the terrain grid's, else None."""
        if self.descent_m is not None:
            return self.descent_m
        return self.terrain.descent_m if self.terrain is not None else None


@dataclass(frozen=True, slots=True)
class RunnerProfile:
    """What the loads need to know about the runner.

    Attributes
    ----------
    hr_rest_bpm
        Resting heart rate [bpm] (default 60).
    hr_max_bpm
        Maximum heart rate [bpm]; None uses the highest session maximum recorded
        in the history (no TRIMP when none is).
    sex
        ``"male"`` or ``"female"`` selects Banister's TRIMP weighting; None uses
        the mean of the two curves (see :func:`backstride.domain.load.trimp`).
    """

    hr_rest_bpm: float = 60.0
    hr_max_bpm: float | None = None
    sex: Literal["male", "female"] | None = None

    def __post_init__(self) -> None:
        _check_non_negative("profile", hr_rest_bpm=self.hr_rest_bpm, hr_max_bpm=self.hr_max_bpm)
        if self.hr_max_bpm is not None and self.hr_max_bpm <= self.hr_rest_bpm:
            raise ValueError("profile hr_max_bpm must be above hr_rest_bpm")


def session_from_activity(
    activity: Activity,
    activity_id: int,
    *,
    rpe: float | None = None,
    gear: str | None = None,
) -> Session | None:
    """Build a :class:`Session` from an in-memory activity.

    Form and terrain metrics are computed from the streams here, as the storage
    layer does once at import. Returns None when the activity has no real start
    date (it cannot be placed on the runner's calendar).
    """
    if activity.start_utc is None:
        return None
    s, streams = activity.summary, activity.streams
    return Session(
        id=activity_id,
        sport=activity.sport,
        start_utc=activity.start_utc,
        utc_offset_s=activity.utc_offset_s,
        elapsed_s=s.elapsed_s,
        moving_s=s.moving_s,
        distance_m=s.distance_m,
        ascent_m=s.ascent_m,
        descent_m=s.descent_m,
        avg_hr_bpm=s.avg_hr_bpm,
        max_hr_bpm=robust_max_hr_bpm(streams),
        rpe=rpe,
        gear=gear if gear is not None else activity.gear,
        form=form_metrics(streams, activity.sport),
        terrain=terrain_metrics(streams),
    )


def with_daily_effort(
    sessions: Sequence[Session], rpe_by_day: Mapping[date, float]
) -> tuple[Session, ...]:
    """Attach the effort rating (CR-10 RPE) the runner logged for a day to its sessions.

    The daily check-in records one effort rating per local day; it becomes the
    session-RPE of every session that day which has none of its own, so the load of
    those sessions is RPE x minutes (Foster et al. 2001, source key ``foster1998``).

    Parameters
    ----------
    sessions
        Stored sessions.
    rpe_by_day
        Local date to RPE (0-10).
    """
    return tuple(
        replace(s, rpe=rpe_by_day[s.local_date])
        if s.rpe is None and s.local_date in rpe_by_day else s
        for s in sessions
    )


def level_above(value: float, watch: float, warn: float | None = None) -> Level:
    """Level of a value where more is worse: strictly above a threshold crosses it.

    ``value <= watch`` is ok, ``watch < value <= warn`` is watch, above ``warn`` warn.
    """
    if warn is not None and value > warn:
        return Level.WARN
    return Level.WATCH if value > watch else Level.OK


def level_below(value: float, watch: float) -> Level:
    """Level of a value where less is worse: strictly below ``watch`` is watch."""
    return Level.WATCH if value < watch else Level.OK
