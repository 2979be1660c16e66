"""The demo runner's year, imported once per test session into a SQLite home.

``demo_db`` writes the synthetic Strava-style export (real FIT files) ending on
``DemoYear.end`` and imports it through the real import pipeline; tests never
change it. ``demo_home`` gives each test its own copy, set as ``BACKSTRIDE_HOME``;
``demo`` holds the dates of the storylines.

Storylines of that year (see :mod:`backstride.demo.synthetic`): a single-run spike
on ``spike_day`` (1.7 x the longest run of the 30 days before), a four-week hill
block from ``hill_start`` to ``hill_end``, a change of shoes after about 790 km,
and running dynamics on every run.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from backstride.demo.export import write_demo_export
from backstride.demo.synthetic import HILL_BLOCK_DAYS
from backstride.demo.synthetic import SPIKE_DAY as SPIKE_DAYS_BEFORE
from backstride.ingest import import_paths
from backstride.settings import ImportLimits, Settings
from backstride.storage.store import Store

DEMO_END = date(2025, 6, 1)


@dataclass(frozen=True)
class DemoYear:
    """Where the demo storylines sit, and how much was imported."""

    end: date = DEMO_END
    spike_day: date = DEMO_END - timedelta(days=SPIKE_DAYS_BEFORE)
    hill_start: date = DEMO_END - timedelta(days=HILL_BLOCK_DAYS[0])
    hill_end: date = DEMO_END - timedelta(days=HILL_BLOCK_DAYS[1])
    activities: int = 247
    runs: int = 202
    pairs: tuple[str, str] = ("Stridemaster 3 (grey)", "Stridemaster 4 (blue)")


@pytest.fixture(scope="session")
def demo() -> DemoYear:
    """The demo year's storyline dates."""
    return DemoYear()


def demo_settings(home: Path) -> Settings:
    """Settings of a SQLite home."""
    return Settings(home=home, database_url=f"sqlite:///{home / 'backstride.sqlite3'}")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home folder whose SQLite database holds the imported demo year (read-only)."""
    root = tmp_path_factory.mktemp("demo")
    export = write_demo_export(root / "export", end=DEMO_END)
    home = root / "home"
    with Store.open(demo_settings(home)) as store:
        outcomes = list(import_paths(store, [export], ImportLimits(), workers=2))
    assert [o.status for o in outcomes] == ["imported"] * DemoYear.activities
    return home


@pytest.fixture
def demo_home(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo home, set as BACKSTRIDE_HOME for the CLI."""
    home = tmp_path / "home"
    shutil.copytree(demo_db, home)
    monkeypatch.setenv("BACKSTRIDE_HOME", str(home))
    monkeypatch.delenv("BACKSTRIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return home
