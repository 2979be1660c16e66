"""Fast FIT decoder: bytes in, one table of numpy columns per message type out.

How it works
------------
1. :func:`backstride.fit.walk.walk` walks the record headers in Python. It
   parses definition messages (once per distinct content) and of a data message
   only notes its byte offset under its definition; repeating blocks of data
   messages (runs of records, record/hrv alternations...) are counted in bulk
   with strided ``bytes`` slices. The CRC is computed vectorised
   (:mod:`backstride.fit.crc`).
2. :func:`backstride.fit.columns.decode_part` gathers all data messages of a
   definition at once with numpy fancy indexing into an ``(n, payload)`` byte
   matrix, honouring the definition's byte order, and converts whole columns,
   one base type group at a time: invalid sentinel -> NaN, then
   ``raw / scale - offset`` from the profile. Sub-fields (``avg_running_cadence``
   when the session's sport is running, ``garmin_product``...) and components
   (``enhanced_speed`` from ``speed``, the packed ``compressed_speed_distance``
   of the Forerunner 70...) are resolved with row masks.
3. What depends on message order is done vectorised over the whole file:
   compressed-timestamp headers (5-bit offset rolled over against the last full
   timestamp of any message, restarting at 0 in each chained file),
   accumulating components (rolling counters, restarted by each definition) and
   ``hr.event_timestamp_12``. The definitions of one message type are merged
   into one table, rows in file order.

Values follow fitdecode 0.11.0 field by field; the tests cross-check every
message of every shared file. Deliberate differences: enums and dates stay
numbers (enum raw values, see :func:`backstride.fit.profile.enum_name`; FIT
``date_time`` seconds since 1989-12-31T00:00:00Z, or since power-on below
``0x10000000``); developer fields honour the ``scale`` and ``offset`` of their
``field_description`` (fitdecode ignores them); a message with both a
compressed-timestamp header and its own ``timestamp`` keeps its own (fitdecode
lists both); components of non-byte array fields (``raw_bbi``) are not
expanded.

Damage policy
-------------
Decode as much as can be trusted, and no more:

* A structural break ends decoding: a data message whose local message type is
  undefined, a message or definition running past the end of the data
  (truncated file), a definition whose architecture byte is neither 0 nor 1
  (the bytes are not FIT any more), or a hostile count (more than
  ``MAX_DEFINITIONS`` distinct definitions or ``MAX_SEGMENTS`` chained files,
  see :mod:`backstride.fit.walk`).
  Everything decoded before the break is kept, and a line of
  :attr:`FitFile.warnings` names its byte offset.
* Survivable problems are warnings and decoding goes on: file or header CRC
  mismatch (data kept), a header declaring 0 data bytes although data follow
  (read up to the last complete message), a file shorter than its header
  declares (read up to the last complete message), a field whose size does not
  fit its base type (read as a byte array), a field of size 0 (skipped), a
  developer field no ``field_description`` declared (read as bytes), bytes after
  the last FIT file that are not a FIT header (ignored).
* If not a single data message could be decoded, :func:`decode` raises
  :class:`~backstride.errors.CorruptFileError`; bytes that do not start with a
  FIT header raise :class:`~backstride.errors.UnsupportedFormatError`.

Nothing is allocated from sizes the file claims: arrays are sized by the
messages actually present. Each payload byte becomes at most one float64 value,
plus the expanded components (the shared real files yield 0.05 to 1.13 values
per input byte), so memory grows linearly with the file, and decoded text is
capped at :data:`MAX_TEXT_BYTES` per file. Every step of the walk advances by at
least one byte, so no input can make it loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from backstride.errors import CorruptFileError, UnsupportedFormatError
from backstride.fit.columns import (
    MAX_TEXT_BYTES,
    MESG_HR,
    Acc,
    Column,
    Context,
    Part,
    as2d,
    decode_part,
    fill,
    scaled,
    width,
)
from backstride.fit.definitions import NotFitError, Walk
from backstride.fit.profile import message_name
from backstride.fit.walk import walk

__all__ = ["MAX_TEXT_BYTES", "Column", "FitFile", "MessageTable", "decode"]

FloatArray = NDArray[np.float64]


@dataclass(slots=True)
class MessageTable:
    """All messages of one type, in file order, as columns.

    Attributes
    ----------
    name
        Profile message name (``record``, ``session``...), ``unknown_<num>`` if unknown.
    mesg_num
        Global message number.
    positions
        Byte offset of each message's record header in the data.
    fields
        Field name -> column. Numbers are float64 (NaN = invalid/absent), shape
        ``(n,)`` or ``(n, k)`` for array fields, byte arrays and multi-valued
        components; text is an object array of ``str``/None. Sub-fields and
        expanded components have their own columns (``avg_running_cadence``,
        ``enhanced_speed``); unknown fields are ``unknown_<num>``.
    units
        Field name -> units (profile units; None when unitless or unknown).
    developer
        Developer field name (from its ``field_description``) -> column.
    developer_units
        Developer field name -> units.
    """

    name: str
    mesg_num: int
    positions: NDArray[np.int64]
    fields: dict[str, Column] = field(default_factory=dict)
    units: dict[str, str | None] = field(default_factory=dict)
    developer: dict[str, Column] = field(default_factory=dict)
    developer_units: dict[str, str | None] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.positions)

    def column(self, name: str, *, developer: bool = False) -> FloatArray | None:
        """1-D float column of a numeric field (first element of array fields), or None."""
        col = (self.developer if developer else self.fields).get(name)
        if col is None or col.dtype != np.float64:
            return None
        if col.ndim == 2:
            return np.ascontiguousarray(col[:, 0]) if col.shape[1] else None
        return col  # type: ignore[return-value]

    def value(self, name: str, index: int = 0) -> float | None:
        """One numeric value (first element of arrays), or None when invalid or absent."""
        col = self.column(name)
        if col is None or not 0 <= index < len(col):
            return None
        v = float(col[index])
        return v if v == v else None

    def text(self, name: str, index: int = 0) -> str | None:
        """One text value, or None."""
        col = self.fields.get(name)
        if col is None or col.dtype != object or not 0 <= index < len(col):
            return None
        v = col[index]
        return v if isinstance(v, str) else None


@dataclass(slots=True)
class FitFile:
    """A decoded FIT file (chained files are merged in file order).

    Attributes
    ----------
    messages
        Message name -> table.
    warnings
        Survived damage, one line each, with byte offsets.
    segments
        Number of FIT files found end to end (chained files).
    crc_ok
        False when any file CRC did not match, None when none could be checked.
    stop_offset
        Byte offset of the structural break that ended decoding, or None.
    """

    messages: dict[str, MessageTable]
    warnings: tuple[str, ...]
    segments: int
    crc_ok: bool | None
    stop_offset: int | None

    def __getitem__(self, name: str) -> MessageTable:
        """The table of a message type (empty when the file has none)."""
        table = self.messages.get(name)
        if table is None:
            return MessageTable(name, -1, np.empty(0, dtype=np.int64))
        return table

    def __contains__(self, name: object) -> bool:
        return name in self.messages

    def __iter__(self) -> Iterator[MessageTable]:
        return iter(self.messages.values())


# -- file-wide passes ----------------------------------------------------------------------


def _timestamps(parts: list[Part], w: Walk) -> tuple[NDArray[np.int64], FloatArray]:
    """Fill compressed-header timestamps; return the native-timestamp timeline.

    fitdecode semantics: a valid native ``timestamp`` (field 253) of any message sets
    the accumulator; a compressed header adds its 5-bit offset with rollover
    (``FitReader._apply_compressed_accumulation``); each FIT file starts from 0.
    """
    pos_parts: list[NDArray[np.int64]] = [np.array(w.segment_starts, dtype=np.int64)]
    kind_parts: list[NDArray[np.int64]] = [np.zeros(len(w.segment_starts), dtype=np.int64)]
    val_parts: list[FloatArray] = [np.zeros(len(w.segment_starts))]
    refs: list[tuple[Part, NDArray[np.int64], int]] = []
    cursor = len(w.segment_starts)
    for part in parts:
        if part.native_ts is not None:
            ok = ~np.isnan(part.native_ts)
            pos_parts.append(part.positions[ok])
            kind_parts.append(np.ones(int(ok.sum()), dtype=np.int64))
            val_parts.append(part.native_ts[ok])
            cursor += int(ok.sum())
        if part.compressed is not None and part.time_offset is not None:
            idx = np.flatnonzero(part.compressed)
            pos_parts.append(part.positions[idx])
            kind_parts.append(np.full(len(idx), 2, dtype=np.int64))
            val_parts.append(part.time_offset[idx].astype(np.float64))
            refs.append((part, idx, cursor))
            cursor += len(idx)
    pos = np.concatenate(pos_parts)
    kind = np.concatenate(kind_parts)
    val = np.concatenate(val_parts)
    order = np.lexsort((kind, pos))
    pos, kind, val = pos[order], kind[order], val[order]
    native = kind < 2
    timeline = (pos[native], val[native])
    if not refs:
        return timeline
    seg = np.cumsum(native) - 1
    base = val[native].astype(np.int64)
    comp_idx = np.flatnonzero(~native)
    offs = val[comp_idx].astype(np.int64)
    s = seg[comp_idx]
    first = np.ones(len(comp_idx), dtype=bool)
    first[1:] = s[1:] != s[:-1]
    prev = np.empty_like(offs)
    prev[1:] = offs[:-1]
    prev[first] = base[s[first]] & 31
    wrap = (offs < prev).astype(np.int64)
    cum = np.cumsum(wrap)
    start_idx = np.maximum.accumulate(np.where(first, np.arange(len(first)), 0))
    cum = cum - (cum[start_idx] - wrap[start_idx])
    stamps = np.empty(len(pos))
    stamps[comp_idx] = (base[s] & ~31) + offs + 32 * cum
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.arange(len(order))
    for part, idx, at in refs:
        col = np.full(len(part.positions), np.nan)
        col[idx] = stamps[inverse[at : at + len(idx)]]
        current = part.columns.get("timestamp")
        part.columns["timestamp"] = col if current is None else fill(current, col)
        part.units.setdefault("timestamp", "s")
    return timeline


def _accumulate(values: FloatArray, segments: NDArray[np.int64], bits: int) -> FloatArray:
    """fitdecode's rolling-counter accumulation over a sequence (NaN entries skipped)."""
    out = np.full(len(values), np.nan)
    ok = np.flatnonzero(~np.isnan(values))
    if not len(ok):
        return out
    v = values[ok].astype(np.int64)
    s = segments[ok]
    first = np.ones(len(v), dtype=bool)
    first[1:] = s[1:] != s[:-1]
    prev = np.empty_like(v)
    prev[1:] = v[:-1]
    prev[first] = 0
    wrap = (v < prev).astype(np.int64)
    cum = np.cumsum(wrap)
    start_idx = np.maximum.accumulate(np.where(first, np.arange(len(v)), 0))
    cum = cum - (cum[start_idx] - wrap[start_idx])
    out[ok] = v + cum * (1 << bits)
    return out


