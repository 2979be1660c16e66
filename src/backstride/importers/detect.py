"""Format detection from content, never from the file name.

:func:`detect_format` answers ``"fit"``, ``"gpx"``, ``"tcx"``, ``"gzip"`` or
``"zip"`` from the first bytes:

* FIT: header size byte 12 or 14 and ``.FIT`` at bytes 8-12 (FIT SDK, "FIT File
  Structure": the file header).
* gzip: the magic ``1f 8b`` (RFC 1952, 2.3.1).
* zip: a local file header ``PK\\x03\\x04`` or, for an archive with no members,
  the end-of-central-directory record ``PK\\x05\\x06`` (APPNOTE.TXT 4.3.7/4.3.16).
* XML: after an optional byte-order mark (UTF-8/16/32), whitespace, the XML
  declaration, comments, processing instructions and a DOCTYPE, the local name of
  the root element is ``gpx`` or ``TrainingCenterDatabase``. A namespace-less
  ``<Activities>`` root whose first child is ``<Activity Sport=...>`` is a TCX body
  that lost its root element (runpandas' ``malformed.tcx``) and counts as TCX too.

Anything else raises :class:`~backstride.errors.UnsupportedFormatError` saying what
the bytes look like. :func:`sniff` gives that description without raising, and
:func:`looks_like_activity` tells folder and archive walkers whether an unreadable
file deserves an error or can be skipped as clearly something else (JSON, CSV,
images, documents...).
"""

from __future__ import annotations

import codecs
import re
from typing import Final, Literal

from backstride.errors import UnsupportedFormatError

__all__ = ["Format", "describe", "detect_format", "looks_like_activity", "sniff"]

Format = Literal["fit", "gpx", "tcx", "gzip", "zip"]

_FORMATS: Final[dict[str, Format]] = {
    "fit": "fit", "gpx": "gpx", "tcx": "tcx", "gzip": "gzip", "zip": "zip",
}

#: How much of the start of a file detection looks at [bytes].
SNIFF_BYTES: Final = 64 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_LOCAL = b"PK\x03\x04"
_ZIP_EMPTY = b"PK\x05\x06"

_MAGIC: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"BM", ""),  # checked separately: too short to trust alone
    (b"RIFF", "a RIFF (WebP/WAV/AVI) file"),
    (b"\x00\x00\x00\x18ftyp", "an MP4/HEIC media file"),
    (b"\x00\x00\x00\x1cftyp", "an MP4/HEIC media file"),
    (b"\x00\x00\x00\x20ftyp", "an MP4/HEIC media file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"BZh", "a bzip2 archive (not supported; use gzip or zip)"),
    (b"\xfd7zXZ\x00", "an xz archive (not supported; use gzip or zip)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive (not supported; use zip)"),
    (b"Rar!\x1a\x07", "a RAR archive (not supported; use zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
)

_XML_PROLOGUE_ITEM = re.compile(
    rb"""\s+                                  # whitespace
       |<\?.*?\?>                             # XML declaration / PI
       |<!--.*?-->                            # comment
       |<!DOCTYPE(?:[^\[>]|\[.*?\])*>         # DOCTYPE with optional internal subset
    """,
    re.DOTALL | re.VERBOSE,
)
_START_TAG = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


def _to_utf8(head: bytes) -> bytes:
    """The head of a document as UTF-8-ish bytes (BOMs removed, UTF-16/32 decoded)."""
    for bom, codec in (
        (codecs.BOM_UTF8, None),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            body = head[len(bom):]
            if codec is None:
                return body
            usable = len(body) - len(body) % (4 if "32" in codec else 2)
            return body[:usable].decode(codec, errors="replace").encode("utf-8")
    if head[:2] == b"\x00<":
        return head[: len(head) // 2 * 2].decode("utf-16-be", errors="replace").encode()
    if head[:2] == b"<\x00":
        return head[: len(head) // 2 * 2].decode("utf-16-le", errors="replace").encode()
    return head


def _xml_root(text: bytes) -> tuple[str, bytes] | None:
    """Local name of the root element and the bytes after it, or None."""
    pos = 0
    while True:
        m = _XML_PROLOGUE_ITEM.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    tag = _START_TAG.match(text, pos)
    if tag is None:
        return None
    return tag.group(2).decode("ascii", "replace"), text[tag.end():]


def _is_fit(data: bytes) -> bool:
    return len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT"


def _looks_textual(head: bytes) -> bool:
    if not head:
        return False
    sample = head[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a cut multi-byte char at the end
            return False
    return True


def sniff(data: bytes) -> tuple[str, str]:
    """Classify the start of some bytes.

    Returns
    -------
    tuple of str
        ``(kind, description)``; ``kind`` is one of the five formats of
        :func:`detect_format`, or ``"other"`` with ``description`` saying what the
        bytes look like (for messages), or ``"unknown"`` for binary data we cannot
        name.
    """
    head = data[:SNIFF_BYTES]
    if not head:
        return "other", "an empty file"
    if _is_fit(head):
        return "fit", "a FIT file"
    if head.startswith(_GZIP_MAGIC):
        return "gzip", "gzip data"
    if head.startswith((_ZIP_LOCAL, _ZIP_EMPTY)):
        return "zip", "a zip archive"
    for magic, what in _MAGIC:
        if what and head.startswith(magic):
            return "other", what
    text = _to_utf8(head)
    stripped = text.lstrip()
    if stripped.startswith(b"<"):
        root = _xml_root(text)
        if root is not None:
            name, rest = root
            if name == "gpx":
                return "gpx", "a GPX document"
            if name == "TrainingCenterDatabase":
                return "tcx", "a TCX document"
            if name == "Activities" and re.match(rb"[^<]*<(\w+:)?Activity\s+Sport=", rest):
                return "tcx", "a TCX document without its root element"
            if name.lower() == "html":
                return "other", "an HTML page"
            return "other", f"an XML document with root element <{name}>"
        if stripped[:9].lower() == b"<!doctype":
            return "other", "an HTML page"
        return "other", "text starting with '<' that is not XML"
    if not _looks_textual(text):
        if head.startswith(b"BM") and len(head) > 26:
            return "other", "a BMP image"
        return "unknown", "binary data of an unknown format"
    if stripped[:1] in (b"{", b"["):
        return "other", "JSON text"
    first_line = stripped.split(b"\n", 1)[0]
    if first_line.count(b",") >= 2 or first_line.count(b";") >= 2 or b"\t" in first_line:
        return "other", "CSV/tabular text"
    return "other", "plain text"


def describe(data: bytes) -> str:
    """What the bytes look like, in a few words ("JSON text", "a PNG image"...)."""
    return sniff(data)[1]


def looks_like_activity(data: bytes) -> bool:
    """True unless the content is clearly something other than an activity file.

    Formats we read, and binary data we cannot name (possibly a FIT file with a
    damaged header), count as activities; text, JSON, CSV, HTML, other XML,
    images and documents do not.
    """
    return sniff(data)[0] != "other"


def detect_format(data: bytes, *, source: str = "<data>") -> Format:
    """The format of an activity file or archive, from its content.

    Raises
    ------
    UnsupportedFormatError
        ``"not an activity file (<what it looks like>)"``.
    """
    kind, what = sniff(data)
    fmt = _FORMATS.get(kind)
    if fmt is not None:
        return fmt
    raise UnsupportedFormatError(source, f"not an activity file ({what})")
