"""The Activity contract every importer returns.

One :class:`Activity` is one continuous sport session. Multisport files are split
into one Activity per leg (``leg_index`` 0, 1, ...). All times are UTC, all
values SI (or the unit named in the channel), cadence in *steps* per minute.

Per-sample data live in :class:`Streams`: float64 numpy arrays of equal length
on one time base, ``time_s`` (seconds since ``start_utc``). A missing sample is
``NaN``; a channel the source never records is absent.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CHANNELS",
    "CHANNEL_UNITS",
    "RUNNING_DYNAMICS",
    "RUNNING_SPORTS",
    "Activity",
    "FloatArray",
    "Lap",
    "Sport",
    "Streams",
    "Summary",
]

FloatArray = NDArray[np.float64]


class Sport(StrEnum):
    """Sport of one activity (or one leg of a multisport file)."""

    RUNNING = "running"
    TRAIL_RUNNING = "trail_running"
    TREADMILL = "treadmill"
    WALKING = "walking"
    HIKING = "hiking"
    CYCLING = "cycling"
    SWIMMING = "swimming"
    OTHER = "other"

    @property
    def is_running(self) -> bool:
        """True for road, trail and treadmill running."""
        return self in RUNNING_SPORTS


RUNNING_SPORTS: Final = frozenset({Sport.RUNNING, Sport.TRAIL_RUNNING, Sport.TREADMILL})

#: Canonical channel names and their units.
CHANNEL_UNITS: Final[Mapping[str, str]] = {
    "time_s": "s since start",
    "distance_m": "m",
    "speed_m_s": "m/s",
    "altitude_m": "m",
    "latitude_deg": "deg",
    "longitude_deg": "deg",
    "heart_rate_bpm": "bpm",
    "cadence_spm": "steps/min",
    "power_w": "W",
    "ground_contact_time_ms": "ms",
    "ground_contact_balance_pct": "% left",
    "vertical_oscillation_mm": "mm",
    "vertical_ratio_pct": "%",
    "step_length_mm": "mm",
}
CHANNELS: Final = tuple(CHANNEL_UNITS)

#: Running-dynamics channels (Garmin HRM-Run/Pro, Running Dynamics Pod, COROS...).
RUNNING_DYNAMICS: Final = (
    "ground_contact_time_ms",
    "ground_contact_balance_pct",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "step_length_mm",
)


class Streams(Mapping[str, FloatArray]):
    """Per-sample channels on one time base.

    Parameters
    ----------
    channels
        Canonical channel name to 1-D array. ``time_s`` is required, must be
        non-decreasing and finite; every array must have its length. Arrays are
        converted to float64 and made read-only.

    Raises
    ------
    ValueError
        On an unknown channel, a length mismatch or a bad time base. Importers
        turn this into their own file error; it signals a programming mistake.
    """

    __slots__ = ("_data",)

    def __init__(self, channels: Mapping[str, NDArray[np.floating] | FloatArray]) -> None:
        if "time_s" not in channels:
            raise ValueError("streams need a time_s channel")
        data: dict[str, FloatArray] = {}
        n = len(channels["time_s"])
        for name in CHANNELS:  # canonical order
            if name not in channels:
                continue
            arr = np.ascontiguousarray(channels[name], dtype=np.float64)
            if arr.ndim != 1 or len(arr) != n:
                raise ValueError(f"channel {name} has shape {arr.shape}, expected ({n},)")
            arr.setflags(write=False)
            data[name] = arr
        unknown = set(channels) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channels: {sorted(unknown)}")
        t = data["time_s"]
        if n and (not np.all(np.isfinite(t)) or np.any(np.diff(t) < 0)):
            raise ValueError("time_s must be finite and non-decreasing")
        self._data = data

    @classmethod
    def empty(cls) -> Streams:
        """Streams with no samples."""
        return cls({"time_s": np.empty(0)})

    def __getitem__(self, name: str) -> FloatArray:
        return self._data[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    @property
    def n_samples(self) -> int:
        """Number of samples (length of every array)."""
        return len(self._data["time_s"])

    def has(self, name: str) -> bool:
        """True when ``name`` is present and holds at least one finite value."""
        arr = self._data.get(name)
        return arr is not None and bool(np.isfinite(arr).any())

    @property
    def has_running_dynamics(self) -> bool:
        """True when any running-dynamics channel holds data."""
        return any(self.has(name) for name in RUNNING_DYNAMICS)

    def __repr__(self) -> str:
        return f"Streams(n={self.n_samples}, channels={list(self._data)})"


@dataclass(frozen=True, slots=True)
class Lap:
    """One lap as the device or file recorded it.

    Attributes
    ----------
    start_utc
        Lap start (aware, UTC), or None when the file has no real dates.
    elapsed_s
        Wall-clock duration [s].
    timer_s
        Timer (moving) duration as recorded [s], when given.
    distance_m
        Lap distance [m], when given.
    avg_hr_bpm, avg_cadence_spm
        Averages recorded for the lap [bpm], [steps/min].
    """

    start_utc: datetime | None
    elapsed_s: float
    timer_s: float | None = None
    distance_m: float | None = None
    avg_hr_bpm: float | None = None
    avg_cadence_spm: float | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """Session totals and averages.

    Attributes
    ----------
    elapsed_s
        Wall-clock duration, first to last sample or as the device recorded [s].
    moving_s
        Time spent moving [s] (device timer time, or computed from speed).
    distance_m
        Distance [m].
    ascent_m, descent_m
        Climbing and descending [m]: the device's totals when the file has them,
        otherwise :func:`backstride.domain.elevation.ascent_descent` on the
        altitude stream.
    avg_hr_bpm
        Average heart rate [bpm].
    avg_cadence_spm
        Average cadence [steps/min] (running and walking; None for other sports).
    avg_power_w
        Average power [W].
    """

    elapsed_s: float
    moving_s: float | None = None
    distance_m: float | None = None
    ascent_m: float | None = None
    descent_m: float | None = None
    avg_hr_bpm: float | None = None
    avg_cadence_spm: float | None = None
    avg_power_w: float | None = None

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value is not None and (not math.isfinite(value) or value < 0):
                raise ValueError(f"summary {name}={value!r} must be finite and >= 0")


@dataclass(frozen=True, slots=True, eq=False)
class Activity:
    """One sport session, whatever file it came from.

    Attributes
    ----------
    sport
        The sport of this session (one leg for multisport files).
    start_utc
        Start time, timezone-aware UTC; None only when the file has no real
        dates (e.g. FIT timestamps below 0x10000000, seconds since power-on).
    summary
        Totals and averages.
    streams
        Per-sample channels.
    source_format
        ``"fit"``, ``"gpx"`` or ``"tcx"``.
    device
        Manufacturer/product or creator string, when known.
    gear
        Shoe or bike name, when the source names it.
    name
        Title given in the source (Strava name, GPX name), when any.
    laps
        Laps in order.
    leg_index
        Position of this leg in a multisport file (0 for single-sport files).
    utc_offset_s
        Local time minus UTC at the start [s], when the file records it.
    warnings
        Problems that were survived (CRC mismatch, truncated tail...), one line each.
    """

    sport: Sport
    start_utc: datetime | None
    summary: Summary
    streams: Streams
    source_format: str
    device: str | None = None
    gear: str | None = None
    name: str | None = None
    laps: tuple[Lap, ...] = ()
    leg_index: int = 0
    utc_offset_s: int | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.start_utc is not None and self.start_utc.utcoffset() != timedelta(0):
            raise ValueError("start_utc must be timezone-aware UTC")

    @property
    def has_running_dynamics(self) -> bool:
        """True when any running-dynamics channel holds data."""
        return self.streams.has_running_dynamics
