"""Time zone and the demo runner's loops (positions, altitude, grade per metre)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from backstride.demo.constants import _M_PER_DEG_LAT
from backstride.domain.activity import FloatArray

if TYPE_CHECKING:
    from backstride.demo.synthetic import RunnerProfile


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


