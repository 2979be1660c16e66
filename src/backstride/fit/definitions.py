"""Types of the FIT header walk: field and message definitions, developer-field info,
and the walk's result (:class:`Walk`). See :mod:`backstride.fit.walk`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from backstride.fit.profile import BaseType

__all__ = ["Definition", "DevFieldInfo", "FieldDef", "NotFitError", "Walk"]

@dataclass(frozen=True, slots=True)
class DevFieldInfo:
    """A developer field as its ``field_description`` message declared it.

    Attributes
    ----------
    dev_index, num
        Developer data index and field number.
    name
        ``field_name``, or ``dev_<index>_<num>`` when none was given.
    units
        ``units``, when given.
    base
        Base type from ``fit_base_type_id`` (``byte`` when missing).
    scale, offset
        Declared scale and offset, when given (value = raw / scale - offset).
    """

    dev_index: int
    num: int
    name: str
    units: str | None
    base: BaseType
    scale: float | None
    offset: float | None


class FieldDef(NamedTuple):
    """One field of a definition message (a named tuple: thousands are made per file).

    Attributes
    ----------
    num
        Field number (for developer fields, the developer field number).
    offset
        Position in the message payload (after the record header byte) [bytes].
    size
        Size [bytes].
    base
        Base type used to read it (``byte`` when the size does not fit the declared type).
    elements
        Number of elements (1 for strings).
    declared
        The base type the file declared.
    dev
        Developer field description (developer fields only).
    """

    num: int
    offset: int
    size: int
    base: BaseType
    elements: int
    declared: BaseType
    dev: DevFieldInfo | None = None


@dataclass(slots=True)
class Definition:
    """A distinct definition message (identical ones are shared).

    Attributes
    ----------
    id
        Index in :attr:`Walk.definitions`.
    mesg_num
        Global message number.
    big_endian
        Byte order of multi-byte fields.
    size
        Size of a data message using it, record header byte included [bytes].
    fields, dev_fields
        Native and developer fields in payload order.
    accumulates
        True when a field has accumulating components (their counters restart here).
    special
        True for developer_data_id and field_description, decoded during the walk.
    signature
        Content key of the native fields: (mesg_num, big_endian, ((num, offset, size,
        base type number), ...)); decoding plans are cached by it.
    """

    id: int
    mesg_num: int
    big_endian: bool
    size: int
    fields: tuple[FieldDef, ...]
    dev_fields: tuple[FieldDef, ...]
    accumulates: bool
    special: bool = False
    signature: tuple[int, bool, tuple[tuple[int, int, int, int], ...]] = (0, False, ())


@dataclass(slots=True)
class Walk:
    """Result of :func:`walk`.

    Attributes
    ----------
    definitions
        Every distinct definition.
    positions
        Per definition id: byte offsets of its data messages' header bytes, ascending.
    resets
        Per global message number: offsets of definitions that restart accumulators.
    segment_starts
        Offset of each FIT file header (chained files have several).
    warnings
        Survived problems, one line each, with byte offsets.
    stop
        None when the whole file was walked; else (offset, reason) of the structural
        break that ended the walk.
    crc_ok
        False when a file CRC did not match; None when no CRC could be checked.
    """

    definitions: list[Definition] = field(default_factory=list)
    positions: list[NDArray[np.int64]] = field(default_factory=list)
    resets: dict[int, list[int]] = field(default_factory=dict)
    segment_starts: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stop: tuple[int, str] | None = None
    crc_ok: bool | None = None


class NotFitError(Exception):
    """The bytes do not start with a FIT file header."""
