"""Running dynamics: ground contact time balance, vertical oscillation and ratio.

All of these are *heuristics*: no injury threshold has been published for any
of them (evidence.md section 6). Recent runs are those of the last
``form.recent_days`` (14) days, the baseline the runs of the
``form.baseline_days`` (180) days before; values are per-run steady-running
medians (:class:`~backstride.domain.form.FormMetrics`), combined by median.

``gct_balance`` (source key ``joubert2020``, Weak)
    recent balance - 50 [percentage points, + = more time on the left foot].
    A distance from 50/50 above ``gct_balance.deviation_pct_points`` (1.5) is
    watch. Needs ``gct_balance.min_runs`` (3) recent runs: one odd run is not a
    sustained pattern.
``gct_balance_shift`` (source key ``joubert2020``)
    recent balance - baseline balance [percentage points]; a shift above
    ``gct_balance.shift_pct_points`` (2.0) either way is watch. Needs that many
    runs on both sides.
``vertical_oscillation``, ``vertical_ratio`` (source key ``backstride``)
    recent / baseline - 1 [%]; a rise above ``dynamics.trend_pct`` (10%) is
    watch (more bounce per step); a fall is not flagged.

Never above watch. A measure no run ever had is omitted.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Final, Literal

from backstride.domain.load import TrainingHistory
from backstride.domain.signal import Level, Signal
from backstride.domain.training import Session, level_above

__all__ = ["recent_and_baseline", "signals"]

Field = Literal["ground_contact_balance_pct", "vertical_oscillation_mm", "vertical_ratio_pct"]
BALANCE: Final = "ground_contact_balance_pct"
_HEURISTIC: Final = (" This is a heuristic: no study has set a threshold for injury, and watch "
                     "or pod placement changes these numbers.")


def _values(runs: Sequence[Session], field: Field) -> list[float]:
    out = []
    for s in runs:
        v = getattr(s.form, field) if s.form is not None else None
        if v is not None:
            out.append(float(v))
    return out


def recent_and_baseline(history: TrainingHistory, th: Mapping[str, float],
                        field: Field) -> tuple[list[float], list[float]]:
    """Per-run values of ``field`` in the recent window and in the baseline window."""
    recent_days, base_days = int(th["form.recent_days"]), int(th["form.baseline_days"])
    first = history.as_of - timedelta(days=recent_days - 1)
    recent = history.sessions_in(first, history.as_of, runs_only=True)
    earlier = history.sessions_in(first - timedelta(days=base_days), first - timedelta(days=1),
                                  runs_only=True)
    return _values(recent, field), _values(earlier, field)


def _missing(key: str, unit: str, name: str, th: Mapping[str, float], text: str,
             source: str) -> Signal:
    return Signal(key=key, level=Level.OK, value=None, unit=unit, threshold=th[name],
                  threshold_name=name, explanation=text, advice="Nothing to do yet.",
                  source_key=source)


def _balance(history: TrainingHistory, th: Mapping[str, float]) -> Signal:
    recent, _ = recent_and_baseline(history, th, BALANCE)
    need = int(th["gct_balance.min_runs"])
    name = "gct_balance.deviation_pct_points"
    if len(recent) < need:
        return _missing("gct_balance", "percentage points", name, th,
                        f"Needs ground contact balance from at least {need} runs in the last "
                        f"{th['form.recent_days']:.0f} days.", "joubert2020")
    median = statistics.median(recent)
    dev = median - 50.0
    level = level_above(abs(dev), th[name])
    side = "left" if dev > 0 else "right"
    text = (f"Across your last {len(recent)} runs with balance data, ground contact time was "
            f"{median:.1f}% left / {100 - median:.1f}% right.")
    if level is Level.WATCH:
        text += (f" That leans {abs(dev):.1f} points to the {side}, more than "
                 f"{th[name]:.1f}; a lasting lean is worth noticing.")
        advice = ("Look for a cause you can check: a niggle on one side, a recent injury, "
                  "shoes, or the camber of your usual route. A physiotherapist can assess it "
                  "if it goes with pain.")
    else:
        advice = "Nothing to change."
    return Signal(key="gct_balance", level=level, value=dev, unit="percentage points",
                  threshold=th[name], threshold_name=name, source_key="joubert2020",
                  on=history.as_of, explanation=text + _HEURISTIC, advice=advice)


def _shift(history: TrainingHistory, th: Mapping[str, float]) -> Signal:
    recent, base = recent_and_baseline(history, th, BALANCE)
    need = int(th["gct_balance.min_runs"])
    name = "gct_balance.shift_pct_points"
    if len(recent) < need or len(base) < need:
        return _missing("gct_balance_shift", "percentage points", name, th,
                        f"Needs ground contact balance from at least {need} recent and {need} "
                        "earlier runs.", "joubert2020")
    shift = statistics.median(recent) - statistics.median(base)
    level = level_above(abs(shift), th[name])
    text = (f"Your ground contact balance moved {shift:+.1f} points (toward the "
            f"{'left' if shift > 0 else 'right'}) against your own usual "
            f"{statistics.median(base):.1f}% left.")
    advice = ("A change from your own usual balance can follow a niggle or a change of shoes "
              "or routes; if it goes with pain, have it assessed." if level is Level.WATCH
              else "Nothing to change.")
    return Signal(key="gct_balance_shift", level=level, value=shift, unit="percentage points",
                  threshold=th[name], threshold_name=name, source_key="joubert2020",
                  on=history.as_of, explanation=text + _HEURISTIC, advice=advice)


def _trend(history: TrainingHistory, th: Mapping[str, float], field: Field, key: str,
           noun: str) -> Signal:
    recent, base = recent_and_baseline(history, th, field)
    name = "dynamics.trend_pct"
    need = int(th["form.min_baseline_runs"])
    if not recent or len(base) < need:
        return _missing(key, "%", name, th, f"Needs {noun} from recent runs and at least "
                        f"{need} earlier runs.", "backstride")
    own, usual = statistics.median(recent), statistics.median(base)
    ratio = own / usual if usual > 0 else 1.0
    change = 100.0 * (ratio - 1.0)
    level = level_above(ratio, 1.0 + th[name] / 100.0)  # as a ratio: exact at the boundary
    text = (f"Your {noun} on recent runs was {change:+.0f}% against your own usual "
            f"(median {own:.1f} vs {usual:.1f}).")
    if level is Level.WATCH:
        text += " More bounce per step means more up-and-down work with every landing."
        advice = ("Often this follows faster running, fatigue or new shoes. Relaxed, slightly "
                  "quicker steps usually reduce bounce.")
    else:
        advice = "Nothing to change."
    return Signal(key=key, level=level, value=change, unit="%", threshold=th[name],
                  threshold_name=name, source_key="backstride", on=history.as_of,
                  explanation=text + _HEURISTIC, advice=advice)


def _ever(history: TrainingHistory, field: Field) -> bool:
    return any(s.form is not None and getattr(s.form, field) is not None for s in history.runs)


def signals(history: TrainingHistory, th: Mapping[str, float]) -> list[Signal]:
    """Balance, balance shift, vertical oscillation and ratio; each omitted without data."""
    out = []
    if _ever(history, BALANCE):
        out += [_balance(history, th), _shift(history, th)]
    if _ever(history, "vertical_oscillation_mm"):
        out.append(_trend(history, th, "vertical_oscillation_mm", "vertical_oscillation",
                          "vertical oscillation"))
    if _ever(history, "vertical_ratio_pct"):
        out.append(_trend(history, th, "vertical_ratio_pct", "vertical_ratio", "vertical ratio"))
    return out
