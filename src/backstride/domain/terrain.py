"""Terrain of one activity: grades, climbing and time on hills.

Computed once at import time by :func:`terrain_metrics` and stored
(:meth:`TerrainMetrics.as_dict`); the hill signals never read streams again.

The rule (one rule for every file format)
-----------------------------------------
1. Distance along the track: the ``distance_m`` channel, else the cumulative
   great-circle distance of the positions (:mod:`backstride.domain.summary`).
2. Resample altitude and time onto a fixed distance grid of :data:`GRID_M`
   (10 m), by linear interpolation over the samples that have both values.
   A fixed *distance* grid makes 1-s FIT recordings and sparse GPX tracks
   comparable: the smoothing below then acts over the same ground distance
   whatever the sampling rate.
3. Smooth the gridded altitude with the project's one elevation-smoothing rule,
   :func:`backstride.domain.elevation.smooth_altitude` (0.3/0.4/0.3 kernel);
   ascent and descent are :func:`backstride.domain.elevation.ascent_descent` of
   the gridded altitude (same kernel, same sums).
4. The grade of each 10 m cell is the smoothed altitude change over the
   :data:`GRADE_WINDOW_M` (50 m) centred on it, in percent.
5. The time spent in each cell comes from the resampled time. A cell slower than
   :data:`backstride.domain.summary.MOVING_SPEED_M_S` (a stop) counts no time.
6. Time per grade is stored as a histogram of 1 % bins from -30 % to +30 %
   (steeper grades fall in the end bins), so any grade threshold
   (``hills.grade_pct``) can be applied later without the streams.

Barometric altitude (most FIT files) is far smoother than GPS altitude; with GPS
altitude, short steep grades are partly noise, which the 50 m window damps.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np

from backstride.domain.activity import FloatArray, Streams
from backstride.domain.elevation import ascent_descent, smooth_altitude
from backstride.domain.summary import MOVING_SPEED_M_S, cumulative_distance_m

__all__ = [
    "GRADE_BIN_PCT",
    "GRADE_LIMIT_PCT",
    "GRID_M",
    "TerrainMetrics",
    "terrain_metrics",
]

#: Distance grid step [m].
GRID_M: Final = 10.0
#: Distance over which a cell's grade is measured [m].
GRADE_WINDOW_M: Final = 50.0
#: Distance over which the steepest *sustained* grade is measured [m].
SUSTAINED_M: Final = 200.0
#: Width of a grade histogram bin [%].
GRADE_BIN_PCT: Final = 1.0
#: Histogram range: bins cover -30 % ... +30 %; steeper grades fall in the end bins.
GRADE_LIMIT_PCT: Final = 30
#: Least distance with altitude for any terrain metric [m].
MIN_DISTANCE_M: Final = 200.0

_N_BINS: Final = 2 * GRADE_LIMIT_PCT


@dataclass(frozen=True, slots=True)
class TerrainMetrics:
    """Terrain of one activity under the module's rule.

    Attributes
    ----------
    distance_m
        Distance covered by the grid (samples with altitude) [m].
    ascent_m, descent_m
        Climbing and descending on the smoothed grid [m].
    moving_s
        Time counted on the grid, stops excluded [s].
    grade_time_s
        Seconds per 1 % grade bin; bin ``i`` covers ``[i - 30, i - 29)`` %.
    steepest_up_pct, steepest_down_pct
        Steepest climb (>= 0) and steepest descent (<= 0) sustained over 200 m
        [%]; None on tracks shorter than 200 m.
    """

    distance_m: float
    ascent_m: float
    descent_m: float
    moving_s: float
    grade_time_s: tuple[float, ...]
    steepest_up_pct: float | None = None
    steepest_down_pct: float | None = None

    @property
    def climb_m_per_km(self) -> float:
        """Ascent per kilometre [m/km]."""
        return self.ascent_m / (self.distance_m / 1000.0) if self.distance_m > 0 else 0.0

    def uphill_s(self, grade_pct: float) -> float:
        """Seconds on grades of at least ``grade_pct`` % (1 % resolution) [s]."""
        first = max(math.ceil(grade_pct) + GRADE_LIMIT_PCT, 0)
        return float(sum(self.grade_time_s[first:]))

    def downhill_s(self, grade_pct: float) -> float:
        """Seconds on grades steeper than ``-grade_pct`` % downhill (1 % resolution) [s]."""
        last = math.floor(-grade_pct) + GRADE_LIMIT_PCT  # bins whose upper edge <= -grade
        return float(sum(self.grade_time_s[: max(last, 0)]))

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict for storage."""
        out = asdict(self)
        out["grade_time_s"] = list(self.grade_time_s)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TerrainMetrics:
        """Rebuild from :meth:`as_dict` output."""
        fields = dict(data)
        fields["grade_time_s"] = tuple(float(x) for x in fields["grade_time_s"])
        return cls(**fields)


