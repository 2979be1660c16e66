"""Referral triggers over the check-in history.

* no meaningful improvement after 4 weeks: the mean daily pain of the last 7 days is
  not at least 2 points or 30% below that of the first week (``nice_cks_red_flags``
  "failure to improve after about a month"; ``ostelo2008`` for the size);
* worsening over 2 weeks: the last 7 days' mean pain is 2 points or 30% (and at least
  1 point) above the 7 days before (``silbernagel2007``; ``ostelo2008``);
* leg symptoms not improving: reported in both of the last two weeks, and not on fewer
  days in the latest (``nice_cks_sciatica``; the 2-week window is a ``backstride``
  heuristic: no validated threshold was found).

Daily pain is the worse of pain during and after activity (0-10).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from backstride.domain.checkin import CheckIn, in_window, mean_of
from backstride.domain.function import PAIN_MID_FRACTION, PAIN_MID_POINTS

__all__ = ["Referral", "referral_triggers"]


@dataclass(frozen=True, slots=True)
class Referral:
    """A referral trigger that was met."""

    key: str
    title: str
    text: str
    source_keys: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"key": self.key, "title": self.title, "text": self.text,
                "sources": list(self.source_keys)}


def referral_triggers(history: Sequence[CheckIn], on: date,
                      baseline_pain: float | None = None) -> tuple[Referral, ...]:
    """Referral triggers met by the check-ins up to ``on`` (see the module docstring)."""
    past = sorted((c for c in history if c.on <= on), key=lambda c: c.on)
    if not past:
        return ()
    first = min(c.on for c in past)
    out: list[Referral] = []
    if (on - first).days >= 27 and _no_improvement(past, first, on, baseline_pain):
        out.append(Referral(
            "no_improvement_4_weeks", "No meaningful improvement after 4 weeks",
            "Pain has not improved by at least 2 points (or 30%) over 4 weeks: book a "
            "physiotherapist or sports doctor. A chiropractor or sports massage can help "
            "alongside the exercises; scans only through a clinician.",
            ("nice_cks_red_flags", "ostelo2008", "nice_ng59")))
    if (on - first).days >= 13 and _worsening(past, on):
        out.append(Referral(
            "worsening_2_weeks", "Pain getting worse over 2 weeks",
            "Pain has been rising over the last two weeks: see a physiotherapist or GP soon, "
            "and run the check again.", ("silbernagel2007", "ostelo2008")))
    if (on - first).days >= 13 and _legs_not_improving(past, on):
        out.append(Referral(
            "leg_symptoms_not_improving", "Leg symptoms not improving",
            "Leg symptoms have not improved over two weeks: have them reviewed by a "
            "physiotherapist or GP.", ("nice_cks_sciatica", "backstride")))
    return tuple(out)


def _window_mean(past: Sequence[CheckIn], end: date) -> float | None:
    """Mean daily pain of the 7 days ending on ``end`` (``past`` sorted by date)."""
    return mean_of([c.pain for c in in_window(past, end)])


def _meaningful_drop(before: float, now: float) -> bool:
    drop = before - now
    return drop >= PAIN_MID_POINTS or (before > 0 and drop >= PAIN_MID_FRACTION * before)


def _no_improvement(past: Sequence[CheckIn], first: date, on: date,
                    baseline: float | None) -> bool:
    start = _window_mean(past, first + timedelta(days=6))
    before = start if start is not None else baseline
    now = _window_mean(past, on)
    return before is not None and now is not None and now > 0 and not _meaningful_drop(
        before, now)


def _worsening(past: Sequence[CheckIn], on: date) -> bool:
    now = _window_mean(past, on)
    before = _window_mean(past, on - timedelta(days=7))
    if now is None or before is None:
        return False
    rise = now - before
    return rise >= 1.0 and (rise >= PAIN_MID_POINTS or rise >= PAIN_MID_FRACTION * before)


def _legs_not_improving(past: Sequence[CheckIn], on: date) -> bool:
    def days_with(end: date) -> int:
        return sum(1 for c in in_window(past, end) if c.leg_symptoms)
    recent, before = days_with(on), days_with(on - timedelta(days=7))
    return before >= 1 and recent >= 1 and recent >= before
