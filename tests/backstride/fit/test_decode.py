"""The vectorised FIT decoder: field-by-field against fitdecode, damage, tiny built files."""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import math
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import fitdecode
import numpy as np
import pytest
from fitdecode.utils import compute_crc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import ACTIVITIES_DIR

from backstride.errors import ActivityFileError, CorruptFileError, UnsupportedFormatError
from backstride.fit.crc import crc16
from backstride.fit.decode import FitFile, decode
from backstride.fit.profile import message_info
from backstride.fit.walk import MAX_DEFINITIONS, MAX_SEGMENTS

REPO = Path(__file__).resolve().parents[3]
_ACTIVITIES = ACTIVITIES_DIR


def _fit_files() -> list[str]:
    """Every shared FIT file, read at collection time for the test ids."""
    if not _ACTIVITIES.is_dir():
        return ["(shared files absent)"]
    return sorted(str(p.relative_to(_ACTIVITIES)) for p in _ACTIVITIES.rglob("*.fit"))


# -- tiny FIT files built with struct.pack ---------------------------------------------------

RECORD, FILE_ID, SESSION, EVENT = 20, 0, 18, 21
UINT8, UINT16, UINT32, SINT32, ENUM, STRING, BYTE = 0x02, 0x84, 0x86, 0x85, 0x00, 0x07, 0x0D
T0 = 1_000_000_000  # 2021-09-09T01:46:40Z as FIT seconds


def fit(*messages: bytes, header_size: int = 14, data_size: int | None = None,
        header_crc: bool = True, file_crc: bool = True) -> bytes:
    """A FIT file around ``messages`` (CRCs by fitdecode's own CRC routine)."""
    body = b"".join(messages)
    head = struct.pack("<BBHI4s", header_size, 0x20, 2132,
                       len(body) if data_size is None else data_size, b".FIT")
    if header_size == 14:
        head += struct.pack("<H", compute_crc(head) if header_crc else 0)
    out = head + body
    return out + struct.pack("<H", compute_crc(out)) if file_crc else out


def define(local: int, mesg_num: int, fields: list[tuple[int, int, int]], *,
           big: bool = False, dev: list[tuple[int, int, int]] | None = None) -> bytes:
    """Definition message: fields are (number, size, base type byte)."""
    out = bytes([0x40 | local | (0x20 if dev else 0), 0, 1 if big else 0])
    out += struct.pack(">H" if big else "<H", mesg_num) + bytes([len(fields)])
    out += b"".join(bytes(f) for f in fields)
    if dev:
        out += bytes([len(dev)]) + b"".join(bytes(f) for f in dev)
    return out


def data(local: int, payload: bytes) -> bytes:
    return bytes([local]) + payload


def compressed(local: int, offset: int, payload: bytes) -> bytes:
    return bytes([0x80 | (local << 5) | (offset & 0x1F)]) + payload


REC_FIELDS = [(253, 4, UINT32), (3, 1, UINT8), (5, 4, UINT32), (2, 2, UINT16)]


def rec(ts: int, hr: int, dist_cm: int, alt_raw: int, order: str = "<") -> bytes:
    return struct.pack(f"{order}IBIH", ts, hr, dist_cm, alt_raw)


def file_id() -> bytes:
    return define(0, FILE_ID, [(0, 1, ENUM), (1, 2, UINT16), (2, 2, UINT16), (4, 4, UINT32)]) + \
        data(0, struct.pack("<BHHI", 4, 1, 2697, T0))


# -- fitdecode as the reference ----------------------------------------------------------------


def fitdecode_frames(raw: bytes) -> tuple[list[Any], Exception | None]:
    """Data messages fitdecode yields (no processor: numbers stay numbers), and its error."""
    frames: list[Any] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with fitdecode.FitReader(raw, check_crc=fitdecode.CrcCheck.DISABLED,
                                     processor=None) as reader:
                frames.extend(f for f in reader if f.frame_type == fitdecode.FIT_FRAME_DATA)
        except Exception as exc:  # the reference's own failure is data here
            return frames, exc
    return frames, None


