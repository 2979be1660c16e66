"""From paths to Sources: files, folders, zip archives and Strava bulk exports.

* :func:`expand_paths` turns the paths a user gave into files: files as given,
  folders walked recursively in sorted order with hidden files and folders
  (``.name``) and files that are clearly not activities skipped, missing paths
  reported as errors.
* :func:`sources_in_file` turns one file into Sources: a plain (or gzip) file is
  one Source; a zip archive gives one Source per member, named
  ``archive.zip!member``, and a zip inside it is opened too (one level: Garmin's
  export nests zips of FIT files), shown as ``a.zip!inner.zip!x.fit``.
* :func:`iter_sources` composes both.

Everything is yielded, good or bad: an :class:`~backstride.errors.ActivityFileError`
entry stands for one file or member that could not be used, and the walk goes on.

Not activities
--------------
Format detection is by content (:mod:`backstride.importers.detect`). Inside folders
(:func:`expand_paths` looks at the first 64 KiB of each file) and inside archives
(the first 64 KiB of each member are inflated to judge it, so the photos and videos
of an export are never inflated in full and never hit a limit), content that is
clearly something else (JSON, CSV, text, HTML, other XML, images,
documents; for ``.gz`` the inflated start is judged) is skipped with a debug log
line, and so is unrecognisable binary data unless its name ends in an activity
suffix (``.fit``, ``.gpx``, ``.tcx``, optionally ``.gz``), in which case it is
reported. A file named directly by the user is never skipped:
:func:`sources_in_file` yields an error for it when it is not an activity, and for
an archive that holds no activity at all.

Zip limits (all enforced on the bytes actually inflated, while streaming; header
sizes are only used to refuse early, never trusted to pass)
----------------------------------------------------------------------------------
* more than ``limits.max_archive_members`` members: the archive is refused;
* a member inflating past ``limits.max_archive_member_bytes``, or past
  ``limits.max_compression_ratio`` x its compressed size (after the first
  :data:`~backstride.importers.read.RATIO_GRACE_BYTES`): that member is refused;
* all members together past ``limits.max_archive_total_bytes``: the rest of the
  archive is refused;
* member names that are absolute (``/x``, ``C:\\x``) or climb out with ``..``, and
  members stored as symbolic links: that member is refused (nothing is ever
  extracted to disk, but such names only come from hostile archives).

(:mod:`zipfile` itself never returns more than a member's declared size: a header
that understates it ends in a CRC error, reported as a damaged member.)

Strava bulk export
------------------
A folder or zip holding ``activities.csv`` next to an ``activities/`` folder is a
Strava bulk export. ``activities.csv`` is read with :mod:`csv` (header names matched
case-insensitively; the first of duplicated names wins, as Strava repeats
"Elapsed Time" and "Distance"; missing columns are tolerated) and each listed
``Filename`` gets a :class:`~backstride.importers.source.SourceMeta` with the
row's "Activity Gear", "Activity Type" (via
:func:`backstride.domain.sport_inference.sport_from_label`; a type we do not model,
such as "Yoga", becomes OTHER) and "Activity Name".
"""

from __future__ import annotations

