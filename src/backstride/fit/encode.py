"""FIT encoder: messages in profile units in, FIT file bytes out (no file I/O).

Message numbers, field numbers, base types, scales, offsets and enum names all
come from ``fitdecode.profile`` (fitdecode 0.11.0, MIT licence, generated from
the Garmin FIT SDK profile 21.171), so nothing of the profile is retyped here.
Lookup tables are built lazily on first use (``functools.cache``).

Encoding rules (FIT protocol, "Flexible & Interoperable Data Transfer",
Garmin FIT SDK documentation: *FIT File Structure*, *FIT Protocol*):

* a 14-byte header (size, protocol version, profile version, data size, ``.FIT``,
  header CRC), then definition and data messages, then the file CRC;
* every message is little-endian; local message types 0-15 are reused
  round-robin when more than 16 layouts are in use;
* a value in profile units becomes ``raw = round((value + offset) * scale)``
  (the decoder computes ``raw / scale - offset``);
* a missing value (``None`` in :meth:`FitEncoder.add`, ``NaN``/``NaT``/``None`` in
  :meth:`FitEncoder.add_many`) is written as the base type's invalid value;
* ``date_time`` fields take aware datetimes (or ``numpy.datetime64`` in UTC) or
  FIT seconds (seconds since 1989-12-31T00:00:00Z); ``local_date_time`` fields
  take the wall-clock time (the local reading of an aware datetime, or a naive
  datetime);
* enum fields take the profile's value name (``sport="running"``) or the number;
* subfield names are accepted and written to their parent field with the
  subfield's scale (``duration_step=1`` writes ``workout_step.duration_value``).

The CRC is the FIT CRC-16 of :mod:`backstride.fit.crc` (shared with the decoder).

Example
-------
>>> enc = FitEncoder()
>>> enc.add("file_id", type="activity", manufacturer="development", time_created=0x3B9ACA00)
>>> enc.add_many("record", {"timestamp": np.arange(0x3B9ACA00, 0x3B9ACA03),
...                         "heart_rate": np.array([120.0, np.nan, 122.0])})
>>> data = enc.to_bytes()
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any, Final, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backstride.fit.crc import crc16

__all__ = [
    "FIT_EPOCH",
    "FIT_EPOCH_UNIX_S",
    "PROFILE_VERSION",
    "PROTOCOL_VERSION",
    "FieldValue",
    "FitEncoder",
    "fit_crc16",
    "fit_seconds",
    "semicircles",
]

#: The FIT epoch: ``date_time`` values count seconds since this instant.
FIT_EPOCH: Final = datetime(1989, 12, 31, tzinfo=UTC)
#: The FIT epoch as a Unix time [s].
FIT_EPOCH_UNIX_S: Final = 631_065_600
#: Profile version written in the header: FIT SDK 21.171 (fitdecode 0.11.0's profile),
#: encoded as major * 1000 + minor like the SDK does from version 21 on.
PROFILE_VERSION: Final = 21_171
#: Protocol version 2.0 (upper nibble major, lower nibble minor).
PROTOCOL_VERSION: Final = 0x20

_HEADER_SIZE: Final = 14
_N_LOCAL: Final = 16
_SEMICIRCLES_PER_DEG: Final = 2.0**31 / 180.0

#: A value :meth:`FitEncoder.add` accepts for one field.
FieldValue: TypeAlias = (
    int | float | str | bytes | bool | datetime | np.generic | Sequence[int | float] | None
)

# Invalid value and valid raw range of each base type (FIT SDK, "Base Types" table).
# Keyed by fitdecode's base type name.
_INVALID: Final[Mapping[str, int]] = {
    "enum": 0xFF,
    "sint8": 0x7F,
    "uint8": 0xFF,
    "sint16": 0x7FFF,
    "uint16": 0xFFFF,
    "sint32": 0x7FFF_FFFF,
    "uint32": 0xFFFF_FFFF,
    "string": 0x00,
    "float32": 0xFFFF_FFFF,
    "float64": 0xFFFF_FFFF_FFFF_FFFF,
    "uint8z": 0x00,
    "uint16z": 0x0000,
    "uint32z": 0x0000_0000,
    "byte": 0xFF,
    "sint64": 0x7FFF_FFFF_FFFF_FFFF,
    "uint64": 0xFFFF_FFFF_FFFF_FFFF,
    "uint64z": 0x0000_0000_0000_0000,
}


@dataclass(frozen=True, slots=True)
class _FieldSpec:
    """One encodable field (or subfield) of a message, resolved from the profile."""

    name: str
    def_num: int
    base_type: int  # FIT base type byte, e.g. 0x84 for uint16
    base_name: str  # fitdecode base type name, e.g. "uint16"
    dtype: np.dtype[Any]  # little-endian element dtype ("S" for strings)
    scale: float | None
    offset: float | None
    type_name: str  # profile type name: "date_time", "sport", "uint16", ...
    enum: Mapping[str, int] | None  # value name -> raw value
    parent: str | None  # parent field name for a subfield

    @property
    def is_float(self) -> bool:
        return self.base_name in ("float32", "float64")

    @property
    def is_string(self) -> bool:
        return self.base_name == "string"

    @property
    def is_bytes(self) -> bool:
        return self.base_name == "byte"

    @property
    def scaled(self) -> bool:
        return (self.scale not in (None, 1)) or (self.offset not in (None, 0))

    def raw_range(self) -> tuple[int, int]:
        """Smallest and largest valid raw value (the invalid value excluded where it is an end)."""
        info = np.iinfo(self.dtype)
        lo, hi = int(info.min), int(info.max)
        invalid = _INVALID[self.base_name]
        if self.base_name == "byte":
            return lo, hi
        if invalid == hi:
            hi -= 1
        # z types: 0 is the invalid value; writing 0 simply means "missing".
        return lo, hi


@dataclass(frozen=True, slots=True)
class _MessageSpec:
    name: str
    mesg_num: int
    fields: Mapping[str, _FieldSpec]


@cache
def _profile_messages() -> Mapping[str, Any]:
    """Profile message types by name (imported lazily)."""
    from fitdecode import profile

    return {m.name: m for m in profile.MESSAGE_TYPES.values()}


def _spec_from(name: str, def_num: int, ftype: Any, scale: Any, offset: Any,
               parent: str | None) -> _FieldSpec:
    from fitdecode.types import BaseType

    base = ftype if isinstance(ftype, BaseType) else ftype.base_type
    fmt: str = base.fmt
    dtype = np.dtype("S1") if fmt == "s" else np.dtype("<" + fmt)
    enum_map: Mapping[str, int] | None = None
    if not isinstance(ftype, BaseType) and ftype.enum:
        inverse: dict[str, int] = {}
        for raw, label in ftype.enum.items():
            inverse.setdefault(str(label), int(raw))
        enum_map = inverse
    return _FieldSpec(
        name=name,
        def_num=def_num,
        base_type=int(base.identifier),
        base_name=str(base.name),
        dtype=dtype,
        scale=float(scale) if scale else None,
        offset=float(offset) if offset else None,
        type_name=str(ftype.name),
        enum=enum_map,
        parent=parent,
    )


@cache
def _message_spec(message: str) -> _MessageSpec:
    """Field specs (fields and subfields) of one profile message."""
    mtype = _profile_messages().get(message)
    if mtype is None:
        raise ValueError(f"unknown FIT message {message!r}")
    fields: dict[str, _FieldSpec] = {}
    for field in mtype.fields.values():
        fields[field.name] = _spec_from(
            field.name, field.def_num, field.type, field.scale, field.offset, None
        )
    for field in mtype.fields.values():
        for sub in field.subfields or ():
            fields.setdefault(
                sub.name,
                _spec_from(sub.name, field.def_num, sub.type, sub.scale, sub.offset, field.name),
            )
    return _MessageSpec(name=mtype.name, mesg_num=int(mtype.mesg_num), fields=fields)


def _resolve_message(message: str | int) -> _MessageSpec:
    if isinstance(message, int):
        for mtype in _profile_messages().values():
            if mtype.mesg_num == message:
                return _message_spec(str(mtype.name))
        raise ValueError(f"unknown FIT message number {message}")
    return _message_spec(message)


def fit_crc16(data: bytes | bytearray | memoryview) -> int:
    """FIT CRC-16 of ``data`` (initial value 0): :func:`backstride.fit.crc.crc16`.

    Parameters
    ----------
    data
        The bytes to check: the first 12 header bytes for the header CRC, or the
        whole file up to (not including) the final two bytes for the file CRC.
    """
    return crc16(memoryview(data))


# ----------------------------------------------------------------- conversions


def fit_seconds(value: datetime) -> int:
    """Seconds since the FIT epoch of an aware datetime (fractions truncated)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"FIT date_time needs an aware datetime, got naive {value!r}")
    return (value - FIT_EPOCH) // timedelta(seconds=1)