def _track_distance(streams: Streams) -> FloatArray | None:
    """Cumulative distance per sample [m], or None without distance or positions."""
    if streams.has("distance_m"):
        return streams["distance_m"]
    if streams.has("latitude_deg") and streams.has("longitude_deg"):
        return cumulative_distance_m(streams["latitude_deg"], streams["longitude_deg"])
    return None


def _grid(streams: Streams) -> tuple[FloatArray, FloatArray, FloatArray] | None:
    """Distance grid [m] with the altitude [m] and time [s] resampled onto it."""
    dist = _track_distance(streams)
    if dist is None or not streams.has("altitude_m"):
        return None
    alt, t = streams["altitude_m"], streams["time_s"]
    ok = np.isfinite(dist) & np.isfinite(alt)
    d, a, tt = np.maximum.accumulate(dist[ok]), alt[ok], t[ok]
    if len(d) < 2 or d[-1] - d[0] < MIN_DISTANCE_M:
        return None
    first = np.concatenate(([True], np.diff(d) > 0))  # one sample per distance value
    last = np.concatenate((np.diff(d) > 0, [True]))
    grid = np.arange(d[0], d[-1] + 1e-9, GRID_M)
    # time: leave a distance at the *last* sample there (so a stop lands in one cell)
    return grid, np.interp(grid, d[first], a[first]), np.interp(grid, d[last], tt[last])


def _cell_grades(grid: FloatArray, smoothed: FloatArray) -> FloatArray:
    """Grade of each cell [%], over the 50 m centred on it."""
    n = len(grid)
    half = round(GRADE_WINDOW_M / GRID_M / 2)
    cells = np.arange(n - 1)
    lo = np.maximum(cells - half, 0)
    hi = np.minimum(cells + 1 + half, n - 1)
    out: FloatArray = 100.0 * (smoothed[hi] - smoothed[lo]) / (grid[hi] - grid[lo])
    return out


def _steepest(grid: FloatArray, smoothed: FloatArray) -> tuple[float | None, float | None]:
    """Steepest sustained climb and descent over :data:`SUSTAINED_M` [%]."""
    k = round(SUSTAINED_M / GRID_M)
    if len(grid) <= k:
        return None, None
    g = 100.0 * (smoothed[k:] - smoothed[:-k]) / (grid[k:] - grid[:-k])
    return max(float(g.max()), 0.0), min(float(g.min()), 0.0)


def terrain_metrics(streams: Streams) -> TerrainMetrics | None:
    """Grades, climbing and time on hills of one activity (any sport).

    Parameters
    ----------
    streams
        The activity's channels; needs ``altitude_m`` and distance or positions.

    Returns
    -------
    TerrainMetrics or None
        None when less than :data:`MIN_DISTANCE_M` of track has an altitude.
    """
    gridded = _grid(streams)
    if gridded is None:
        return None
    grid, alt, t = gridded
    smoothed = smooth_altitude(alt)
    updown = ascent_descent(alt) or (0.0, 0.0)
    grades = _cell_grades(grid, smoothed)
    dt = np.diff(t)
    moving = dt <= GRID_M / MOVING_SPEED_M_S
    cell_s = np.where(moving, dt, 0.0)
    bins = np.clip(np.floor(grades / GRADE_BIN_PCT).astype(np.int64) + GRADE_LIMIT_PCT,
                   0, _N_BINS - 1)
    hist = np.bincount(bins, weights=cell_s, minlength=_N_BINS)
    up, down = _steepest(grid, smoothed)
    return TerrainMetrics(
        distance_m=float(grid[-1] - grid[0]),
        ascent_m=updown[0],
        descent_m=updown[1],
        moving_s=float(cell_s.sum()),
        grade_time_s=tuple(float(x) for x in hist),
        steepest_up_pct=up,
        steepest_down_pct=down,
    )
