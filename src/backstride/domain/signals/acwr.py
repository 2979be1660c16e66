"""Acute:chronic workload ratio, shown as context only and labelled contested.

Rule (source keys ``williams2017`` for the method, ``impellizzeri2020`` for the
criticism; evidence.md section 5)
--------------------------------------------------------------------------
Daily total load (running and cross-training, see :mod:`backstride.domain.load`),
EWMA with ``acwr.acute_days`` (7) and ``acwr.chronic_days`` (28), *uncoupled*
(the chronic load stops the day before). The ratio on ``as_of`` above
``acwr.high`` (1.5, the team-sport "danger zone") is watch, otherwise ok; never
warn, and ``contested`` is always True: the measure has mathematical flaws and
in the large runner cohort (Nielsen 2025) a higher ratio did not go with more
injuries. Needs more than ``acwr.chronic_days`` days of history, and training on
at least :data:`MIN_CHRONIC_DAYS` (4) of the ``acwr.chronic_days`` days before
``as_of``: after a long break the chronic load decays towards 0 and any run
gives an absurd ratio (164 on the shared runpandas history).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from backstride.domain.load import LoadKind, TrainingHistory, acwr
from backstride.domain.signal import Level, Signal
from backstride.domain.training import level_above

__all__ = ["mixed_kinds_note", "signals"]

SOURCE: Final = "impellizzeri2020"
#: Days with training needed in the chronic window before a ratio is shown.
MIN_CHRONIC_DAYS: Final = 4
_CAVEAT: Final = (
    " This ratio comes from team sports and is disputed: it has mathematical flaws, and in "
    "a large study of runners a high ratio did not go with more injuries. It is shown as "
    "context, not as an alarm."
)


def mixed_kinds_note(history: TrainingHistory, days: int) -> str:
    """A sentence when the loads of the last ``days`` days mix measures, else ''."""
    kinds = history.kinds_in(days)
    if len(kinds) < 2:
        return ""
    names = ", ".join(sorted(k.value for k in kinds))
    return (f" Loads in this period mix different measures ({names}), so treat the "
            "figure loosely.")


def _kind_name(history: TrainingHistory, days: int) -> str:
    kinds = history.kinds_in(days)
    if kinds == {LoadKind.RPE}:
        return "effort x minutes"
    if kinds == {LoadKind.TRIMP}:
        return "heart-rate load"
    if kinds == {LoadKind.DURATION}:
        return "minutes of training"
    return "training load"


def signals(history: TrainingHistory, th: Mapping[str, float]) -> list[Signal]:
    """``acwr`` (always present, always contested, at most watch)."""
    acute_days, chronic_days = int(th["acwr.acute_days"]), int(th["acwr.chronic_days"])
    high = th["acwr.high"]
    ratio = None
    before = history.window(history.daily.load, chronic_days, 1)
    if history.span_days > chronic_days and int((before > 0).sum()) >= MIN_CHRONIC_DAYS:
        series = acwr(history.daily.load, acute_days, chronic_days)
        last = float(series.ratio[-1])
        ratio = None if last != last else last  # NaN: no chronic load
    if ratio is None:
        return [Signal(
            key="acwr", level=Level.OK, value=None, unit="ratio", threshold=high,
            threshold_name="acwr.high", source_key=SOURCE, contested=True,
            explanation=f"Needs more than {chronic_days} days of history with training on at "
                        f"least {MIN_CHRONIC_DAYS} of the {chronic_days} days before today."
                        + _CAVEAT,
            advice="Nothing to do; single-run length is the more useful guide for runners.",
        )]
    level = level_above(ratio, high)
    what = _kind_name(history, chronic_days)
    text = (f"Your last {acute_days} days of {what} are {ratio:.2f} times your "
            f"{chronic_days}-day average (weighted toward recent days).")
    if level is Level.WATCH:
        text += f" That is above {high:.1f}."
        advice = ("Worth a look alongside the single-run and weekly-distance signals; on its "
                  "own it is no reason to change your plan.")
    else:
        advice = "Nothing to do; single-run length is the more useful guide for runners."
    return [Signal(
        key="acwr", level=level, value=ratio, unit="ratio", threshold=high,
        threshold_name="acwr.high", source_key=SOURCE, contested=True, on=history.as_of,
        explanation=text + _CAVEAT + mixed_kinds_note(history, chronic_days),
        advice=advice,
    )]