def _local_seconds(value: datetime) -> int:
    wall = value.replace(tzinfo=None)
    return (wall - FIT_EPOCH.replace(tzinfo=None)) // timedelta(seconds=1)


def semicircles(degrees: ArrayLike) -> NDArray[np.float64]:
    """Degrees to FIT semicircles (``2**31`` per 180 degrees), not yet rounded."""
    return np.asarray(degrees, dtype=np.float64) * _SEMICIRCLES_PER_DEG


def _scalar_number(spec: _FieldSpec, value: Any, where: str) -> int | float:
    """One Python value in profile units -> a number (still unscaled)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return float("nan")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        if spec.enum is not None and value in spec.enum:
            return spec.enum[value]
        raise ValueError(f"{where}: {value!r} is not a value name of type {spec.type_name}")
    if isinstance(value, datetime):
        if spec.type_name == "date_time":
            return fit_seconds(value)
        if spec.type_name == "local_date_time":
            return _local_seconds(value)
        raise ValueError(f"{where}: a datetime needs a date_time field, not {spec.type_name}")
    if isinstance(value, date):
        raise ValueError(f"{where}: pass a datetime, not a date")
    raise TypeError(f"{where}: cannot encode {type(value).__name__} value {value!r}")


def _numbers(spec: _FieldSpec, values: NDArray[Any], where: str) -> NDArray[Any]:
    """Any array of values in profile units -> a float64 or integer array."""
    kind = values.dtype.kind
    if kind in "iuf":
        return values
    if kind == "b":
        return values.astype(np.int64)
    if kind == "M":
        seconds = values.astype("datetime64[s]")
        out = seconds.astype(np.int64).astype(np.float64) - FIT_EPOCH_UNIX_S
        out[np.isnat(seconds)] = np.nan
        return out
    flat = [_scalar_number(spec, v, where) for v in values.ravel().tolist()]
    if all(isinstance(v, int) for v in flat):
        big = bool(flat) and max(flat) > np.iinfo(np.int64).max
        return np.array(flat, dtype=np.uint64 if big else np.int64).reshape(values.shape)
    return np.array(flat, dtype=np.float64).reshape(values.shape)


def _raw_numeric(spec: _FieldSpec, values: NDArray[Any], where: str) -> NDArray[Any]:
    """Values in profile units -> raw values of the field's base type."""
    x = _numbers(spec, values, where)
    if spec.is_float:
        xf = x.astype(np.float64)
        missing = np.isnan(xf)
        if spec.scaled:
            xf = (xf + (spec.offset or 0.0)) * (spec.scale or 1.0)
        out = xf.astype(spec.dtype)
        if missing.any():
            uint = np.dtype(f"<u{spec.dtype.itemsize}")
            out.view(uint)[missing] = _INVALID[spec.base_name]
        return out
    lo, hi = spec.raw_range()
    invalid = _INVALID[spec.base_name]
    if x.dtype.kind in "iu" and not spec.scaled:
        bad = (x < lo) | (x > hi)
        if bad.any():
            raise ValueError(
                f"{where}: value {x[bad].ravel()[0]} outside the {spec.base_name} range"
            )
        return x.astype(spec.dtype)
    xf = x.astype(np.float64)
    if spec.scaled:
        xf = (xf + (spec.offset or 0.0)) * (spec.scale or 1.0)
    raw = np.rint(xf)
    missing = np.isnan(raw)
    bad = ~missing & ((raw < lo) | (raw > hi))
    if bad.any():
        example = x.astype(np.float64)[bad].ravel()[0]
        raise ValueError(f"{where}: value {example} outside the {spec.base_name} range")
    raw[missing] = invalid
    return raw.astype(spec.dtype)