import csv
import io
import logging
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from backstride.domain.activity import Sport
from backstride.domain.sport_inference import sport_from_label
from backstride.errors import (
    ActivityFileError,
    CorruptFileError,
    FileTooLargeError,
    NoActivityError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from backstride.importers.detect import SNIFF_BYTES, sniff
from backstride.importers.read import RATIO_GRACE_BYTES
from backstride.importers.source import Source, SourceMeta
from backstride.settings import ImportLimits

__all__ = ["expand_paths", "iter_sources", "read_strava_csv", "sources_in_file"]

log = logging.getLogger(__name__)

_ACTIVITY_SUFFIXES: Final = (".fit", ".gpx", ".tcx")
_STRAVA_CSV: Final = "activities.csv"
_STRAVA_DIR: Final = "activities"
_READ_CHUNK: Final = 1024 * 1024
#: Largest activities.csv read [bytes] (a 10-year export is a few MiB).
MAX_STRAVA_CSV_BYTES: Final = 64 * 1024 * 1024

Entry = Source | ActivityFileError


# --------------------------------------------------------------------------- paths


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _walk_dir(root: Path) -> Iterator[Path]:
    """Regular files under ``root``, sorted, hidden ones and symlinked folders skipped."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        log.warning("%s: cannot list folder (%s)", root, exc.strerror)
        return
    for entry in entries:
        if _hidden(entry.name):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk_dir(path)
            elif entry.is_file():
                yield path
        except OSError:  # pragma: no cover - raced deletion
            continue


def _skip_reason(name: str, head: bytes) -> str | None:
    """Why a file found in a folder or archive is skipped, or None to read it.

    ``head`` is the start of its content (:data:`SNIFF_BYTES` are enough).
    """
    kind, what = sniff(head)
    if kind == "gzip":
        kind, what = sniff(_gzip_head(head))
        what = f"gzip of {what}"
    if kind == "other" or (kind == "unknown" and not _activity_name(name)):
        return what
    return None


def _worth_reading(path: Path) -> bool:
    """For files found in folders: False when the content is clearly not an activity."""
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return True  # let sources_in_file report it
    reason = _skip_reason(path.name, head)
    if reason is not None:
        log.debug("%s: skipped, %s", path, reason)
        return False
    return True


def _expand(paths: Sequence[Path]) -> Iterator[Path | ActivityFileError]:
    for path in paths:
        try:
            st = path.stat()
        except FileNotFoundError:
            yield ActivityFileError(str(path), "no such file or folder")
            continue
        except OSError as exc:
            yield ActivityFileError(str(path), f"cannot access ({exc.strerror})")
            continue
        if stat.S_ISDIR(st.st_mode):
            for found in _walk_dir(path):
                if _worth_reading(found):
                    yield found
        elif stat.S_ISREG(st.st_mode):
            yield path
        else:
            yield ActivityFileError(str(path), "not a regular file or folder")


def expand_paths(paths: Sequence[Path]) -> tuple[list[Path], list[ActivityFileError]]:
    """Files named by ``paths``: files as given, folders walked, missing ones as errors.

    Folders are walked recursively in sorted order; hidden files and folders
    (names starting with ``.``), symlinked folders, and files whose content is
    clearly not an activity (module docstring) are skipped.
    """
    files: list[Path] = []
    errors: list[ActivityFileError] = []
    for item in _expand(paths):
        if isinstance(item, ActivityFileError):
            errors.append(item)
        else:
            files.append(item)
    return files, errors


# --------------------------------------------------------------------------- Strava


def _norm_member(name: str) -> str:
    """Canonical relative form of a path written in an export ("activities/1.gpx")."""
    text = name.strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text.lstrip("/")


def _strava_sport(label: str) -> Sport | None:
    """Sport of an "Activity Type"; one we do not model ("Yoga") is OTHER, blank is None."""
    if not label.strip():
        return None
    sport = sport_from_label(label)
    return sport if sport is not None else Sport.OTHER


def read_strava_csv(data: bytes, *, source: str = _STRAVA_CSV) -> dict[str, SourceMeta]:
    """Parse a Strava ``activities.csv`` into ``{Filename: SourceMeta}``.

    Tolerates a BOM, extra and missing columns, repeated header names (the first
    wins), short rows and undecodable bytes. Rows without a file name are skipped.
    """
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return {}
    index: dict[str, int] = {}
    for i, heading in enumerate(header):
        index.setdefault(heading.strip().lower(), i)

    def col(row: list[str], name: str) -> str:
        i = index.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    out: dict[str, SourceMeta] = {}
    try:
        for row in reader:
            filename = col(row, "filename")
            if not filename:
                continue
            out[_norm_member(filename)] = SourceMeta(
                gear=col(row, "activity gear") or None,
                sport=_strava_sport(col(row, "activity type")),
                name=col(row, "activity name") or None,
            )
    except csv.Error as exc:
        log.warning("%s: CSV damaged after %d rows (%s); the rest is ignored",
                    source, len(out), exc)
    return out


@dataclass
class _StravaCache:
    key: tuple[str, int, int]
    table: dict[str, SourceMeta]


_strava_cache: dict[str, _StravaCache] = {}


def _strava_meta_for_file(path: Path) -> SourceMeta:
    """SourceMeta for ``export/activities/<file>`` when ``export/activities.csv`` exists."""
    parent = path.parent
    if parent.name != _STRAVA_DIR:
        return SourceMeta()
    csv_path = parent.parent / _STRAVA_CSV
    try:
        st = csv_path.stat()
    except OSError:
        return SourceMeta()
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_STRAVA_CSV_BYTES:
        return SourceMeta()
    key = (str(csv_path), st.st_mtime_ns, st.st_size)
    cached = _strava_cache.get(str(csv_path))
    if cached is None or cached.key != key:
        try:
            table = read_strava_csv(csv_path.read_bytes(), source=str(csv_path))
        except OSError:
            return SourceMeta()
        if len(_strava_cache) > 16:
            _strava_cache.clear()
        cached = _strava_cache[str(csv_path)] = _StravaCache(key, table)
    return cached.table.get(f"{_STRAVA_DIR}/{path.name}", SourceMeta())


# --------------------------------------------------------------------------- files


def _activity_name(name: str) -> bool:
    low = name.lower()
    if low.endswith(".gz"):
        low = low[:-3]
    return low.endswith(_ACTIVITY_SUFFIXES)


def _gzip_head(data: bytes) -> bytes:
    """The first inflated bytes of gzip data (at most SNIFF_BYTES), b"" if unreadable."""
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return inflater.decompress(data[: 1024 * 1024], SNIFF_BYTES)
    except zlib.error:
        return b""


def _classify(name: str, data: bytes, *, named: bool, meta: SourceMeta) -> Entry | None:
    """Source, error, or None (skip silently; only when not ``named``) for some bytes."""
    kind, what = sniff(data)
    if kind == "gzip":
        inner_kind, inner_what = sniff(_gzip_head(data))
        if inner_kind == "other" and not named:
            log.debug("%s: skipped, gzip of %s", name, inner_what)
            return None
        return Source(name, data, meta)
    if kind in ("fit", "gpx", "tcx"):
        return Source(name, data, meta)
    if named or (kind == "unknown" and _activity_name(name)):
        return UnsupportedFormatError(name, f"not an activity file ({what})")
    log.debug("%s: skipped, %s", name, what)
    return None


def sources_in_file(path: Path, limits: ImportLimits) -> Iterator[Source | ActivityFileError]:
    """Sources in one file: itself, or the members of a zip archive.

    The file counts as chosen by the user (named directly, or kept by
    :func:`expand_paths`): content that is not an activity yields an error, as
    does an archive without a single activity. Inside archives such members are
    skipped silently.

    Parameters
    ----------
    path
        A regular file.
    limits
        Size and archive limits.
    """
    display = str(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
            kind, _ = sniff(head)
            if kind == "zip":
                try:
                    archive = zipfile.ZipFile(fh)
                except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                    yield CorruptFileError(display, f"damaged zip archive ({exc})")
                    return
                with archive:
                    empty = True
                    for member in _zip_entries(archive, display, limits, _Budget(limits), 0):
                        empty = False
                        yield member
                if empty:
                    yield NoActivityError(display, "the archive holds no activity file")
                return
            size = os.fstat(fh.fileno()).st_size
            if size > limits.max_file_bytes:
                yield FileTooLargeError(
                    display,
                    f"{size / 2**20:.1f} MiB is larger than the "
                    f"{limits.max_file_bytes / 2**20:.1f} MiB limit",
                )
                return
            data = head + fh.read(limits.max_file_bytes + 1 - len(head))
    except OSError as exc:
        yield ActivityFileError(display, f"cannot read ({exc.strerror or exc})")
        return
    entry = _classify(display, data, named=True, meta=_strava_meta_for_file(path))
    if entry is not None:
        yield entry


def iter_sources(
    paths: Sequence[Path], limits: ImportLimits
) -> Iterator[Source | ActivityFileError]:
    """Every Source (or error) under ``paths``: :func:`expand_paths` + :func:`sources_in_file`.

    Entries come in the order of ``paths`` (a missing path's error in its place).
    """
    for item in _expand(paths):
        if isinstance(item, ActivityFileError):
            yield item
        else:
            yield from sources_in_file(item, limits)


# --------------------------------------------------------------------------- zip


class _TotalExceededError(UnsafeInputError):
    """The archive as a whole inflates past its total limit; reading stops."""


class _Budget:
    """Uncompressed bytes still allowed for one top-level archive (nested ones share it)."""

    def __init__(self, limits: ImportLimits) -> None:
        self.left = limits.max_archive_total_bytes


def _unsafe_member(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path in archive"
    if ".." in PurePosixPath(name).parts:
        return "path climbs out of the archive ('..')"
    mode = (info.external_attr >> 16) & 0xFFFF
    if info.create_system == 3 and stat.S_ISLNK(mode):
        return "symbolic link in archive"
    return None


def _junk_member(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return any(_hidden(p) or p == "__MACOSX" for p in parts)


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ImportLimits,
    budget: _Budget, name: str,
) -> bytes:
    """A member's bytes, inflated in steps under the limits (module docstring)."""
    cap = limits.max_archive_member_bytes
    if info.file_size > cap:  # early refusal from the header; the stream is checked too
        raise UnsafeInputError(
            name, f"member declares {info.file_size} bytes, over the {cap}-byte limit"
        )
    ratio_cap = limits.max_compression_ratio * max(info.compress_size, 1)
    out = bytearray()
    try:
        with archive.open(info) as fh:
            while True:
                chunk = fh.read(_READ_CHUNK)
                if not chunk:
                    break
                out += chunk
                n = len(out)
                if n > cap:
                    raise UnsafeInputError(
                        name, f"member inflates past the {cap}-byte limit (zip bomb?)"
                    )
                if n > RATIO_GRACE_BYTES and n > ratio_cap:
                    raise UnsafeInputError(
                        name,
                        f"member expands more than {limits.max_compression_ratio:g}x "
                        "(zip bomb?)",
                    )
                if n > budget.left:
                    raise _TotalExceededError(
                        name,
                        f"archive inflates past the {limits.max_archive_total_bytes}-byte "
                        "total limit (zip bomb?)",
                    )
    except RuntimeError as exc:  # encrypted member
        raise UnsupportedFormatError(name, f"cannot read member ({exc})") from None
    except NotImplementedError as exc:
        raise UnsupportedFormatError(name, f"unsupported zip compression ({exc})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise CorruptFileError(name, f"damaged archive member ({exc})") from None
    budget.left -= len(out)
    return bytes(out)


def _peek_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The first :data:`SNIFF_BYTES` of a member, or None when it cannot be read
    (the full read then reports why)."""
    try:
        with archive.open(info) as fh:
            return fh.read(SNIFF_BYTES)
    except (RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error, EOFError,
            OSError, ValueError):
        return None


def _strava_in_zip(
    archive: zipfile.ZipFile, infos: Sequence[zipfile.ZipInfo], limits: ImportLimits,
    budget: _Budget, display: str,
) -> dict[str, tuple[str, Mapping[str, SourceMeta]]]:
    """``{export root prefix: table}`` for every activities.csv with an activities/ sibling."""
    names = {i.filename.replace("\\", "/") for i in infos}
    found: dict[str, tuple[str, Mapping[str, SourceMeta]]] = {}
    for info in infos:
        member = info.filename.replace("\\", "/")
        path = PurePosixPath(member)
        if path.name.lower() != _STRAVA_CSV or _unsafe_member(info) or _junk_member(member):
            continue
        prefix = "" if str(path.parent) == "." else f"{path.parent}/"
        if not any(n.startswith(f"{prefix}{_STRAVA_DIR}/") for n in names):
            continue
        try:
            data = _read_member(archive, info, limits, budget, f"{display}!{member}")
        except ActivityFileError as exc:
            log.warning("%s", exc)
            continue
        found[prefix] = (prefix, read_strava_csv(data, source=f"{display}!{member}"))
    return found


def _meta_in_zip(
    member: str, strava: Mapping[str, tuple[str, Mapping[str, SourceMeta]]]
) -> SourceMeta:
    for prefix, table in strava.values():
        if member.startswith(prefix):
            meta = table.get(_norm_member(member[len(prefix):]))
            if meta is not None:
                return meta
    return SourceMeta()


def _zip_entries(
    archive: zipfile.ZipFile, display: str, limits: ImportLimits, budget: _Budget, depth: int
) -> Iterator[Entry]:
    try:
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:  # pragma: no cover - checked on open
        yield CorruptFileError(display, f"damaged zip archive ({exc})")
        return
    if len(infos) > limits.max_archive_members:
        yield UnsafeInputError(
            display,
            f"archive lists {len(infos)} members, more than the "
            f"{limits.max_archive_members} allowed",
        )
        return
    strava = _strava_in_zip(archive, infos, limits, budget, display)
    for info in infos:
        if info.is_dir():
            continue
        member = info.filename
        name = f"{display}!{member}"
        reason = _unsafe_member(info)
        if reason is not None:
            yield UnsafeInputError(name, reason)
            continue
        if _junk_member(member):
            log.debug("%s: skipped (hidden or __MACOSX)", name)
            continue
        head = _peek_member(archive, info)
        if head is not None:
            skip = _skip_reason(PurePosixPath(member.replace("\\", "/")).name, head)
            if skip is not None:  # photos and videos of an export are never inflated
                log.debug("%s: skipped, %s", name, skip)
                continue
        try:
            data = _read_member(archive, info, limits, budget, name)
        except _TotalExceededError as exc:
            yield UnsafeInputError(exc.source, exc.reason)
            return
        except ActivityFileError as exc:
            yield exc
            continue
        kind, _ = sniff(data)
        if kind == "zip":
            if depth >= 1:
                yield UnsupportedFormatError(
                    name, "zip inside a zip inside a zip: only one level of nesting is read"
                )
                continue
            try:
                inner = zipfile.ZipFile(io.BytesIO(data))
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                yield CorruptFileError(name, f"damaged zip archive ({exc})")
                continue
            with inner:
                yield from _zip_entries(inner, name, limits, budget, depth + 1)
            continue
        entry = _classify(
            name, data, named=False,
            meta=_meta_in_zip(member.replace("\\", "/"), strava),
        )
        if entry is not None:
            yield entry
