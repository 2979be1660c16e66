"""First pass of the FIT decoder: walk the message headers, nothing else.

The walk reads every file header, definition message and CRC in Python, but of a
data message it only notes where it starts and which definition it uses; the
field values are decoded later, a whole definition at a time, with numpy
(:mod:`backstride.fit.columns`). Two things keep the Python loop short:

* Definitions are parsed once per distinct content and shared (many devices
  repeat the same definitions).
* Repeating blocks are skipped in bulk. When a data message's header byte was
  last seen ``P <= 8`` messages ago with no definition in between, the ``P``
  messages since then form a block of ``Lp`` bytes. If the same ``P`` header
  bytes sit at the same relative places in the next ``Lp`` bytes, the block is
  repeated; one strided ``bytes`` slice per message of the block and
  ``bytes.lstrip`` count how many more repetitions follow. This is exact, not a
  guess: a data message's size follows from its header byte and the current
  definitions, so a matching header byte at the computed place *is* the next
  message. Runs of one record type (``P = 1``) and record/hrv alternations
  (``P = 2``) collapse to a few iterations. Compressed-timestamp headers are
  compared with their 5-bit time offset masked out.

Developer data (``developer_data_id``, ``field_description``) is decoded during
the walk, because a definition's developer fields take their meaning from the
descriptions seen before it (as in fitdecode).

Structural damage stops the walk: a data message whose local type is undefined,
a message or definition running past the end of the data or the file, a
definition whose architecture byte is neither 0 nor 1, more than
:data:`MAX_DEFINITIONS` distinct definitions or :data:`MAX_SEGMENTS` chained
files. What was walked before stays, and the stop is reported with its byte
offset. Bytes after the last FIT file that do not start another FIT header are
ignored with a warning.
"""

from __future__ import annotations

import functools
import struct

import numpy as np

from backstride.fit.crc import crc16
from backstride.fit.definitions import Definition, DevFieldInfo, FieldDef, NotFitError, Walk
from backstride.fit.profile import (
    BASE_TYPES,
    BYTE,
    BaseType,
    base_type,
    message_info,
    message_name,
)

__all__ = [
    "MAX_DEFINITIONS",
    "MAX_DEV_MESSAGES",
    "MAX_SEGMENTS",
    "decode_one",
    "walk",
]

MESG_FIELD_DESCRIPTION = 206
MESG_DEVELOPER_DATA_ID = 207

#: Longest repeating block (in messages) the bulk skip looks for.
_MAX_BLOCK = 8
#: Most repetitions counted by one bulk step.
_MAX_REPEATS = 4096

#: Guards against hostile files (real files stay far below: ~50 distinct
#: definitions, a handful of chained files, a few dozen developer-data messages).
MAX_DEFINITIONS = 4096
MAX_SEGMENTS = 10_000
MAX_DEV_MESSAGES = 10_000


class _StopError(Exception):
    """Internal: a structural break at ``offset`` (``cut``: the data simply end there)."""

    def __init__(self, offset: int, reason: str, *, cut: bool = False) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason
        self.cut = cut


@functools.cache
def _accumulating(mesg_num: int) -> frozenset[int]:
    """Field numbers of a message whose components accumulate (rolling counters)."""
    info = message_info(mesg_num)
    if info is None:
        return frozenset()
    return frozenset(num for num, f in info.fields.items()
                     if any(c.accumulate for c in f.components))



# Translation table: compressed-timestamp header bytes lose their time offset.
_MASK_TIME = bytes((b & 0xE0) if b & 0x80 else b for b in range(256))


