"""Monotony and strain (Foster), rest days and the longest streak of run days.

Rules (source key ``foster1998``, Weak; evidence.md section 5)
--------------------------------------------------------------
The week is the 7 days ending at ``as_of``; loads are the daily total loads
(running and cross-training, rest days as 0; :mod:`backstride.domain.load`).

``monotony``
    mean daily load / its standard deviation (population SD over the 7 days).
    Above ``monotony.watch`` (2.0, a practitioner convention) is watch. Seven
    identical non-zero days have no spread: monotony is then shown as
    :data:`MONOTONY_CAP` (10). A week without training has no monotony.
``strain``
    weekly load x monotony, held against the runner's *own* highest strain of
    the previous ``strain.lookback_weeks`` (12) 7-day blocks (Foster linked
    illness to individual thresholds, not a fixed one): above
    ``strain.peak_ratio`` x that peak is watch. Needs
    :data:`MIN_PREVIOUS_WEEKS` (4) previous blocks with training.
``rest_days``
    days without a run in the 7 days (cross-training days count as rest from
    running). Fewer than ``rest.min_days_per_week`` (1) is watch.
``run_streak``
    the longest run of consecutive days with a run that ends within the last
    ``streak.window_days`` (28). ``streak.watch_days`` (7) or more is watch.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Final

import numpy as np

from backstride.domain.activity import FloatArray
from backstride.domain.load import TrainingHistory
from backstride.domain.signal import Level, Signal
from backstride.domain.signals.acwr import mixed_kinds_note
from backstride.domain.training import level_above, level_below

__all__ = ["MONOTONY_CAP", "monotony", "signals", "strain", "streaks"]

SOURCE: Final = "foster1998"
#: Monotony shown for a week of identical non-zero loads (no spread at all).
MONOTONY_CAP: Final = 10.0
#: Previous 7-day blocks with training needed before strain is judged.
MIN_PREVIOUS_WEEKS: Final = 4
_WEEK: Final = 7


def monotony(loads: FloatArray) -> float | None:
    """Foster monotony of daily loads: mean / population SD.

    Returns None when the loads sum to 0; :data:`MONOTONY_CAP` when they do not
    vary; never more than the cap.
    """
    mean = float(np.mean(loads)) if len(loads) else 0.0
    if mean <= 0:
        return None
    sd = float(np.std(loads))
    return MONOTONY_CAP if sd <= 0 else min(mean / sd, MONOTONY_CAP)


def strain(loads: FloatArray) -> float:
    """Foster strain of one week: weekly load x monotony (0 without training)."""
    m = monotony(loads)
    return float(np.sum(loads)) * m if m is not None else 0.0


def streaks(ran: FloatArray) -> FloatArray:
    """Length of the streak of consecutive run days ending on each day.

    ``ran`` is 1 (or any positive count) on days with a run, 0 otherwise.
    """
    r = (np.asarray(ran) > 0).astype(np.float64)
    total = np.cumsum(r)
    reset = np.maximum.accumulate(np.where(r == 0, total, 0.0))
    out: FloatArray = total - reset
    return out


def _no_data(key: str, unit: str, name: str, th: Mapping[str, float], text: str) -> Signal:
    return Signal(key=key, level=Level.OK, value=None, unit=unit, threshold=th[name],
                  threshold_name=name, explanation=text, advice="Nothing to do yet.",
                  source_key=SOURCE)


def _monotony(history: TrainingHistory, th: Mapping[str, float]) -> Signal:
    week = history.window(history.daily.load, _WEEK)
    value = monotony(week)
    if value is None or history.span_days < _WEEK:
        return _no_data("monotony", "ratio", "monotony.watch", th,
                        "No training in the last 7 days (or less than a week of history), "
                        "so there is no monotony to measure.")
    limit = th["monotony.watch"]
    level = level_above(value, limit)
    text = (f"Your daily training load over the last 7 days had a monotony of {value:.1f} "
            "(average day divided by how much days differ).")
    if level is Level.WATCH:
        text += (f" Above {limit:.1f}, days are very alike; this cut-off is a coaches' "
                 "convention (weak evidence).")
        advice = "Make easy days easier and include a rest day, so hard and easy days differ."
    else:
        text += f" That is at or below {limit:.1f}: your days vary enough."
        advice = "Keep mixing harder, easier and rest days."
    return Signal(key="monotony", level=level, value=value, unit="ratio", threshold=limit,
                  threshold_name="monotony.watch", source_key=SOURCE, on=history.as_of,
                  explanation=text + mixed_kinds_note(history, _WEEK), advice=advice)


def _strain(history: TrainingHistory, th: Mapping[str, float]) -> Signal:
    weeks = int(th["strain.lookback_weeks"])
    load = history.daily.load
    blocks = [strain(history.window(load, _WEEK, k * _WEEK)) for k in range(weeks + 1)]
    previous = [b for k, b in enumerate(blocks[1:], 1)
                if b > 0 and history.span_days >= (k + 1) * _WEEK]
    if len(previous) < MIN_PREVIOUS_WEEKS:
        return _no_data("strain", "a.u.", "strain.peak_ratio", th,
                        f"Strain is compared with your own earlier weeks; that needs at least "
                        f"{MIN_PREVIOUS_WEEKS} earlier weeks with training.")
    limit = th["strain.peak_ratio"] * max(previous)
    level = level_above(blocks[0], limit)
    text = (f"This week's strain (load x monotony) is {blocks[0]:.0f}, against your own highest "
            f"of the previous {weeks} weeks, {max(previous):.0f}.")
    if level is Level.WATCH:
        text += " It is above your own recent peak."
        advice = "Plan an easier few days; a rest day lowers both load and monotony."
    else:
        advice = "Nothing to change."
    return Signal(key="strain", level=level, value=blocks[0], unit="a.u.", threshold=limit,
                  threshold_name="strain.peak_ratio", source_key=SOURCE, on=history.as_of,
                  explanation=text + mixed_kinds_note(history, _WEEK * (weeks + 1)),
                  advice=advice)


def _rest_days(history: TrainingHistory, th: Mapping[str, float]) -> Signal:
    if history.span_days < _WEEK:
        return _no_data("rest_days", "days", "rest.min_days_per_week", th,
                        "Less than a week of history.")
    ran = history.window(history.daily.run.count, _WEEK) > 0
    rest = float(_WEEK - ran.sum())
    need = th["rest.min_days_per_week"]
    level = level_below(rest, need)
    text = f"You had {rest:.0f} day(s) without running in the last 7 days."
    if level is Level.WATCH:
        text += (" Muscles, tendons and bones adapt between runs; every day loaded leaves "
                 "them less time.")
        advice = "Take at least one day a week off running (easy cycling or walking is fine)."
    else:
        advice = "Keep at least one day a week free of running."
    return Signal(key="rest_days", level=level, value=rest, unit="days", threshold=need,
                  threshold_name="rest.min_days_per_week", explanation=text, advice=advice,
                  source_key=SOURCE, on=history.as_of)


def _streak(history: TrainingHistory, th: Mapping[str, float]) -> Signal:
    window = int(th["streak.window_days"])
    lengths = history.window(streaks(history.daily.run.count), window)
    longest = float(lengths.max()) if len(lengths) else 0.0
    limit = th["streak.watch_days"]
    if longest <= 0:
        return _no_data("run_streak", "days", "streak.watch_days", th,
                        f"No runs in the last {window} days.")
    end = history.as_of - timedelta(days=window - 1 - int(np.flatnonzero(lengths == longest)[-1]))
    level = Level.WATCH if longest >= limit else Level.OK
    text = (f"Your longest streak of days in a row with a run, in the last {window} days, "
            f"was {longest:.0f} (ending {end:%d %b %Y}).")
    if level is Level.WATCH:
        text += f" That is {limit:.0f} or more days without a day off running."
        advice = "Break long streaks with a rest day or a cross-training day."
    else:
        advice = "Nothing to change."
    return Signal(key="run_streak", level=level, value=longest, unit="days", threshold=limit,
                  threshold_name="streak.watch_days", explanation=text, advice=advice,
                  source_key=SOURCE, on=end)


def signals(history: TrainingHistory, th: Mapping[str, float]) -> list[Signal]:
    """``monotony``, ``strain``, ``rest_days`` and ``run_streak`` (always present)."""
    return [_monotony(history, th), _strain(history, th), _rest_days(history, th),
            _streak(history, th)]
