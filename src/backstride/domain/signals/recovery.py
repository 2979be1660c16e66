"""Recovery and cross-training: time in other aerobic sports.

Rule (source key ``maselli2020``; evidence.md section 9)
--------------------------------------------------------
``cross_training``: moving time of every non-running session (cycling,
swimming, walking, hiking, other) over the last ``cross.window_days`` (28),
as minutes per week. Below ``cross.min_minutes_per_week`` (30) is watch: some
studies in the runner review reported back pain more often in runners doing no
other weekly aerobic activity (weak individual studies). Needs
``cross.window_days`` of history. Rest days and streaks of run days are in
:mod:`backstride.domain.signals.monotony`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from backstride.domain.load import TrainingHistory
from backstride.domain.signal import Level, Signal
from backstride.domain.training import level_below

__all__ = ["signals"]

SOURCE: Final = "maselli2020"


def signals(history: TrainingHistory, th: Mapping[str, float]) -> list[Signal]:
    """``cross_training`` (always present)."""
    days = int(th["cross.window_days"])
    need = th["cross.min_minutes_per_week"]
    if history.span_days < days:
        return [Signal(key="cross_training", level=Level.OK, value=None, unit="min/week",
                       threshold=need, threshold_name="cross.min_minutes_per_week",
                       explanation=f"Needs {days} days of history.",
                       advice="Nothing to do yet.", source_key=SOURCE)]
    cross = history.daily.cross
    minutes = float(history.window(cross.moving_s, days).sum()) / 60.0
    sessions = int(history.window(cross.count, days).sum())
    per_week = minutes / (days / 7.0)
    level = level_below(per_week, need)
    text = (f"In the last {days} days you did {sessions} cross-training session(s), about "
            f"{per_week:.0f} minutes a week.")
    if level is Level.WATCH:
        text += (" Some studies found back pain more common in runners who did no other "
                 "aerobic exercise (weak evidence).")
        advice = ("Consider adding some low-impact exercise, such as cycling, swimming or "
                  "brisk walking; it also keeps you fit on days off running.")
    else:
        advice = "Keep it up; it adds fitness without extra running impact."
    return [Signal(key="cross_training", level=level, value=per_week, unit="min/week",
                   threshold=need, threshold_name="cross.min_minutes_per_week",
                   explanation=text, advice=advice, source_key=SOURCE, on=history.as_of)]
