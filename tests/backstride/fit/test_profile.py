"""The FIT profile tables, taken from fitdecode.profile on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

from backstride.fit.profile import (
    BASE_TYPES,
    BYTE,
    FIT_EPOCH_UNIX_S,
    base_type,
    enum_name,
    enum_value,
    message_info,
    message_name,
    message_num,
)


def test_nothing_is_built_at_import_time() -> None:
    code = ("import sys, backstride.fit.decode, backstride.importers.fit; "
            "print('fitdecode.profile' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_messages_and_fields() -> None:
    assert message_num("record") == 20 and message_name(20) == "record"
    assert message_name(65281) == "unknown_65281"
    assert message_info(65281) is None
    with pytest.raises(KeyError):
        message_num("no_such_message")
    record = message_info(20)
    assert record is not None
    speed = record.fields[6]
    assert (speed.name, speed.scale, speed.offset, speed.units) == ("speed", 1000.0, 0.0, "m/s")
    (enhanced,) = speed.components
    assert (enhanced.target, enhanced.target_num, enhanced.bits) == ("enhanced_speed", 73, 16)
    altitude = record.fields[2]
    assert (altitude.scale, altitude.offset) == (5.0, 500.0)
    packed = record.fields[8]  # compressed_speed_distance (Forerunner 70)
    assert [(c.target, c.bits, c.bit_offset, c.accumulate, c.scale) for c in packed.components] \
        == [("speed", 12, 0, False, 100.0), ("distance", 12, 12, True, 16.0)]
    session = message_info(18)
    assert session is not None
    cadence = session.fields[18]
    assert cadence.name == "avg_cadence"
    running = next(sf for sf in cadence.subfields if sf.name == "avg_running_cadence")
    assert (5, 1) in running.refs  # selected when sport (field 5) == running (1)


def test_enums() -> None:
    assert enum_name("sport", 1) == "running"
    assert enum_name("sport", 1.0) == "running"
    assert enum_name("sport", 3) == "transition"
    assert enum_name("sub_sport", 3) == "trail"
    assert enum_name("manufacturer", 1) == "garmin"
    assert enum_name("garmin_product", 2697) == "fenix5"
    assert enum_name("sport", 250) is None
    assert enum_name("sport", float("nan")) is None and enum_name("sport", None) is None
    assert enum_value("sport", "swimming") == 5
    assert enum_value("no_such_type", "x") is None


def test_base_types() -> None:
    assert base_type(0x84) is BASE_TYPES[0x04]
    assert base_type(0x04).name == "uint16"  # the endian flag does not matter
    assert base_type(0x8C).invalid == 0  # uint32z
    assert base_type(0x1F) is BYTE  # unknown numbers read as bytes
    assert BASE_TYPES[0x08].numpy_code == "f4"
    assert FIT_EPOCH_UNIX_S == 631065600
