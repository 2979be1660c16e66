"""Parse throughput of parse_gpx and parse_tcx over the shared GPX/TCX files.

Usage: ``.venv/bin/python bench/bench_xml.py [ACTIVITIES_DIR]``

Files are loaded into memory first; each set is parsed in full three times after
one warm-up pass, in this one thread, and the best pass is reported as MB/s
(10^6 bytes per second, the unit of PARSER_BENCHMARK.csv). The malformed TCX is
left out, as in PARSER_BENCHMARK.csv. Files a parser rejects on purpose (GPX
with waypoints only or placeholder times) are still timed: rejecting them is
part of the work.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from backstride.domain.activity import Activity
from backstride.errors import ActivityFileError
from backstride.importers.gpx import parse_gpx
from backstride.importers.tcx import parse_tcx

DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "activities"


def _load(root: Path, suffix: str) -> list[tuple[str, bytes]]:
    files = sorted(p for p in root.rglob(f"*{suffix}") if "malformed" not in p.parts)
    return [(str(p.relative_to(root)), p.read_bytes()) for p in files]


def _pass(parse: Callable[..., list[Activity]], files: list[tuple[str, bytes]]) -> int:
    n_points = 0
    for name, data in files:
        with contextlib.suppress(ActivityFileError):
            n_points += sum(a.streams.n_samples for a in parse(data, source=name))
    return n_points


def bench(label: str, parse: Callable[..., list[Activity]], files: list[tuple[str, bytes]]) -> None:
    size = sum(len(d) for _, d in files)
    points = _pass(parse, files)  # warm-up
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        _pass(parse, files)
        best = min(best, time.perf_counter() - t0)
    print(
        f"{label}: {len(files)} files, {size / 1e6:.1f} MB, {points} samples, "
        f"best of 3 {best:.3f} s, {size / 1e6 / best:.1f} MB/s"
    )


def main() -> None:
    logging.disable(logging.WARNING)  # per-file warnings are not what is measured
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(
        os.environ.get("BACKSTRIDE_ACTIVITIES_DIR", DEFAULT_DIR)
    )
    bench("parse_gpx", parse_gpx, _load(root, ".gpx"))
    bench("parse_tcx", parse_tcx, _load(root, ".tcx"))


if __name__ == "__main__":
    main()
