"""Benchmark: every training signal over a 10-year, 3,000-run history.

Builds a synthetic history of :class:`~backstride.domain.training.Session`
objects as the store would hand them over (summary totals plus stored form and
terrain metrics, shoe names, heart rate, some effort ratings, cross-training),
then times :func:`backstride.domain.signals.compute_signals` end to end: loads,
daily/ISO-week series, EWMAs and all signal families. The target is under 1 s.

Run: ``.venv/bin/python bench/bench_signals.py [--runs 3000] [--years 10] [--repeat 7]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import numpy as np

from backstride.domain.activity import Sport
from backstride.domain.form import FormMetrics, SpeedBand
from backstride.domain.load import build_history
from backstride.domain.signals import compute_signals, signals_from_history
from backstride.domain.terrain import TerrainMetrics
from backstride.domain.thresholds import Thresholds
from backstride.domain.training import Session

CROSS = (Sport.CYCLING, Sport.SWIMMING, Sport.WALKING, Sport.HIKING)


def _form(rng: np.random.Generator, speed: float) -> FormMetrics:
    bands = tuple(
        SpeedBand(round(v, 2), float(rng.uniform(60, 900)), float(150 + 8 * v + rng.normal(0, 2)),
                  float(v * 60 / (150 + 8 * v)))
        for v in np.arange(2.25, 4.5, 0.25)
    )
    return FormMetrics(steady_s=sum(b.seconds for b in bands), speed_m_s=speed,
                       cadence_spm=170.0, step_length_m=1.05, ground_contact_time_ms=250.0,
                       ground_contact_balance_pct=float(rng.normal(50, 0.8)),
                       vertical_oscillation_mm=float(rng.normal(85, 4)),
                       vertical_ratio_pct=float(rng.normal(8, 0.4)), max_hr_bpm=180.0,
                       bands=bands)


def _terrain(rng: np.random.Generator, km: float, climb: float) -> TerrainMetrics:
    hist = rng.exponential(30, 60)
    return TerrainMetrics(distance_m=km * 1000, ascent_m=climb, descent_m=climb,
                          moving_s=float(hist.sum()), grade_time_s=tuple(float(x) for x in hist),
                          steepest_up_pct=8.0, steepest_down_pct=-8.0)


def synthetic_history(runs: int, years: int, seed: int = 1) -> tuple[list[Session], date]:
    """``runs`` runs and ~1 cross-training session per 6 runs over ``years`` years."""
    rng = np.random.default_rng(seed)
    start = datetime(2015, 1, 1, 7, tzinfo=UTC)
    span_s = years * 365.25 * 86_400
    out: list[Session] = []
    n_cross = runs // 6
    offsets = np.sort(rng.uniform(0, span_s, runs + n_cross))
    is_run = rng.permutation(np.r_[np.ones(runs, bool), np.zeros(n_cross, bool)])
    for i, (off, run) in enumerate(zip(offsets.tolist(), is_run.tolist(), strict=True)):
        km = float(rng.gamma(4, 2.2)) if run else float(rng.uniform(5, 40))
        speed = float(rng.uniform(2.5, 4.2)) if run else 6.0
        minutes = km * 1000 / speed / 60
        climb = km * float(rng.uniform(0, 25))
        out.append(Session(
            id=i, sport=Sport.RUNNING if run else CROSS[i % len(CROSS)],
            start_utc=start + timedelta(seconds=off), utc_offset_s=3600,
            elapsed_s=minutes * 60 * 1.05, moving_s=minutes * 60, distance_m=km * 1000,
            ascent_m=climb, descent_m=climb, avg_hr_bpm=float(rng.uniform(125, 165)),
            max_hr_bpm=float(rng.uniform(160, 190)),
            rpe=float(rng.integers(2, 9)) if rng.random() < 0.3 else None,
            gear=f"pair {int(off // (span_s / 25))}" if run else None,
            form=_form(rng, speed) if run else None,
            terrain=_terrain(rng, km, climb),
        ))
    as_of = max(s.local_date for s in out)
    return out, as_of


def _time(fn: object, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sessions, as_of = synthetic_history(args.runs, args.years)
    th = Thresholds()
    signals = compute_signals(sessions, as_of, th)       # warm-up, and a sanity check
    history = build_history(sessions, as_of)
    total = _time(lambda: compute_signals(sessions, as_of, th), args.repeat)
    build = _time(lambda: build_history(sessions, as_of), args.repeat)
    sigs = _time(lambda: signals_from_history(history, th), args.repeat)
    print(f"history: {len(sessions)} sessions ({args.runs} runs), {history.span_days} days, "
          f"{len(history.weekly)} ISO weeks; {len(signals)} signals "
          f"({sum(s.level.rank > 0 for s in signals)} not ok)")
    print(f"compute_signals (all):   median {statistics.median(total) * 1000:7.1f} ms, "
          f"max {max(total) * 1000:7.1f} ms over {args.repeat} runs")
    print(f"  build_history:         median {statistics.median(build) * 1000:7.1f} ms")
    print(f"  signal families:       median {statistics.median(sigs) * 1000:7.1f} ms")
    print("target < 1000 ms:", "met" if max(total) < 1.0 else "NOT met")


if __name__ == "__main__":
    main()
