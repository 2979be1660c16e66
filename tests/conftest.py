"""Shared fixtures: the real activity files in ../shared/data/activities.

Tests that need them skip with a clear reason when the folder is absent, except
under CI (``CI=true``), where its absence is a failure.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("BACKSTRIDE_SHARED_DIR", REPO_ROOT.parent / "shared"))
ACTIVITIES_DIR = SHARED_DIR / "data" / "activities"


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def activities_dir() -> Path:
    """The shared real activity files; skip (or fail under CI) when absent."""
    if not (ACTIVITIES_DIR / "REFERENCE.csv").is_file():
        _missing(f"shared activity files not found at {ACTIVITIES_DIR}")
    return ACTIVITIES_DIR


@dataclass(frozen=True)
class ReferenceRow:
    """One row of REFERENCE.csv (values from peer parsers)."""

    file: str
    format: str
    sport: str
    start_utc: str
    elapsed_s: float | None
    distance_m: float | None
    n_records: int | None
    avg_cadence_spm: float | None
    ascent_m: float | None
    avg_hr: float | None
    has_running_dynamics: bool
    notes: str

    @property
    def malformed(self) -> bool:
        return "/malformed/" in f"/{self.file}"


def _num(text: str) -> float | None:
    return float(text) if text.strip() else None


@pytest.fixture(scope="session")
def reference_rows(activities_dir: Path) -> list[ReferenceRow]:
    """Every row of REFERENCE.csv."""
    with (activities_dir / "REFERENCE.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        ReferenceRow(
            file=r["file"], format=r["format"], sport=r["sport"], start_utc=r["start_utc"],
            elapsed_s=_num(r["elapsed_s"]), distance_m=_num(r["distance_m"]),
            n_records=int(r["n_records"]) if r["n_records"] else None,
            avg_cadence_spm=_num(r["avg_cadence_spm"]), ascent_m=_num(r["ascent_m"]),
            avg_hr=_num(r["avg_hr"]), has_running_dynamics=r["has_running_dynamics"] == "True",
            notes=r["notes"],
        )
        for r in rows
    ]
