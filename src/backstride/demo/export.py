"""Write the synthetic demo year as a Strava-style bulk export folder.

Layout (as in a Strava "Download your data" archive, reduced to what backstride
reads)::

    <folder>/activities.csv        one row per activity
    <folder>/activities/<id>.fit   one FIT activity file per activity

``activities.csv`` columns: ``Activity ID``, ``Activity Date`` (UTC, Strava's
``"Mar 5, 2025, 6:41:07 AM"`` format), ``Activity Name``, ``Activity Type``
(``Run``/``Ride``/``Swim``/``Walk``), ``Filename`` (``activities/<id>.fit``) and
``Activity Gear`` (shoe or bike name, empty when none).

Every FIT file holds: ``file_id`` (type activity, manufacturer ``development``),
``device_info``, a timer start ``event``, one ``record`` per second, a timer stop
``event``, ``lap`` messages (one per full kilometre plus the remainder for runs and
walks, one lap for rides and swims), one ``session`` with totals and averages, and
an ``activity`` message with ``local_timestamp``. As on Garmin devices, running and
walking cadence is written in *strides* per minute (``cadence`` +
``fractional_cadence``; steps/min = 2 x strides/min), session and lap averages in
``avg_running_cadence`` (``avg_cadence`` for walks) + ``avg_fractional_cadence``.
Session ascent/descent follow :func:`backstride.domain.elevation.ascent_descent`
on the altitude stream, so they match what an importer recomputes.
"""

from __future__ import annotations

import csv
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import numpy as np

from backstride.demo.synthetic import SyntheticActivity, synthetic_year
from backstride.domain.activity import FloatArray, Sport
from backstride.domain.elevation import ascent_descent
from backstride.fit.encode import FitEncoder, fit_seconds, semicircles

__all__ = ["CSV_COLUMNS", "activity_fit_bytes", "strava_date", "write_demo_export"]

logger = logging.getLogger(__name__)

#: Columns of the export's ``activities.csv``.
CSV_COLUMNS: Final = (
    "Activity ID",
    "Activity Date",
    "Activity Name",
    "Activity Type",
    "Filename",
    "Activity Gear",
)

_STRAVA_TYPE: Final = {
    Sport.RUNNING: "Run",
    Sport.TRAIL_RUNNING: "Run",
    Sport.TREADMILL: "Run",
    Sport.CYCLING: "Ride",
    Sport.SWIMMING: "Swim",
    Sport.WALKING: "Walk",
    Sport.HIKING: "Hike",
}

# (FIT sport, FIT sub_sport) per Sport.
_FIT_SPORT: Final = {
    Sport.RUNNING: ("running", "street"),
    Sport.TRAIL_RUNNING: ("running", "trail"),
    Sport.TREADMILL: ("running", "treadmill"),
    Sport.CYCLING: ("cycling", "road"),
    Sport.SWIMMING: ("swimming", "lap_swimming"),
    Sport.WALKING: ("walking", "generic"),
    Sport.HIKING: ("hiking", "generic"),
}

_SERIAL_NUMBER: Final = 3_914_000_007
_PRODUCT: Final = 1
_PRODUCT_NAME: Final = "backstride synthetic watch"

#: Record fields for running-dynamics channels: (channel, FIT record field).
_DYNAMICS: Final = (
    ("ground_contact_time_ms", "stance_time"),
    ("ground_contact_balance_pct", "stance_time_balance"),
    ("vertical_oscillation_mm", "vertical_oscillation"),
    ("vertical_ratio_pct", "vertical_ratio"),
    ("step_length_mm", "step_length"),
)

#: Session average fields for the same channels.
_DYNAMICS_AVG: Final = (
    ("ground_contact_time_ms", "avg_stance_time"),
    ("ground_contact_balance_pct", "avg_stance_time_balance"),
    ("vertical_oscillation_mm", "avg_vertical_oscillation"),
    ("vertical_ratio_pct", "avg_vertical_ratio"),
    ("step_length_mm", "avg_step_length"),
)


def strava_date(moment: datetime) -> str:
    """Strava's ``activities.csv`` date format, e.g. ``"Mar 5, 2025, 6:41:07 AM"`` (UTC)."""
    utc = moment.astimezone(UTC)
    hour12 = utc.hour % 12 or 12
    half = "AM" if utc.hour < 12 else "PM"
    return f"{utc:%b} {utc.day}, {utc.year}, {hour12}:{utc:%M:%S} {half}"


