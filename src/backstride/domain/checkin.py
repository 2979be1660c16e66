"""A daily check-in: pain during and after activity, the next morning, and more.

Recorded by ``backstride log``; the plan adapts to it in
:mod:`backstride.domain.adaptation`. ``morning_vs_usual`` is the morning *after* the
day, so a record is usually completed the next day.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from backstride.domain.plan_model import SessionKind

__all__ = ["MIN_READINGS", "CheckIn", "Morning", "in_window", "mean_of"]

#: Readings needed in a 7-day window for a trend.
MIN_READINGS: Final = 2


class Morning(StrEnum):
    """Pain on the morning after, compared with usual."""

    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


def _check_scale(name: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= 10:
        raise ValueError(f"check-in {name}={value!r} must be on the 0-10 scale")


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One day's check-in.

    Attributes
    ----------
    on
        The day the activities were done.
    pain_during, pain_after
        Worst pain during and after activity (0-10); None when not answered.
    morning_vs_usual
        Pain on the morning after ``on``, compared with usual; None until answered.
    stiffness
        Morning stiffness on ``on`` (0-10).
    sessions_done
        Sessions done (run, walk, strength, mobility, cross_training).
    rpe
        Effort of the main session (0-10).
    walk_minutes
        Length of the longest walk [min] (the readiness gate needs 30).
    leg_symptoms
        Leg pain, tingling or numbness today.
    leg_symptoms_new
        Leg symptoms that are new or spreading.
    new_red_flags
        Red-flag keys (``red_flags.json`` rule keys) newly present.
    notes
        Free text.
    """

    on: date
    pain_during: int | None = None
    pain_after: int | None = None
    morning_vs_usual: Morning | None = None
    stiffness: int | None = None
    sessions_done: tuple[SessionKind, ...] = ()
    rpe: int | None = None
    walk_minutes: float | None = None
    leg_symptoms: bool = False
    leg_symptoms_new: bool = False
    new_red_flags: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        for name in ("pain_during", "pain_after", "stiffness", "rpe"):
            _check_scale(name, getattr(self, name))
        if self.walk_minutes is not None and not (
                math.isfinite(self.walk_minutes) and self.walk_minutes >= 0):
            raise ValueError(f"check-in walk_minutes={self.walk_minutes!r} must be >= 0")

    @property
    def pain(self) -> int | None:
        """Worst of pain during and after (None when neither was answered)."""
        values = [v for v in (self.pain_during, self.pain_after) if v is not None]
        return max(values) if values else None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, accepted by :meth:`from_dict`."""
        return {"on": self.on.isoformat(), "pain_during": self.pain_during,
                "pain_after": self.pain_after,
                "morning_vs_usual": None if self.morning_vs_usual is None
                else self.morning_vs_usual.value,
                "stiffness": self.stiffness,
                "sessions_done": [s.value for s in self.sessions_done], "rpe": self.rpe,
                "walk_minutes": self.walk_minutes, "leg_symptoms": self.leg_symptoms,
                "leg_symptoms_new": self.leg_symptoms_new,
                "new_red_flags": list(self.new_red_flags), "notes": self.notes}

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> CheckIn:
        """Rebuild from :meth:`to_dict` output (raises ValueError on a bad shape)."""
        def opt_int(key: str) -> int | None:
            v = d.get(key)
            if v is None:
                return None
            if isinstance(v, bool) or not isinstance(v, int):
                raise ValueError(f"check-in {key}={v!r} must be a whole number")
            return v
        morning, walk = d.get("morning_vs_usual"), d.get("walk_minutes")
        sessions, flags = d.get("sessions_done", []), d.get("new_red_flags", [])
        if not isinstance(sessions, list) or not isinstance(flags, list):
            raise ValueError("check-in sessions_done and new_red_flags must be lists")
        return cls(
            on=date.fromisoformat(str(d["on"])), pain_during=opt_int("pain_during"),
            pain_after=opt_int("pain_after"),
            morning_vs_usual=None if morning is None else Morning(str(morning)),
            stiffness=opt_int("stiffness"),
            sessions_done=tuple(SessionKind(str(s)) for s in sessions), rpe=opt_int("rpe"),
            walk_minutes=float(walk) if isinstance(walk, int | float) else None,
            leg_symptoms=d.get("leg_symptoms") is True,
            leg_symptoms_new=d.get("leg_symptoms_new") is True,
            new_red_flags=tuple(str(f) for f in flags), notes=str(d.get("notes") or ""))



def mean_of(values: Sequence[float | int | None]) -> float | None:
    """Mean of the answered values; None with fewer than :data:`MIN_READINGS`."""
    found = [float(v) for v in values if v is not None]
    return sum(found) / len(found) if len(found) >= MIN_READINGS else None


def in_window(ordered: Sequence[CheckIn], end: date, days: int = 7) -> Sequence[CheckIn]:
    """Check-ins of the ``days`` days ending on ``end`` (``ordered`` sorted by date)."""
    lo = bisect_right(ordered, end - timedelta(days=days), key=lambda c: c.on)
    hi = bisect_right(ordered, end, key=lambda c: c.on)
    return ordered[lo:hi]
