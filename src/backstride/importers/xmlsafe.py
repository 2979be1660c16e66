"""Safe XML parsing for activity files (GPX, TCX).

Policy
------
Activity XML is untrusted input, so it is parsed with lxml in its most
restrictive mode and a few shapes of document are refused outright:

* **No entities.** The parser never resolves entities, never loads a DTD and
  never touches the network (``resolve_entities=False``, ``load_dtd=False``,
  ``no_network=True``), and libxml2's size and depth limits stay on
  (``huge_tree=False``). A document whose DOCTYPE *declares* entities (the
  "billion laughs" expansion bomb, external entities used for XXE such as
  ``<!ENTITY x SYSTEM "file:///etc/passwd">``) is refused with
  :class:`~backstride.errors.UnsafeInputError` before it is parsed; no activity
  format uses entities, so nothing legitimate is lost. A DOCTYPE without entity
  declarations is harmless here and accepted.
* **Recover only from undeclared namespace prefixes.** Exporters sometimes use a
  prefix they never declare (``xsi:type="Device_t"`` without ``xmlns:xsi``, as in
  runpandas' ``malformed.tcx``). libxml2 reports that as a *namespace* error,
  not a well-formedness error: the element structure is intact. When every error
  the strict parse reports is of that kind (``NS_ERR_UNDEFINED_NAMESPACE``), the
  document is parsed again with ``recover=True`` and a warning line names the
  prefix and position; the recovered parse must itself report nothing but such
  namespace errors. Any other syntax error (mismatched or unclosed tags,
  truncation, bad characters) is a :class:`~backstride.errors.CorruptFileError`
  naming line and column: guessing at a broken document could invent data.
* **Byte-order marks.** A UTF-8 BOM is stripped before parsing (lxml would accept
  it, but the entity pre-scan and detection work on the bare bytes); UTF-16/32
  documents with their BOM are left to lxml, and the entity pre-scan decodes them.
"""

from __future__ import annotations

import codecs
import logging
import re
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from lxml import etree
from numpy.typing import NDArray

from backstride.errors import CorruptFileError, UnsafeInputError

__all__ = [
    "ALT_MAX_M",
    "ALT_MIN_M",
    "GPS_EPOCH_US",
    "HR_MAX_BPM",
    "HR_MIN_BPM",
    "NO_TIME",
    "XmlDocument",
    "first_utc_offset_s",
    "local_name",
    "parse_datetimes",
    "parse_floats",
    "parse_xml",
    "strip_bom",
    "us_to_datetime",
    "within",
]

log = logging.getLogger(__name__)

_UTF8_BOM = codecs.BOM_UTF8
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_NS_ERROR = "NS_ERR_UNDEFINED_NAMESPACE"


class XmlDocument:
    """A parsed document: its root element and the warnings parsing produced.

    Attributes
    ----------
    root
        The root element.
    warnings
        One line per survived problem (recovered namespace errors).
    """

    __slots__ = ("root", "warnings")

    def __init__(self, root: etree._Element, warnings: tuple[str, ...]) -> None:
        self.root = root
        self.warnings = warnings


def strip_bom(data: bytes) -> bytes:
    """Return ``data`` without a leading UTF-8 byte-order mark."""
    return data[len(_UTF8_BOM):] if data.startswith(_UTF8_BOM) else data


def local_name(tag: object) -> str:
    """Local part of an lxml tag (``{ns}name`` -> ``name``); "" for comments/PIs."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _as_ascii_view(data: bytes) -> bytes:
    """Bytes in which ASCII markup can be searched, whatever the encoding.

    UTF-16/UTF-32 documents (recognised by their BOM) are decoded and re-encoded
    as UTF-8 so that ``<!ENTITY`` cannot hide between NUL bytes.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace").encode("utf-8")
    if data[:2] == b"\x00<":  # BOM-less UTF-16 big-endian
        return data.decode("utf-16-be", errors="replace").encode("utf-8")
    if data[:2] == b"<\x00":  # BOM-less UTF-16 little-endian
        return data.decode("utf-16-le", errors="replace").encode("utf-8")
    return data


def _refuse_entities(data: bytes, source: str) -> None:
    view = _as_ascii_view(data)
    if _DOCTYPE.search(view) and _ENTITY_DECL.search(view):
        raise UnsafeInputError(
            source,
            "XML declares entities in its DOCTYPE (entity expansion or external "
            "entity attack); refused",
        )


def _errors(log_entries: etree._ListErrorLog) -> list[etree._LogEntry]:
    return [e for e in log_entries if e.level >= etree.ErrorLevels.ERROR]


def _make_parser(*, recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=recover,
        remove_comments=True,
        remove_pis=True,
    )


def _where(entry: etree._LogEntry) -> str:
    return f"line {entry.line}, column {entry.column}"


