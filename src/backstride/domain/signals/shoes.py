"""Shoes: distance per pair and rotation between pairs.

A run's pair is the runner's assignment (``gear_assignments``: activity id to
pair name) when given, else the gear name from the file or archive. Names are
grouped case-insensitively, ignoring surrounding spaces; the most recent
spelling is shown. Only running counts towards a pair's distance.

``shoe_mileage`` (source key ``cook1985``, Weak), one per pair in use (used
within ``shoes.active_days``, 90):
    total running distance [km]. Above ``shoes.check_km`` (500) is watch ("time
    to check"), above ``shoes.replace_km`` (800) watch with the replace
    threshold. Never warn: the 500-800 km convention comes from one 1985 lab
    test of cushioning, with no injury outcome.
``shoe_rotation`` (source key ``malisoux2015``, Weak-Moderate):
    pairs used for runs within ``shoes.active_days``; fewer than
    ``shoes.min_pairs`` (2) is watch. Alternating pairs was *associated with*
    fewer injuries in one cohort; that does not prove it prevents them.

Omitted when no run has a pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from backstride.domain.load import TrainingHistory
from backstride.domain.signal import Level, Signal
from backstride.domain.training import Session, level_below

__all__ = ["ShoeUse", "shoe_use", "signals"]


@dataclass(frozen=True, slots=True)
class ShoeUse:
    """Running done in one pair.

    Attributes
    ----------
    name
        Display name (most recent spelling).
    distance_m
        Total running distance [m].
    runs
        Number of runs.
    first_used, last_used
        Local dates of the first and last run.
    """

    name: str
    distance_m: float
    runs: int
    first_used: date
    last_used: date


def _pair(s: Session, assigned: Mapping[int, str]) -> str | None:
    name = assigned.get(s.id, s.gear)
    name = name.strip() if name is not None else None
    return name or None


def shoe_use(runs: list[Session], assigned: Mapping[int, str] | None = None) -> list[ShoeUse]:
    """Distance per pair over ``runs`` (sorted by start), most used first."""
    acc: dict[str, ShoeUse] = {}
    for s in runs:
        name = _pair(s, assigned or {})
        if name is None:
            continue
        key = name.casefold()
        old = acc.get(key)
        acc[key] = ShoeUse(
            name=name,
            distance_m=(old.distance_m if old else 0.0) + s.distance_or_zero_m,
            runs=(old.runs if old else 0) + 1,
            first_used=old.first_used if old else s.local_date,
            last_used=s.local_date,
        )
    return sorted(acc.values(), key=lambda u: -u.distance_m)


def _mileage(use: ShoeUse, th: Mapping[str, float]) -> Signal:
    km = use.distance_m / 1000.0
    check, replace = th["shoes.check_km"], th["shoes.replace_km"]
    name = "shoes.replace_km" if km > replace else "shoes.check_km"
    level = Level.WATCH if km > check else Level.OK
    text = f"Your pair '{use.name}' has {km:.0f} km of running over {use.runs} runs."
    note = (f" The usual {check:.0f}-{replace:.0f} km replacement range comes from one lab test "
            "of cushioning; no study has shown that replacing shoes at a set distance "
            "prevents injuries (weak evidence).")
    if km > replace:
        text += f" That is past {replace:.0f} km." + note
        advice = ("Check the midsole and outsole for wear and notice how they feel; consider "
                  "a new pair, and bring it in gradually alongside the old one.")
    elif km > check:
        text += f" That is past {check:.0f} km." + note
        advice = "A good time to check them for wear and how they feel on runs."
    else:
        advice = "Nothing to do."
    return Signal(key="shoe_mileage", level=level, value=km, unit="km", threshold=th[name],
                  threshold_name=name, explanation=text, advice=advice, source_key="cook1985",
                  on=use.last_used)


def _rotation(in_use: list[ShoeUse], history: TrainingHistory, th: Mapping[str, float],
              unknown: int) -> Signal:
    need = th["shoes.min_pairs"]
    days = int(th["shoes.active_days"])
    count = float(len(in_use))
    if not in_use:
        return Signal(key="shoe_rotation", level=Level.OK, value=None, unit="pairs",
                      threshold=need, threshold_name="shoes.min_pairs",
                      explanation=f"No runs with a named pair in the last {days} days.",
                      advice="Name your shoes (or assign them) to track them.",
                      source_key="malisoux2015")
    level = level_below(count, need)
    names = ", ".join(f"'{u.name}'" for u in in_use)
    text = f"In the last {days} days you ran in {len(in_use)} pair(s): {names}."
    if unknown:
        text += f" {unknown} run(s) had no pair named and are not counted."
    if level is Level.WATCH:
        text += (" In one study, runners who alternated more than one pair had fewer "
                 "injuries; that is an association, not proof.")
        advice = "If it suits you, alternate two pairs (ideally different models)."
    else:
        advice = "Nothing to change."
    return Signal(key="shoe_rotation", level=level, value=count, unit="pairs", threshold=need,
                  threshold_name="shoes.min_pairs", explanation=text, advice=advice,
                  source_key="malisoux2015", on=history.as_of)


def signals(history: TrainingHistory, th: Mapping[str, float],
            gear_assignments: Mapping[int, str] | None = None) -> list[Signal]:
    """One ``shoe_mileage`` per pair in use and ``shoe_rotation``; none without pairs."""
    runs = list(history.runs)
    uses = shoe_use(runs, gear_assignments)
    if not uses:
        return []
    first = history.as_of - timedelta(days=int(th["shoes.active_days"]) - 1)
    in_use = [u for u in uses if u.last_used >= first]
    recent = [s for s in runs if s.local_date >= first]
    unknown = sum(1 for s in recent if _pair(s, gear_assignments or {}) is None)
    return [_mileage(u, th) for u in in_use] + [_rotation(in_use, history, th, unknown)]
