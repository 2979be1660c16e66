"""Shift every date in an activity file, to build synthetic archives from real files.

* :func:`shift_fit` moves every ``date_time`` and ``local_date_time`` field of a
  FIT file (``timestamp``, ``start_time``, ``local_timestamp``,
  ``time_created``..., any message, chained files included) by ``delta_s``
  seconds and rewrites the file CRCs. ``delta_s`` must be a multiple of 32 s:
  compressed-timestamp headers store only the low 5 bits of the time, which
  such a shift leaves unchanged. Relative times (below 0x10000000, seconds since
  power-on) and invalid values are left alone. A CRC that did not match before
  is not "repaired". Developer fields are not touched.
* :func:`shift_xml_times` moves every ISO 8601 date-time in GPX or TCX text
  (``<time>``, ``<Time>``, ``<Id>``, ``StartTime="..."``, metadata), keeping
  each one's fractional digits and zone suffix; :func:`shift_gpx` and
  :func:`shift_tcx` are aliases.

Usage from Python (the archive builder is not part of this module)::

    from timeshift import shift_fit, shift_gpx
    year_earlier = shift_fit(data, -365 * 86400)   # 365 days = 985 500 x 32 s
"""

from __future__ import annotations

import re
import struct
from datetime import datetime, timedelta

import numpy as np

from backstride.fit.crc import crc16
from backstride.fit.profile import FIT_DATETIME_MIN, message_info
from backstride.fit.walk import walk

__all__ = ["shift_fit", "shift_gpx", "shift_tcx", "shift_xml_times"]

_DATE_TYPES = frozenset({"date_time", "local_date_time"})
_TIMESTAMP = 253
_UINT32_INVALID = 0xFFFFFFFF


def shift_fit(data: bytes, delta_s: int) -> bytes:
    """Return ``data`` with every FIT date moved by ``delta_s`` seconds.

    Raises
    ------
    ValueError
        ``delta_s`` is not a multiple of 32, or a shifted date leaves the uint32 range.
    """
    if delta_s % 32:
        raise ValueError(f"delta_s={delta_s} is not a multiple of 32 s (compressed timestamps)")
    w = walk(bytes(data))
    out = np.frombuffer(bytearray(data), dtype=np.uint8)
    for d in w.definitions:
        positions = w.positions[d.id]
        if not len(positions):
            continue
        info = message_info(d.mesg_num)
        for fd in d.fields:
            finfo = info.fields.get(fd.num) if info is not None else None
            is_date = fd.num == _TIMESTAMP or (finfo is not None and finfo.type_name in _DATE_TYPES)
            if not is_date or fd.base.size != 4 or fd.base.kind != "u":
                continue
            code = (">" if d.big_endian else "<") + "u4"
            for k in range(fd.elements):
                starts = positions + 1 + fd.offset + 4 * k
                index = starts[:, None] + np.arange(4)
                values = out[index].copy().view(code).reshape(-1).astype(np.int64)
                absolute = (values >= FIT_DATETIME_MIN) & (values != _UINT32_INVALID)
                shifted = values + delta_s
                if np.any(absolute & ((shifted < FIT_DATETIME_MIN) | (shifted >= _UINT32_INVALID))):
                    raise ValueError(f"shifting by {delta_s} s leaves the FIT date range")
                new = np.where(absolute, shifted, values).astype(code)
                out[index] = new.view(np.uint8).reshape(-1, 4)
    shifted_bytes = bytearray(out.tobytes())
    _rewrite_crcs(bytes(data), shifted_bytes, w.segment_starts)
    return bytes(shifted_bytes)


def _rewrite_crcs(original: bytes, shifted: bytearray, segment_starts: list[int]) -> None:
    for start in segment_starts:
        header_size = original[start]
        (data_size,) = struct.unpack_from("<I", original, start + 4)
        crc_at = start + header_size + data_size
        if data_size == 0 or crc_at + 2 > len(original):
            continue
        (stored,) = struct.unpack_from("<H", original, crc_at)
        if crc16(original, start, crc_at) != stored:
            continue  # it was wrong before: leave it wrong
        struct.pack_into("<H", shifted, crc_at, crc16(shifted, start, crc_at))


_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<time>\d{2}:\d{2}:\d{2})(?P<frac>\.\d+)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?"
)


def _shift_match(match: re.Match[str], delta: timedelta) -> str:
    moment = datetime.fromisoformat(f"{match['date']}T{match['time']}") + delta
    return f"{moment:%Y-%m-%dT%H:%M:%S}{match['frac'] or ''}{match['zone'] or ''}"


def shift_xml_times(text: str | bytes, delta_s: float) -> str | bytes:
    """Shift every ISO 8601 date-time in GPX/TCX text (``str`` or UTF-8 ``bytes``)."""
    delta = timedelta(seconds=delta_s)
    if isinstance(text, bytes):
        decoded = text.decode("utf-8", "surrogateescape")
        shifted = _ISO.sub(lambda m: _shift_match(m, delta), decoded)
        return shifted.encode("utf-8", "surrogateescape")
    return _ISO.sub(lambda m: _shift_match(m, delta), text)


shift_gpx = shift_xml_times
shift_tcx = shift_xml_times
