"""FIT encoder: every output is decoded with fitdecode (an independent decoder)."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import fitdecode
import numpy as np
import pytest
from fitdecode.types import BASE_TYPES
from fitdecode.utils import compute_crc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backstride.fit.encode import (
    _INVALID,
    FIT_EPOCH,
    FitEncoder,
    fit_crc16,
    fit_seconds,
    semicircles,
)

T0 = datetime(2025, 5, 4, 6, 30, 12, tzinfo=UTC)
FIT_T0 = fit_seconds(T0)


def decode(data: bytes) -> list[fitdecode.FitDataMessage]:
    """All data messages; CRCs and structure checked strictly (errors raise)."""
    with fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.RAISE,
    ) as reader:
        return [f for f in reader if isinstance(f, fitdecode.FitDataMessage)]


def values(msg: fitdecode.FitDataMessage) -> dict[str, Any]:
    return {f.name: f.value for f in msg.fields}


# --------------------------------------------------------------------- CRC


@pytest.mark.parametrize("n", [1, 2, 63, 64, 65, 4095, 4096, 4097, 70_001, 300_000])
def test_crc_matches_fitdecode(n: int) -> None:
    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    expected = compute_crc(data)
    assert fit_crc16(data) == expected


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=3000))
def test_crc_agrees_with_fitdecode(data: bytes) -> None:
    assert fit_crc16(data) == compute_crc(data)


def test_crc_of_nothing_is_zero() -> None:
    assert fit_crc16(b"") == 0


def test_invalid_values_are_what_fitdecode_reads_as_missing() -> None:
    for base in BASE_TYPES.values():
        if base.name in ("string", "byte"):
            continue
        if base.name.startswith("float"):
            raw = _INVALID[base.name].to_bytes(base.size, "little")
        else:
            raw = struct.pack("<" + base.fmt, _INVALID[base.name])
        (value,) = struct.unpack("<" + base.fmt, raw)
        assert base.parse(value) is None, base.name


# ------------------------------------------------------------ file structure


def test_header_and_crcs() -> None:
    enc = FitEncoder()
    enc.add("file_id", type="activity", manufacturer="development", time_created=T0)
    data = enc.to_bytes()
    size, proto, profile, data_size, magic, header_crc = struct.unpack("<BBHI4sH", data[:14])
    assert (size, proto, magic) == (14, 0x20, b".FIT")
    assert profile == 21_171
    assert data_size == len(data) - 16
    assert header_crc == compute_crc(data[:12])
    assert struct.unpack("<H", data[-2:])[0] == compute_crc(data[:-2])
    assert len(decode(data)) == 1


def test_corrupted_byte_fails_the_crc() -> None:
    enc = FitEncoder()
    enc.add("file_id", type="activity", manufacturer="development", time_created=T0)
    enc.add_many("record", {"timestamp": FIT_T0 + np.arange(50), "heart_rate": np.full(50, 140)})
    data = bytearray(enc.to_bytes())
    data[40] ^= 0x01
    with pytest.raises(fitdecode.FitCRCError):
        decode(bytes(data))


def test_to_bytes_is_repeatable() -> None:
    enc = FitEncoder()
    enc.add("file_id", type="activity")
    assert enc.to_bytes() == enc.to_bytes()
    assert enc.n_messages == 1


# ------------------------------------------------------------- field values


def test_activity_messages_round_trip_every_field() -> None:
    local = T0.astimezone(timezone(timedelta(hours=2)))
    n = 7
    lat = 56.1572 + np.arange(n) * 1e-4
    cols: dict[str, Any] = {
        "timestamp": FIT_T0 + np.arange(n),
        "position_lat": semicircles(lat),
        "position_long": semicircles(np.full(n, 10.2107)),
        "enhanced_altitude": np.array([12.0, 12.2, np.nan, 13.4, -20.0, 0.0, 8848.8]),
        "heart_rate": np.array([120.0, np.nan, 130, 131, 132, 133, 254]),
        "cadence": np.array([80, 81, 82, 83, 84, 85, 86]),
        "fractional_cadence": np.array([0.0, 0.5, 0.25, 0.125, 0.0078125, np.nan, 0.9921875]),
        "distance": np.array([0.0, 2.81, 5.62, 8.43, 11.24, 14.05, 42195.0]),
        "enhanced_speed": np.array([2.81, 2.812, 0.0, 4.5, 10.0, np.nan, 3.0]),
        "power": np.array([200, 210, 220, 230, 240, 250, 260]),
        "stance_time": np.array([250.3, 251.0, 249.9, 260.0, 240.0, 245.5, 270.1]),
        "stance_time_balance": np.array([49.87, 50.0, 51.25, 48.5, 50.1, 50.2, 50.3]),
        "vertical_oscillation": np.array([90.1, 91.0, 88.8, 95.5, 99.9, 85.0, 92.2]),
        "vertical_ratio": np.array([8.66, 8.7, 8.8, 9.0, 9.45, 8.1, 8.2]),
        "step_length": np.array([1034.5, 1040.0, 990.1, 1200.0, 1100.0, 1000.0, 1010.0]),
    }
    enc = FitEncoder()
    enc.add("file_id", type="activity", manufacturer="development", product=1,
            serial_number=123456, time_created=T0)
    enc.add("device_info", timestamp=T0, device_index="creator", product_name="unit test",
            software_version=1.25)
    enc.add("event", timestamp=T0, event="timer", event_type="start")
    enc.add_many("record", cols)
    enc.add("session", timestamp=FIT_T0 + 6, start_time=T0, sport="running", sub_sport="street",
            total_elapsed_time=6.0, total_timer_time=6.0, total_distance=42195.0,
            avg_running_cadence=82, avg_fractional_cadence=0.5, total_ascent=3,
            avg_heart_rate=None, message_index=0)
    enc.add("activity", timestamp=FIT_T0 + 6, num_sessions=1, type="manual",
            local_timestamp=local, total_timer_time=6.0)
    msgs = decode(enc.to_bytes())
    assert [m.name for m in msgs] == ["file_id", "device_info", "event"] + ["record"] * n + [
        "session", "activity"]

    assert values(msgs[0]) == {"type": "activity", "manufacturer": "development", "product": 1,
                               "serial_number": 123456, "time_created": T0}
    assert values(msgs[1]) == {"timestamp": T0, "device_index": "creator",
                               "product_name": "unit test", "software_version": 1.25}
    assert values(msgs[2]) == {"timestamp": T0, "event": "timer", "event_type": "start"}

    scale = {"enhanced_altitude": 5, "distance": 100, "enhanced_speed": 1000,
             "fractional_cadence": 128, "stance_time": 10, "stance_time_balance": 100,
             "vertical_oscillation": 10, "vertical_ratio": 100, "step_length": 10}
    for i, msg in enumerate(msgs[3 : 3 + n]):
        got = values(msg)
        assert set(got) == set(cols)
        assert got["timestamp"] == T0 + timedelta(seconds=i)
        for name, column in cols.items():
            if name == "timestamp":
                continue
            expected = float(column[i])
            if np.isnan(expected):
                assert got[name] is None, (name, i)
            else:
                tol = 0.5 / scale.get(name, 1) + 1e-9
                assert got[name] == pytest.approx(expected, abs=tol), (name, i)
    # semicircles are written exactly as rounded
    assert values(msgs[3])["position_lat"] == round(lat[0] * 2**31 / 180)

    session = values(msgs[-2])
    assert session == {"timestamp": T0 + timedelta(seconds=6), "start_time": T0,
                       "sport": "running", "sub_sport": "street", "total_elapsed_time": 6.0,
                       "total_timer_time": 6.0, "total_distance": 42195.0,
                       "avg_running_cadence": 82, "avg_fractional_cadence": 0.5,
                       "total_ascent": 3, "message_index": 0}
    activity = values(msgs[-1])
    # local_date_time is the wall clock; fitdecode shows it as if it were UTC
    assert activity["local_timestamp"] == datetime(2025, 5, 4, 8, 30, 12, tzinfo=UTC)
    assert activity["timestamp"] == T0 + timedelta(seconds=6)


def test_datetime64_columns_and_fit_seconds_agree() -> None:
    stamps = np.array(["2025-05-04T06:30:12", "2025-05-04T06:30:13", "NaT"],
                      dtype="datetime64[s]")
    enc = FitEncoder()
    enc.add_many("record", {"timestamp": stamps, "heart_rate": [100, 101, 102]})
    got = [values(m) for m in decode(enc.to_bytes())]
    assert got[0]["timestamp"] == T0
    assert got[1]["timestamp"] == T0 + timedelta(seconds=1)
    assert got[2]["timestamp"] is None
    assert fit_seconds(FIT_EPOCH + timedelta(seconds=1000, microseconds=999)) == 1000


def test_scalars_broadcast_and_python_lists() -> None:
    enc = FitEncoder()
    enc.add_many("lap", {
        "message_index": [0, 1, 2],
        "event": "lap",
        "lap_trigger": ["distance", "distance", "session_end"],
        "sport": "running",
        "total_distance": [1000.0, 1000.0, None],
        "start_time": [T0, T0 + timedelta(minutes=5), T0 + timedelta(minutes=10)],
    })
    laps = [values(m) for m in decode(enc.to_bytes())]
    assert [lap["lap_trigger"] for lap in laps] == ["distance", "distance", "session_end"]
    assert {lap["event"] for lap in laps} == {"lap"}
    assert [lap["total_distance"] for lap in laps] == [1000.0, 1000.0, None]
    assert laps[2]["start_time"] == T0 + timedelta(minutes=10)


def test_strings_arrays_and_numbers_by_message_number() -> None:
    enc = FitEncoder()
    enc.add(0, type="workout", product_name="Åre fjällvärld")  # 0 = file_id
    enc.add_many("hrv", {"time": np.array([[0.8, 0.81, np.nan], [0.79, 0.8, 0.82]])})
    enc.add_many("device_info", {"product_name": ["a", "much longer name", None]})
    msgs = [values(m) for m in decode(enc.to_bytes())]
    assert msgs[0] == {"type": "workout", "product_name": "Åre fjällvärld"}
    assert msgs[1]["time"] == (0.8, 0.81, None)
    assert msgs[2]["time"] == (0.79, 0.8, 0.82)
    assert [m.get("product_name") for m in msgs[3:]] == ["a", "much longer name", None]


def test_more_layouts_than_local_message_types() -> None:
    enc = FitEncoder()
    fields = ["heart_rate", "cadence", "power", "distance", "enhanced_speed", "stance_time",
              "step_length", "vertical_ratio", "vertical_oscillation", "stance_time_balance",
              "grade", "temperature", "calories", "total_cycles", "gps_accuracy",
              "enhanced_altitude", "vertical_speed", "cycle_length16", "resistance", "zone"]
    for round_ in range(2):
        for i, name in enumerate(fields):
            enc.add("record", timestamp=FIT_T0 + 100 * round_ + i, **{name: i + 1})
    msgs = decode(enc.to_bytes())
    assert len(msgs) == 2 * len(fields)
    for msg, (i, name) in zip(msgs, [*enumerate(fields), *enumerate(fields)], strict=True):
        got = values(msg)
        assert got[name] == pytest.approx(i + 1)


# ------------------------------------------------------------------ workouts


def test_workout_file_with_repeat_step() -> None:
    enc = FitEncoder()
    enc.add("file_id", type="workout", manufacturer="development", time_created=T0)
    enc.add("workout", sport="running", num_valid_steps=4, wkt_name="Back-friendly intervals")
    enc.add("workout_step", message_index=0, wkt_step_name="Warm up", duration_type="time",
            duration_time=600.0, target_type="open", intensity="warmup")
    enc.add("workout_step", message_index=1, wkt_step_name="Run", duration_type="distance",
            duration_distance=400.0, target_type="heart_rate", target_hr_zone=3,
            intensity="active")
    enc.add("workout_step", message_index=2, wkt_step_name="Walk", duration_type="time",
            duration_value=90_000, target_type="open", intensity="recovery")
    enc.add("workout_step", message_index=3, duration_type="repeat_until_steps_cmplt",
            duration_value=1, target_value=5)
    msgs = decode(enc.to_bytes())
    assert values(msgs[0])["type"] == "workout"
    assert values(msgs[1]) == {"sport": "running", "num_valid_steps": 4,
                               "wkt_name": "Back-friendly intervals"}
    steps = [values(m) for m in msgs[2:]]
    assert steps[0] == {"message_index": 0, "wkt_step_name": "Warm up", "duration_type": "time",
                        "duration_time": 600.0, "target_type": "open", "intensity": "warmup"}
    assert steps[1]["duration_distance"] == 400.0
    assert steps[1]["target_hr_zone"] == 3
    assert steps[2]["duration_time"] == 90.0  # duration_value raw ms, read through the subfield
    assert steps[3] == {"message_index": 3, "duration_type": "repeat_until_steps_cmplt",
                        "duration_step": 1, "repeat_steps": 5}


# -------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("message", "fields", "match"),
    [
        ("no_such_message", {"x": 1}, "unknown FIT message"),
        ("record", {"no_such_field": 1}, "no such field"),
        ("session", {"sport": "parkour"}, "not a value name"),
        ("record", {"heart_rate": 255}, "outside the uint8 range"),
        ("record", {"heart_rate": -1}, "outside the uint8 range"),
        ("record", {"enhanced_speed": -0.5}, "outside the uint32 range"),
        ("record", {"timestamp": datetime(2025, 1, 1)}, "aware datetime"),
        ("record", {"heart_rate": T0}, "date_time field"),
        ("workout_step", {"duration_value": 1, "duration_step": 1}, "already given"),
        ("file_id", {"product_name": "x" * 300}, "longer than 254"),
    ],
)
def test_bad_input_raises(message: str, fields: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        FitEncoder().add(message, **fields)


def test_columns_of_different_lengths_raise() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        FitEncoder().add_many("record", {"heart_rate": [1, 2], "cadence": [1, 2, 3]})


def test_empty_columns_write_nothing() -> None:
    enc = FitEncoder()
    enc.add_many("record", {"heart_rate": np.array([])})
    assert enc.n_messages == 0
    assert decode(enc.to_bytes()) == []


# ---------------------------------------------------------------- hypothesis

_opt_hr = st.one_of(st.none(), st.integers(0, 254))
_opt_float = st.one_of(st.none(), st.floats(0, 4000, allow_nan=False))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0x10000000, 0xFFFFFFF0),  # timestamp
            st.integers(-(2**31), 2**31 - 2),  # position_lat
            _opt_hr,  # heart_rate
            st.floats(-500, 10_000, allow_nan=False),  # enhanced_altitude
            _opt_float,  # enhanced_speed (scale 1000)
            st.floats(0, 42_000_000, allow_nan=False),  # distance (scale 100)
            st.one_of(st.none(), st.floats(0, 655, allow_nan=False)),  # stance_time_balance
            st.floats(-327, 327, allow_nan=False),  # grade (sint16, scale 100)
        ),
        min_size=1,
        max_size=30,
    )
)
def test_random_records_round_trip(rows: list[tuple[Any, ...]]) -> None:
    names = ["timestamp", "position_lat", "heart_rate", "enhanced_altitude", "enhanced_speed",
             "distance", "stance_time_balance", "grade"]
    scale = {"enhanced_altitude": 5, "enhanced_speed": 1000, "distance": 100,
             "stance_time_balance": 100, "grade": 100}
    columns = {
        name: np.array([np.nan if r[i] is None else r[i] for r in rows], dtype=np.float64)
        if name not in ("timestamp", "position_lat") else np.array([r[i] for r in rows])
        for i, name in enumerate(names)
    }
    enc = FitEncoder()
    enc.add_many("record", columns)
    msgs = decode(enc.to_bytes())
    assert len(msgs) == len(rows)
    for row, msg in zip(rows, msgs, strict=True):
        got = values(msg)
        assert got["timestamp"] == FIT_EPOCH + timedelta(seconds=row[0])
        assert got["position_lat"] == row[1]
        for i, name in enumerate(names[2:], start=2):
            if row[i] is None:
                assert got[name] is None
            else:
                tol = 0.5 / scale.get(name, 1) + 1e-9 * max(1.0, abs(row[i]))
                assert got[name] == pytest.approx(row[i], abs=tol), name