def parse_xml(data: bytes, *, source: str) -> XmlDocument:
    """Parse untrusted XML bytes under the policy in the module docstring.

    Parameters
    ----------
    data
        The document bytes (any encoding lxml recognises; a UTF-8 BOM is allowed).
    source
        File name for error messages.

    Raises
    ------
    UnsafeInputError
        The DOCTYPE declares entities.
    CorruptFileError
        The document is not well-formed XML (message names line and column).
    """
    data = strip_bom(data)
    _refuse_entities(data, source)
    parser = _make_parser(recover=False)
    warnings: list[str] = []
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        errors = _errors(parser.error_log)
        if not errors or any(e.type_name != _NS_ERROR for e in errors):
            first = next((e for e in errors if e.type_name != _NS_ERROR), None)
            if first is not None:
                reason = f"not well-formed XML: {first.message.strip()} ({_where(first)})"
            else:
                line, col = exc.position
                reason = f"not well-formed XML: {exc.msg} (line {line}, column {col})"
            if first is not None and "XML_PARSE_HUGE" in first.message:
                raise UnsafeInputError(
                    source, f"XML exceeds the parser's safety limits: {reason}"
                ) from None
            raise CorruptFileError(source, reason) from None
        root = _recover(data, source, errors)
        first = errors[0]
        warnings.append(
            f"XML uses undeclared namespace prefixes ({len(errors)} place(s)), first: "
            f"{first.message.strip()} ({_where(first)}); read in recovery mode"
        )
        log.warning("%s: %s", source, warnings[-1])
    except (etree.LxmlError, ValueError) as exc:
        raise CorruptFileError(source, f"unreadable XML: {exc}") from None
    if root is None:
        raise CorruptFileError(source, "empty XML document")
    if _declares_entities(root):
        raise UnsafeInputError(source, "XML declares entities in its DOCTYPE; refused")
    return XmlDocument(root, tuple(warnings))


def _declares_entities(root: etree._Element) -> bool:
    """Defence in depth behind the byte pre-scan: entity declarations or references."""
    docinfo: Any = root.getroottree().docinfo  # lxml-stubs lack DocInfo.doctype
    if not docinfo.doctype:  # without a DOCTYPE an entity reference is a syntax error
        return False
    dtd: Any = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        return True
    return any(True for _ in root.iter(etree.Entity))


def _recover(data: bytes, source: str, strict_errors: list[etree._LogEntry]) -> etree._Element:
    parser = _make_parser(recover=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:  # pragma: no cover - recover never raises
        raise CorruptFileError(source, f"unreadable XML: {exc}") from None
    others = [e for e in _errors(parser.error_log) if e.type_name != _NS_ERROR]
    if others or root is None:
        first = others[0] if others else strict_errors[0]
        raise CorruptFileError(
            source, f"not well-formed XML: {first.message.strip()} ({_where(first)})"
        )
    return root


# ---------------------------------------------------------------------------
# Values: xsd:dateTime and xsd:double text, vectorised

#: Marker for "no usable time" in the int64 microsecond arrays below.
NO_TIME = np.iinfo(np.int64).min

#: 1980-01-06T00:00:00Z, the GPS epoch, in microseconds since the Unix epoch.
#: No satellite-recorded activity can be older. Earlier values in GPX/TCX files are
#: placeholders: 1901-12-13T20:45:52Z is the 32-bit ``time_t`` minimum that GPSBabel
#: writes for points without a time (gpxpy/Mojstrovka.gpx), 1970-01-01 is Unix zero.
GPS_EPOCH_US = 315_964_800 * 1_000_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def _one_datetime_us(text: str) -> int:
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return int(NO_TIME)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)  # xsd:dateTime without zone: activity files mean UTC
    try:
        return (dt - _EPOCH) // _US
    except OverflowError:  # pragma: no cover - year 1/9999 edge
        return int(NO_TIME)


def parse_datetimes(texts: Sequence[str | None]) -> NDArray[np.int64]:
    """Parse xsd:dateTime strings to microseconds since 1970-01-01 UTC.

    Accepts ``Z``, explicit offsets (converted to UTC), zone-less values (taken
    as UTC) and any number of fractional digits (truncated to microseconds).
    Missing or unparseable values become :data:`NO_TIME`.
    """
    stripped = [t.strip() if t else "" for t in texts]
    present = [i for i, t in enumerate(stripped) if t]
    if all(stripped[i].endswith("Z") for i in present):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                parsed = np.array([stripped[i][:-1] for i in present], dtype="datetime64[us]")
            out = np.full(len(stripped), NO_TIME, dtype=np.int64)
            out[present] = parsed.astype(np.int64)  # NaT is int64 min == NO_TIME
            return out
        except (ValueError, OverflowError, Warning):
            pass
    return np.fromiter(
        (_one_datetime_us(t) if t else NO_TIME for t in stripped),
        dtype=np.int64,
        count=len(stripped),
    )


def first_utc_offset_s(text: str | None) -> int | None:
    """UTC offset [s] written in an xsd:dateTime string, None for ``Z``/no zone."""
    if not text:
        return None
    text = text.strip()
    if text.endswith(("Z", "z")):
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    off = dt.utcoffset()
    return None if off is None else int(off.total_seconds())


def us_to_datetime(us: int) -> datetime:
    """Aware UTC datetime from microseconds since the Unix epoch."""
    return _EPOCH + timedelta(microseconds=int(us))


def parse_floats(texts: Sequence[str | None]) -> NDArray[np.float64]:
    """Parse decimal strings to float64; missing, unparseable or non-finite -> NaN."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            arr = np.array([t if t else "nan" for t in texts], dtype=np.float64)
    except (ValueError, TypeError, OverflowError, Warning):
        arr = np.fromiter((_one_float(t) for t in texts), dtype=np.float64, count=len(texts))
    arr[~np.isfinite(arr)] = np.nan
    return arr


#: Altitudes outside this range are sensor garbage [m] (nothing on foot or a bike
#: goes below the Dead Sea shore or above Everest by this much).
ALT_MIN_M = -2_000.0
ALT_MAX_M = 20_000.0
#: Heart rates outside this range are sensor garbage [bpm].
HR_MIN_BPM = 20.0
HR_MAX_BPM = 250.0


def within(values: NDArray[np.float64], lo: float, hi: float) -> NDArray[np.float64]:
    """A copy of ``values`` with everything outside ``[lo, hi]`` set to NaN."""
    out = values.copy()
    out[(out < lo) | (out > hi)] = np.nan
    return out


def _one_float(text: str | None) -> float:
    if not text:
        return float("nan")
    try:
        return float(text)
    except ValueError:
        return float("nan")