def _strides(cadence_spm: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Steps/min -> (whole strides/min, fractional strides/min), FIT resolution 1/128."""
    q = np.round(cadence_spm / 2.0 * 128.0)
    whole = np.floor(q / 128.0)
    return whole, (q - whole * 128.0) / 128.0


def _avg_strides(mean_spm: float) -> tuple[int, float]:
    q = round(mean_spm / 2.0 * 128.0)
    return q // 128, (q % 128) / 128.0


def _lap_bounds(distance_m: FloatArray, per_km: bool) -> FloatArray:
    """Start sample index of every lap (one per full km when ``per_km``)."""
    n = len(distance_m)
    if not per_km or n < 2:
        return np.zeros(1)
    marks = np.arange(1, int(distance_m[-1] // 1000.0) + 1) * 1000.0
    starts = np.concatenate([[0], np.searchsorted(distance_m, marks)])
    starts = np.unique(starts[starts < n - 1])  # no empty last lap
    out: FloatArray = starts.astype(np.float64)
    return out


def _cadence_fields(sport: Sport, mean_spm: float, prefix: str) -> dict[str, Any]:
    whole, frac = _avg_strides(mean_spm)
    name = f"{prefix}_running_cadence" if sport.is_running else f"{prefix}_cadence"
    return {name: whole, f"{prefix}_fractional_cadence": frac}


def activity_fit_bytes(activity: SyntheticActivity) -> bytes:
    """One synthetic activity as a FIT activity file (see the module docstring)."""
    s = activity.streams
    t = s["time_s"]
    n = len(t)
    start = activity.start_utc
    t0 = fit_seconds(start)
    end_s = t0 + int(t[-1])
    end_local = activity.start_local + timedelta(seconds=float(t[-1]))
    sport, sub_sport = _FIT_SPORT[activity.sport]
    foot = activity.sport.is_running or activity.sport is Sport.WALKING

    enc = FitEncoder()
    enc.add("file_id", type="activity", manufacturer="development", product=_PRODUCT,
            serial_number=_SERIAL_NUMBER, time_created=t0)
    enc.add("device_info", timestamp=t0, device_index="creator", manufacturer="development",
            product=_PRODUCT, serial_number=_SERIAL_NUMBER, software_version=1.0,
            product_name=_PRODUCT_NAME)
    enc.add("event", timestamp=t0, event="timer", event_type="start", event_group=0)

    records: dict[str, Any] = {"timestamp": t0 + t.astype(np.int64)}
    if "latitude_deg" in s:
        records["position_lat"] = semicircles(s["latitude_deg"])
        records["position_long"] = semicircles(s["longitude_deg"])
    if "altitude_m" in s:
        records["enhanced_altitude"] = s["altitude_m"]
    if "heart_rate_bpm" in s:
        records["heart_rate"] = s["heart_rate_bpm"]
    if "cadence_spm" in s:
        whole, frac = _strides(s["cadence_spm"])
        records["cadence"] = whole
        records["fractional_cadence"] = frac
    records["distance"] = s["distance_m"]
    records["enhanced_speed"] = s["speed_m_s"]
    if "power_w" in s:
        records["power"] = s["power_w"]
    for channel, fit_name in _DYNAMICS:
        if channel in s:
            records[fit_name] = s[channel]
    enc.add_many("record", records)
    enc.add("event", timestamp=end_s, event="timer", event_type="stop_all", event_group=0)

    # laps: sample index ranges [a, b] sharing boundary samples
    starts = _lap_bounds(s["distance_m"], per_km=foot).astype(np.int64)
    ends = np.concatenate([starts[1:], [n - 1]])
    # averages use a partition of the samples: [start, next start), the last to the end
    counts = np.diff(np.concatenate([starts, [n]])).astype(np.float64)
    laps: dict[str, Any] = {
        "message_index": np.arange(len(starts)),
        "timestamp": t0 + t[ends].astype(np.int64),
        "start_time": t0 + t[starts].astype(np.int64),
        "event": "lap",
        "event_type": "stop",
        "lap_trigger": np.where(np.arange(len(starts)) < len(starts) - 1,
                                "distance", "session_end"),
        "total_elapsed_time": t[ends] - t[starts],
        "total_timer_time": t[ends] - t[starts],
        "total_distance": s["distance_m"][ends] - s["distance_m"][starts],
        "sport": sport,
        "sub_sport": sub_sport,
    }
    if "latitude_deg" in s:
        laps["start_position_lat"] = semicircles(s["latitude_deg"][starts])
        laps["start_position_long"] = semicircles(s["longitude_deg"][starts])
        laps["end_position_lat"] = semicircles(s["latitude_deg"][ends])
        laps["end_position_long"] = semicircles(s["longitude_deg"][ends])
    if "heart_rate_bpm" in s:
        hr = s["heart_rate_bpm"]
        laps["avg_heart_rate"] = np.round(np.add.reduceat(hr, starts) / counts)
        laps["max_heart_rate"] = np.maximum.reduceat(hr, starts)
    if "cadence_spm" in s:
        mean_spm = np.add.reduceat(s["cadence_spm"], starts) / counts
        q = np.round(mean_spm / 2.0 * 128.0)
        cad_name = "avg_running_cadence" if activity.sport.is_running else "avg_cadence"
        laps[cad_name] = np.floor(q / 128.0)
        laps["avg_fractional_cadence"] = (q % 128.0) / 128.0
    if "altitude_m" in s:
        alt = s["altitude_m"]
        lap_updown = [ascent_descent(alt[a : b + 1]) or (0.0, 0.0)
                      for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
        laps["total_ascent"] = np.round([u for u, _ in lap_updown])
        laps["total_descent"] = np.round([d for _, d in lap_updown])
    enc.add_many("lap", laps)

    elapsed = float(t[-1])
    distance = float(s["distance_m"][-1])
    session: dict[str, Any] = {
        "message_index": 0,
        "timestamp": end_s,
        "start_time": t0,
        "event": "session",
        "event_type": "stop",
        "trigger": "activity_end",
        "sport": sport,
        "sub_sport": sub_sport,
        "total_elapsed_time": elapsed,
        "total_timer_time": elapsed,
        "total_distance": distance,
        "enhanced_avg_speed": distance / elapsed if elapsed > 0 else 0.0,
        "enhanced_max_speed": float(s["speed_m_s"].max()),
        "first_lap_index": 0,
        "num_laps": len(starts),
    }
    if "latitude_deg" in s:
        session["start_position_lat"] = float(semicircles(s["latitude_deg"][0]))
        session["start_position_long"] = float(semicircles(s["longitude_deg"][0]))
    if "altitude_m" in s:
        updown = ascent_descent(s["altitude_m"]) or (0.0, 0.0)
        session["total_ascent"] = round(updown[0])
        session["total_descent"] = round(updown[1])
    if "heart_rate_bpm" in s:
        session["avg_heart_rate"] = round(float(s["heart_rate_bpm"].mean()))
        session["max_heart_rate"] = float(s["heart_rate_bpm"].max())
    if "cadence_spm" in s:
        session.update(_cadence_fields(activity.sport, float(s["cadence_spm"].mean()), "avg"))
    if "power_w" in s:
        session["avg_power"] = round(float(s["power_w"].mean()))
        session["max_power"] = float(s["power_w"].max())
    for channel, fit_name in _DYNAMICS_AVG:
        if channel in s:
            session[fit_name] = float(s[channel].mean())
    if activity.pool_length_m is not None:
        session["pool_length"] = activity.pool_length_m
        session["pool_length_unit"] = "metric"
    enc.add("session", **session)
    enc.add("activity", timestamp=end_s, total_timer_time=elapsed, num_sessions=1,
            type="manual", event="activity", event_type="stop", local_timestamp=end_local)
    return enc.to_bytes()


def write_demo_export(folder: Path, *, seed: int = 7, end: date | None = None) -> Path:
    """Write the synthetic year as a Strava-style export folder.

    Parameters
    ----------
    folder
        Target folder; created when missing. Existing files of the same names are
        overwritten, other files are left alone.
    seed
        Seed of the synthetic year (same seed and end, same bytes).
    end
        Last day of the year; today's date when None (read at call time).

    Returns
    -------
    Path
        ``folder``.
    """
    if end is None:
        end = date.today()
    year = synthetic_year(end, seed=seed)
    act_dir = folder / "activities"
    act_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, str]] = []
    for activity in year.activities:
        filename = f"activities/{activity.activity_id}.fit"
        (folder / filename).write_bytes(activity_fit_bytes(activity))
        rows.append(
            {
                "Activity ID": str(activity.activity_id),
                "Activity Date": strava_date(activity.start_utc),
                "Activity Name": activity.name,
                "Activity Type": _STRAVA_TYPE.get(activity.sport, "Workout"),
                "Filename": filename,
                "Activity Gear": activity.gear or "",
            }
        )
    with (folder / "activities.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    logger.info("wrote %d demo activities to %s", len(rows), folder)
    return folder
