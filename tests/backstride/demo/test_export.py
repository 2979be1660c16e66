"""Strava-style demo export: CSV, FIT files that fitdecode reads, storylines in the files.

fitdecode needs about 0.2 s per hour of 1 Hz records, so the FIT checks read a
chosen sample (one file of every kind plus the runs around the spike and the
hill block), not all ~250 files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import fitdecode
import numpy as np
import pytest

from backstride.demo.export import CSV_COLUMNS, activity_fit_bytes, strava_date, write_demo_export
from backstride.demo.synthetic import SyntheticActivity, SyntheticYear, synthetic_year
from backstride.domain.activity import Sport
from backstride.domain.elevation import ascent_descent

END = date(2025, 6, 1)
SEED = 7


@dataclass
class Decoded:
    """One FIT file as fitdecode reads it."""

    messages: list[tuple[str, dict[str, Any]]]

    def all(self, name: str) -> list[dict[str, Any]]:
        return [v for n, v in self.messages if n == name]

    def one(self, name: str) -> dict[str, Any]:
        (only,) = self.all(name)
        return only

    def column(self, name: str) -> np.ndarray:
        return np.array([np.nan if r.get(name) is None else r[name] for r in self.all("record")],
                        dtype=np.float64)


def decode(data: bytes) -> Decoded:
    """Strict decode: CRC mismatches and parse errors raise, warnings fail the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.RAISE,
        ) as reader:
            return Decoded([(f.name, {fd.name: fd.value for fd in f.fields})
                            for f in reader if isinstance(f, fitdecode.FitDataMessage)])


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("strava") / "export"
    assert write_demo_export(folder, seed=SEED, end=END) == folder
    return folder


@pytest.fixture(scope="module")
def year() -> SyntheticYear:
    return synthetic_year(END, seed=SEED)


