"""FIT importer: one Activity per sport leg.

What is read
------------
The file is decoded by :func:`backstride.fit.decode.decode` (chained FIT files
included), then:

* **Legs.** Every ``session`` message is one leg, in start order. Multisport
  files are split by the sessions' ``start_time``: a leg takes the records from
  its start up to the next leg's start, and at most 60 s past its own end
  (``start_time + total_elapsed_time``), which drops the garbage that sometimes
  precedes a structural break. Records before the first session's start are
  kept in the first leg when they lie within its elapsed time (the Fenix 2
  multisport file writes a first ``start_time`` 45 min after its first record,
  lap and ``timestamp - total_elapsed_time``); the leg then starts at its first
  record. ``transition`` legs are dropped (logged at INFO); ``leg_index``
  counts the legs kept. A session repeating the start and sport of an earlier
  one is the same leg written twice and is skipped. Without any session message,
  all records form one
  activity whose sport comes from the ``sport`` message, else a lap, else OTHER,
  and whose summary is :func:`backstride.domain.summary.summarize`.
* **Sport** from the session's ``sport``/``sub_sport``: running (``trail`` ->
  TRAIL_RUNNING; ``treadmill``/``indoor_running`` -> TREADMILL), walking,
  hiking, cycling, swimming (pool or open water); ``fitness_equipment`` with
  sub-sport ``treadmill`` is a treadmill run too. Anything else is OTHER.
* **Streams** on one time base, ``time_s`` = seconds since the leg start.
  In multisport files the distance channel restarts at 0 in every leg.
  Records are deduplicated by timestamp: records sharing one merge (later
  non-NaN values win, as Strava's app writes two records per second); records
  whose timestamp goes backwards, or that have none, are dropped. Channels:
  ``distance``, ``enhanced_speed`` (else ``speed``), ``enhanced_altitude``
  (else ``altitude``), positions (semicircles * 180 / 2^31), ``heart_rate``,
  cadence (running, walking, hiking only: FIT stores strides/min, so
  ``2 * (cadence + fractional_cadence)``), ``power``, and the running
  dynamics ``stance_time``, ``stance_time_balance``, ``vertical_oscillation``,
  ``vertical_ratio``, ``step_length``. Developer fields never override native
  ones; a developer ``Power`` field (Stryd, Connect IQ) fills ``power_w`` only
  when the file has no native power at all. Channels without a finite value
  are omitted.
* **Summary** from the session: ``total_elapsed_time``, ``total_timer_time``
  (moving; else ``total_moving_time``), ``total_distance``, ``total_ascent``/``total_descent``,
  ``avg_heart_rate``, cadence ``2 * (avg_running_cadence or avg_cadence +
  avg_fractional_cadence)`` for foot sports, ``avg_power``. Each missing value
  falls back to :func:`backstride.domain.summary.summarize` on the streams.
* ``start_utc`` is aware UTC, or None when the file's times are relative
  (``date_time`` below 0x10000000: seconds since power-on, Forerunner 70).
  ``utc_offset_s`` = ``activity.local_timestamp - activity.timestamp`` (when
  within +-18 h).
  ``device`` = ``manufacturer/product`` from ``file_id`` (``garmin/fenix5``).
  Laps are the ``lap`` messages that start inside the leg.

Damage survived by the decoder (CRC mismatch, truncation, undefined local
messages...) becomes ``Activity.warnings`` lines and one logging warning per
file. Only :class:`~backstride.errors.ActivityFileError` subclasses leave
:func:`parse_fit`; an unexpected internal error becomes a
:class:`~backstride.errors.CorruptFileError` naming the file.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from backstride.domain.activity import Activity, FloatArray, Lap, Sport, Streams, Summary
from backstride.domain.summary import summarize
from backstride.errors import ActivityFileError, CorruptFileError, NoActivityError
from backstride.fit.decode import FitFile, MessageTable, decode
from backstride.fit.profile import FIT_DATETIME_MIN, FIT_EPOCH_UNIX_S, enum_name

__all__ = ["LEG_END_SLACK_S", "fit_datetime", "parse_fit", "sport_of"]

log = logging.getLogger(__name__)

#: Degrees per semicircle (FIT positions are sint32 semicircles).
SEMICIRCLE_DEG = 180.0 / 2**31

#: Records later than this after a leg's recorded end are not part of it [s].
LEG_END_SLACK_S = 60.0

_FOOT_SPORTS = frozenset({Sport.RUNNING, Sport.TRAIL_RUNNING, Sport.TREADMILL,
                          Sport.WALKING, Sport.HIKING})

#: Record field -> (channel, scale to the channel's unit).
_DIRECT_CHANNELS: tuple[tuple[str, str, float], ...] = (
    ("distance", "distance_m", 1.0),
    ("heart_rate", "heart_rate_bpm", 1.0),
    ("power", "power_w", 1.0),
    ("stance_time", "ground_contact_time_ms", 1.0),
    ("stance_time_balance", "ground_contact_balance_pct", 1.0),
    ("vertical_oscillation", "vertical_oscillation_mm", 1.0),
    ("vertical_ratio", "vertical_ratio_pct", 1.0),
    ("step_length", "step_length_mm", 1.0),
    ("position_lat", "latitude_deg", SEMICIRCLE_DEG),
    ("position_long", "longitude_deg", SEMICIRCLE_DEG),
)


def sport_of(sport: str | None, sub_sport: str | None) -> Sport:
    """Map FIT ``sport``/``sub_sport`` enum names to a :class:`Sport`."""
    if sport == "running":
        if sub_sport == "trail":
            return Sport.TRAIL_RUNNING
        if sub_sport in ("treadmill", "indoor_running"):
            return Sport.TREADMILL
        return Sport.RUNNING
    if sport == "fitness_equipment" and sub_sport == "treadmill":
        return Sport.TREADMILL
    return {
        "walking": Sport.WALKING,
        "hiking": Sport.HIKING,
        "cycling": Sport.CYCLING,
        "swimming": Sport.SWIMMING,
    }.get(sport or "", Sport.OTHER)


def fit_datetime(value: float | None) -> datetime | None:
    """A FIT ``date_time`` as aware UTC, or None when missing or relative."""
    if value is None or not math.isfinite(value) or value < FIT_DATETIME_MIN:
        return None
    return datetime.fromtimestamp(FIT_EPOCH_UNIX_S + value, UTC)


def _nonneg(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) and value >= 0 else None


@dataclass(frozen=True, slots=True)
class _Records:
    """Deduplicated records: FIT time and one row per distinct timestamp."""

    t: FloatArray
    columns: dict[str, FloatArray]
    dev_power: FloatArray | None


def _records(record: MessageTable) -> _Records:
    """Drop records without time or going back in time; merge equal timestamps."""
    ts = record.column("timestamp")
    names = ["distance", "enhanced_speed", "speed", "enhanced_altitude", "altitude",
             "heart_rate", "cadence", "fractional_cadence", "power", "stance_time",
             "stance_time_balance", "vertical_oscillation", "vertical_ratio", "step_length",
             "position_lat", "position_long"]
    raw = {name: col for name in names if (col := record.column(name)) is not None}
    dev_power = None
    native_power = raw.get("power")
    if native_power is None or not np.isfinite(native_power).any():
        dev_power = record.column("Power", developer=True)
    if ts is None or not len(ts):
        return _Records(np.empty(0), {}, None)
    valid = np.isfinite(ts)
    running_max = np.maximum.accumulate(np.where(valid, ts, -np.inf))
    previous = np.concatenate(([-np.inf], running_max[:-1]))
    keep = np.flatnonzero(valid & (ts >= previous))
    t = ts[keep]
    if not len(t):
        return _Records(t, {}, None)
    new = np.ones(len(t), dtype=bool)
    new[1:] = t[1:] != t[:-1]
    starts = np.flatnonzero(new)

    def merged(col: FloatArray) -> FloatArray:
        x = col[keep]
        if len(starts) == len(t):
            return x
        idx = np.where(np.isfinite(x), np.arange(len(x)), -1)
        last = np.maximum.reduceat(idx, starts)
        return np.where(last >= 0, x[np.maximum(last, 0)], np.nan)

    columns = {name: merged(col) for name, col in raw.items()}
    return _Records(t[starts], columns, merged(dev_power) if dev_power is not None else None)


def _streams(rec: _Records, rows: slice, start: float, sport: Sport, *,
             rebase: bool = False) -> Streams:
    t = rec.t[rows]
    cols = {name: col[rows] for name, col in rec.columns.items()}
    distance = cols.get("distance")
    if rebase and distance is not None and np.isfinite(distance).any():
        # multisport files count distance from the first leg; make it per leg
        cols["distance"] = distance - distance[np.isfinite(distance)][0]
    channels: dict[str, FloatArray] = {"time_s": t - start}

    def first_of(*names: str) -> FloatArray | None:
        out: FloatArray | None = None
        for name in names:
            col = cols.get(name)
            if col is None:
                continue
            out = col if out is None else np.where(np.isfinite(out), out, col)
        return out

    speed = first_of("enhanced_speed", "speed")
    if speed is not None:
        channels["speed_m_s"] = speed
    altitude = first_of("enhanced_altitude", "altitude")
    if altitude is not None:
        channels["altitude_m"] = altitude
    for field, channel, factor in _DIRECT_CHANNELS:
        col = cols.get(field)
        if col is not None:
            channels[channel] = col * factor if factor != 1.0 else col
    if "power_w" not in channels and rec.dev_power is not None:
        channels["power_w"] = rec.dev_power[rows]
    cadence = cols.get("cadence")
    if cadence is not None and sport in _FOOT_SPORTS:
        fraction = cols.get("fractional_cadence")
        if fraction is not None:
            cadence = cadence + np.where(np.isfinite(fraction), fraction, 0.0)
        channels["cadence_spm"] = 2.0 * cadence
    kept = {k: v for k, v in channels.items() if k == "time_s" or np.isfinite(v).any()}
    return Streams(kept)


def _cadence_spm(table: MessageTable, i: int, sport: Sport, prefix: str) -> float | None:
    """2 x (avg_running_cadence or avg_cadence + avg_fractional_cadence), foot sports only."""
    if sport not in _FOOT_SPORTS:
        return None
    whole = table.value(f"{prefix}_running_cadence", i)
    if whole is None:
        whole = table.value(f"{prefix}_cadence", i)
    if whole is None:
        return None
    fraction = table.value(f"{prefix}_fractional_cadence", i) or 0.0
    return _nonneg(2.0 * (whole + fraction))


def _summary(table: MessageTable | None, i: int, streams: Streams, sport: Sport) -> Summary:
    computed = summarize(streams, sport)
    if table is None:
        return computed

    def pick(name: str, fallback: float | None) -> float | None:
        value = _nonneg(table.value(name, i))
        return value if value is not None else fallback

    elapsed = pick("total_elapsed_time", computed.elapsed_s)
    power = pick("avg_power", computed.avg_power_w)
    cadence = _cadence_spm(table, i, sport, "avg")
    return Summary(
        elapsed_s=elapsed if elapsed is not None else computed.elapsed_s,
        moving_s=pick("total_timer_time", pick("total_moving_time", computed.moving_s)),
        distance_m=pick("total_distance", computed.distance_m),
        ascent_m=pick("total_ascent", computed.ascent_m),
        descent_m=pick("total_descent", computed.descent_m),
        avg_hr_bpm=pick("avg_heart_rate", computed.avg_hr_bpm),
        avg_cadence_spm=cadence if cadence is not None else computed.avg_cadence_spm,
        avg_power_w=power,
    )


def _laps(fit: FitFile, lo: float, hi: float, sport: Sport) -> tuple[Lap, ...]:
    lap = fit["lap"]
    starts = lap.column("start_time")
    if starts is None:
        return ()
    laps = []
    for i in np.flatnonzero((starts >= lo) & (starts < hi)):
        elapsed = _nonneg(lap.value("total_elapsed_time", int(i)))
        laps.append(Lap(
            start_utc=fit_datetime(float(starts[i])),
            elapsed_s=elapsed if elapsed is not None else 0.0,
            timer_s=_nonneg(lap.value("total_timer_time", int(i))),
            distance_m=_nonneg(lap.value("total_distance", int(i))),
            avg_hr_bpm=_nonneg(lap.value("avg_heart_rate", int(i))),
            avg_cadence_spm=_cadence_spm(lap, int(i), sport, "avg"),
        ))
    return tuple(laps)


def _device(fit: FitFile) -> str | None:
    file_id = fit["file_id"]
    if not len(file_id):
        return None
    manufacturer = file_id.value("manufacturer")
    maker = enum_name("manufacturer", manufacturer) or (
        str(int(manufacturer)) if manufacturer is not None else None)
    product: str | None = None
    for name, enum in (("garmin_product", "garmin_product"), ("favero_product", "favero_product"),
                       ("product", "")):
        value = file_id.value(name)
        if value is not None:
            product = (enum_name(enum, value) if enum else None) or str(int(value))
            break
    if maker is None:
        return product
    return f"{maker}/{product}" if product else maker


def _utc_offset_s(fit: FitFile) -> int | None:
    activity = fit["activity"]
    local = activity.value("local_timestamp")
    utc = activity.value("timestamp")
    if local is None or utc is None or utc < FIT_DATETIME_MIN:
        return None
    offset = round(local - utc)
    return offset if abs(offset) <= 18 * 3600 else None


def _fallback_sport(fit: FitFile) -> Sport:
    for table_name in ("sport", "lap"):
        table = fit[table_name]
        if len(table) and table.value("sport") is not None:
            return sport_of(enum_name("sport", table.value("sport")),
                            enum_name("sub_sport", table.value("sub_sport")))
    return Sport.OTHER


def _activities(fit: FitFile, source: str) -> list[Activity]:
    rec = _records(fit["record"])
    device = _device(fit)
    utc_offset = _utc_offset_s(fit)

    def activity(sport: Sport, start: float, summary: Summary, streams: Streams,
                 laps: tuple[Lap, ...], leg_index: int) -> Activity:
        return Activity(sport=sport, start_utc=fit_datetime(start), summary=summary,
                        streams=streams, source_format="fit", device=device, laps=laps,
                        leg_index=leg_index, utc_offset_s=utc_offset, warnings=fit.warnings)

    sessions = fit["session"]
    starts = sessions.column("start_time")
    order: list[int] = []
    seen: set[tuple[float, float | None]] = set()
    if starts is not None:
        for i in np.argsort(starts, kind="stable").tolist():
            key = (float(starts[i]), sessions.value("sport", i))
            if not math.isfinite(key[0]) or key in seen:
                continue  # no start, or the same session again (repeated summaries)
            seen.add(key)
            order.append(i)
    if not order:
        if not len(rec.t):
            raise NoActivityError(source, "FIT file without sessions or timed records")
        sport = _fallback_sport(fit)
        streams = _streams(rec, slice(0, len(rec.t)), float(rec.t[0]), sport)
        return [activity(sport, float(rec.t[0]), summarize(streams, sport), streams,
                         _laps(fit, -np.inf, np.inf, sport), 0)]
    out: list[Activity] = []
    for k, i in enumerate(order):
        assert starts is not None
        start = float(starts[i])
        elapsed = _nonneg(sessions.value("total_elapsed_time", i))
        next_start = float(starts[order[k + 1]]) if k + 1 < len(order) else np.inf
        hi = next_start
        if elapsed is not None:
            hi = min(hi, start + elapsed + LEG_END_SLACK_S)
        lo = start
        if k == 0 and elapsed is not None and len(rec.t) and rec.t[0] < start:
            # records before the first start, within its elapsed time, belong to it
            first = int(np.searchsorted(rec.t, start - elapsed, side="left"))
            if first < len(rec.t) and rec.t[first] < start:
                lo = float(rec.t[first])
        sport = sport_of(enum_name("sport", sessions.value("sport", i)),
                         enum_name("sub_sport", sessions.value("sub_sport", i)))
        if enum_name("sport", sessions.value("sport", i)) == "transition":
            log.info("%s: transition leg at %s dropped", source, fit_datetime(start) or start)
            continue
        rows = slice(int(np.searchsorted(rec.t, lo, side="left")),
                     int(np.searchsorted(rec.t, hi, side="left")))
        streams = _streams(rec, rows, lo, sport, rebase=len(order) > 1)
        out.append(activity(sport, lo, _summary(sessions, i, streams, sport), streams,
                            _laps(fit, lo, next_start, sport), len(out)))
    if not out:
        raise NoActivityError(source, "FIT file holds only transition legs")
    return out


def parse_fit(data: bytes, *, source: str) -> list[Activity]:
    """Decode a FIT file (possibly chained) into one Activity per sport leg.

    Parameters
    ----------
    data
        The file's bytes.
    source
        The name shown in messages (path or ``archive!member``).

    Raises
    ------
    UnsupportedFormatError
        The bytes are not FIT.
    CorruptFileError
        Nothing usable could be decoded (or an internal error occurred).
    NoActivityError
        A valid FIT file without sessions or timed records (settings, courses...).
    """
    try:
        fit = decode(data, source=source)
        with np.errstate(all="ignore"):
            activities = _activities(fit, source)
    except ActivityFileError as exc:
        raise exc if exc.source == source else exc.with_source(source) from exc
    except Exception as exc:  # the one place that turns bugs into file errors
        log.exception("%s: unexpected error while reading FIT data", source)
        raise CorruptFileError(
            source, f"could not read the FIT data ({type(exc).__name__}: {exc})"
        ) from exc
    if fit.warnings:
        log.warning("%s: %s", source, "; ".join(fit.warnings))
    return activities

