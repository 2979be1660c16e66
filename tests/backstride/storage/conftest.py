"""Storage fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``BACKSTRIDE_TEST_POSTGRES_URL`` (``make test`` starts one with
``scripts/pg-test-server.sh``). Without it the PostgreSQL half is skipped with the
reason, except under ``CI=true`` where it fails. Each test gets a clean schema.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from backstride.domain.activity import Activity, Lap, Sport, Streams, Summary
from backstride.settings import Settings
from backstride.storage.schema import metadata
from backstride.storage.store import Store

POSTGRES_URL = os.environ.get("BACKSTRIDE_TEST_POSTGRES_URL", "").strip()

ActivityFactory = Callable[..., Activity]


def _clean_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh, empty database of each backend."""
    home = tmp_path / "home"
    if request.param == "sqlite":
        return Settings(home=home, database_url=f"sqlite:///{home / 'test.sqlite3'}")
    if not POSTGRES_URL:
        reason = (
            "PostgreSQL tests need BACKSTRIDE_TEST_POSTGRES_URL "
            "(start a throwaway server with: bash scripts/pg-test-server.sh)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (required under CI=true)")
        pytest.skip(reason)
    _clean_postgres(POSTGRES_URL)
    return Settings(home=home, database_url=POSTGRES_URL)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """An open Store on a clean database."""
    opened = Store.open(settings)
    try:
        yield opened
    finally:
        opened.close()


T0 = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)


def build_activity(
    *,
    start: datetime | None = T0,
    elapsed_s: float = 1800.0,
    sport: Sport = Sport.RUNNING,
    speed_m_s: float = 3.0,
    leg_index: int = 0,
    source_format: str = "fit",
    utc_offset_s: int | None = 7200,
    gear: str | None = "Pegasus 40",
    laps: int = 2,
    seed: int = 0,
    running_dynamics: bool = True,
) -> Activity:
    """A plausible run: 1 Hz samples with HR, cadence, position, altitude, dynamics."""
    rng = np.random.default_rng(seed)
    n = int(elapsed_s) + 1
    t = np.arange(n, dtype=float)
    channels: dict[str, np.ndarray] = {
        "time_s": t,
        "distance_m": np.cumsum(np.full(n, speed_m_s)) - speed_m_s,
        "speed_m_s": speed_m_s + rng.normal(0, 0.1, n),
        "altitude_m": 300 + np.cumsum(rng.normal(0, 0.1, n)),
        "latitude_deg": 46.05 + np.cumsum(rng.normal(0, 1e-5, n)),
        "longitude_deg": 14.50 + np.cumsum(rng.normal(0, 1e-5, n)),
        "heart_rate_bpm": np.round(145 + 10 * np.sin(t / 300)),
        "cadence_spm": np.round(172 + rng.normal(0, 2, n)),
    }
    channels["heart_rate_bpm"][5:8] = np.nan  # dropouts survive the round trip
    if running_dynamics:
        channels["ground_contact_time_ms"] = np.round(250 + rng.normal(0, 5, n))
        channels["vertical_oscillation_mm"] = np.round(85 + rng.normal(0, 3, n), 1)
    lap_s = elapsed_s / max(laps, 1)
    return Activity(
        sport=sport,
        start_utc=start,
        summary=Summary(
            elapsed_s=elapsed_s,
            moving_s=elapsed_s - 10,
            distance_m=speed_m_s * (n - 1),
            ascent_m=42.0,
            descent_m=40.5,
            avg_hr_bpm=145.2,
            avg_cadence_spm=172.4,
        ),
        streams=Streams(channels),
        source_format=source_format,
        device="garmin/fenix5_plus",
        gear=gear,
        name="Morning Run",
        laps=tuple(
            Lap(
                start_utc=None if start is None else start.fromtimestamp(
                    start.timestamp() + i * lap_s, UTC
                ),
                elapsed_s=lap_s,
                timer_s=lap_s - 1,
                distance_m=speed_m_s * lap_s,
                avg_hr_bpm=145.0 + i,
                avg_cadence_spm=172.0,
            )
            for i in range(laps)
        ),
        leg_index=leg_index,
        utc_offset_s=utc_offset_s,
        warnings=("CRC mismatch (file kept)",),
    )


@pytest.fixture
def make_activity() -> ActivityFactory:
    """Factory of plausible activities (see :func:`build_activity`)."""
    return build_activity