def _dev_scales(frames: list[Any]) -> dict[tuple[int, int], tuple[float, float]]:
    """(developer index, field number) -> (scale, offset) declared by field_description.

    fitdecode ignores them; backstride applies them, so the comparison applies them too.
    """
    out = {}
    for f in frames:
        if f.name == "field_description":
            values = {fd.name: fd.raw_value for fd in f.fields}
            scale, offset = values.get("scale"), values.get("offset")
            if scale or offset:
                key = (values.get("developer_data_index"), values.get("field_definition_number"))
                out[key] = (float(scale or 1), float(offset or 0))
    return out


def _simple(value: object) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _expected(fd: Any, text: bool, dev_scale: tuple[float, float] | None) -> list[object]:
    value = fd.value
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if text else [float(fd.raw_value)]  # enum names -> raw numbers
    values = list(value) if isinstance(value, tuple) else [value]
    out = [float(v) for v in values if v is not None]
    if dev_scale is not None:
        out = [v / dev_scale[0] - dev_scale[1] for v in out]
    return out


def _ours(col: np.ndarray | None, i: int) -> list[object]:
    if col is None:
        return []
    if col.dtype == object:
        return [] if col[i] is None else [col[i]]
    row = np.atleast_1d(col[i])
    return [float(v) for v in row if not math.isnan(v)]


def _same(a: list[object], b: list[object]) -> bool:
    """Same set of values (fitdecode may repeat a value: native + expanded component)."""
    def norm(values: list[object]) -> list[object]:
        return sorted({round(v, 6) if isinstance(v, float) else v for v in values}, key=str)
    na, nb = norm(a), norm(b)
    if len(na) != len(nb):
        return False
    for x, y in zip(na, nb, strict=True):
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=1e-9, abs_tol=2e-6):
                return False
        elif x != y:
            return False
    return True


def _has_value(col: np.ndarray, n: int) -> np.ndarray:
    head = col[:n]
    if col.dtype == object:
        return np.array([v is not None for v in head], dtype=bool)
    return ~np.isnan(head) if head.ndim == 1 else ~np.all(np.isnan(head), axis=1)


def _compare_key(name: str, fname: str, col: np.ndarray | None,
                 items: list[tuple[int, Any]], scale: tuple[float, float] | None,
                 n: int) -> Iterator[str]:
    """One field of one message type: vectorised for plain numbers, else row by row."""
    rows = np.array([i for i, _ in items], dtype=np.int64)
    text = col is not None and col.dtype == object
    plain = (col is not None and col.dtype == np.float64 and col.ndim == 1
             and len(set(rows.tolist())) == len(rows)
             and all(_simple(fd.value) or isinstance(fd.value, str) for _, fd in items))
    if plain:
        assert col is not None
        expected = np.array([np.nan if fd.value is None else
                             float(fd.raw_value if isinstance(fd.value, str) else fd.value)
                             for _, fd in items])
        if scale is not None:
            expected = expected / scale[0] - scale[1]
        got = col[rows]
        bad = ~(np.isclose(got, expected, rtol=1e-9, atol=2e-6)
                | (np.isnan(got) & np.isnan(expected)))
        for k in np.flatnonzero(bad)[:5]:
            yield f"{name}[{rows[k]}].{fname}: ours {got[k]}, fitdecode {expected[k]}"
    else:
        per_row: dict[int, list[object]] = {}
        for i, fd in items:
            per_row.setdefault(i, []).extend(_expected(fd, text, scale))
        for i, expected_values in per_row.items():
            got_values = _ours(col, i)
            if not _same(got_values, expected_values):
                yield f"{name}[{i}].{fname}: ours {got_values}, fitdecode {expected_values}"
    if col is not None:
        present = np.zeros(n, dtype=bool)
        present[rows] = True
        for i in np.flatnonzero(_has_value(col, n) & ~present)[:5]:
            yield f"{name}[{i}].{fname}: ours {_ours(col, int(i))}, fitdecode none"


