"""Weekly ramp: how fast weekly running distance grows.

Weeks here are the rolling 7-day windows ending at ``as_of`` ("this week"),
7 days earlier ("last week") and 14 days earlier ("two weeks ago"), so the
signal is current on any weekday.

``weekly_ramp`` (source key ``nielsen2014``, Weak)
    rise = this week / two weeks ago - 1 [%]. Above ``ramp.two_week_pct`` (30%)
    is watch, never warn: in novices the link with injury was not significant.
    Needs 21 days of history and some running two weeks ago.

``weekly_ten_percent`` (source key ``buist2008``)
    rise = this week / last week - 1 [%], shown against the popular 10% rule
    (``ramp.ten_pct_rule``) as a *convention*: always ok and ``contested``,
    because a trial found building up by 10% a week did not prevent injuries.
"""

from __future__ import annotations

from collections.abc import Mapping

from backstride.domain.load import TrainingHistory
from backstride.domain.signal import Level, Signal
from backstride.domain.training import level_above

__all__ = ["signals", "week_distances_m"]

_WEEK = 7


def week_distances_m(history: TrainingHistory) -> tuple[float, float, float]:
    """Running distance of this week, last week and two weeks ago [m]."""
    run = history.daily.run.distance_m
    now, last, before = (float(history.window(run, _WEEK, k * _WEEK).sum()) for k in range(3))
    return now, last, before


def _km(m: float) -> str:
    return f"{m / 1000:.1f} km"


def _ramp(history: TrainingHistory, th: Mapping[str, float]) -> Signal:
    now, _, before = week_distances_m(history)
    pct = th["ramp.two_week_pct"]
    if history.span_days < 3 * _WEEK or before <= 0:
        return Signal(
            key="weekly_ramp", level=Level.OK, value=None, unit="%", threshold=pct,
            threshold_name="ramp.two_week_pct", source_key="nielsen2014",
            explanation="Not enough running history yet to compare this week with two "
                        "weeks ago (needs three weeks with running two weeks ago).",
            advice="Build weekly distance gradually.",
        )
    rise = 100.0 * (now / before - 1.0)
    level = level_above(now / before, 1.0 + pct / 100.0)  # ratios: exact at the boundary
    text = (f"Your running distance in the last 7 days ({_km(now)}) is {rise:+.0f}% compared "
            f"with two weeks earlier ({_km(before)}).")
    if level is Level.WATCH:
        text += (f" That is more than {pct:.0f}% in two weeks. In a study of new runners this "
                 "went with somewhat more overuse injuries, though the link was not certain "
                 "(weak evidence).")
        advice = ("Hold your weekly distance steady for a week or two before adding more; "
                  "the length of single runs matters even more than the weekly total.")
    else:
        text += f" That is within {pct:.0f}% over two weeks."
        advice = "Keep building gradually; watch the length of single runs most of all."
    return Signal(
        key="weekly_ramp", level=level, value=rise, unit="%", threshold=pct,
        threshold_name="ramp.two_week_pct", explanation=text, advice=advice,
        source_key="nielsen2014", on=history.as_of,
    )


def _ten_percent(history: TrainingHistory, th: Mapping[str, float]) -> Signal:
    now, last, _ = week_distances_m(history)
    pct = th["ramp.ten_pct_rule"]
    note = (f"The popular '{pct:.0f}% a week' rule is a convention, not a law: in a trial with "
            "532 new runners, building up by 10% a week did not lower injuries.")
    if history.span_days < 2 * _WEEK or last <= 0:
        value = None
        text = "Not enough running in the previous week to compare with. " + note
    else:
        value = 100.0 * (now / last - 1.0)
        side = "above" if now / last > 1.0 + pct / 100.0 else "within"
        text = (f"Your running distance changed {value:+.0f}% from the previous 7 days "
                f"({_km(last)} to {_km(now)}), {side} the {pct:.0f}% convention. " + note)
    return Signal(
        key="weekly_ten_percent", level=Level.OK, value=value, unit="%", threshold=pct,
        threshold_name="ramp.ten_pct_rule", explanation=text,
        advice="Use it as a soft guide at most; sudden long single runs matter more.",
        source_key="buist2008", on=history.as_of, contested=True,
    )


def signals(history: TrainingHistory, th: Mapping[str, float]) -> list[Signal]:
    """``weekly_ramp`` and ``weekly_ten_percent`` (both always present)."""
    return [_ramp(history, th), _ten_percent(history, th)]