@pytest.fixture(scope="module")
def rows(export: Path) -> list[dict[str, str]]:
    with (export / "activities.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        return list(reader)


_cache: dict[Path, Decoded] = {}


def read(export: Path, activity: SyntheticActivity) -> Decoded:
    path = export / "activities" / f"{activity.activity_id}.fit"
    if path not in _cache:
        _cache[path] = decode(path.read_bytes())
    return _cache[path]


def sample(year: SyntheticYear) -> list[SyntheticActivity]:
    """One activity of every kind (first of each) plus the spike run."""
    seen: dict[str, SyntheticActivity] = {}
    for a in year.activities:
        seen.setdefault(a.kind, a)
    return list(seen.values())


# ------------------------------------------------------------------------ CSV


def test_csv_lists_every_file(export: Path, rows: list[dict[str, str]],
                              year: SyntheticYear) -> None:
    files = sorted(p.name for p in (export / "activities").iterdir())
    assert len(rows) == len(files) == len(year.activities)
    assert sorted(Path(r["Filename"]).name for r in rows) == files
    for row, a in zip(rows, year.activities, strict=True):
        assert row["Filename"] == f"activities/{row['Activity ID']}.fit"
        assert row["Activity ID"] == str(a.activity_id)
        assert row["Activity Name"] == a.name
        assert row["Activity Type"] == {Sport.RUNNING: "Run", Sport.CYCLING: "Ride",
                                        Sport.SWIMMING: "Swim", Sport.WALKING: "Walk"}[a.sport]
        assert row["Activity Gear"] == (a.gear or "")
        parsed = datetime.strptime(row["Activity Date"], "%b %d, %Y, %I:%M:%S %p")
        assert parsed.replace(tzinfo=UTC) == a.start_utc


def test_strava_date_format() -> None:
    assert strava_date(datetime(2025, 3, 5, 6, 41, 7, tzinfo=UTC)) == "Mar 5, 2025, 6:41:07 AM"
    assert strava_date(datetime(2025, 3, 5, 12, 0, 0, tzinfo=UTC)) == "Mar 5, 2025, 12:00:00 PM"
    assert strava_date(datetime(2025, 3, 5, 0, 5, 0, tzinfo=UTC)) == "Mar 5, 2025, 12:05:00 AM"


def test_csv_shows_one_shoe_change(rows: list[dict[str, str]], year: SyntheticYear) -> None:
    pair1, pair2 = year.runner.shoes
    gears = [r["Activity Gear"] for r in rows if r["Activity Type"] == "Run"]
    change = gears.index(pair2)
    assert change > 50
    assert set(gears[:change]) == {pair1} and set(gears[change:]) == {pair2}
    assert {r["Activity Gear"] for r in rows if r["Activity Type"] == "Ride"} == {year.runner.bike}
    assert {r["Activity Gear"] for r in rows if r["Activity Type"] in ("Swim", "Walk")} == {""}


# ------------------------------------------------------------------ FIT files


def test_sample_files_decode_and_carry_the_streams(export: Path, year: SyntheticYear) -> None:
    for a in sample(year):
        f = read(export, a)
        names = [n for n, _ in f.messages]
        assert names[0] == "file_id" and names[-1] == "activity"
        assert f.one("file_id")["type"] == "activity"
        events = f.all("event")
        assert [(e["event"], e["event_type"]) for e in events] == [
            ("timer", "start"), ("timer", "stop_all")]
        s = a.streams
        ts = f.all("record")
        assert len(ts) == s.n_samples
        assert ts[0]["timestamp"] == a.start_utc
        np.testing.assert_allclose(f.column("distance"), s["distance_m"], atol=1e-6)
        np.testing.assert_allclose(f.column("enhanced_speed"), s["speed_m_s"], atol=1e-9)
        if a.sport is Sport.SWIMMING:
            assert "position_lat" not in ts[0]
            continue
        np.testing.assert_array_equal(f.column("heart_rate"), s["heart_rate_bpm"])
        np.testing.assert_allclose(f.column("enhanced_altitude"), s["altitude_m"], atol=1e-9)
        lat = f.column("position_lat") * 180 / 2**31
        np.testing.assert_allclose(lat, s["latitude_deg"], atol=1e-9)
        if "cadence_spm" in s:
            steps = 2 * (f.column("cadence") + f.column("fractional_cadence"))
            np.testing.assert_allclose(steps, s["cadence_spm"], atol=1e-9)
        if a.sport.is_running:
            for field, channel in [("stance_time", "ground_contact_time_ms"),
                                   ("stance_time_balance", "ground_contact_balance_pct"),
                                   ("vertical_oscillation", "vertical_oscillation_mm"),
                                   ("vertical_ratio", "vertical_ratio_pct"),
                                   ("step_length", "step_length_mm"), ("power", "power_w")]:
                np.testing.assert_allclose(f.column(field), s[channel], atol=1e-9)


def test_session_totals_match_records(export: Path, year: SyntheticYear) -> None:
    for a in sample(year):
        f = read(export, a)
        session = f.one("session")
        records = f.all("record")
        elapsed = (records[-1]["timestamp"] - records[0]["timestamp"]).total_seconds()
        assert session["start_time"] == records[0]["timestamp"]
        assert session["total_elapsed_time"] == elapsed == session["total_timer_time"]
        assert session["total_distance"] == pytest.approx(records[-1]["distance"], abs=0.01)
        assert session["sport"] == {Sport.RUNNING: "running", Sport.CYCLING: "cycling",
                                    Sport.SWIMMING: "swimming", Sport.WALKING: "walking"}[a.sport]
        activity = f.one("activity")
        assert activity["num_sessions"] == 1
        offset = timedelta(seconds=a.utc_offset_s)
        assert activity["local_timestamp"] == activity["timestamp"] + offset
        laps = f.all("lap")
        assert session["num_laps"] == len(laps)
        assert sum(lap["total_distance"] for lap in laps) == pytest.approx(
            session["total_distance"], abs=0.02 * len(laps))
        assert sum(lap["total_elapsed_time"] for lap in laps) == elapsed
        if a.sport.is_running or a.sport is Sport.WALKING:
            assert len(laps) == int(np.ceil(session["total_distance"] / 1000 - 1e-6))
        else:
            assert len(laps) == 1
        if a.sport is Sport.SWIMMING:
            assert session["pool_length"] == 25.0
            continue
        hr = f.column("heart_rate")
        assert session["avg_heart_rate"] == round(float(hr.mean()))
        assert session["max_heart_rate"] == hr.max()
        updown = ascent_descent(f.column("enhanced_altitude"))
        assert updown is not None
        assert session["total_ascent"] == pytest.approx(updown[0], abs=0.5)
        assert session["total_descent"] == pytest.approx(updown[1], abs=0.5)
        if a.sport.is_running:
            strides = session["avg_running_cadence"] + session["avg_fractional_cadence"]
            steps = 2 * (f.column("cadence") + f.column("fractional_cadence"))
            assert 2 * strides == pytest.approx(steps.mean(), abs=1 / 64)
            assert session["avg_stance_time_balance"] == pytest.approx(
                f.column("stance_time_balance").mean(), abs=0.01)


def test_cadence_is_written_in_strides(export: Path, year: SyntheticYear) -> None:
    """CSV-independent: the files show about 79-86 strides/min (158-172 steps/min);
    hard uphill repeats reach about 89 strides/min."""
    for a in [x for x in sample(year) if x.sport.is_running]:
        f = read(export, a)
        strides = f.column("cadence") + f.column("fractional_cadence")
        lo, mid, hi = np.percentile(strides, [5, 50, 95])
        assert lo >= 77 and hi <= 91 and 79 <= mid <= 86, a.kind
        assert f.one("session")["avg_running_cadence"] in range(78, 87)


def test_storylines_are_in_the_files(export: Path, year: SyntheticYear) -> None:
    """Spike ratio and hill-block climbing, from the FIT sessions alone."""
    st = year.storylines
    window = [a for a in year.runs
              if st.hill_block[0] <= a.day <= st.spike_date]
    sessions = {a.day: read(export, a).one("session") for a in window}
    assert all(s["sport"] == "running" for s in sessions.values())
    spike = sessions[st.spike_date]["total_distance"]
    prior = max(s["total_distance"] for day, s in sessions.items()
                if st.spike_date - timedelta(days=30) <= day < st.spike_date)
    assert spike / prior == pytest.approx(1.7, abs=0.02)

    def ascent_per_km(days: list[date]) -> float:
        up = sum(sessions[d]["total_ascent"] for d in days)
        return up / (sum(sessions[d]["total_distance"] for d in days) / 1000)

    block = [d for d in sessions if st.hill_block[0] <= d <= st.hill_block[1]]
    after = [d for d in sessions if d > st.hill_block[1]]
    assert len(block) >= 12 and len(after) >= 6
    assert ascent_per_km(block) > 4 * ascent_per_km(after)
    assert ascent_per_km(block) > 15


def test_export_is_deterministic(export: Path, tmp_path: Path, year: SyntheticYear) -> None:
    again = write_demo_export(tmp_path / "again", seed=SEED, end=END)

    def digest(folder: Path) -> dict[str, str]:
        return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    assert digest(again) == digest(export)
    assert activity_fit_bytes(year.activities[0]) == (
        export / "activities" / f"{year.activities[0].activity_id}.fit").read_bytes()
