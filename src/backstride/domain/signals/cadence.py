"""Cadence and step length against the runner's own baseline at similar speeds.

Rules (evidence.md section 6)
-----------------------------
Each run's :class:`~backstride.domain.form.FormMetrics` holds cadence and step
length per 0.25 m/s speed band, steady running only. The *baseline* of a band is
the median over the runs of the ``form.baseline_days`` (180) days before the
recent window that have that band, once at least ``form.min_baseline_runs`` (3)
runs have it. The runs of the last ``form.recent_days`` (14) days are compared
band by band with it; the deviation is the time-weighted mean of
own / baseline - 1 over the shared bands [%].

``cadence`` (source key ``heiderscheit2011``, Weak)
    more than ``cadence.low_pct`` (5%) below the baseline is watch. The advice
    is a gradual increase of ``cadence.increase_pct`` (5%) over the runner's
    *own* cadence at that speed (a 5-10% increase lowered hip and knee loading
    in the lab), never a fixed number: cadence differs between runners and rises
    with speed.
``step_length`` (source key ``lieberman2015``, Weak)
    more than ``stride.long_pct`` (5%) above the baseline at the same speed is
    watch: a proxy for overstriding (the foot landing further ahead of the body).

Never above watch. Omitted when no run ever had the measure; ok with an
explanation when the recent runs or the baseline are missing.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Final, Literal

from backstride.domain.form import BAND_WIDTH_M_S, SpeedBand
from backstride.domain.load import TrainingHistory
from backstride.domain.signal import Level, Signal
from backstride.domain.training import Session, level_above

__all__ = ["Comparison", "band_baseline", "compare", "signals"]

Measure = Literal["cadence_spm", "step_length_m"]


@dataclass(frozen=True, slots=True)
class Comparison:
    """Recent runs against the baseline over the speed bands they share.

    Attributes
    ----------
    ratio
        Time-weighted mean of own / baseline.
    pct
        The same as a change, ``100 (ratio - 1)`` [%].
    seconds
        Steady running time in the shared bands [s].
    own, base
        Time-weighted means of the recent values and of the baseline values
        (steps/min or m).
    speed_m_s
        Time-weighted mean speed of the shared bands (band centres) [m/s].
    """

    ratio: float
    pct: float
    seconds: float
    own: float
    base: float
    speed_m_s: float


def _band_key(band: SpeedBand) -> int:
    return round(band.speed_m_s / BAND_WIDTH_M_S)


def band_baseline(runs: Sequence[Session], measure: Measure, min_runs: int) -> dict[int, float]:
    """Median of ``measure`` per speed band over ``runs``; bands with >= ``min_runs`` runs."""
    per_band: dict[int, list[float]] = {}
    for s in runs:
        for band in s.form.bands if s.form is not None else ():
            value = getattr(band, measure)
            if value is not None:
                per_band.setdefault(_band_key(band), []).append(value)
    return {k: statistics.median(v) for k, v in per_band.items() if len(v) >= min_runs}


def compare(runs: Sequence[Session], baseline: Mapping[int, float],
            measure: Measure) -> Comparison | None:
    """Compare ``runs`` with ``baseline`` band by band; None without shared bands."""
    w = ratio = own = base = speed = 0.0
    for s in runs:
        for band in s.form.bands if s.form is not None else ():
            value, ref = getattr(band, measure), baseline.get(_band_key(band))
            if value is None or ref is None or ref <= 0:
                continue
            w += band.seconds
            ratio += band.seconds * value / ref
            own += band.seconds * value
            base += band.seconds * ref
            speed += band.seconds * (band.speed_m_s + BAND_WIDTH_M_S / 2)
    if w <= 0:
        return None
    return Comparison(ratio / w, 100.0 * (ratio / w - 1.0), w, own / w, base / w, speed / w)


def _pace(speed_m_s: float) -> str:
    sec = round(1000.0 / speed_m_s)
    return f"{sec // 60}:{sec % 60:02d} min/km"


@dataclass(frozen=True, slots=True)
class _Spec:
    key: str
    measure: Measure
    threshold: str
    sign: float
    source: str
    noun: str


_CADENCE: Final = _Spec("cadence", "cadence_spm", "cadence.low_pct", -1.0,
                        "heiderscheit2011", "cadence")
_STEP: Final = _Spec("step_length", "step_length_m", "stride.long_pct", 1.0,
                     "lieberman2015", "step length")


def _fmt(spec: _Spec, value: float) -> str:
    return f"{value:.0f} steps/min" if spec.measure == "cadence_spm" else f"{value:.2f} m"


def _advice(spec: _Spec, cmp: Comparison, th: Mapping[str, float], flagged: bool) -> str:
    inc = th["cadence.increase_pct"]
    if not flagged:
        return ("Nothing to change. A small, gradual cadence increase (about "
                f"{inc:.0f}% over your own) is an option if you want to shift load away from "
                "knees and hips; there is no single ideal cadence for everyone.")
    own_cad = cmp.own if spec.measure == "cadence_spm" else None
    extra = (f" (about {own_cad * inc / 100:.0f} more steps/min than your own "
             f"{own_cad:.0f} at around {_pace(cmp.speed_m_s)})" if own_cad else "")
    lead = ("Try slightly shorter, quicker steps: " if spec.measure == "step_length_m"
            else "Consider ")
    return (f"{lead}raising your cadence by about {inc:.0f}%{extra}, introduced gradually, "
            "for example with a metronome on part of easy runs. Aim to land with your foot "
            "closer under your body. This is about your own cadence, not a target number.")


def _explain(spec: _Spec, cmp: Comparison, th: Mapping[str, float], level: Level) -> str:
    limit = th[spec.threshold]
    text = (f"On your runs of the last {th['form.recent_days']:.0f} days, your {spec.noun} at "
            f"around {_pace(cmp.speed_m_s)} was {_fmt(spec, cmp.own)}, {cmp.pct:+.1f}% against "
            f"your own usual {_fmt(spec, cmp.base)} at the same speeds.")
    if level is Level.WATCH and spec.sign < 0:
        text += (f" That is more than {limit:.0f}% lower than usual. Lower cadence means "
                 "longer steps and harder landings (lab studies; weak evidence for injury).")
    elif level is Level.WATCH:
        text += (f" That is more than {limit:.0f}% longer than usual at the same speed, which "
                 "can mean overstriding: landing with the foot far ahead of the body goes with "
                 "larger braking forces (lab evidence, weak).")
    return text


def _missing(spec: _Spec, th: Mapping[str, float], text: str) -> Signal:
    return Signal(key=spec.key, level=Level.OK, value=None, unit="%",
                  threshold=spec.sign * th[spec.threshold], threshold_name=spec.threshold,
                  explanation=text, advice="Nothing to do yet.", source_key=spec.source)


def _signal(spec: _Spec, history: TrainingHistory, th: Mapping[str, float]) -> Signal:
    recent_days, base_days = int(th["form.recent_days"]), int(th["form.baseline_days"])
    first = history.as_of - timedelta(days=recent_days - 1)
    recent = history.sessions_in(first, history.as_of, runs_only=True)
    earlier = history.sessions_in(first - timedelta(days=base_days), first - timedelta(days=1),
                                  runs_only=True)
    baseline = band_baseline(earlier, spec.measure, int(th["form.min_baseline_runs"]))
    cmp = compare(recent, baseline, spec.measure)
    if cmp is None:
        return _missing(spec, th, f"Not enough {spec.noun} data at comparable speeds: needs "
                        f"runs in the last {recent_days} days and at least "
                        f"{th['form.min_baseline_runs']:.0f} earlier runs at similar speeds.")
    limit = spec.sign * th[spec.threshold]
    # held as ratios against 1 -/+ pct/100, so a value exactly at the threshold is ok
    bound = 1.0 + spec.sign * th[spec.threshold] / 100.0
    level = level_above(spec.sign * cmp.ratio, spec.sign * bound)
    return Signal(key=spec.key, level=level, value=cmp.pct, unit="%", threshold=limit,
                  threshold_name=spec.threshold, source_key=spec.source, on=history.as_of,
                  explanation=_explain(spec, cmp, th, level),
                  advice=_advice(spec, cmp, th, level is Level.WATCH))


def _ever(history: TrainingHistory, measure: Measure) -> bool:
    return any(getattr(b, measure) is not None
               for s in history.runs if s.form is not None for b in s.form.bands)


def signals(history: TrainingHistory, th: Mapping[str, float]) -> list[Signal]:
    """``cadence`` and ``step_length``, each omitted when no run ever had it."""
    return [_signal(spec, history, th) for spec in (_CADENCE, _STEP)
            if _ever(history, spec.measure)]