def compare(raw: bytes, ours: FitFile,
            reference: tuple[list[Any], Exception | None] | None = None) -> Iterator[str]:
    """Differences between backstride and fitdecode, message by message, field by field."""
    frames, error = fitdecode_frames(raw) if reference is None else reference
    scales = _dev_scales(frames)
    by_name: dict[str, list[Any]] = {}
    for frame in frames:
        by_name.setdefault(frame.name, []).append(frame)
    complete = error is None and ours.stop_offset is None
    for name, messages in by_name.items():
        table = ours[name]
        if complete and len(table) != len(messages):
            yield f"{name}: {len(table)} messages, fitdecode {len(messages)}"
        n = min(len(table), len(messages))
        keys: dict[tuple[bool, str], list[tuple[int, Any]]] = {}
        key_scale: dict[tuple[bool, str], tuple[float, float] | None] = {}
        for i, message in enumerate(messages[:n]):
            fields = message.fields
            compressed_ts = message.time_offset is not None
            for fd in fields:
                field_def = fd.field_def
                if field_def is None:
                    if compressed_ts and fd.name == "timestamp" and any(
                            f.field_def is not None and f.name == "timestamp"
                            and f.value is not None for f in fields):
                        # a compressed header on a message with its own timestamp:
                        # fitdecode lists both values; backstride keeps the message's own
                        continue
                    key = (False, fd.name)
                elif field_def.is_dev:
                    dev_key = (field_def.dev_data_index, field_def.def_num)
                    key = (True, fd.name or f"dev_{dev_key[0]}_{dev_key[1]}")
                    key_scale[key] = scales.get(dev_key)
                else:
                    key = (False, fd.name)
                keys.setdefault(key, []).append((i, fd))
        for (dev, fname), items in keys.items():
            col = (table.developer if dev else table.fields).get(fname)
            yield from _compare_key(name, fname, col, items, key_scale.get((dev, fname)), n)
        for dev, cols in ((False, table.fields), (True, table.developer)):
            for fname, col in cols.items():
                if (dev, fname) not in keys and _has_value(col, n).any():
                    yield f"{name}.{fname}: ours has values, fitdecode has no such field"
    if complete:
        for name, table in ours.messages.items():
            if name not in by_name:
                yield f"{name}: {len(table)} messages, fitdecode none"


#: Where backstride stops earlier than fitdecode, on purpose.
STOPS_EARLIER = {
    # a definition at byte 22225 has architecture byte 229 (only 0 and 1 exist): the
    # bytes from there on are not FIT. fitdecode reads it as big-endian and yields two
    # more (garbage) device_info messages before failing with "ValueError: size".
    "gpsbabel/malformed/lezyne_super_gps-garmin_fit-sample-bad-endian.fit": {"device_info": 2},
}


@pytest.mark.parametrize("file", _fit_files())
def test_matches_fitdecode_field_by_field(file: str, activities_dir: Path) -> None:
    raw = (activities_dir / file).read_bytes()
    reference = fitdecode_frames(raw)
    frames = reference[0]
    if file == "sports-lib/malformed/broken.fit":
        # fitdecode gives up at byte 14 (header says 0 data bytes): nothing to compare
        assert frames == []
    ours = decode(raw, source=file)
    differences = list(compare(raw, ours, reference))
    assert differences == [], "\n".join(differences[:20])
    counts: dict[str, int] = {}
    for f in frames:
        counts[f.name] = counts.get(f.name, 0) + 1
    for name, n in counts.items():
        assert len(ours[name]) == n - STOPS_EARLIER.get(file, {}).get(name, 0), name


# -- malformed files ----------------------------------------------------------------------------

MALFORMED = {
    # file: (records, stop offset or None, warning fragments, crc_ok)
    "python-fitparse/malformed/nick.fit": (
        14391, 403437, ["message at byte 403437 (28 bytes) runs past the end of the data"], None),
    "python-fitparse/malformed/strava-android-app-201.10-b1218918.fit": (
        473, 7471, ["file truncated: the header at byte 0 declares 78236 data bytes",
                    "local message type 11, which is not defined"], None),
    "python-fitparse/malformed/coros-pace-2-cycling-misaligned-fields.fit": (
        11272, None, ["event field 3: size 1 does not fit its type uint32"], True),
    "python-fitparse/malformed/elemnt-bolt-no-application-id-inside-developer-data-id.fit": (
        132, None, [], True),
    "tormoder-fit/malformed/unterminated-strings.fit": (33, None, [], True),
    "sports-lib/malformed/broken.fit": (
        2319, 86008, ["declares 0 data bytes but 86004 bytes follow",
                      "incomplete message at byte 86008"], None),
    "gpsbabel/malformed/lezyne_super_gps-garmin_fit-sample-bad-endian.fit": (
        804, 22225, ["invalid architecture byte 229"], None),
}


