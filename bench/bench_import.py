"""Benchmark: a 10-year archive (~3,000 runs) imported cold into a fresh SQLite database.

The archive is built by time-shifting the real running files of the shared set
(FIT, GPX, TCX; multisport files and malformed files left out) so that runs fall
on ~82% of the days of ten years, in a folder per year, a quarter of them gzipped.
Targets (issue 2): under 60 s on the 2-core machine, peak memory under 1 GiB.

The import runs as the real command (``backstride import ARCHIVE --json``) in a
subprocess; wall time is measured around it, peak memory is the largest resident
set of that process and of any of its worker processes (``RUSAGE_CHILDREN``).
It then times single-thread parsing per format over the same archive (MB/s).

Usage::

    .venv/bin/python bench/bench_import.py [--runs 3000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timeshift import shift_fit, shift_xml_times

from backstride.importers.read import read_source
from backstride.importers.source import Source
from backstride.settings import ImportLimits

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BACKSTRIDE_SHARED_DIR", REPO.parent / "shared"))
ACTIVITIES = SHARED / "data" / "activities"
END = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)


def running_files() -> list[tuple[str, bytes, datetime]]:
    """Real single-sport running files with their recorded start (from REFERENCE.csv)."""
    out = []
    with (ACTIVITIES / "REFERENCE.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if "malformed" in row["file"] or not row["start_utc"]:
                continue
            if not row["sport"].startswith("running") or "+" in row["sport"]:
                continue
            start = datetime.fromisoformat(row["start_utc"].replace("Z", "+00:00"))
            out.append((row["file"], (ACTIVITIES / row["file"]).read_bytes(), start))
    return out


def build_archive(folder: Path, n_runs: int) -> tuple[int, Counter[str]]:
    """Write ``n_runs`` time-shifted copies; returns (bytes written, files per format)."""
    files = running_files()
    days = 3650
    total = 0
    formats: Counter[str] = Counter()
    for i in range(n_runs):
        name, data, start = files[i % len(files)]
        day = int(i * days / n_runs)
        target = END - timedelta(days=days - day)
        target = target.replace(hour=6 + (i % 12), minute=0, second=0)
        delta = int((target - start).total_seconds())
        ext = Path(name).suffix.lower()
        if ext == ".fit":
            delta -= delta % 32
            shifted = shift_fit(data, delta)
        else:
            shifted = shift_xml_times(data, delta)
            assert isinstance(shifted, bytes)
        year_dir = folder / str(target.year)
        year_dir.mkdir(parents=True, exist_ok=True)
        out_name = f"{target:%Y-%m-%d}-{i:05d}{ext}"
        if i % 4 == 3:
            shifted = gzip.compress(shifted, compresslevel=6)
            out_name += ".gz"
        (year_dir / out_name).write_bytes(shifted)
        total += len(shifted)
        formats[ext.lstrip(".")] += 1
    return total, formats


def cold_import(archive: Path, home: Path) -> tuple[float, float, Counter[str]]:
    """Run the real CLI import; returns (seconds, peak RSS MiB, statuses)."""
    env = {**os.environ, "BACKSTRIDE_HOME": str(home)}
    env.pop("BACKSTRIDE_DATABASE_URL", None)
    exe = Path(sys.executable).with_name("backstride")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(exe), "import", "--json", str(archive)],
        env=env, capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    statuses = Counter(json.loads(line)["status"] for line in proc.stdout.splitlines() if line)
    if proc.returncode not in (0, 1):
        print(proc.stderr[-2000:])
    return seconds, peak_kib / 1024, statuses


def parse_throughput(archive: Path) -> dict[str, float]:
    """Single-thread read_source MB/s per format over the archive's plain files."""
    limits = ImportLimits()
    by_format: dict[str, list[Path]] = {}
    for path in sorted(archive.rglob("*")):
        if path.is_file() and not path.name.endswith(".gz"):
            by_format.setdefault(path.suffix.lstrip("."), []).append(path)
    result = {}
    for fmt, paths in sorted(by_format.items()):
        blobs = [(p.name, p.read_bytes()) for p in paths[:400]]
        size = sum(len(b) for _, b in blobs)
        t0 = time.perf_counter()
        for name, blob in blobs:
            read_source(Source(name, blob), limits)
        result[fmt] = size / 1e6 / (time.perf_counter() - t0)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("--keep", type=Path, help="build the archive here and keep it")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # per-file import warnings are not the subject here
    work = Path(tempfile.mkdtemp(prefix="backstride-bench-"))
    archive = args.keep or work / "archive"
    try:
        if not (archive.is_dir() and any(archive.iterdir())):
            t0 = time.perf_counter()
            size, formats = build_archive(archive, args.runs)
            print(f"built {args.runs} files ({dict(formats)}), {size / 1e6:.0f} MB "
                  f"in {time.perf_counter() - t0:.1f} s")
        size = sum(p.stat().st_size for p in archive.rglob("*") if p.is_file())
        seconds, peak_mib, statuses = cold_import(archive, work / "home")
        db = work / "home" / "backstride.sqlite3"
        print(f"cold import: {seconds:.1f} s ({size / 1e6 / seconds:.1f} MB/s of files), "
              f"peak RSS {peak_mib:.0f} MiB, statuses {dict(statuses)}, "
              f"database {db.stat().st_size / 1e6:.0f} MB")
        for fmt, mbs in parse_throughput(archive).items():
            print(f"parse {fmt}: {mbs:.1f} MB/s (one thread, read_source incl. summaries)")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            shutil.rmtree(work / "home", ignore_errors=True)


if __name__ == "__main__":
    main()
