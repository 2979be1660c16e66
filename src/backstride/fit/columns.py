"""Second pass of the FIT decoder: all data messages of one definition -> columns.

The messages of a definition are gathered with one numpy fancy-index into an
``(n, payload)`` byte matrix. Plain numeric fields (the great majority) are then
converted a *type group* at a time: all ``uint16`` fields of the definition are
pulled out together as an ``(n, k)`` array, their invalid sentinels set to NaN
and ``raw / scale - offset`` applied per column by broadcasting, so the numpy
call count depends on the number of base types, not of fields. Fields with
sub-fields or components, arrays, strings, byte fields and developer fields go
through the general per-field path. The plan of a definition (which field goes
where) is computed once and cached by the definition's content.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from backstride.fit.definitions import Definition, FieldDef
from backstride.fit.profile import (
    BASE_TYPES,
    BaseType,
    Component,
    FieldInfo,
    MessageInfo,
    message_info,
)

__all__ = ["MAX_TEXT_BYTES", "Acc", "Column", "Context", "Part", "decode_part", "fill"]

FloatArray = NDArray[np.float64]
Column = NDArray[np.float64] | NDArray[np.object_]

#: Most bytes of text (string fields) decoded per file; the rest reads as None.
MAX_TEXT_BYTES = 4 * 1024 * 1024

TIMESTAMP = 253
MESG_HR = 132
HR_EVENT_TIMESTAMP = 9


@dataclass(slots=True)
class Acc:
    """Raw values of an accumulating component, waiting for the file-wide pass."""

    target: str
    key: int
    bits: int
    scale: float
    offset: float
    units: str | None
    values: FloatArray  # (n, k) raw component values, NaN when the parent was invalid


@dataclass(slots=True)
class Part:
    """Columns of the messages of one definition.

    Attributes
    ----------
    native_ts
        The raw native ``timestamp`` (field 253), when the definition has one.
    compressed, time_offset
        Rows reached through a compressed-timestamp header, and their 5-bit offsets.
    accs
        Accumulating components, finished file-wide.
    hr_ts_first
        ``hr`` only: None without an ``event_timestamp`` field, else whether it comes
        before the ``timestamp`` field in the definition.
    """

    d: Definition
    positions: NDArray[np.int64]
    columns: dict[str, Column] = field(default_factory=dict)
    units: dict[str, str | None] = field(default_factory=dict)
    developer: dict[str, Column] = field(default_factory=dict)
    developer_units: dict[str, str | None] = field(default_factory=dict)
    native_ts: FloatArray | None = None
    compressed: NDArray[np.bool_] | None = None
    time_offset: NDArray[np.int64] | None = None
    accs: list[Acc] = field(default_factory=list)
    hr_ts_first: bool | None = None


class Context:
    """Per-file state shared by the definitions' decoding."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.buf = np.frombuffer(data, dtype=np.uint8)
        self.text_budget = MAX_TEXT_BYTES
        self.warnings: list[str] = []


# -- small helpers ----------------------------------------------------------------------------


def to_float(raw: NDArray[np.generic], base: BaseType) -> FloatArray:
    """Raw column -> float64 with invalid elements (byte arrays: whole rows) as NaN."""
    out = raw.astype(np.float64)
    if base.kind == "B":
        out[np.all(raw == 0xFF, axis=-1)] = np.nan
    elif base.kind != "f":
        out[raw == base.invalid] = np.nan
    return out


def scaled(values: FloatArray, scale: float, offset: float) -> FloatArray:
    """``values / scale - offset`` (fitdecode's order of operations)."""
    if scale != 1.0:
        values = values / scale
    if offset:
        values = values - offset
    return values


def _text(raw: NDArray[Any], ctx: Context) -> NDArray[np.object_]:
    """Text up to the first NUL, UTF-8 with replacement; empty -> None (as fitdecode)."""
    out = np.empty(len(raw), dtype=object)
    cost = int(raw.dtype.itemsize) * len(raw)
    if cost > ctx.text_budget:
        if ctx.text_budget:
            ctx.warnings.append(f"more than {MAX_TEXT_BYTES} bytes of text in the file; "
                                "the rest reads as None")
        ctx.text_budget = 0
        return out
    ctx.text_budget -= cost
    cache: dict[bytes, str | None] = {}
    for i, value in enumerate(raw.tolist()):
        if value in cache:
            out[i] = cache[value]
            continue
        text = value.split(b"\0", 1)[0].decode("utf-8", "replace") or None
        cache[value] = out[i] = text
    return out