@pytest.mark.parametrize("file", sorted(MALFORMED))
def test_malformed_outcome(file: str, activities_dir: Path) -> None:
    records, stop, fragments, crc_ok = MALFORMED[file]
    ours = decode((activities_dir / file).read_bytes(), source=file)
    assert len(ours["record"]) == records
    assert ours.stop_offset == stop
    text = "\n".join(ours.warnings)
    for fragment in fragments:
        assert fragment in text
    if stop is not None:
        assert f"decoding stopped at byte {stop}" in text
    if not fragments and stop is None:
        assert ours.warnings == ()
    assert ours.crc_ok is crc_ok


def test_every_malformed_fit_file_has_an_expected_outcome(activities_dir: Path) -> None:
    found = {str(p.relative_to(activities_dir)) for p in activities_dir.rglob("malformed/*.fit")}
    assert found == set(MALFORMED)


def test_unterminated_strings_are_read_whole(activities_dir: Path) -> None:
    ours = decode((activities_dir / "tormoder-fit/malformed/unterminated-strings.fit").read_bytes())
    names = [v for v in ours["field_description"].fields["field_name"] if v]
    assert names and all(isinstance(v, str) and "\0" not in v for v in names)


# -- upstream record dumps (python-fitparse's expected values) -----------------------------------