def _raw_string(spec: _FieldSpec, values: NDArray[Any], where: str) -> NDArray[Any]:
    encoded: list[bytes] = []
    for v in values.ravel().tolist():
        if v is None or (isinstance(v, float) and np.isnan(v)):
            encoded.append(b"")
        elif isinstance(v, str):
            encoded.append(v.encode("utf-8"))
        elif isinstance(v, bytes):
            encoded.append(v)
        else:
            raise TypeError(f"{where}: string field needs str, got {type(v).__name__}")
    width = max((len(b) for b in encoded), default=0) + 1  # room for the NUL terminator
    if width > 255:
        raise ValueError(f"{where}: string longer than 254 bytes")
    return np.array(encoded, dtype=f"S{width}")


@dataclass(frozen=True, slots=True)
class _Column:
    spec: _FieldSpec
    raw: NDArray[Any]  # shape (n,) or (n, k); "S" dtype for strings
    width: int  # elements per value (1 for scalars), or bytes for strings

    @property
    def size(self) -> int:
        if self.spec.is_string:
            return self.width
        return self.width * self.spec.dtype.itemsize


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(
        value, str | bytes | bool | int | float | datetime | date | np.generic
    )


def _column(spec: _FieldSpec, value: Any, n: int, where: str) -> _Column:
    if spec.is_string:
        arr = np.empty(n, dtype=object)
        if _is_scalar(value):
            arr[:] = [value] * n
        else:
            arr[:] = list(value)
        raw = _raw_string(spec, arr, where)
        return _Column(spec, raw, raw.dtype.itemsize)
    if spec.is_bytes and isinstance(value, bytes | bytearray):
        row = np.frombuffer(bytes(value), dtype=np.uint8)
        return _Column(spec, np.broadcast_to(row, (n, row.size)), int(row.size))
    if _is_scalar(value):
        number = _scalar_number(spec, value, where)
        arr = np.full(n, number, dtype=np.float64 if isinstance(number, float) else np.int64)
    else:
        arr = np.asarray(value)  # object/str arrays are converted element-wise later
        if arr.ndim == 0:
            arr = np.full(n, arr.item())
    raw = _raw_numeric(spec, arr, where)
    if raw.ndim == 1:
        return _Column(spec, raw, 1)
    if raw.ndim == 2 and raw.shape[1] >= 1:
        return _Column(spec, raw, int(raw.shape[1]))
    raise ValueError(f"{where}: expected a 1-D or 2-D column, got shape {raw.shape}")


