"""Hills: climbing, descending, time on steep grades and hill sessions.

Rules (source key ``levine2007``, Weak; evidence.md section 6: the lower back
arched least uphill and most downhill, so downhill is reintroduced last)
------------------------------------------------------------------------
Recent = the last ``hills.window_days`` (28) days of running; before = the same
number of days just before. Ascent and descent are the session totals
(device, or the one elevation rule), falling back to the terrain grid's.

``hill_volume``
    recent ascent / max(ascent before, ``hills.min_base_m``): above
    ``hills.rise_ratio`` (1.5) is watch. The explanation adds ascent per km,
    the share of running time on grades of at least ``hills.grade_pct`` (5%)
    and the number of hill sessions (runs climbing more than
    ``hills.session_climb_m_per_km``, 20 m/km).
``downhill_volume``
    the same for descent, with the share of time on grades steeper than
    ``-hills.grade_pct``.

Both need ``2 x hills.window_days`` of history and are omitted when no run ever
had an ascent or descent. Weak evidence: never above watch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Final

from backstride.domain.load import TrainingHistory
from backstride.domain.signal import Level, Signal
from backstride.domain.training import Session, level_above

__all__ = ["grade_share", "hill_sessions", "signals"]

SOURCE: Final = "levine2007"


def grade_share(runs: Sequence[Session], grade_pct: float, *, downhill: bool) -> float | None:
    """Share of terrain time on grades >= ``grade_pct`` (or < ``-grade_pct``), 0..1.

    None when no run has terrain metrics.
    """
    with_terrain = [s.terrain for s in runs if s.terrain is not None and s.terrain.moving_s > 0]
    total = sum(t.moving_s for t in with_terrain)
    if total <= 0:
        return None
    steep = sum(t.downhill_s(grade_pct) if downhill else t.uphill_s(grade_pct)
                for t in with_terrain)
    return steep / total


def hill_sessions(runs: Sequence[Session], climb_m_per_km: float) -> int:
    """Runs whose ascent per km is above ``climb_m_per_km``."""
    count = 0
    for s in runs:
        up, km = s.ascent_or_terrain_m, s.distance_or_zero_m / 1000.0
        if up is not None and km > 0 and up / km > climb_m_per_km:
            count += 1
    return count


def _periods(history: TrainingHistory, days: int) -> tuple[list[Session], list[Session]]:
    first = history.as_of - timedelta(days=days - 1)
    recent = history.sessions_in(first, history.as_of, runs_only=True)
    before = history.sessions_in(first - timedelta(days=days), first - timedelta(days=1),
                                 runs_only=True)
    return recent, before


def _details(recent: Sequence[Session], th: Mapping[str, float], downhill: bool) -> str:
    km = sum(s.distance_or_zero_m for s in recent) / 1000.0
    total = sum((s.descent_or_terrain_m if downhill else s.ascent_or_terrain_m) or 0.0
                for s in recent)
    grade = th["hills.grade_pct"]
    word = "descending" if downhill else "climbing"
    parts = [f"{total / km:.0f} m of {word} per km" if km > 0 else ""]
    share = grade_share(recent, grade, downhill=downhill)
    if share is not None:
        slope = f"steeper than -{grade:.0f}%" if downhill else f"of {grade:.0f}% or more"
        parts.append(f"{share:.0%} of running time on grades {slope}")
    if not downhill:
        n = hill_sessions(recent, th["hills.session_climb_m_per_km"])
        parts.append(f"{n} hill session(s)")
    shown = [p for p in parts if p]
    return (" Recently: " + ", ".join(shown) + ".") if shown else ""


def _signal(history: TrainingHistory, th: Mapping[str, float], downhill: bool) -> Signal:
    key = "downhill_volume" if downhill else "hill_volume"
    days = int(th["hills.window_days"])
    rise = th["hills.rise_ratio"]
    word = "descent" if downhill else "climbing"
    if history.span_days < 2 * days:
        return Signal(key=key, level=Level.OK, value=None, unit="ratio", threshold=rise,
                      threshold_name="hills.rise_ratio", source_key=SOURCE,
                      explanation=f"Needs {2 * days} days of history to compare recent "
                                  f"{word} with the weeks before.",
                      advice="Nothing to do yet.")
    recent, before = _periods(history, days)

    def total(runs: Sequence[Session]) -> float:
        return sum((s.descent_or_terrain_m if downhill else s.ascent_or_terrain_m) or 0.0
                   for s in runs)

    now, base = total(recent), total(before)
    ratio = now / max(base, th["hills.min_base_m"])
    level = level_above(ratio, rise)
    text = (f"Your total {word} in the last {days} days was {now:.0f} m, against {base:.0f} m "
            f"in the {days} days before (ratio {ratio:.2f}).") + _details(recent, th, downhill)
    if level is Level.WATCH:
        text += f" That is a rise of more than {rise:.1f} times."
        advice = ("Add hills gradually, like distance. Downhill running arches the lower back "
                  "most; if your back is sore, favour flat or uphill and bring downhills back "
                  "last." if downhill else
                  "Add hills gradually, like distance. If your back is sore, flat or uphill "
                  "running is usually easier on it than downhill.")
    else:
        advice = ("Nothing to change. When recovering from back pain, bring downhill running "
                  "back last." if downhill else "Nothing to change.")
    return Signal(key=key, level=level, value=ratio, unit="ratio", threshold=rise,
                  threshold_name="hills.rise_ratio", explanation=text, advice=advice,
                  source_key=SOURCE, on=history.as_of)


def signals(history: TrainingHistory, th: Mapping[str, float]) -> list[Signal]:
    """``hill_volume`` and ``downhill_volume``; none when no run ever had altitude data."""
    if all(s.ascent_or_terrain_m is None and s.descent_or_terrain_m is None
           for s in history.runs):
        return []
    return [_signal(history, th, downhill=False), _signal(history, th, downhill=True)]