def test_compressed_speed_distance_matches_upstream_csv(activities_dir: Path) -> None:
    base = activities_dir / "python-fitparse"
    ours = decode((base / "compressed-speed-distance.fit").read_bytes())["record"]
    with (base / "compressed-speed-distance-records.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    # the dump leaves out the first record, which holds nothing but its timestamp
    first = {name: col[0] for name, col in ours.fields.items() if col.ndim == 1}
    assert first.pop("timestamp") == 17217864
    assert all(np.isnan(v) for v in first.values())
    assert len(rows) == len(ours) - 1

    def col(i: int) -> np.ndarray:
        return np.array([np.nan if r[i] == "null" else float(r[i]) for r in rows])

    def got(name: str) -> np.ndarray:
        values = ours.column(name)
        assert values is not None
        return values[1:]

    # relative timestamps (compressed headers), HR, 12-bit speed /100, accumulated distance /16
    np.testing.assert_array_equal(got("timestamp"), col(0))
    np.testing.assert_array_equal(got("heart_rate"), col(1))
    np.testing.assert_allclose(got("speed"), col(2), atol=1e-9)
    np.testing.assert_allclose(got("distance"), col(3), atol=1e-9)
    np.testing.assert_array_equal(got("cadence"), col(4))
    assert got("timestamp").max() < 0x10000000  # seconds since power-on


@pytest.mark.parametrize("name", ["run", "walk", "bike"])
def test_fenix5_records_match_upstream_csv(name: str, activities_dir: Path) -> None:
    base = activities_dir / "python-fitparse"
    ours = decode((base / f"garmin-fenix-5-{name}.fit").read_bytes())["record"]
    with (base / f"garmin-fenix-5-{name}-records.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(ours)
    for field, tol in (("heart_rate", 0), ("cadence", 0), ("speed", 1e-9), ("distance", 1e-9),
                       ("position_lat", 0), ("position_long", 0), ("altitude", 1e-9),
                       ("temperature", 0)):
        want = np.array([float(r[field]) if r[field] else np.nan for r in rows])
        got = ours.column("enhanced_altitude" if field == "altitude" else field)
        if got is None:  # the bike file has no cadence field at all
            assert np.isnan(want).all(), field
            continue
        np.testing.assert_allclose(got, want, atol=tol, err_msg=field)


# -- tiny built files ---------------------------------------------------------------------------


def _decode_both(raw: bytes) -> FitFile:
    ours = decode(raw)
    differences = list(compare(raw, ours))
    assert differences == [], differences
    return ours


def test_compressed_timestamps_roll_over_against_the_last_full_timestamp() -> None:
    t = T0 + 28  # low 5 bits: 28 (T0 % 32 == 0)
    raw = fit(
        define(0, RECORD, REC_FIELDS), data(0, rec(t, 100, 0, 3000)),
        define(1, RECORD, [(3, 1, UINT8)]),
        compressed(1, 30, bytes([101])),  # 30 >= 28: t + 2
        compressed(1, 2, bytes([102])),  # 2 < 30: rolls over: t + 6
        compressed(1, 2, bytes([103])),  # same offset: t + 6 again
        compressed(1, 1, bytes([104])),  # 1 < 2: next 32 s window: t + 37
        data(0, rec(t + 100, 105, 0, 3000)),  # a full timestamp resets the base
        compressed(1, (t + 100 + 3) & 31, bytes([106])),
    )
    ours = _decode_both(raw)["record"]
    assert ours.column("timestamp").tolist() == [t, t + 2, t + 6, t + 6, t + 37, t + 100,
                                                 t + 103]
    assert ours.column("heart_rate").tolist() == [100, 101, 102, 103, 104, 105, 106]


def test_big_endian_definitions() -> None:
    raw = fit(
        define(0, RECORD, REC_FIELDS, big=True),
        data(0, rec(T0, 150, 123456, 2600, ">")),
        define(1, RECORD, REC_FIELDS),  # little-endian alongside
        data(1, rec(T0 + 1, 151, 123556, 2605)),
    )
    ours = _decode_both(raw)["record"]
    assert ours.column("timestamp").tolist() == [T0, T0 + 1]
    assert ours.column("distance").tolist() == [1234.56, 1235.56]
    assert ours.column("altitude").tolist() == [20.0, 21.0]  # raw / 5 - 500
    assert ours.column("enhanced_altitude").tolist() == [20.0, 21.0]  # expanded component


def test_chained_files_are_read_end_to_end() -> None:
    one = fit(file_id(), define(0, RECORD, REC_FIELDS), data(0, rec(T0, 120, 0, 3000)))
    two = fit(define(3, RECORD, REC_FIELDS[:2]), data(3, struct.pack("<IB", T0 + 60, 130)))
    ours = _decode_both(one + two)
    assert ours.segments == 2
    assert ours.crc_ok is True
    assert ours["record"].column("heart_rate").tolist() == [120, 130]
    # local types are per file: local 0 of file one is undefined in file two
    bad = one + fit(data(0, rec(T0, 1, 0, 0)))
    assert decode(bad).stop_offset == len(one) + 14


def test_file_crc_mismatch_keeps_the_data_with_a_warning() -> None:
    raw = bytearray(fit(define(0, RECORD, REC_FIELDS), data(0, rec(T0, 120, 0, 3000))))
    raw[-1] ^= 0xFF
    ours = decode(bytes(raw))
    assert ours.crc_ok is False
    assert len(ours["record"]) == 1
    assert any("file CRC mismatch" in w for w in ours.warnings)


def test_12_byte_header_and_zero_header_crc_are_fine() -> None:
    body = (define(0, RECORD, REC_FIELDS), data(0, rec(T0, 120, 0, 3000)))
    for raw in (fit(*body, header_size=12), fit(*body, header_crc=False)):
        ours = _decode_both(raw)
        assert ours.warnings == ()
        assert ours.crc_ok is True
    wrong = bytearray(fit(*body))
    wrong[12] ^= 0x01  # header CRC
    ours = decode(bytes(wrong))
    assert any("header CRC mismatch" in w for w in ours.warnings)
    assert len(ours["record"]) == 1


def test_header_claiming_zero_data_bytes_reads_what_follows() -> None:
    body = (define(0, RECORD, REC_FIELDS), data(0, rec(T0, 120, 0, 3000)),
            data(0, rec(T0 + 1, 121, 100, 3000)))
    ours = decode(fit(*body, data_size=0, file_crc=False))
    assert ours["record"].column("heart_rate").tolist() == [120, 121]
    assert any("declares 0 data bytes" in w for w in ours.warnings)
    # a CRC right after the data is recognised and checked
    assert decode(fit(*body, data_size=0)).crc_ok is True


def test_truncated_file_keeps_complete_messages() -> None:
    raw = fit(define(0, RECORD, REC_FIELDS), data(0, rec(T0, 120, 0, 3000)),
              data(0, rec(T0 + 1, 121, 100, 3000)))
    cut = raw[:-7]  # CRC and the end of the second record gone
    ours = decode(cut)
    assert ours["record"].column("heart_rate").tolist() == [120]
    assert any("file truncated" in w for w in ours.warnings)
    crc_cut = decode(raw[:-1])
    assert crc_cut["record"].column("heart_rate").tolist() == [120, 121]
    assert crc_cut.stop_offset is None and crc_cut.crc_ok is None
    assert any("CRC at byte" in w and "cut short" in w for w in crc_cut.warnings)
    with pytest.raises(CorruptFileError, match="no FIT message could be decoded") as info:
        decode(raw[:40], source="cut.fit")
    assert str(info.value).startswith("cut.fit: ")


def test_undefined_local_message_stops_with_a_warning() -> None:
    raw = fit(define(0, RECORD, REC_FIELDS), data(0, rec(T0, 120, 0, 3000)),
              data(5, b"\0" * 11), data(0, rec(T0 + 1, 121, 100, 3000)))
    ours = decode(raw)
    assert ours["record"].column("heart_rate").tolist() == [120]
    stop = 14 + len(define(0, RECORD, REC_FIELDS)) + 12
    assert ours.stop_offset == stop
    assert any(f"data message at byte {stop} uses local message type 5" in w
               for w in ours.warnings)


def test_field_size_not_fitting_its_type_is_read_as_bytes() -> None:
    raw = fit(define(0, RECORD, [(253, 4, UINT32), (5, 3, UINT32), (3, 1, UINT8)]),
              data(0, struct.pack("<I", T0) + b"\x01\x02\x03" + bytes([140])))
    ours = _decode_both(raw)
    table = ours["record"]
    # like fitdecode: the bytes, with the field's scale (100) applied to each
    assert table.fields["distance"].tolist() == [[0.01, 0.02, 0.03]]
    assert table.column("heart_rate").tolist() == [140]
    assert any("size 3 does not fit its type uint32" in w for w in ours.warnings)


def test_developer_fields_use_their_description() -> None:
    dev_id = define(1, 207, [(3, 1, UINT8)]) + data(1, bytes([0]))
    desc = define(2, 206, [(0, 1, UINT8), (1, 1, UINT8), (2, 1, UINT8), (3, 8, STRING),
                           (8, 4, STRING), (6, 1, UINT8), (7, 1, 0x01)])
    power = data(2, bytes([0, 0, UINT16]) + b"Power\0\0\0" + b"W\0\0\0" + bytes([1, 0]))
    form = data(2, bytes([0, 1, UINT16]) + b"Form\0\0\0\0" + b"W\0\0\0" + bytes([10, 5]))
    rec_def = define(0, RECORD, [(253, 4, UINT32), (7, 2, UINT16)],
                     dev=[(0, 2, 0), (1, 2, 0), (9, 1, 0)])
    raw = fit(dev_id, desc, power, form, rec_def,
              data(0, struct.pack("<IHHHB", T0, 200, 250, 700, 7)),
              data(0, struct.pack("<IHHHB", T0 + 1, 0xFFFF, 0xFFFF, 710, 8)))
    ours = decode(raw)
    table = ours["record"]
    assert table.column("power").tolist()[0] == 200  # native stays native
    assert np.isnan(table.column("power")[1])
    dev_power = table.column("Power", developer=True)
    assert dev_power is not None and dev_power[0] == 250 and np.isnan(dev_power[1])
    assert table.developer_units["Power"] == "W"
    form_power = table.column("Form", developer=True)
    assert form_power is not None and form_power.tolist() == [65.0, 66.0]  # 700 / 10 - 5
    assert table.developer["dev_0_9"].tolist() == [[7.0], [8.0]]  # undeclared: bytes
    assert any("developer field 9 of developer data index 0" in w for w in ours.warnings)


def test_long_runs_and_repeating_blocks_are_skipped_exactly() -> None:
    """The bulk skip must find every message: runs, 3-message blocks, breaks, redefinitions."""
    event = define(2, EVENT, [(253, 4, UINT32), (0, 1, ENUM), (1, 1, ENUM)])
    hr_only = define(1, RECORD, [(253, 4, UINT32), (3, 1, UINT8)])
    messages = [define(0, RECORD, REC_FIELDS), hr_only, event]
    t = T0
    expected_hr = []
    for block in range(300):
        for k in range(3 if block % 17 else 1):
            messages.append(data(0, rec(t, k + 100, t - T0, 3000)))
            messages.append(data(1, struct.pack("<IB", t, 200 + k)))
            expected_hr += [k + 100, 200 + k]
            t += 1
        if block % 5 == 0:
            messages.append(data(2, struct.pack("<IBB", t, 0, 4)))
    messages.append(define(1, RECORD, [(253, 4, UINT32), (3, 1, UINT8)]))  # redefinition
    for _ in range(5000):
        messages.append(data(1, struct.pack("<IB", t, 99)))
        expected_hr.append(99)
        t += 1
    ours = _decode_both(fit(*messages))
    assert ours["record"].column("heart_rate").tolist() == expected_hr
    assert np.all(np.diff(ours["record"].positions) > 0)


def test_bytes_after_the_last_file_are_ignored_with_a_warning() -> None:
    raw = fit(define(0, RECORD, REC_FIELDS), data(0, rec(T0, 120, 0, 3000)))
    ours = decode(raw + b"\0" * 300)
    assert len(ours["record"]) == 1 and ours.stop_offset is None and ours.crc_ok is True
    assert ours.warnings == (f"300 bytes after the last FIT file at byte {len(raw)} ignored",)


def test_relative_timestamps_stay_seconds_since_power_on() -> None:
    raw = fit(define(0, RECORD, REC_FIELDS), data(0, rec(17217869, 93, 0, 3000)))
    assert decode(raw)["record"].column("timestamp").tolist() == [17217869]


def test_not_fit_and_empty_inputs() -> None:
    for raw in (b"", b"<?xml version='1.0'?><gpx/>", b"\x0e" * 40):
        with pytest.raises(UnsupportedFormatError, match=r"x\.fit: not a FIT file"):
            decode(raw, source="x.fit")
    with pytest.raises(CorruptFileError, match="no FIT message could be decoded"):
        decode(fit(), source="x.fit")


def test_hostile_sizes_do_not_allocate_or_loop() -> None:
    huge = bytearray(fit(define(0, RECORD, REC_FIELDS), data(0, rec(T0, 120, 0, 3000))))
    huge[4:8] = struct.pack("<I", 0xFFFFFFF0)  # claims 4 GB of data
    ours = decode(bytes(huge))
    assert len(ours["record"]) == 1
    assert any("file truncated" in w for w in ours.warnings)
    # endless chained files and distinct definitions stop at fixed limits
    empty = fit(file_id())
    ours = decode(empty * (MAX_SEGMENTS + 5))
    assert ours.segments == MAX_SEGMENTS and len(ours["file_id"]) == MAX_SEGMENTS
    assert ours.stop_offset == MAX_SEGMENTS * len(empty)
    defs = [define(0, 0xFF00, [(i % 256, 1, UINT8), (i // 256, 1, UINT8)])
            for i in range(MAX_DEFINITIONS + 10)]
    ours = decode(fit(file_id(), *defs))
    assert ours.stop_offset is not None
    assert any(f"more than {MAX_DEFINITIONS} distinct definitions" in w for w in ours.warnings)


def test_crc16_matches_the_fit_sdk_routine() -> None:
    rng = np.random.default_rng(1)
    blob = rng.integers(0, 256, 300_000, dtype=np.uint8).tobytes()
    for n in (0, 1, 2, 255, 256, 257, 4096, 10_001, 300_000):
        assert crc16(blob[:n]) == compute_crc(blob[:n]) if n else crc16(b"") == 0
    assert crc16(blob, 5, 20_005, crc=0) == compute_crc(blob[5:20_005])


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_random_bytes_decode_or_raise_a_file_error(blob: bytes) -> None:
    for raw in (blob, fit(blob), fit(blob, data_size=0, file_crc=False)):
        with contextlib.suppress(ActivityFileError):
            decode(raw)


# -- profile-driven details ----------------------------------------------------------------------


def test_subfields_and_components_follow_the_profile(activities_dir: Path) -> None:
    ours = decode((activities_dir / "python-fitparse/garmin-fenix-5-run.fit").read_bytes())
    session = ours["session"]
    # running: avg_cadence is avg_running_cadence (sub-field selected by sport = running)
    assert session.value("avg_running_cadence") == 83
    assert "avg_cadence" not in session.fields or session.value("avg_cadence") is None
    assert ours["file_id"].value("garmin_product") == 2697  # fenix5
    info = message_info(RECORD)
    assert info is not None and info.fields[6].components[0].target == "enhanced_speed"


# -- timeshift (bench/timeshift.py) ------------------------------------------------------------


def _timeshift() -> ModuleType:
    spec = importlib.util.spec_from_file_location("timeshift", REPO / "bench" / "timeshift.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DATE_FIELDS = ("timestamp", "start_time", "time_created", "local_timestamp", "unknown_253")


@pytest.mark.parametrize("file", ["python-fitparse/sample_mulitple_header.fit",
                                  "python-fitparse/compressed-speed-distance.fit",
                                  "runpandas/run.fit"])
def test_shift_fit_moves_every_date(file: str, activities_dir: Path) -> None:
    shift_fit = _timeshift().shift_fit
    raw = (activities_dir / file).read_bytes()
    delta = -10 * 365 * 86400 + 32 * 17  # about ten years back, a multiple of 32 s
    before, after = decode(raw), decode(shift_fit(raw, delta))
    assert after.crc_ok is True and after.warnings == before.warnings
    moved = 0
    for table in before:
        other = after[table.name]
        for name, col in table.fields.items():
            if name in DATE_FIELDS and col.dtype == np.float64:
                absolute = col >= 0x10000000
                np.testing.assert_array_equal(other.fields[name][absolute], col[absolute] + delta)
                np.testing.assert_array_equal(other.fields[name][~absolute], col[~absolute])
                moved += int(absolute.sum())
            elif name not in DATE_FIELDS and name != "event_timestamp":
                np.testing.assert_array_equal(other.fields[name], col, err_msg=name)
    assert moved > 0 or "compressed" in file
    with pytest.raises(ValueError, match="multiple of 32"):
        shift_fit(raw, 31)


def test_shift_fit_keeps_compressed_timestamps_consistent() -> None:
    shift_fit = _timeshift().shift_fit
    raw = fit(define(0, RECORD, REC_FIELDS), data(0, rec(T0 + 28, 100, 0, 3000)),
              define(1, RECORD, [(3, 1, UINT8)]), compressed(1, 2, bytes([101])))
    shifted = decode(shift_fit(raw, 3200))["record"].column("timestamp")
    assert shifted.tolist() == [T0 + 28 + 3200, T0 + 34 + 3200]


def test_shift_xml_times() -> None:
    shift = _timeshift().shift_xml_times
    gpx = '<time>2020-12-31T23:59:30Z</time><time>2021-01-01T00:00:00.250+02:00</time>'
    assert shift(gpx, 45) == ('<time>2021-01-01T00:00:15Z</time>'
                              '<time>2021-01-01T00:00:45.250+02:00</time>')
    tcx = b'<Lap StartTime="2020-06-01T10:00:00Z"><Id>2020-06-01T10:00:00Z</Id>'
    assert shift(tcx, -86400) == (b'<Lap StartTime="2020-05-31T10:00:00Z">'
                                  b'<Id>2020-05-31T10:00:00Z</Id>')
