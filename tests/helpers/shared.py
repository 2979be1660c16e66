"""The shared real activity files, for parametrizing tests at collection time."""

from __future__ import annotations

import csv
from datetime import datetime

from tests.conftest import ACTIVITIES_DIR


def reference_files(fmt: str) -> list[str]:
    """File names of REFERENCE.csv rows of one format (a placeholder id when absent).

    Collection happens before fixtures run, so the ``activities_dir`` fixture that
    skips or fails is still what each test uses; this only names the cases.
    """
    ref = ACTIVITIES_DIR / "REFERENCE.csv"
    if not ref.is_file():
        return ["(shared files absent)"]
    with ref.open(newline="", encoding="utf-8") as fh:
        return [r["file"] for r in csv.DictReader(fh) if r["format"] == fmt]


def utc(text: str) -> datetime:
    """An ISO 8601 text with a ``Z`` suffix as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
