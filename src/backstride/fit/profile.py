"""The FIT profile: messages, fields, base types, scales, components, enums.

The Garmin FIT profile (message and field numbers, names, base types, scale and
offset, units, components, sub-fields and enum types) is large and changes with
every SDK release, so it is not retyped here: it is read from
``fitdecode.profile`` (fitdecode 0.11.0, MIT licence, SDK profile 21.171) and
turned into small typed, immutable tables on first use. Nothing is built at
import time; every table is built once by a ``functools.cache``-d function.

Only the 17 FIT base types are written out below: they are fixed by the FIT
protocol (FIT SDK, "FIT Protocol", section 4.2.1.4 "Base Type") and the
decoder needs their numpy layout.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "BASE_TYPES",
    "BYTE",
    "FIT_DATETIME_MIN",
    "FIT_EPOCH_UNIX_S",
    "BaseType",
    "Component",
    "FieldInfo",
    "MessageInfo",
    "SubField",
    "base_type",
    "enum_name",
    "enum_value",
    "message_info",
    "message_name",
    "message_num",
]

#: Unix time of the FIT epoch, 1989-12-31T00:00:00Z [s] (FIT SDK, ``date_time``).
FIT_EPOCH_UNIX_S: Final = 631_065_600

#: ``date_time`` values below this are seconds since device power-on, not dates.
FIT_DATETIME_MIN: Final = 0x10000000


@dataclass(frozen=True, slots=True)
class BaseType:
    """One FIT base type.

    Attributes
    ----------
    num
        Base type number (low 5 bits of the definition's base type byte).
    name
        FIT name (``uint16``, ``string``...).
    size
        Size of one element [bytes].
    kind
        numpy kind: ``"u"``, ``"i"``, ``"f"``, ``"S"`` (string) or ``"B"`` (byte array).
    invalid
        The invalid (missing) sentinel of one element; None for floats (NaN) and strings.
    """

    num: int
    name: str
    size: int
    kind: str
    invalid: int | None

    @property
    def numpy_code(self) -> str:
        """numpy type code of one element without byte order (``u2``, ``f4``...)."""
        if self.kind in "SB":
            return "u1"
        return f"{self.kind}{self.size}"


#: The FIT base types by number (FIT Protocol, section 4.2.1.4).
BASE_TYPES: Final[Mapping[int, BaseType]] = {
    0x00: BaseType(0x00, "enum", 1, "u", 0xFF),
    0x01: BaseType(0x01, "sint8", 1, "i", 0x7F),
    0x02: BaseType(0x02, "uint8", 1, "u", 0xFF),
    0x03: BaseType(0x03, "sint16", 2, "i", 0x7FFF),
    0x04: BaseType(0x04, "uint16", 2, "u", 0xFFFF),
    0x05: BaseType(0x05, "sint32", 4, "i", 0x7FFFFFFF),
    0x06: BaseType(0x06, "uint32", 4, "u", 0xFFFFFFFF),
    0x07: BaseType(0x07, "string", 1, "S", None),
    0x08: BaseType(0x08, "float32", 4, "f", None),
    0x09: BaseType(0x09, "float64", 8, "f", None),
    0x0A: BaseType(0x0A, "uint8z", 1, "u", 0),
    0x0B: BaseType(0x0B, "uint16z", 2, "u", 0),
    0x0C: BaseType(0x0C, "uint32z", 4, "u", 0),
    0x0D: BaseType(0x0D, "byte", 1, "B", 0xFF),
    0x0E: BaseType(0x0E, "sint64", 8, "i", 0x7FFFFFFFFFFFFFFF),
    0x0F: BaseType(0x0F, "uint64", 8, "u", 0xFFFFFFFFFFFFFFFF),
    0x10: BaseType(0x10, "uint64z", 8, "u", 0),
}

#: The ``byte`` base type, used for fields whose size does not fit their type.
BYTE: Final = BASE_TYPES[0x0D]


def base_type(type_byte: int) -> BaseType:
    """Base type of a definition's base type byte; unknown numbers read as ``byte``."""
    return BASE_TYPES.get(type_byte & 0x1F, BYTE)


@dataclass(frozen=True, slots=True)
class Component:
    """A bit range of a field that expands into another field.

    Attributes
    ----------
    target
        Name of the field the component fills (e.g. ``enhanced_speed``).
    target_num
        Field number of that field in the same message.
    scale, offset
        value = raw / scale - offset (1 and 0 when the profile gives none).
    units
        Units of the expanded value.
    accumulate
        True when successive raw values are rolling counters to accumulate.
    bits, bit_offset
        Bit width and position in the (little-endian) parent value.
    """

    target: str
    target_num: int
    scale: float
    offset: float
    units: str | None
    accumulate: bool
    bits: int
    bit_offset: int


@dataclass(frozen=True, slots=True)
class SubField:
    """A field's alternative meaning, selected by another field's raw value.

    Attributes
    ----------
    name, type_name, scale, offset, units, components
        As for :class:`FieldInfo`.
    refs
        ``(field number, raw value)`` pairs; any match selects this sub-field.
    """

    name: str
    type_name: str
    scale: float
    offset: float
    units: str | None
    components: tuple[Component, ...]
    refs: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One profile field of a message.

    Attributes
    ----------
    num
        Field definition number.
    name
        Profile name.
    type_name
        FIT type name: a base type (``uint16``) or a profile type (``sport``,
        ``date_time``...).
    scale, offset
        value = raw / scale - offset.
    units
        Units of the scaled value, when the profile gives them.
    components
        Components expanded from this field.
    subfields
        Alternative meanings, in profile order.
    """

    num: int
    name: str
    type_name: str
    scale: float
    offset: float
    units: str | None
    components: tuple[Component, ...]
    subfields: tuple[SubField, ...]


@dataclass(frozen=True, slots=True)
class MessageInfo:
    """One profile message: its global number, name and fields."""

    num: int
    name: str
    fields: Mapping[int, FieldInfo]


def _num(value: Any, default: float) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    return float(value)


def _components(raw: Any) -> tuple[Component, ...]:
    return tuple(
        Component(
            target=c.name,
            target_num=int(c.def_num),
            scale=_num(c.scale, 1.0) or 1.0,
            offset=_num(c.offset, 0.0),
            units=c.units,
            accumulate=bool(c.accumulate),
            bits=int(c.bits),
            bit_offset=int(c.bit_offset),
        )
        for c in (raw or ())
    )


def _type_name(raw_type: Any) -> str:
    return str(raw_type.name)


@functools.cache
def _messages() -> dict[int, MessageInfo]:
    from fitdecode import profile as fd_profile

    out: dict[int, MessageInfo] = {}
    for num, mesg in fd_profile.MESSAGE_TYPES.items():
        fields: dict[int, FieldInfo] = {}
        for fnum, field in mesg.fields.items():
            subfields = tuple(
                SubField(
                    name=sf.name,
                    type_name=_type_name(sf.type),
                    scale=_num(sf.scale, 1.0) or 1.0,
                    offset=_num(sf.offset, 0.0),
                    units=sf.units,
                    components=_components(sf.components),
                    refs=tuple((int(r.def_num), int(r.raw_value)) for r in sf.ref_fields),
                )
                for sf in (field.subfields or ())
            )
            fields[int(fnum)] = FieldInfo(
                num=int(fnum),
                name=field.name,
                type_name=_type_name(field.type),
                scale=_num(field.scale, 1.0) or 1.0,
                offset=_num(field.offset, 0.0),
                units=field.units,
                components=_components(field.components),
                subfields=subfields,
            )
        out[int(num)] = MessageInfo(num=int(num), name=mesg.name, fields=fields)
    return out


@functools.cache
def _message_nums() -> dict[str, int]:
    return {m.name: num for num, m in _messages().items()}


@functools.cache
def _enums() -> dict[str, dict[int, str]]:
    from fitdecode import profile as fd_profile

    return {
        name: {int(k): str(v) for k, v in ftype.enum.items()}
        for name, ftype in fd_profile.FIELD_TYPES.items()
        if ftype.enum
    }


@functools.cache
def _enum_values(type_name: str) -> dict[str, int]:
    return {v: k for k, v in _enums().get(type_name, {}).items()}


def message_info(num: int) -> MessageInfo | None:
    """Profile message of a global message number, or None when unknown."""
    return _messages().get(num)


def message_name(num: int) -> str:
    """Profile name of a global message number (``unknown_<num>`` when unknown)."""
    info = _messages().get(num)
    return info.name if info is not None else f"unknown_{num}"


def message_num(name: str) -> int:
    """Global message number of a profile message name.

    Raises
    ------
    KeyError
        When no profile message has that name.
    """
    return _message_nums()[name]


def enum_name(type_name: str, value: float | None) -> str | None:
    """Name of an enum value (``enum_name("sport", 1) == "running"``), or None."""
    if value is None or not math.isfinite(value) or value != int(value):
        return None
    return _enums().get(type_name, {}).get(int(value))


def enum_value(type_name: str, name: str) -> int | None:
    """Raw value of an enum name (``enum_value("sport", "running") == 1``), or None."""
    return _enum_values(type_name).get(name)
