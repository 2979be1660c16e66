"""Content fingerprint of an Activity, the key of exact-duplicate detection.

The fingerprint hashes what the runner did, not where it was stored: sport, start,
leg position, the summary numbers and the raw bytes of the ``time_s`` and
``distance_m`` streams. The file name, the container (plain, gzip, zip member), the
gear, the title and the warnings are left out, so the same recording imported again
under another name or compressed gives the same key.

The same run exported as FIT and as GPX gives *different* fingerprints (the formats
round numbers differently); the storage layer catches that case with its start-time
and duration rule instead.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Final

import numpy as np

from backstride.domain.activity import Activity, Summary

__all__ = ["FINGERPRINT_VERSION", "fingerprint"]

#: Bump when the hashed content changes; stored keys of the old version stop matching.
FINGERPRINT_VERSION: Final = 1

_SUMMARY_FIELDS: Final = (
    "elapsed_s",
    "moving_s",
    "distance_m",
    "ascent_m",
    "descent_m",
    "avg_hr_bpm",
    "avg_cadence_spm",
    "avg_power_w",
)


def _number(value: float | None) -> bytes:
    """Exact, platform-independent bytes of an optional float."""
    if value is None:
        return b"\x00"
    return b"\x01" + struct.pack("<d", float(value))


def _summary_bytes(summary: Summary) -> bytes:
    return b"".join(_number(getattr(summary, name)) for name in _SUMMARY_FIELDS)


def fingerprint(activity: Activity) -> str:
    """Return the sha256 hex digest identifying the content of ``activity``.

    Parameters
    ----------
    activity
        Any Activity.

    Returns
    -------
    str
        64 lowercase hex characters. Equal for equal content whatever the file
        name, compression or metadata (gear, title, warnings).
    """
    h = hashlib.sha256()
    h.update(f"backstride-activity-v{FINGERPRINT_VERSION}\0".encode())
    h.update(activity.sport.value.encode() + b"\0")
    start = activity.start_utc.isoformat() if activity.start_utc is not None else "-"
    h.update(start.encode() + b"\0")
    h.update(struct.pack("<q", activity.leg_index))
    h.update(_summary_bytes(activity.summary))
    streams = activity.streams
    for name in ("time_s", "distance_m"):
        arr = streams.get(name)
        if arr is None:
            h.update(name.encode() + b":absent\0")
            continue
        data = np.ascontiguousarray(arr, dtype="<f8")
        h.update(name.encode() + b":" + struct.pack("<q", len(data)))
        h.update(data.tobytes())
    return h.hexdigest()