def _merge(parts: list[Part], w: Walk, timeline: tuple[NDArray[np.int64], FloatArray]
           ) -> MessageTable:
    """One table from the parts (definitions) of one message type, rows in file order."""
    mesg_num = parts[0].d.mesg_num
    dests: list[slice | NDArray[np.int64]]
    if len(parts) == 1:
        positions = parts[0].positions
        dests = [slice(0, len(positions))]
    else:
        cat = np.concatenate([p.positions for p in parts])
        order = np.argsort(cat, kind="stable")
        positions = cat[order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        dests = []
        start = 0
        for p in parts:
            dest = rank[start : start + len(p.positions)]
            start += len(p.positions)
            if int(dest[-1]) - int(dest[0]) == len(dest) - 1:
                dests.append(slice(int(dest[0]), int(dest[-1]) + 1))
            else:
                dests.append(dest)
    n = len(positions)
    table = MessageTable(message_name(mesg_num), mesg_num, positions)

    def gather(which: str) -> tuple[dict[str, Column], dict[str, str | None]]:
        maps: list[dict[str, Column]] = [getattr(p, which) for p in parts]
        unit_maps: list[dict[str, str | None]] = [
            p.developer_units if which == "developer" else p.units for p in parts
        ]
        if len(parts) == 1:
            return dict(maps[0]), dict(unit_maps[0])
        names: dict[str, None] = {}
        units: dict[str, str | None] = {}
        for cols_k, units_k in zip(maps, unit_maps, strict=True):
            for name in cols_k:
                names.setdefault(name)
                units.setdefault(name, units_k.get(name))
        out: dict[str, Column] = {}
        for name in names:
            cols = [m.get(name) for m in maps]
            present = [c for c in cols if c is not None]
            full: Column
            if any(c.dtype == object for c in present):
                full = np.full(n, None, dtype=object)
                for dest, c in zip(dests, cols, strict=True):
                    if c is not None and c.ndim == 1:
                        full[dest] = c
                out[name] = full
                continue
            n_cols = max(width(c) for c in present)
            two_d = n_cols > 1 or any(c.ndim == 2 for c in present)
            shape = (n, n_cols) if two_d else (n,)
            complete = len(present) == len(parts) and all(width(c) == n_cols for c in present)
            full = np.empty(shape) if complete else np.full(shape, np.nan)
            for dest, c in zip(dests, cols, strict=True):
                if c is not None:
                    full[dest] = as2d(c, n_cols) if two_d else c
            out[name] = full
        return out, units

    table.fields, table.units = gather("columns")
    table.developer, table.developer_units = gather("developer")

    accs: dict[tuple[str, int], list[tuple[int, Acc]]] = {}
    for k, p in enumerate(parts):
        for acc in p.accs:
            accs.setdefault((acc.target, acc.key), []).append((k, acc))
    if accs:
        resets = np.sort(np.array(w.resets.get(mesg_num, []), dtype=np.int64))
        seg_rows = np.searchsorted(resets, positions, side="left")
        hr_start = (_hr_start(parts, dests, positions, timeline, w)
                    if mesg_num == MESG_HR else None)
        for (target, _key), items in accs.items():
            n_cols = max(acc.values.shape[1] for _, acc in items)
            raw = np.full((n, n_cols), np.nan)
            for k, acc in items:
                raw[dests[k], : acc.values.shape[1]] = acc.values
            acc0 = items[0][1]
            total = _accumulate(raw.reshape(-1), np.repeat(seg_rows, n_cols), acc0.bits)
            total = scaled(total.reshape(n, n_cols), acc0.scale, acc0.offset)
            if hr_start is not None:
                total = total + hr_start[:, None]
            col: Column = total[:, 0] if n_cols == 1 else total
            current = table.fields.get(target)
            table.fields[target] = col if current is None else fill(current, col)
            table.units.setdefault(target, acc0.units)
    return table


def _hr_start(
    parts: list[Part],
    dests: list[slice | NDArray[np.int64]],
    positions: NDArray[np.int64],
    timeline: tuple[NDArray[np.int64], FloatArray],
    w: Walk,
) -> FloatArray:
    """Per hr row, the last native timestamp when an hr.event_timestamp was last read.

    fitdecode keeps ``_hr_start_timestamp``: the last native ``timestamp`` value at
    the moment an ``hr`` message's own ``event_timestamp`` field is read; the
    ``event_timestamp_12`` components are offsets from it.
    """
    n = len(positions)
    has = np.zeros(n, dtype=bool)
    side_right = np.zeros(n, dtype=bool)
    for dest, p in zip(dests, parts, strict=True):
        if p.hr_ts_first is not None:
            has[dest] = True
            side_right[dest] = not p.hr_ts_first
    t_pos, t_val = timeline
    idx = np.where(side_right, np.searchsorted(t_pos, positions, side="right"),
                   np.searchsorted(t_pos, positions, side="left")) - 1
    last = np.where(idx >= 0, t_val[np.maximum(idx, 0)], 0.0)
    seg_starts = np.array(w.segment_starts, dtype=np.int64)
    seg = np.searchsorted(seg_starts, positions, side="right")
    src = np.maximum.accumulate(np.where(has, np.arange(n), -1))
    same_seg = (src >= 0) & (seg[np.maximum(src, 0)] == seg)
    return np.where(same_seg, last[np.maximum(src, 0)], 0.0)


def decode(data: bytes, *, source: str = "<bytes>") -> FitFile:
    """Decode FIT bytes (possibly several chained FIT files) into message tables.

    Parameters
    ----------
    data
        The whole file.
    source
        File name used in error messages.

    Raises
    ------
    UnsupportedFormatError
        The bytes do not start with a FIT file header.
    CorruptFileError
        Not a single data message could be decoded.
    """
    data = bytes(data)
    try:
        w = walk(data)
    except NotFitError as exc:
        raise UnsupportedFormatError(source, f"not a FIT file: {exc}") from None
    stop_offset = None
    warnings = list(w.warnings)
    if w.stop is not None:
        stop_offset, reason = w.stop
        warnings.append(f"decoding stopped at byte {stop_offset}: {reason}; "
                        "data before it kept")
    if not any(len(p) for p in w.positions):
        reason = w.stop[1] if w.stop is not None else "it holds no data messages"
        raise CorruptFileError(source, f"no FIT message could be decoded: {reason}",
                               offset=stop_offset)
    ctx = Context(data)
    tables: dict[str, MessageTable] = {}
    # signalling NaNs and huge values in garbage fields must not raise FP warnings
    with np.errstate(all="ignore"):
        parts = [decode_part(ctx, d, w.positions[d.id]) for d in w.definitions
                 if len(w.positions[d.id])]
        timeline = _timestamps(parts, w)
        by_mesg: dict[int, list[Part]] = {}
        for part in parts:
            by_mesg.setdefault(part.d.mesg_num, []).append(part)
        for group in sorted(by_mesg.values(), key=lambda g: int(g[0].positions[0])):
            table = _merge(group, w, timeline)
            tables[table.name] = table
    warnings.extend(ctx.warnings)
    return FitFile(
        messages=tables,
        warnings=tuple(warnings),
        segments=len(w.segment_starts),
        crc_ok=w.crc_ok,
        stop_offset=stop_offset,
    )
