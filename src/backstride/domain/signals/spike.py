"""Single-run spike: a run against the longest run of the previous 30 days.

Rule (source key ``nielsen2025``, Moderate; evidence.md section 5)
-----------------------------------------------------------------
For every run, ratio = its distance / the longest run that *started* in the
``spike.window_days`` (30 x 24 h) before it. No earlier run in the window (a
first run, or a return after a break) gives no ratio. Levels, each threshold
*strictly* exceeded:

* ratio <= ``spike.watch_ratio`` (1.10): ok;
* above it: watch (10-30% longer: hazard ratio 1.64 in Nielsen 2025);
* above ``spike.warn_ratio`` (1.30): warn;
* above ``spike.strong_ratio`` (2.00): warn, worded as a *strong* warning
  (more than double: hazard ratio 2.28). :class:`Level` has no higher grade.

Signals: ``single_run_spike`` is the worst run of the last ``spike.recent_days``
(14) days (always present; ok with an explanation when there is nothing to
compare). ``single_run_spike_history`` is the worst flagged run of the last
``spike.history_days`` (42) days *before* that window, present only when there
is one; as history it is never above watch.

A run's ratio looks only backwards, so adding a later run never changes an
earlier run's ratio or flag.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

import numpy as np

from backstride.domain.activity import FloatArray
from backstride.domain.load import TrainingHistory
from backstride.domain.signal import Level, Signal
from backstride.domain.training import Session, level_above

__all__ = ["RunSpike", "run_spikes", "signals", "spike_ratios"]

SOURCE: Final = "nielsen2025"
_DAY_S: Final = 86_400.0


@dataclass(frozen=True, slots=True)
class RunSpike:
    """One run held against its previous 30 days.

    Attributes
    ----------
    session
        The run.
    ratio
        Distance / longest run of the window before it; None without one.
    previous_longest_m
        That longest previous run [m]; None without one.
    level
        Level under the module's rule (ok without a ratio).
    strong
        True above ``spike.strong_ratio``.
    """

    session: Session
    ratio: float | None
    previous_longest_m: float | None
    level: Level
    strong: bool


def spike_ratios(start_s: FloatArray, distance_m: FloatArray, window_days: float) -> FloatArray:
    """Ratio of each run to the longest run in the window before it.

    Parameters
    ----------
    start_s
        Start times, sorted ascending [s].
    distance_m
        Distances [m].
    window_days
        Look-back window [days of 24 h].

    Returns
    -------
    numpy.ndarray
        Ratio per run; NaN when no earlier run with a distance lies in the window
        or the run itself has no distance.
    """
    n = len(start_s)
    if n == 0:
        return np.empty(0)
    lo = np.searchsorted(start_s, start_s - window_days * _DAY_S, side="left")
    here = np.arange(n)
    pairs = np.empty(2 * n, dtype=np.int64)
    pairs[0::2], pairs[1::2] = lo, here
    prev = np.maximum.reduceat(distance_m, pairs)[0::2]  # max over [lo, i) when lo < i
    prev[lo >= here] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((prev > 0) & (distance_m > 0), distance_m / prev, np.nan)
    out: FloatArray = ratio
    return out


def run_spikes(runs: Sequence[Session], th: Mapping[str, float]) -> list[RunSpike]:
    """Spike ratio and level of every run (runs sorted by start)."""
    start = np.array([s.start_utc.timestamp() for s in runs], dtype=np.float64)
    dist = np.array([s.distance_or_zero_m for s in runs], dtype=np.float64)
    ratios = spike_ratios(start, dist, th["spike.window_days"])
    out = []
    for s, r in zip(runs, ratios.tolist(), strict=True):
        if np.isnan(r):
            out.append(RunSpike(s, None, None, Level.OK, False))
            continue
        level = level_above(r, th["spike.watch_ratio"], th["spike.warn_ratio"])
        strong = r > th["spike.strong_ratio"]
        out.append(RunSpike(s, r, s.distance_or_zero_m / r, level, strong))
    return out


def _worst(spikes: Sequence[RunSpike]) -> RunSpike | None:
    rated = [x for x in spikes if x.ratio is not None]
    return max(rated, key=lambda x: (x.level.rank, x.ratio or 0.0), default=None)


def _crossed(x: RunSpike) -> str:
    if x.strong:
        return "spike.strong_ratio"
    return {Level.WARN: "spike.warn_ratio"}.get(x.level, "spike.watch_ratio")


def _km(m: float) -> str:
    return f"{m / 1000:.1f} km"


def _explain(x: RunSpike, th: Mapping[str, float], *, past: bool = False) -> str:
    s, ratio, prev = x.session, x.ratio or 0.0, x.previous_longest_m or 0.0
    base = (f"Your run of {_km(s.distance_or_zero_m)} on {s.local_date:%d %b %Y} was "
            f"{ratio:.0%} of your longest run in the {th['spike.window_days']:.0f} days "
            f"before it ({_km(prev)}).")
    if x.strong:
        lead = " That is" if past else " Strong warning: that is"
        return (base + f"{lead} more than double. In a large study of runners, runs "
                "more than twice the recent longest went with the highest injury rates "
                "(running injuries in general, not back pain in particular).")
    if x.level is Level.WARN:
        return (base + f" That is more than {th['spike.warn_ratio']:.0%}; in a large study "
                "of runners, such jumps went with clearly more running injuries.")
    if x.level is Level.WATCH:
        return (base + f" That is more than {th['spike.watch_ratio']:.0%}; even modest jumps "
                "went with somewhat more running injuries in a large study of runners.")
    return base + f" That is within {th['spike.watch_ratio']:.0%}, the safer range."


def _advice(history: TrainingHistory, th: Mapping[str, float], flagged: RunSpike | None) -> str:
    """Advice built on the longest run of the last 30 days, or, after a flagged spike,
    on the longest run before that spike (so a spike does not raise the bar)."""
    watch = th["spike.watch_ratio"]
    if flagged is not None and flagged.previous_longest_m:
        base = flagged.previous_longest_m
        return (f"Go back to runs of at most about {_km(watch * base)} ({watch:.0%} of "
                f"{_km(base)}, your longest run before that one) and lengthen them in small "
                "steps. If your back hurts, shorter and flatter runs are the first thing to "
                "try.")
    first = history.as_of - timedelta(days=int(th["spike.window_days"]) - 1)
    recent = [s.distance_or_zero_m for s in history.sessions_in(first, history.as_of,
                                                                 runs_only=True)]
    longest = max(recent, default=0.0)
    if longest <= 0:
        return ("No run in the last 30 days to build on: start with short, easy runs and "
                "lengthen them a little at a time.")
    return (f"Keep each run at or below about {_km(watch * longest)} "
            f"({watch:.0%} of your longest run in the last "
            f"{th['spike.window_days']:.0f} days, {_km(longest)}), and lengthen runs in small "
            "steps. If your back hurts, shorter and flatter runs are the first thing to try.")


def _signal(key: str, x: RunSpike, level: Level, history: TrainingHistory,
            th: Mapping[str, float], prefix: str = "") -> Signal:
    name = _crossed(x)
    past = key != "single_run_spike"
    flagged = x if x.level is not Level.OK and not past else None
    return Signal(
        key=key, level=level, value=x.ratio, unit="ratio", threshold=th[name],
        threshold_name=name, explanation=prefix + _explain(x, th, past=past),
        advice=_advice(history, th, flagged), source_key=SOURCE, on=x.session.local_date,
        activity_id=x.session.id,
    )


def _no_ratio(history: TrainingHistory, th: Mapping[str, float], recent: list[RunSpike]) -> Signal:
    if recent:
        text = ("Your recent runs had no earlier run in the "
                f"{th['spike.window_days']:.0f} days before them to compare with (a first run "
                "or a return after a break).")
    else:
        text = f"No runs in the last {th['spike.recent_days']:.0f} days, so nothing to compare."
    return Signal(
        key="single_run_spike", level=Level.OK, value=None, unit="ratio",
        threshold=th["spike.watch_ratio"], threshold_name="spike.watch_ratio",
        explanation=text, advice=_advice(history, th, None), source_key=SOURCE,
    )


def signals(history: TrainingHistory, th: Mapping[str, float]) -> list[Signal]:
    """``single_run_spike`` (always) and ``single_run_spike_history`` (when any)."""
    spikes = run_spikes(history.runs, th)
    recent_first = history.as_of - timedelta(days=int(th["spike.recent_days"]) - 1)
    past_first = recent_first - timedelta(days=int(th["spike.history_days"]))
    recent = [x for x in spikes if x.session.local_date >= recent_first]
    past = [x for x in spikes if past_first <= x.session.local_date < recent_first]
    worst = _worst(recent)
    out = [_signal("single_run_spike", worst, worst.level, history, th) if worst
           else _no_ratio(history, th, recent)]
    old = _worst(past)
    if old is not None and old.level is not Level.OK:
        days = (history.as_of - old.session.local_date).days
        out.append(_signal("single_run_spike_history", old, Level.WATCH, history, th,
                           prefix=f"Earlier ({days} days ago): "))
    return out
