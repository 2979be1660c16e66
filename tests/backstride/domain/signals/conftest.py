"""Hand-built timelines for the signal tests.

``timeline`` gives a :class:`Timeline`: add sessions by *days before as_of*
(0 = as_of, a Sunday), then ask for one signal by key. Sessions without RPE or
heart rate use duration loads (minutes), so daily loads are exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest

from backstride.domain.activity import Sport
from backstride.domain.form import FormMetrics, SpeedBand
from backstride.domain.signal import Signal
from backstride.domain.signals import compute_signals
from backstride.domain.terrain import TerrainMetrics
from backstride.domain.thresholds import Thresholds
from backstride.domain.training import Session

AS_OF = date(2024, 6, 30)  # a Sunday


def form(cadence: float | None = 170.0, step: float | None = None, *,
         speeds: tuple[float, ...] = (3.0,), seconds: float = 600.0, **extra: float) -> FormMetrics:
    """Form metrics with one band per speed, all with the same cadence and step length."""
    bands = tuple(SpeedBand(v, seconds, cadence, step) for v in speeds)
    return FormMetrics(steady_s=seconds * len(speeds), speed_m_s=speeds[0], cadence_spm=cadence,
                       step_length_m=step, bands=bands, **extra)


def terrain(up_s: float = 0.0, down_s: float = 0.0, flat_s: float = 600.0) -> TerrainMetrics:
    """Terrain with time at +8 %, -8 % and 0 % grades."""
    hist = [0.0] * 60
    hist[38], hist[22], hist[30] = up_s, down_s, flat_s
    return TerrainMetrics(distance_m=1000.0, ascent_m=0.0, descent_m=0.0,
                          moving_s=up_s + down_s + flat_s, grade_time_s=tuple(hist))


@dataclass
class Timeline:
    """Sessions placed by days before :data:`AS_OF`."""

    as_of: date = AS_OF
    sessions: list[Session] = field(default_factory=list)
    form = staticmethod(form)
    terrain = staticmethod(terrain)

    def add(self, days_before: int, km: float = 5.0, *, sport: Sport = Sport.RUNNING,
            minutes: float = 30.0, hour: int = 8, **kw: object) -> Session:
        """Add one session ``days_before`` days before ``as_of`` at ``hour`` local (UTC)."""
        day = self.as_of - timedelta(days=days_before)
        start = datetime.combine(day, time(hour), tzinfo=UTC)
        s = Session(id=len(self.sessions) + 1, sport=sport, start_utc=start,
                    elapsed_s=minutes * 60.0, distance_m=km * 1000.0, **kw)  # type: ignore[arg-type]
        self.sessions.append(s)
        return s

    def signals(self, overrides: Mapping[str, float] | None = None,
                **kw: object) -> list[Signal]:
        return compute_signals(self.sessions, self.as_of, Thresholds(overrides), **kw)  # type: ignore[arg-type]

    def all(self, key: str, overrides: Mapping[str, float] | None = None,
            **kw: object) -> list[Signal]:
        return [s for s in self.signals(overrides, **kw) if s.key == key]

    def one(self, key: str, overrides: Mapping[str, float] | None = None,
            **kw: object) -> Signal:
        found = self.all(key, overrides, **kw)
        assert len(found) == 1, f"{key}: {found}"
        return found[0]


@pytest.fixture
def timeline() -> Timeline:
    return Timeline()