def _bits(raw: NDArray[np.generic], comp: Component) -> NDArray[np.uint64] | None:
    """Bits of a component from an integer column or a byte-array column (little-endian).

    None where fitdecode yields no value (bit offset beyond a byte array, or a parent
    that is not an integer or byte array).
    """
    mask = np.uint64((1 << comp.bits) - 1) if comp.bits < 64 else np.uint64(2**64 - 1)
    if raw.ndim == 1:
        if raw.dtype.kind not in "ui":
            return None
        if comp.bit_offset >= 64:
            return np.zeros(len(raw), dtype=np.uint64)
        return (raw.astype(np.uint64) >> np.uint64(comp.bit_offset)) & mask
    if raw.dtype != np.uint8:
        return None
    n_bytes = raw.shape[1]
    if comp.bit_offset >= 8 * n_bytes:
        return None
    lo = comp.bit_offset // 8
    hi = min(n_bytes, (comp.bit_offset + comp.bits + 7) // 8, lo + 8)
    v = np.zeros(len(raw), dtype=np.uint64)
    for i in range(lo, hi):
        v |= raw[:, i].astype(np.uint64) << np.uint64(8 * (i - lo))
    return (v >> np.uint64(comp.bit_offset - 8 * lo)) & mask


def _select(
    refs_of: list[tuple[tuple[int, int], ...]],
    raws: dict[int, NDArray[np.generic]],
    n: int,
) -> NDArray[np.int8] | None:
    """Per row, the first sub-field whose reference matches (-1: main); None if all main."""
    if not refs_of:
        return None
    sel = np.full(n, -1, dtype=np.int8)
    for i, refs in enumerate(refs_of):
        hit = np.zeros(n, dtype=bool)
        for ref_num, ref_raw in refs:
            col = raws.get(ref_num)
            if col is not None:
                hit |= col == ref_raw
        sel[(sel < 0) & hit] = i
    return sel if (sel >= 0).any() else None


def _masked(values: Column, rows: NDArray[np.bool_]) -> Column:
    out = values.copy()
    out[~rows] = None if out.dtype == object else np.nan
    return out


def width(col: Column) -> int:
    """Elements per row."""
    return 1 if col.ndim == 1 else int(col.shape[1])


def as2d(col: Column, n_cols: int) -> Column:
    """A float column as ``(n, n_cols)``, padded with NaN."""
    if col.ndim == 2 and col.shape[1] == n_cols:
        return col
    out = np.full((len(col), n_cols), np.nan)
    if col.ndim == 1:
        out[:, 0] = col
    else:
        out[:, : col.shape[1]] = col
    return out


def fill(current: Column, new: Column) -> Column:
    """Where ``current`` holds nothing, take ``new`` (earlier contributions win)."""
    if current.dtype == object or new.dtype == object:
        out = np.array(current, dtype=object)
        cand = np.array(new, dtype=object)
        if out.ndim != 1 or cand.ndim != 1:
            return out
        empty = np.array([v is None or (isinstance(v, float) and v != v) for v in out],
                         dtype=bool)
        out[empty] = cand[empty]
        return out
    if current.ndim == 1 and new.ndim == 1:
        return np.where(np.isnan(current), new, current)
    n_cols = max(width(current), width(new))
    cur, nw = as2d(current, n_cols), as2d(new, n_cols)
    empty = np.all(np.isnan(cur), axis=1)
    out = cur.copy()
    out[empty] = nw[empty]
    return out


def _put(part: Part, name: str, values: Column, rows: NDArray[np.bool_] | None,
         units: str | None) -> None:
    """Add a contribution to a column."""
    if rows is not None:
        values = _masked(values, rows)
    current = part.columns.get(name)
    if current is None:
        part.columns[name] = values
        part.units.setdefault(name, units)
    else:
        part.columns[name] = fill(current, values)


# -- the plan of a definition -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Group:
    """Plain numeric fields of one base type, converted together."""

    code: str  # numpy type with byte order, e.g. "<u2"
    index: NDArray[np.intp]  # (k * size,) byte positions in the payload, field by field
    base: BaseType
    fields: tuple[int, ...]  # indices into Definition.fields
    names: tuple[str, ...]
    units: tuple[str | None, ...]
    nums: tuple[int, ...]
    scales: FloatArray | None
    offsets: FloatArray | None


@dataclass(frozen=True, slots=True)
class _Plan:
    info: MessageInfo | None
    groups: tuple[_Group, ...]
    general: tuple[int, ...]  # indices into Definition.fields decoded one by one
    hr_ts_first: bool | None


_Signature = tuple[int, bool, tuple[tuple[int, int, int, int], ...]]


@functools.lru_cache(maxsize=4096)
def _plan_for(signature: _Signature) -> _Plan:
    """The plan of a definition, cached by content across files."""
    mesg_num, big_endian, field_sigs = signature
    fields = [FieldDef(num, offset, size, BASE_TYPES[base_num],
                       1 if BASE_TYPES[base_num].kind == "S" else size // BASE_TYPES[base_num].size,
                       BASE_TYPES[base_num])
              for num, offset, size, base_num in field_sigs]
    info = message_info(mesg_num)
    order = ">" if big_endian else "<"
    by_code: dict[tuple[str, int], list[tuple[int, FieldDef, str, float, float, str | None]]] = {}
    general: list[int] = []
    for i, fd in enumerate(fields):
        finfo = info.fields.get(fd.num) if info is not None else None
        plain = fd.base.kind in "uif" and fd.elements == 1 and (
            finfo is None or not (finfo.subfields or finfo.components))
        if not plain:
            general.append(i)
            continue
        name = finfo.name if finfo is not None else f"unknown_{fd.num}"
        scale = finfo.scale if finfo is not None else 1.0
        offset = finfo.offset if finfo is not None else 0.0
        units = finfo.units if finfo is not None else None
        key = (order + fd.base.numpy_code, fd.base.num)  # uint32 and uint32z differ
        by_code.setdefault(key, []).append((i, fd, name, scale, offset, units))
    groups = []
    for (code, _), items in by_code.items():
        size = items[0][1].base.size
        index = np.array([fd.offset + b for _, fd, *_ in items for b in range(size)],
                         dtype=np.intp)
        scales = np.array([it[3] for it in items])
        offsets = np.array([it[4] for it in items])
        groups.append(_Group(
            code=code,
            index=index,
            base=items[0][1].base,
            fields=tuple(it[0] for it in items),
            names=tuple(it[2] for it in items),
            units=tuple(it[5] for it in items),
            nums=tuple(it[1].num for it in items),
            scales=scales if np.any(scales != 1.0) else None,
            offsets=offsets if np.any(offsets != 0.0) else None,
        ))
    hr_ts_first = None
    if mesg_num == MESG_HR:
        nums = [f.num for f in fields]
        if HR_EVENT_TIMESTAMP in nums:
            hr_ts_first = TIMESTAMP not in nums or (
                nums.index(HR_EVENT_TIMESTAMP) < nums.index(TIMESTAMP))
    return _Plan(info, tuple(groups), tuple(general), hr_ts_first)


# -- decoding -----------------------------------------------------------------------------------


def _field_raw(matrix: NDArray[np.uint8], fd: FieldDef, order: str) -> NDArray[np.generic]:
    """One field's raw values: (n,) numbers, (n, count) arrays, (n, size) bytes, (n,) text."""
    block = matrix[:, fd.offset : fd.offset + fd.size]
    if fd.base.kind == "B":
        return block
    block = np.ascontiguousarray(block)
    if fd.base.kind == "S":
        return block.view(f"S{fd.size}").reshape(-1)
    values = block.view(order + fd.base.numpy_code)
    return values.reshape(-1) if fd.elements == 1 else values


def decode_part(ctx: Context, d: Definition, positions: NDArray[np.int64]) -> Part:
    """Decode every data message of definition ``d`` at ``positions`` (header offsets)."""
    part = Part(d, positions)
    n = len(positions)
    heads = ctx.buf[positions]
    compressed = (heads & 0x80) != 0
    if compressed.any():
        part.compressed = compressed
        part.time_offset = (heads & 0x1F).astype(np.int64)
    payload = d.size - 1
    if payload == 0 or not (d.fields or d.dev_fields):
        return part
    plan = _plan_for(d.signature)
    part.hr_ts_first = plan.hr_ts_first
    # row i of this view is the payload-sized window starting at byte i
    windows = np.ndarray((len(ctx.data) - payload + 1, payload), dtype=np.uint8,
                         buffer=ctx.data, strides=(1, 1))
    matrix = windows[positions + 1]
    order = ">" if d.big_endian else "<"
    columns, units = part.columns, part.units
    raws: dict[int, NDArray[np.generic]] = {}
    for g in plan.groups:
        raw = matrix.take(g.index, axis=1).view(g.code).reshape(n, len(g.fields))
        values = raw.astype(np.float64)
        if g.base.kind != "f":
            values[raw == g.base.invalid] = np.nan
        if g.scales is not None:
            values /= g.scales
        if g.offsets is not None:
            values -= g.offsets
        for j, name in enumerate(g.names):
            col = values[:, j]
            num = g.nums[j]
            if g.base.kind != "f" and num not in raws:
                raws[num] = raw[:, j]
            if num == TIMESTAMP and part.native_ts is None:
                part.native_ts = col
            if name in columns:
                columns[name] = fill(columns[name], col)
            else:
                columns[name] = col
                units[name] = g.units[j]
    info = plan.info
    general = [(d.fields[i], _field_raw(matrix, d.fields[i], order)) for i in plan.general]
    for fd, raw in general:
        if fd.base.kind in "ui" and fd.elements == 1 and fd.num not in raws:
            raws[fd.num] = raw
    for fd, raw in general:
        finfo = info.fields.get(fd.num) if info is not None else None
        if fd.base.kind == "S":
            _put(part, finfo.name if finfo else f"unknown_{fd.num}", _text(raw, ctx), None,
                 finfo.units if finfo else None)
            continue
        values = to_float(raw, fd.base)
        if finfo is None or info is None:
            _put(part, f"unknown_{fd.num}", values, None, None)
        else:
            _decode_field(part, info, finfo, fd, raw, values, raws, n)
    for fd in d.dev_fields:
        dev = fd.dev
        assert dev is not None
        raw = _field_raw(matrix, fd, order)
        dev_col: Column
        if fd.base.kind == "S":
            dev_col = _text(raw, ctx)
        else:
            dev_col = to_float(raw, fd.base)
            if dev.scale is not None or dev.offset is not None:
                dev_col = scaled(dev_col, dev.scale or 1.0, dev.offset or 0.0)
        current = part.developer.get(dev.name)
        part.developer[dev.name] = dev_col if current is None else fill(current, dev_col)
        part.developer_units.setdefault(dev.name, dev.units)
    return part


def _decode_field(
    part: Part,
    info: MessageInfo,
    finfo: FieldInfo,
    fd: FieldDef,
    raw: NDArray[np.generic],
    values: FloatArray,
    raws: dict[int, NDArray[np.generic]],
    n: int,
) -> None:
    """Columns of one profile field: itself or its sub-fields, and their components."""
    sel = _select([sf.refs for sf in finfo.subfields], raws, n)
    targets: list[tuple[str, float, float, str | None, tuple[Component, ...],
                        NDArray[np.bool_] | None]] = []
    if sel is None:
        targets.append((finfo.name, finfo.scale, finfo.offset, finfo.units,
                        finfo.components, None))
    else:
        main = sel < 0
        if main.any():
            targets.append((finfo.name, finfo.scale, finfo.offset, finfo.units,
                            finfo.components, main))
        for k, sf in enumerate(finfo.subfields):
            rows = sel == k
            if rows.any():
                targets.append((sf.name, sf.scale, sf.offset, sf.units, sf.components, rows))
    for name, scale, offset, units, comps, rows in targets:
        _put(part, name, scaled(values, scale, offset), rows, units)
        if comps and fd.base.kind in "uiB":
            _components(part, info, comps, raw, values, raws, rows, n)


def _components(
    part: Part,
    info: MessageInfo,
    comps: tuple[Component, ...],
    raw: NDArray[np.generic],
    values: FloatArray,
    raws: dict[int, NDArray[np.generic]],
    rows: NDArray[np.bool_] | None,
    n: int,
) -> None:
    """Expand components (fitdecode ``FitReader._read_data_message``)."""
    invalid = np.isnan(values) if values.ndim == 1 else np.all(np.isnan(values), axis=1)
    grouped: dict[tuple[str, bool], list[tuple[Component, FloatArray]]] = {}
    for comp in comps:
        target = info.fields.get(comp.target_num)
        if target is None:
            continue
        bits = _bits(raw, comp)
        if bits is None:
            continue
        cv = bits.astype(np.float64)
        cv[invalid] = np.nan
        grouped.setdefault((target.name, comp.accumulate), []).append((comp, cv))
    for (name, accumulate), items in grouped.items():
        comp0 = items[0][0]
        stacked: FloatArray = (items[0][1] if len(items) == 1
                               else np.stack([v for _, v in items], axis=1))
        if rows is not None:
            stacked = _masked(stacked, rows)  # type: ignore[assignment]
        if accumulate:
            part.accs.append(Acc(target=name, key=comp0.target_num, bits=comp0.bits,
                                 scale=comp0.scale, offset=comp0.offset, units=comp0.units,
                                 values=stacked.reshape(n, -1)))
            continue
        target = info.fields[comp0.target_num]
        value = scaled(stacked, comp0.scale, comp0.offset)
        sel = _select([sf.refs for sf in target.subfields], raws, n)
        if sel is None:
            _put(part, name, value, None, comp0.units)
            continue
        _put(part, name, value, sel < 0, comp0.units)
        for k, sf in enumerate(target.subfields):
            sub_rows = sel == k
            if sub_rows.any():
                _put(part, sf.name, value, sub_rows, comp0.units)
