"""Read one Source: size limit, bounded gunzip, detection, parsing, export overrides.

:func:`read_source` is the one entry point from bytes to Activities. Whatever goes
wrong, only :class:`~backstride.errors.ActivityFileError` subclasses leave it, and
they name ``source.name``; an unexpected exception inside a parser (a bug, or
input nobody foresaw) becomes a :class:`~backstride.errors.CorruptFileError` and
its traceback goes to the debug log only.

Gzip
----
``.gz`` content (Strava exports ``activities/123.fit.gz``) is inflated in 1 MiB
steps with :mod:`zlib`, and every step is checked before the next one is taken,
so a bomb is stopped after at most one step past a limit:

* output above ``limits.max_archive_member_bytes`` -> UnsafeInputError;
* output above ``limits.max_compression_ratio`` x the compressed size (checked
  once the output passes :data:`RATIO_GRACE_BYTES`, so that tiny files with a
  fixed header overhead are not misjudged) -> UnsafeInputError;
* output above ``limits.max_file_bytes`` -> FileTooLargeError (an honest but
  oversized file).

Concatenated gzip members are joined (RFC 1952 allows them). A stream that ends
early keeps what was inflated, with a warning on every resulting Activity; a
damaged stream is a CorruptFileError. Gzip inside gzip, and archives inside gzip,
are refused.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import replace

from backstride.domain.activity import Activity, Sport, Summary
from backstride.domain.summary import nonzero_mean
from backstride.errors import (
    ActivityFileError,
    CorruptFileError,
    FileTooLargeError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from backstride.importers.detect import detect_format
from backstride.importers.fit import parse_fit
from backstride.importers.gpx import parse_gpx
from backstride.importers.source import Source, SourceMeta
from backstride.importers.tcx import parse_tcx
from backstride.settings import ImportLimits

__all__ = ["RATIO_GRACE_BYTES", "gunzip_bounded", "read_source"]

log = logging.getLogger(__name__)

#: Inflate step [bytes].
CHUNK_BYTES = 1024 * 1024
#: Output below this size is never judged by its compression ratio [bytes].
RATIO_GRACE_BYTES = 1024 * 1024


def _mib(n: float) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def gunzip_bounded(data: bytes, limits: ImportLimits, *, source: str) -> tuple[bytes, bool]:
    """Inflate gzip data under ``limits`` (rules in the module docstring).

    Returns
    -------
    tuple
        ``(inflated bytes, complete)``; ``complete`` is False when the stream ended
        before its trailer.

    Raises
    ------
    UnsafeInputError, FileTooLargeError, CorruptFileError
    """
    member_cap = limits.max_archive_member_bytes
    ratio_cap = limits.max_compression_ratio * max(len(data), 1)
    file_cap = limits.max_file_bytes
    out = bytearray()
    pending = data
    complete = False
    while pending:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        buf = pending
        pending = b""
        try:
            while buf:
                chunk = inflater.decompress(buf, CHUNK_BYTES)
                stalled = not chunk and len(inflater.unconsumed_tail) == len(buf)
                buf = inflater.unconsumed_tail
                out += chunk
                if stalled:  # pragma: no cover - zlib always progresses
                    break
                _check_size(len(out), member_cap, ratio_cap, file_cap, limits, source)
                if inflater.eof:
                    break
            while not inflater.eof:  # flush what is buffered (bounded as well)
                chunk = inflater.decompress(b"", CHUNK_BYTES)
                if not chunk:
                    break
                out += chunk
                _check_size(len(out), member_cap, ratio_cap, file_cap, limits, source)
        except zlib.error as exc:
            if not out:
                raise CorruptFileError(source, f"damaged gzip data ({exc})") from None
            log.warning("%s: gzip data damaged after %d bytes (%s)", source, len(out), exc)
            return bytes(out), False
        complete = inflater.eof
        if not complete:
            break
        rest = inflater.unused_data.lstrip(b"\x00")  # some writers pad with zeros
        if rest.startswith(b"\x1f\x8b"):
            pending = rest
        elif rest:
            log.info("%s: %d bytes of trailing garbage after gzip data ignored", source, len(rest))
    return bytes(out), complete


def _check_size(
    n: int, member_cap: int, ratio_cap: float, file_cap: int, limits: ImportLimits, source: str
) -> None:
    if n > member_cap:
        raise UnsafeInputError(
            source,
            f"gzip content exceeds the {_mib(member_cap)} limit for archive members "
            "(decompression bomb?)",
        )
    if n > RATIO_GRACE_BYTES and n > ratio_cap:
        raise UnsafeInputError(
            source,
            f"gzip content expands more than {limits.max_compression_ratio:g}x "
            "(decompression bomb?)",
        )
    if n > file_cap:
        raise FileTooLargeError(
            source, f"file inside gzip is larger than the {_mib(file_cap)} limit"
        )


def read_source(source: Source, limits: ImportLimits) -> list[Activity]:
    """Turn one Source into its Activities.

    Parameters
    ----------
    source
        File bytes and display name (plain or gzip-compressed FIT, GPX or TCX).
    limits
        Size and decompression limits.

    Raises
    ------
    ActivityFileError
        Any subclass, naming ``source.name``; nothing else escapes.
    """
    name = source.name
    try:
        return _read(source, limits)
    except ActivityFileError as exc:
        raise (exc if exc.source == name else exc.with_source(name)) from None
    except Exception as exc:  # firewall: a parser bug must not become a traceback
        log.debug("%s: unexpected error while reading", name, exc_info=True)
        raise CorruptFileError(
            name, f"could not be read ({type(exc).__name__}: {exc})"
        ) from None


def _read(source: Source, limits: ImportLimits) -> list[Activity]:
    name, data = source.name, source.data
    if len(data) > limits.max_file_bytes:
        raise FileTooLargeError(
            name, f"{_mib(len(data))} is larger than the {_mib(limits.max_file_bytes)} limit"
        )
    fmt = detect_format(data, source=name)
    extra_warnings: tuple[str, ...] = ()
    if fmt == "gzip":
        data, complete = gunzip_bounded(data, limits, source=name)
        if not complete:
            extra_warnings = (
                "gzip data ends early or is damaged; the file inside may be incomplete",
            )
        fmt = detect_format(data, source=name)
        if fmt in ("gzip", "zip"):
            raise UnsupportedFormatError(name, f"a {fmt} archive inside gzip is not supported")
    if fmt == "zip":
        raise UnsupportedFormatError(
            name, "a zip archive here is nested too deeply (one level of nesting is read)"
        )
    meta = source.meta
    if fmt == "gpx":
        activities = parse_gpx(data, source=name, sport=meta.sport)
    elif fmt == "tcx":
        activities = parse_tcx(data, source=name, sport=meta.sport)
    else:
        activities = parse_fit(data, source=name)
    if not activities:
        raise CorruptFileError(name, "the parser returned no activity")
    return [_apply_meta(a, meta, extra_warnings) for a in activities]


def _apply_meta(activity: Activity, meta: SourceMeta, extra: tuple[str, ...]) -> Activity:
    """Export facts override the file (the runner edited them last)."""
    sport = activity.sport
    summary = activity.summary
    if meta.sport is not None and meta.sport is not activity.sport:
        # FIT only: GPX/TCX got the sport before their cadence was interpreted
        sport = meta.sport
        summary = _summary_for_sport(activity, sport)
        extra = (*extra, f"sport set to {sport.value} by the export (file: {activity.sport.value})")
    if not (meta.gear or meta.name or extra or sport is not activity.sport):
        return activity
    return replace(
        activity,
        sport=sport,
        summary=summary,
        gear=meta.gear or activity.gear,
        name=meta.name or activity.name,
        warnings=(*activity.warnings, *extra),
    )


def _summary_for_sport(activity: Activity, sport: Sport) -> Summary:
    """Summary with the cadence average re-decided for the new sport."""
    steps_sport = sport.is_running or sport in (Sport.WALKING, Sport.HIKING)
    cad = activity.streams.get("cadence_spm")
    avg = activity.summary.avg_cadence_spm
    if not steps_sport:
        avg = None
    elif avg is None and cad is not None:
        avg = nonzero_mean(cad)
    return replace(activity.summary, avg_cadence_spm=avg)