def _column_length(value: Any) -> int | None:
    if _is_scalar(value) or isinstance(value, bytearray):
        return None
    return len(value)


class FitEncoder:
    """Build a FIT file message by message; :meth:`to_bytes` returns the file.

    Parameters
    ----------
    protocol_version
        Header protocol version byte (default 2.0, ``0x20``).
    profile_version
        Header profile version (default :data:`PROFILE_VERSION`).

    Notes
    -----
    Messages go out in the order they are added. Field names, value names and
    units are those of the FIT profile (``record.enhanced_speed`` in m/s,
    ``record.cadence`` in rpm, i.e. strides/min for running, ``record.position_lat``
    in semicircles, see :func:`semicircles`).
    """

    def __init__(
        self, *, protocol_version: int = PROTOCOL_VERSION, profile_version: int = PROFILE_VERSION
    ) -> None:
        self._protocol_version = protocol_version
        self._profile_version = profile_version
        self._chunks: list[bytes] = []
        self._slots: list[tuple[Any, ...] | None] = [None] * _N_LOCAL
        self._next_slot = 0
        self._n_messages = 0

    @property
    def n_messages(self) -> int:
        """Number of data messages added so far."""
        return self._n_messages

    def add(self, message: str | int, /, **fields: FieldValue) -> None:
        """Add one data message.

        Parameters
        ----------
        message
            Profile message name (``"record"``) or global message number.
        **fields
            Field (or subfield) name to value in profile units. ``None`` leaves the
            field out. A list/tuple of numbers writes an array field; ``bytes``
            writes a byte-array field.

        Raises
        ------
        ValueError
            On an unknown message, field or value name, or a value outside the range
            of the field's base type.
        """
        columns: dict[str, Any] = {}
        for name, value in fields.items():
            if value is None:
                continue
            if _is_scalar(value) or isinstance(value, bytearray):
                columns[name] = value
            else:
                columns[name] = np.asarray(value)[np.newaxis, ...]
        self._add_columns(message, columns, 1)

    def add_many(self, message: str | int, columns: Mapping[str, Any], /) -> None:
        """Add many data messages of one type: one definition, then all rows.

        Parameters
        ----------
        message
            Profile message name or global message number.
        columns
            Field (or subfield) name to a column of values in profile units: a 1-D
            array (one value per message), a 2-D array (an array field), or a scalar
            repeated for every message. Float columns may hold ``NaN`` for missing
            values; ``date_time`` columns may be ``datetime64`` (UTC) or FIT seconds.
            Every non-scalar column must have the same length.
        """
        lengths = {n for n in (_column_length(v) for v in columns.values()) if n is not None}
        if len(lengths) > 1:
            raise ValueError(f"{message}: columns have different lengths {sorted(lengths)}")
        n = lengths.pop() if lengths else 1
        if n == 0:
            return
        self._add_columns(message, columns, n)

    def _add_columns(self, message: str | int, values: Mapping[str, Any], n: int) -> None:
        spec = _resolve_message(message)
        cols: list[_Column] = []
        seen: dict[int, str] = {}
        for name, value in values.items():
            fspec = spec.fields.get(name)
            where = f"{spec.name}.{name}"
            if fspec is None:
                raise ValueError(f"{where}: no such field in the FIT profile")
            if fspec.def_num in seen:
                raise ValueError(f"{where}: field {seen[fspec.def_num]} is already given")
            seen[fspec.def_num] = name
            cols.append(_column(fspec, value, n, where))
        layout = tuple((c.spec.def_num, c.size, c.spec.base_type) for c in cols)
        for def_num, size, _ in layout:
            if size > 255:
                raise ValueError(f"{spec.name}: field {def_num} is {size} bytes (max 255)")
        key = (spec.mesg_num, layout)
        local = self._local_for(key)
        record_dtype = np.dtype(
            [("_header", "u1")]
            + [
                (f"f{i}", c.raw.dtype)
                if c.width == 1 or c.spec.is_string
                else (f"f{i}", c.raw.dtype, (c.width,))
                for i, c in enumerate(cols)
            ]
        )
        rows = np.empty(n, dtype=record_dtype)
        rows["_header"] = local
        for i, c in enumerate(cols):
            rows[f"f{i}"] = c.raw
        self._chunks.append(rows.tobytes())
        self._n_messages += n

    def _local_for(self, key: tuple[Any, ...]) -> int:
        """Local message type for a layout, writing a definition message when new."""
        if key in self._slots:
            return self._slots.index(key)
        local = self._next_slot
        self._next_slot = (local + 1) % _N_LOCAL
        self._slots[local] = key
        mesg_num, layout = key
        definition = struct.pack("<BBBHB", 0x40 | local, 0, 0, mesg_num, len(layout))
        definition += b"".join(struct.pack("<BBB", *item) for item in layout)
        self._chunks.append(definition)
        return local

    def to_bytes(self) -> bytes:
        """The FIT file: header with CRC, all messages so far, file CRC."""
        body = b"".join(self._chunks)
        self._chunks = [body]
        if len(body) > 0xFFFF_FFFF:
            raise ValueError("FIT data larger than 4 GiB")
        header = struct.pack(
            "<BBHI4s",
            _HEADER_SIZE,
            self._protocol_version,
            self._profile_version,
            len(body),
            b".FIT",
        )
        header += struct.pack("<H", fit_crc16(header))
        out = header + body
        return out + struct.pack("<H", fit_crc16(out))
