"""FIT decode throughput: backstride's decoder against fitdecode and fitfast.

Usage: ``.venv/bin/python bench/bench_fit.py [--activities DIR] [--fitdecode-passes N]``

The ``fit_all`` set is the one of PARSER_BENCHMARK.csv: the FIT files outside
``malformed/`` that fitdecode, fitparse and fitfast all decode without error
according to PARSERS.csv (26 files, 10,465,235 bytes). Files are loaded into
memory first; every decoder then runs one warm-up pass and the best of three
full passes is reported in MB/s (10^6 bytes per second), in this one thread
and process, so the ratios compare like with like.

* ``backstride.decode``: :func:`backstride.fit.decode.decode`, bytes to one
  table of numpy columns per message type (every field of every message,
  sub-fields and components expanded, CRC checked).
* ``backstride.parse_fit``: the importer on top (Activities with streams).
* ``fitfast.records``: fitfast's record columns (its fastest path, the row of
  PARSER_BENCHMARK.csv); ``fitfast.parse``: all messages as dicts.
* ``fitdecode``: iterating every frame of a ``FitReader`` (default options).
  It runs at ~0.3 MB/s, so one pass takes ~30 s; ``--fitdecode-passes 1``
  skips its warm-up and repeats.

The four largest files are also timed one at a time (``big_fit_0`` to ``_3``).
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import platform
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from backstride.fit.decode import decode
from backstride.importers.fit import parse_fit

_DEFAULT_DIR = Path(
    os.environ.get("BACKSTRIDE_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared")
) / "data" / "activities"

EXPECTED_BYTES = 10_465_235
PEERS_WITHOUT_ERROR = ("fitdecode", "fitparse", "fitfast")


def fit_all_files(activities: Path) -> list[str]:
    """The ``fit_all`` set of PARSER_BENCHMARK.csv, from PARSERS.csv."""
    with (activities / "PARSERS.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    files = sorted({r["file"] for r in rows if r["file"].endswith(".fit")})
    failing = {r["file"] for r in rows if r["parser"] in PEERS_WITHOUT_ERROR and r["error"]}
    return [f for f in files if f not in failing and "/malformed/" not in f"/{f}"]


def best_of(run: Callable[[list[bytes]], object], datas: list[bytes], passes: int,
            warm_up: bool = True) -> float:
    """Best wall time [s] of ``passes`` full passes (after one warm-up pass)."""
    if warm_up:
        run(datas)
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        run(datas)
        best = min(best, time.perf_counter() - start)
    return best


def run_decode(datas: list[bytes]) -> None:
    for data in datas:
        decode(data)


def run_parse_fit(datas: list[bytes]) -> None:
    for data in datas:
        parse_fit(data, source="bench")


def run_fitfast_records(datas: list[bytes]) -> None:
    import fitfast

    for data in datas:
        fitfast.records(data)


def run_fitfast_parse(datas: list[bytes]) -> None:
    import fitfast

    for data in datas:
        fitfast.parse(data)


def run_fitdecode(datas: list[bytes]) -> None:
    import fitdecode

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for data in datas:
            with fitdecode.FitReader(data) as reader:
                for _frame in reader:
                    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=Path, default=_DEFAULT_DIR)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--fitdecode-passes", type=int, default=3,
                        help="1 = a single pass without warm-up (fitdecode takes ~30 s a pass)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the importer logs survived damage; not timed output

    files = fit_all_files(args.activities)
    datas = [(args.activities / f).read_bytes() for f in files]
    total = sum(len(d) for d in datas)
    print(f"fit_all: {len(files)} files, {total:,} bytes"
          + ("" if total == EXPECTED_BYTES else f" (PARSER_BENCHMARK.csv: {EXPECTED_BYTES:,})"))
    print(f"Python {platform.python_version()}, {platform.machine()}, one thread\n")

    contenders: list[tuple[str, Callable[[list[bytes]], None], int, bool]] = [
        ("backstride.decode", run_decode, args.passes, True),
        ("backstride.parse_fit", run_parse_fit, args.passes, True),
        ("fitfast.records", run_fitfast_records, args.passes, True),
        ("fitfast.parse", run_fitfast_parse, args.passes, True),
        ("fitdecode", run_fitdecode, args.fitdecode_passes, args.fitdecode_passes > 1),
    ]
    rates: dict[str, float] = {}
    print(f"{'set':10s} {'decoder':22s} {'best s':>8s} {'MB/s':>8s}")
    for name, run, passes, warm in contenders:
        seconds = best_of(run, datas, passes, warm)
        rates[name] = total / seconds / 1e6
        print(f"{'fit_all':10s} {name:22s} {seconds:8.3f} {rates[name]:8.2f}", flush=True)

    ours = rates["backstride.decode"]
    print(f"\nbackstride.decode / fitfast.records = {ours / rates['fitfast.records']:.2f}x")
    print(f"backstride.decode / fitfast.parse   = {ours / rates['fitfast.parse']:.2f}x")
    print(f"backstride.decode / fitdecode       = {ours / rates['fitdecode']:.0f}x")
    importer = rates["backstride.parse_fit"]
    print(f"backstride.parse_fit / fitdecode    = {importer / rates['fitdecode']:.0f}x")

    print()
    big = sorted(zip(datas, files, strict=True), key=lambda x: -len(x[0]))[:4]
    for i, (data, name) in enumerate(big):
        for label, run in (("backstride.decode", run_decode),
                           ("fitfast.records", run_fitfast_records)):
            seconds = best_of(run, [data], args.passes)
            print(f"big_fit_{i:<2d} {label:22s} {seconds:8.3f} {len(data) / seconds / 1e6:8.2f}"
                  f"  {name}")


if __name__ == "__main__":
    main()