class _Walker:
    def __init__(self, data: bytes) -> None:
        self.data = data
        # compressed-timestamp headers are compared with their time offset masked out;
        # the masked copy is only made once the first such header shows up
        self.tdata = data
        self.out = Walk()
        self.def_cache: dict[tuple[bytes, int], Definition] = {}
        self.local: list[Definition | None] = [None] * 16
        self.dev_fields: dict[tuple[int, int], DevFieldInfo] = {}
        self.dev_ids: set[int] = set()
        self.dev_version = 0
        self.single_def: list[int] = []
        self.single_pos: list[int] = []
        self.blocks: list[tuple[int, int, int, int, int]] = []
        self.warned: set[str] = set()
        self.n_special = 0

    def warn(self, text: str, key: str | None = None) -> None:
        key = text if key is None else key
        if key not in self.warned:
            self.warned.add(key)
            self.out.warnings.append(text)

    # -- file structure -------------------------------------------------------------

    def run(self) -> Walk:
        data = self.data
        n = len(data)
        pos = 0
        first = True
        if n < 12:
            raise NotFitError(f"{n} bytes are too short for a FIT file header")
        while pos < n:
            if n - pos < 12 or data[pos + 8 : pos + 12] != b".FIT" or data[pos] < 12:
                if first:
                    raise NotFitError("no FIT file header ('.FIT' signature) at byte 0")
                self.warn(f"{n - pos} bytes after the last FIT file at byte {pos} ignored")
                break
            first = False
            if len(self.out.segment_starts) >= MAX_SEGMENTS:
                self.out.stop = (pos, f"more than {MAX_SEGMENTS} chained FIT files")
                break
            try:
                pos = self.segment(pos)
            except _StopError as stop:
                self.out.stop = (stop.offset, stop.reason)
                break
        self.finish()
        return self.out

    def segment(self, start: int) -> int:
        """Walk one FIT file (header, data, CRC); return the offset after it."""
        data = self.data
        n = len(data)
        header_size = data[start]
        data_size: int = struct.unpack_from("<I", data, start + 4)[0]
        if header_size >= 14 and n - start >= 14:
            (header_crc,) = struct.unpack_from("<H", data, start + 12)
            if header_crc and header_crc != crc16(data, start, start + 12):
                self.warn(f"header CRC mismatch at byte {start} (data kept)")
        data_start = start + header_size
        if data_start > n:
            raise _StopError(start, f"file header at byte {start} is cut short")
        self.out.segment_starts.append(start)
        self.local = [None] * 16
        self.dev_fields = {}
        self.dev_ids = set()
        self.dev_version += 1
        data_end = data_start + data_size
        open_ended = False
        if data_size == 0 and data[data_start + 10 : data_start + 14] != b".FIT" and (
            n - data_start > 2
        ):
            self.warn(
                f"FIT header at byte {start} declares 0 data bytes but {n - data_start} "
                "bytes follow (recording never finalised); reading them"
            )
            data_end = n
            open_ended = True
        elif data_end + 2 > n:
            self.warn(
                f"file truncated: the header at byte {start} declares {data_size} data "
                f"bytes and a CRC, only {max(n - data_start, 0)} bytes follow it"
            )
            data_end = min(data_end, n)
            open_ended = True
        pos = self.messages(data_start, data_end, open_ended)
        if open_ended:
            rest = n - pos
            if data_size and pos == data_start + data_size:
                self.warn(f"the file CRC at byte {pos} is cut short: not checked")
            elif rest == 2:
                self.check_crc(start, pos)
            elif rest:
                raise _StopError(pos, f"incomplete message at byte {pos} at the end of the file")
            else:
                self.warn(f"no file CRC at byte {pos}: not checked")
            return n
        self.check_crc(start, data_end)
        return data_end + 2

    def check_crc(self, start: int, crc_at: int) -> None:
        stored: int = struct.unpack_from("<H", self.data, crc_at)[0]
        ok = crc16(self.data, start, crc_at) == stored
        if not ok:
            self.warn(f"file CRC mismatch at byte {crc_at} (data kept)")
        self.out.crc_ok = ok if self.out.crc_ok is None else (self.out.crc_ok and ok)

    # -- messages ---------------------------------------------------------------------

    def messages(self, pos: int, end: int, open_ended: bool) -> int:
        """Walk the messages in ``[pos, end)``; return where the walk ended."""
        data = self.data
        tdata = self.tdata
        local = self.local
        spos = self.single_pos
        sdef = self.single_def
        seen: dict[int, int] = {}
        barrier = len(spos)
        while pos < end:
            h = data[pos]
            if h & 0x80:
                d = local[(h >> 5) & 3]
                if tdata is data:
                    tdata = self.tdata = data.translate(_MASK_TIME)
            elif h & 0x40:
                try:
                    pos = self.definition(pos, end, h)
                except _StopError as stop:
                    if open_ended and stop.cut:
                        return pos
                    raise
                local = self.local
                barrier = len(spos)
                continue
            else:
                d = local[h & 0x0F]
            if d is None:
                raise _StopError(
                    pos,
                    f"data message at byte {pos} uses local message type "
                    f"{(h >> 5) & 3 if h & 0x80 else h & 0x0F}, which is not defined",
                )
            nxt = pos + d.size
            if nxt > end:
                if open_ended:
                    return pos
                raise _StopError(
                    pos, f"message at byte {pos} ({d.size} bytes) runs past the end of the data"
                )
            if d.special:
                self.special(pos, d)
                spos.append(pos)
                sdef.append(d.id)
                barrier = len(spos)
                pos = nxt
                continue
            th = tdata[pos]
            j = seen.get(th)
            if j is not None and j >= barrier and len(spos) - j <= _MAX_BLOCK:
                # cheap pre-check: the block's first header byte repeats once more
                ahead = 2 * pos - spos[j]
                if ahead < end and tdata[ahead] == th:
                    skipped = self.bulk(pos, end, j)
                    if skipped:
                        pos += skipped
                        barrier = len(spos)
                        continue
            seen[th] = len(spos)
            spos.append(pos)
            sdef.append(d.id)
            pos = nxt
        return pos

    def bulk(self, pos: int, end: int, j: int) -> int:
        """Count repetitions of the block ``single_pos[j:]`` starting at ``pos``.

        Returns the number of bytes skipped (0 when the block does not repeat).
        """
        tdata = self.tdata
        spos = self.single_pos
        base = spos[j]
        period = pos - base
        rel = [p - base for p in spos[j:]]
        heads = [tdata[p : p + 1] for p in spos[j:]]
        total = 0
        cap = 16
        cur = pos
        while True:
            repeats = min((end - cur) // period, cap)
            for r, head in zip(rel, heads, strict=True):
                lane = tdata[cur + r : cur + r + repeats * period : period]
                repeats = min(repeats, len(lane) - len(lane.lstrip(head)))
                if not repeats:
                    break
            total += repeats
            cur += repeats * period
            if repeats < cap:
                break
            cap = min(cap * 8, _MAX_REPEATS)
        if total:
            sdef = self.single_def
            at = len(spos)
            for k, r in enumerate(rel):
                self.blocks.append((at, sdef[j + k], pos + r, total, period))
        return total * period

    # -- definitions ---------------------------------------------------------------------

    def definition(self, pos: int, end: int, h: int) -> int:
        data = self.data
        cut = f"definition message at byte {pos} runs past the end of the data"
        if pos + 6 > end:
            raise _StopError(pos, cut, cut=True)
        if data[pos + 2] > 1:
            raise _StopError(
                pos,
                f"definition message at byte {pos} has an invalid architecture byte "
                f"{data[pos + 2]} (must be 0 or 1)",
            )
        n_fields = data[pos + 5]
        stop = pos + 6 + 3 * n_fields
        has_dev = bool(h & 0x20)
        if has_dev:
            if stop + 1 > end:
                raise _StopError(pos, cut, cut=True)
            stop += 1 + 3 * data[stop]
        if stop > end:
            raise _StopError(pos, cut, cut=True)
        key = (data[pos + 1 : stop], self.dev_version if has_dev else 0)
        d = self.def_cache.get(key)
        if d is None:
            if len(self.def_cache) >= MAX_DEFINITIONS:
                raise _StopError(pos, f"more than {MAX_DEFINITIONS} distinct definitions")
            d = self.build_definition(pos, n_fields, has_dev)
            self.def_cache[key] = d
        if d.accumulates:
            self.out.resets.setdefault(d.mesg_num, []).append(pos)
        self.local[h & 0x0F] = d
        return stop

    def build_definition(self, pos: int, n_fields: int, has_dev: bool) -> Definition:
        data = self.data
        big = data[pos + 2] == 1
        (mesg_num,) = struct.unpack_from(">H" if big else "<H", data, pos + 3)
        name = message_name(mesg_num)
        fields: list[FieldDef] = []
        offset = 0
        q = pos + 6
        types = BASE_TYPES
        for _ in range(n_fields):
            num, size, type_byte = data[q], data[q + 1], data[q + 2]
            q += 3
            base = types.get(type_byte & 0x1F, BYTE)
            if size and (base.size == 1 or size % base.size == 0):  # the common case
                fields.append(FieldDef(num, offset, size, base,
                                       1 if base.kind == "S" else size // base.size, base))
            else:
                fd = self.field_def(num, size, base, offset, pos, name, None)
                if fd is not None:
                    fields.append(fd)
            offset += size
        accumulates = bool(_accumulating(mesg_num).intersection(f.num for f in fields))
        dev_fields: list[FieldDef] = []
        if has_dev:
            n_dev = data[q]
            q += 1
            for _ in range(n_dev):
                num, size, dev_index = data[q], data[q + 1], data[q + 2]
                q += 3
                dev = self.dev_fields.get((dev_index, num))
                if dev is None:
                    self.warn(
                        f"definition at byte {pos} uses developer field {num} of developer "
                        f"data index {dev_index}, which no field_description declared; "
                        "read as bytes",
                        key=f"dev{dev_index}/{num}",
                    )
                    dev = DevFieldInfo(dev_index, num, f"dev_{dev_index}_{num}", None, BYTE,
                                       None, None)
                fd = self.field_def(num, size, dev.base, offset, pos, name, dev)
                offset += size
                if fd is not None:
                    dev_fields.append(fd)
        d = Definition(
            id=len(self.out.definitions),
            mesg_num=mesg_num,
            big_endian=big,
            size=1 + offset,
            fields=tuple(fields),
            dev_fields=tuple(dev_fields),
            accumulates=accumulates,
            special=mesg_num in (MESG_FIELD_DESCRIPTION, MESG_DEVELOPER_DATA_ID),
            signature=(mesg_num, big,
                       tuple((f.num, f.offset, f.size, f.base.num) for f in fields)),
        )
        self.out.definitions.append(d)
        return d

    def field_def(
        self, num: int, size: int, base: BaseType, offset: int, pos: int, mesg: str,
        dev: DevFieldInfo | None,
    ) -> FieldDef | None:
        label = f"developer field {dev.name!r}" if dev is not None else f"field {num}"
        if size == 0:
            self.warn(f"{mesg} {label} has size 0 in the definition at byte {pos}; skipped",
                      key=f"size0/{mesg}/{label}")
            return None
        declared = base
        if base.kind != "S" and size % base.size:
            self.warn(
                f"{mesg} {label}: size {size} does not fit its type {base.name} "
                f"(definition at byte {pos}); read as bytes",
                key=f"misfit/{mesg}/{label}/{size}",
            )
            base = BYTE
        count = 1 if base.kind == "S" else size // base.size
        return FieldDef(num, offset, size, base, count, declared, dev)

    # -- developer data ------------------------------------------------------------------

    def special(self, pos: int, d: Definition) -> None:
        self.n_special += 1
        if self.n_special > MAX_DEV_MESSAGES:
            self.warn(f"more than {MAX_DEV_MESSAGES} developer-data messages; the rest "
                      "are ignored", key="devmax")
            return
        values = decode_one(self.data, pos + 1, d)
        index = values.get(0 if d.mesg_num == MESG_FIELD_DESCRIPTION else 3)
        if not isinstance(index, int):
            self.warn(f"{message_name(d.mesg_num)} at byte {pos} has no developer_data_index; "
                      "ignored")
            return
        self.dev_version += 1
        if d.mesg_num == MESG_DEVELOPER_DATA_ID:
            self.dev_ids.add(index)
            for key in [k for k in self.dev_fields if k[0] == index]:
                del self.dev_fields[key]
            return
        num = values.get(1)
        if not isinstance(num, int):
            self.warn(f"field_description at byte {pos} has no field_definition_number; "
                      "ignored")
            return
        if index not in self.dev_ids:
            self.warn(
                f"field_description at byte {pos} refers to developer data index {index}, "
                "which no developer_data_id declared",
                key=f"devid{index}",
            )
        type_id = values.get(2)
        name = values.get(3)
        units = values.get(8)
        scale = values.get(6)
        offset = values.get(7)
        self.dev_fields[(index, num)] = DevFieldInfo(
            dev_index=index,
            num=num,
            name=name if isinstance(name, str) and name else f"dev_{index}_{num}",
            units=units if isinstance(units, str) and units else None,
            base=base_type(type_id) if isinstance(type_id, int) else BYTE,
            scale=float(scale) if isinstance(scale, int) and scale else None,
            offset=float(offset) if isinstance(offset, int) else None,
        )

    # -- result ------------------------------------------------------------------------------

    def finish(self) -> None:
        """Per definition, the sorted positions of its data messages."""
        n_defs = len(self.out.definitions)
        pos = np.array(self.single_pos, dtype=np.int64)
        defs = np.array(self.single_def, dtype=np.int64)
        if self.blocks:
            at, bdef, start, count, stride = (
                np.array(col, dtype=np.int64) for col in zip(*self.blocks, strict=True)
            )
            total = int(count.sum())
            first = np.cumsum(count) - count
            step = np.arange(total, dtype=np.int64) - np.repeat(first, count)
            bpos = np.repeat(start, count) + step * np.repeat(stride, count)
            # blocks were walked in order: inserting them where they were met (and
            # blocks met at the same place by their first message) keeps file order
            key = np.repeat(at, count)
            order = np.lexsort((bpos, key))
            pos = np.insert(pos, key[order], bpos[order])
            defs = np.insert(defs, key[order], np.repeat(bdef, count)[order])
        small = defs.astype(np.int16) if n_defs < 2**15 else defs
        order = np.argsort(small, kind="stable")
        bounds = np.searchsorted(defs[order], np.arange(n_defs + 1))
        sorted_pos = pos[order]
        self.out.positions = [sorted_pos[bounds[i] : bounds[i + 1]] for i in range(n_defs)]


_STRUCT_CODES = {"u1": "B", "i1": "b", "u2": "H", "i2": "h", "u4": "I", "i4": "i",
                 "u8": "Q", "i8": "q", "f4": "f", "f8": "d"}


def decode_one(data: bytes, start: int, d: Definition) -> dict[int, object]:
    """Decode one data message in Python (used for the rare developer-data messages).

    Returns field number -> int (None when invalid), str (None when empty) or tuple.
    """
    order = ">" if d.big_endian else "<"
    out: dict[int, object] = {}
    for fd in d.fields:
        raw = data[start + fd.offset : start + fd.offset + fd.size]
        if fd.base.kind == "S":
            text = raw.split(b"\0", 1)[0].decode("utf-8", "replace")
            out[fd.num] = text or None
            continue
        if fd.base.kind == "B":
            out[fd.num] = None if all(b == 0xFF for b in raw) else tuple(raw)
            continue
        values = struct.unpack(f"{order}{fd.elements}{_STRUCT_CODES[fd.base.numpy_code]}", raw)
        cleaned = [None if v == fd.base.invalid or v != v else v for v in values]
        out[fd.num] = cleaned[0] if fd.elements == 1 else tuple(cleaned)
    return out


def walk(data: bytes) -> Walk:
    """Walk the headers of FIT ``data`` (see the module docstring).

    Raises
    ------
    NotFitError
        When the data do not start with a FIT file header.
    """
    return _Walker(data).run()
