"""Benchmark: every training signal of a 10-year, 3,000-run history *from the store*.

Fills a fresh SQLite database with the synthetic history of ``bench_signals.py``
(3,000 runs plus ~500 cross-training sessions over 10 years, each with stored
form and terrain metrics as the import writes them), then times what
``backstride risks`` does after opening the store:

* ``load_sessions``: one query over ``activities`` + ``activity_metrics`` and the
  JSON decoding of the metrics into Session objects;
* ``compute_signals``: loads, daily/ISO-week series, EWMAs and every signal family;
* ``current_signals``: both, plus the metrics check and the weekly rows.

Rows are inserted directly (no streams), which is what the analysis reads. The
target is under 1 s. Reported: the median of ``--repeat`` runs.

Run: ``.venv/bin/python bench/bench_risks.py [--runs 3000] [--years 10] [--repeat 7]``
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backstride.analysis import current_signals
from backstride.domain.signals import compute_signals
from backstride.domain.thresholds import Thresholds
from backstride.domain.training import Session
from backstride.settings import Settings
from backstride.storage.analysis import load_sessions
from backstride.storage.metrics import ActivityMetrics, metrics_row
from backstride.storage.schema import ActivityRow
from backstride.storage.store import Store


def _synthetic_history() -> Callable[..., tuple[list[Session], Any]]:
    path = Path(__file__).with_name("bench_signals.py")
    spec = importlib.util.spec_from_file_location("bench_signals", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn: Callable[..., tuple[list[Session], Any]] = module.synthetic_history
    return fn


def fill(store: Store, sessions: list[Session]) -> None:
    """Insert one activity row and one metrics row per session."""
    now = datetime.now(UTC)
    with store.session(write=True) as db, db.begin():
        rows = []
        for s in sessions:
            rows.append(ActivityRow(
                fingerprint=f"bench-{s.id:08d}", source_name=f"bench/{s.id}.fit",
                source_format="fit", sport=s.sport.value, start_utc=s.start_utc,
                utc_offset_s=s.utc_offset_s, device="bench", gear=s.gear, name=None,
                leg_index=0, elapsed_s=s.elapsed_s, moving_s=s.moving_s,
                distance_m=s.distance_m, ascent_m=s.ascent_m, descent_m=s.descent_m,
                avg_hr_bpm=s.avg_hr_bpm, avg_cadence_spm=None, avg_power_w=None,
                has_running_dynamics=s.form is not None, n_samples=0, warnings=[],
                imported_at=now,
            ))
        db.add_all(rows)
        db.flush()
        db.add_all(metrics_row(row.id, ActivityMetrics(s.form, s.terrain, s.max_hr_bpm))
                   for row, s in zip(rows, sessions, strict=True))


def _median_s(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    sessions, as_of = _synthetic_history()(args.runs, args.years)
    th = Thresholds()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        settings = Settings(home=home, database_url=f"sqlite:///{home / 'bench.sqlite3'}")
        with Store.open(settings) as store:
            t0 = time.perf_counter()
            fill(store, sessions)
            fill_s = time.perf_counter() - t0
            loaded = load_sessions(store)
            assert len(loaded) == len(sessions)
            # ids come from the database; metrics are stored to 6 significant digits
            assert [(s.id, s.start_utc, s.distance_m, s.gear) for s in loaded] == [
                (i + 1, s.start_utc, s.distance_m, s.gear) for i, s in enumerate(sessions)]
            assert all((a.form is None) == (b.form is None) for a, b in zip(loaded, sessions,
                                                                            strict=True))

            load_s = _median_s(lambda: load_sessions(store), args.repeat)
            signals_s = _median_s(lambda: compute_signals(loaded, as_of, th), args.repeat)
            both_s = _median_s(lambda: compute_signals(load_sessions(store), as_of, th),
                               args.repeat)
            app_s = _median_s(lambda: current_signals(store, as_of=as_of), args.repeat)
            n_signals = len(current_signals(store, as_of=as_of).signals)

    n_runs = sum(s.is_run for s in sessions)
    print(f"history: {n_runs} runs + {len(sessions) - n_runs} cross-training sessions over "
          f"{args.years} years (as of {as_of}); stored in {fill_s:.2f} s")
    print(f"median of {args.repeat}:")
    print(f"  load_sessions (SQL + JSON metrics -> Session) {load_s * 1000:8.1f} ms")
    print(f"  compute_signals                               {signals_s * 1000:8.1f} ms")
    print(f"  load_sessions + compute_signals               {both_s * 1000:8.1f} ms")
    print(f"  current_signals (+ metrics check, weeks)      {app_s * 1000:8.1f} ms "
          f"({n_signals} signals)")
    print(f"target < 1000 ms: {'met' if app_s < 1.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
