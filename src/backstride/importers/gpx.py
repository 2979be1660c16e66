"""GPX 1.0 / 1.1 importer: one Activity per recorded track.

What is read
------------
* Every ``<trk>`` becomes one Activity; its ``<trkseg>`` segments are kept apart
  for distance and ascent (a new segment means the receiver lost its fix or was
  paused). A file without tracks falls back to its ``<rte>`` routes, read the
  same way. Tracks without a single timed point are skipped (a planned route or
  a drawn line is not a recording); when nothing is left the file raises
  :class:`~backstride.errors.NoActivityError`.
* Per point: ``lat``/``lon``, ``<ele>``, ``<time>``, GPX 1.0 ``<speed>``, and in
  ``<extensions>`` (any namespace prefix, matched by local name) Garmin
  TrackPointExtension v1/v2 ``hr``, ``cad``, ``speed`` (``atemp`` and ``course``
  have no channel and are ignored), plus the bare ``heartrate``/``cadence`` of
  Amazfit and ClueTrust gpxdata exports.
* ``creator`` -> ``device``; track ``<name>`` (else the file's) -> ``name``;
  track ``<type>`` -> sport via
  :func:`backstride.domain.sport_inference.sport_from_label` (words and Strava's
  numeric codes), inferred from the movement when absent or unknown.

Rules (distance and ascent as gpxpy, the peer parser of the shared reference)
-----------------------------------------------------------------------------
* Distance: 2-D great-circle length summed *within* segments over every point
  with a position, timed or not (gpxpy ``length_2d``; our haversine differs from
  gpxpy's flat-earth step by < 0.1 %).
* Ascent/descent: the rule of :func:`backstride.domain.elevation.ascent_descent`
  per segment over every point with an elevation, summed (gpxpy
  ``get_uphill_downhill``); see :func:`ascent_by_segment`.
* Streams keep only timed points, and only those whose time does not go
  backwards (a warning counts the dropped ones); the distance channel is the
  cumulative length along those points, again not across segment breaks.
* Times before the GPS epoch (1980-01-06) are placeholders, treated as missing
  (see :data:`backstride.importers.xmlsafe.GPS_EPOCH_US`).
* A file with more than :data:`MAX_TRACKS` tracks is refused as hostile.
* Values outside physical ranges become missing: positions beyond +-90/+-180 deg,
  altitudes outside -2000..20000 m, heart rate outside 20-250 bpm.
* Elapsed = last - first kept point; moving time, average heart rate and
  cadence come from the streams (:func:`backstride.domain.summary.summarize`).
* Cadence ``cad`` is strides (or crank revolutions) per
  minute: doubled into steps/min for every sport except cycling, where the
  channel keeps the crank rate unchanged (and the summary reports no cadence).
  As for TCX, a ``cad`` series whose non-zero median is already >= 120 is taken
  to be in steps/min and kept (Garmin and Strava write strides; this guards
  against exporters that write steps).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

import numpy as np
from lxml import etree
from numpy.typing import NDArray

from backstride.domain.activity import Activity, FloatArray, Sport, Streams
from backstride.domain.sport_inference import infer_sport, sport_from_label
from backstride.domain.summary import cumulative_distance_m, summarize
from backstride.errors import (
    ActivityFileError,
    CorruptFileError,
    NoActivityError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from backstride.importers.xmlsafe import (
    ALT_MAX_M,
    ALT_MIN_M,
    GPS_EPOCH_US,
    HR_MAX_BPM,
    HR_MIN_BPM,
    NO_TIME,
    first_utc_offset_s,
    local_name,
    parse_datetimes,
    parse_floats,
    parse_xml,
    us_to_datetime,
    within,
)

__all__ = ["MAX_TRACKS", "ascent_by_segment", "parse_gpx"]

log = logging.getLogger(__name__)

#: Most tracks (or routes) one file may hold; more is refused as hostile.
MAX_TRACKS = 20_000
#: ``cad`` medians below this are strides per minute [1/min] (no one runs at < 120
#: steps/min; a file whose cadence is already in steps keeps it as it is).
STRIDES_BELOW = 120.0

_HR_NAMES = frozenset({"hr", "heartrate"})
_CAD_NAMES = frozenset({"cad", "cadence"})


@dataclass
class _Points:
    """Raw text of one track's points, in document order."""

    seg: list[int] = field(default_factory=list)
    lat: list[str | None] = field(default_factory=list)
    lon: list[str | None] = field(default_factory=list)
    ele: list[str | None] = field(default_factory=list)
    time: list[str | None] = field(default_factory=list)
    hr: list[str | None] = field(default_factory=list)
    cad: list[str | None] = field(default_factory=list)
    speed: list[str | None] = field(default_factory=list)
    has_hr: bool = False
    has_cad: bool = False
    has_speed: bool = False


@dataclass
class _Track:
    name: str | None
    type_label: str | None
    points: _Points


def _text(el: etree._Element) -> str | None:
    text = el.text
    return text.strip() if text else None


def _read_point(pt: etree._Element, seg_no: int, out: _Points, names: dict[str, str]) -> None:
    ele = time = hr = cad = speed = None
    for child in pt:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        ln = names.get(tag)
        if ln is None:
            ln = names[tag] = local_name(tag)
        if ln == "ele":
            ele = child.text
        elif ln == "time":
            time = child.text
        elif ln == "speed":
            speed = child.text
        elif ln == "extensions":
            for ext in child.iter():
                etag = ext.tag
                if not isinstance(etag, str):
                    continue
                eln = names.get(etag)
                if eln is None:
                    eln = names[etag] = local_name(etag)
                if eln in _HR_NAMES:
                    hr = ext.text
                elif eln in _CAD_NAMES:
                    cad = ext.text
                elif eln == "speed":
                    speed = ext.text
    out.seg.append(seg_no)
    out.lat.append(pt.get("lat"))
    out.lon.append(pt.get("lon"))
    out.ele.append(ele)
    out.time.append(time)
    out.hr.append(hr)
    out.cad.append(cad)
    out.speed.append(speed)
    if hr is not None:
        out.has_hr = True
    if cad is not None:
        out.has_cad = True
    if speed is not None:
        out.has_speed = True


def _collect(root: etree._Element) -> tuple[list[_Track], int, str | None]:
    """Tracks (or routes when there is no track), waypoint count, file-level name."""
    names: dict[str, str] = {}
    tracks: list[_Track] = []
    routes: list[_Track] = []
    n_wpt = 0
    file_name: str | None = None
    for el in root:
        ln = local_name(el.tag)
        if ln == "wpt":
            n_wpt += 1
        elif ln == "name":  # GPX 1.0
            file_name = _text(el)
        elif ln == "metadata":
            for m in el:
                if local_name(m.tag) == "name":
                    file_name = _text(m)
        elif ln in ("trk", "rte"):
            name = type_label = None
            pts = _Points()
            seg_no = 0
            for child in el:
                cln = local_name(child.tag)
                if cln == "name":
                    name = _text(child)
                elif cln == "type":
                    type_label = _text(child)
                elif cln == "trkseg":
                    for pt in child:
                        if local_name(pt.tag) == "trkpt":
                            _read_point(pt, seg_no, pts, names)
                    seg_no += 1
                elif cln in ("rtept", "trkpt"):  # trkpt without trkseg: tolerated
                    _read_point(child, seg_no, pts, names)
            (tracks if ln == "trk" else routes).append(_Track(name, type_label, pts))
    return (tracks or routes), n_wpt, file_name


def ascent_by_segment(
    altitude_m: FloatArray, segment: NDArray[np.int64]
) -> tuple[float, float] | None:
    """:func:`~backstride.domain.elevation.ascent_descent` of every segment, summed [m].

    The same rule (drop NaN, 0.3/0.4/0.3 on interior samples, sum the rises), applied
    within each run of equal ``segment`` numbers in one vectorised pass, so that a
    file with a million one-point segments costs no more than one long segment.
    None when no segment has two altitudes.
    """
    ok = np.isfinite(altitude_m)
    e, s = altitude_m[ok], segment[ok]
    if len(e) < 2:
        return None
    same_next = s[1:] == s[:-1]
    if not same_next.any():
        return None
    sm = e.astype(np.float64, copy=True)
    if len(e) >= 3:
        interior = same_next[:-1] & same_next[1:]
        sm[1:-1] = np.where(interior, 0.3 * e[:-2] + 0.4 * e[1:-1] + 0.3 * e[2:], e[1:-1])
    steps = np.diff(sm)[same_next]
    return float(steps[steps > 0].sum()), float(-steps[steps < 0].sum())


def _steps(cadence: FloatArray) -> FloatArray:
    """Steps/min from ``cad``: doubled unless its non-zero median is already >= 120."""
    nonzero = cadence[np.isfinite(cadence) & (cadence > 0)]
    if len(nonzero) and float(np.median(nonzero)) >= STRIDES_BELOW:
        return cadence
    return cadence * 2.0


def _segment_breaks(seg: np.ndarray) -> np.ndarray:
    brk = np.zeros(len(seg), dtype=bool)
    if len(seg) > 1:
        brk[1:] = seg[1:] != seg[:-1]
    return brk


def _build(
    track: _Track, *, source: str, device: str | None, file_name: str | None,
    file_warnings: tuple[str, ...], sport_hint: Sport | None,
) -> Activity | str:
    """The track's Activity, or why it was skipped."""
    p = track.points
    n = len(p.seg)
    if n == 0:
        return "no points"
    warnings = list(file_warnings)
    seg = np.asarray(p.seg, dtype=np.int64)
    lat = within(parse_floats(p.lat), -90.0, 90.0)
    lon = within(parse_floats(p.lon), -180.0, 180.0)
    bad_pos = np.isnan(lat) | np.isnan(lon)
    lat[bad_pos] = np.nan
    lon[bad_pos] = np.nan
    ele = within(parse_floats(p.ele), ALT_MIN_M, ALT_MAX_M)
    times = parse_datetimes(p.time)

    placeholder = (times != NO_TIME) & (times < GPS_EPOCH_US)
    if placeholder.any():
        first = us_to_datetime(int(times[placeholder][0])).strftime("%Y-%m-%dT%H:%M:%SZ")
        warnings.append(
            f"{int(placeholder.sum())} point time(s) before 1980 (e.g. {first}) are "
            "placeholders, not dates; treated as missing"
        )
        times = np.where(placeholder, NO_TIME, times)
    timed = times != NO_TIME
    if not timed.any():
        if placeholder.any():
            return "only placeholder times before 1980"
        return "no point has a time"

    # keep timed points whose time does not go backwards
    idx = np.flatnonzero(timed)
    t_timed = times[idx]
    prev_max = np.maximum.accumulate(t_timed)
    keep_t = np.ones(len(idx), dtype=bool)
    keep_t[1:] = t_timed[1:] >= prev_max[:-1]
    dropped = int((~keep_t).sum())
    if dropped:
        warnings.append(f"{dropped} point(s) whose time goes backwards were dropped")
    kept = idx[keep_t]
    untimed = n - len(idx)
    if untimed:
        warnings.append(
            f"{untimed} point(s) without a time count toward distance and ascent "
            "but are not in the streams"
        )

    t_us = times[kept]
    t0 = int(t_us[0])
    channels: dict[str, FloatArray] = {"time_s": (t_us - t0) / 1e6}
    k_lat, k_lon = lat[kept], lon[kept]
    if np.isfinite(k_lat).any():
        channels["latitude_deg"] = k_lat
        channels["longitude_deg"] = k_lon
        channels["distance_m"] = cumulative_distance_m(
            k_lat, k_lon, breaks=_segment_breaks(seg[kept])
        )
    k_ele = ele[kept]
    if np.isfinite(k_ele).any():
        channels["altitude_m"] = k_ele
    if p.has_hr:
        hr = within(parse_floats(p.hr), HR_MIN_BPM, HR_MAX_BPM)[kept]
        if np.isfinite(hr).any():
            channels["heart_rate_bpm"] = hr
    if p.has_speed:
        speed = within(parse_floats(p.speed), 0.0, 1000.0)[kept]
        if np.isfinite(speed).any():
            channels["speed_m_s"] = speed
    raw_cad: FloatArray | None = None
    if p.has_cad:
        raw_cad = within(parse_floats(p.cad), 0.0, 254.0)[kept]
        if not np.isfinite(raw_cad).any():
            raw_cad = None

    sport = sport_hint if sport_hint is not None else sport_from_label(track.type_label)
    if sport is None:
        dist = channels.get("distance_m")
        sport = (
            infer_sport(
                channels["time_s"], dist, channels.get("altitude_m"),
                _steps(raw_cad) if raw_cad is not None else None,
            )
            if dist is not None
            else Sport.OTHER
        )
        label = f" (type {track.type_label!r} not recognised)" if track.type_label else ""
        warnings.append(f"sport inferred from speed and climb: {sport.value}{label}")
    if raw_cad is not None:
        channels["cadence_spm"] = raw_cad if sport is Sport.CYCLING else _steps(raw_cad)

    try:
        streams = Streams(channels)
    except ValueError as exc:  # pragma: no cover - guarded above
        raise CorruptFileError(source, f"inconsistent track data: {exc}") from None
    summary = summarize(streams, sport)

    # distance and ascent over every point, within segments (gpxpy's rules)
    brk = _segment_breaks(seg)
    distance = (
        float(cumulative_distance_m(lat, lon, breaks=brk)[-1])
        if np.isfinite(lat).any()
        else None
    )
    updown = ascent_by_segment(ele, seg)
    summary = replace(
        summary,
        distance_m=distance,
        ascent_m=updown[0] if updown else None,
        descent_m=updown[1] if updown else None,
    )
    for w in warnings[len(file_warnings):]:
        log.warning("%s: %s", source, w)
    return Activity(
        sport=sport,
        start_utc=us_to_datetime(t0),
        summary=summary,
        streams=streams,
        source_format="gpx",
        device=device,
        name=track.name or file_name,
        utc_offset_s=first_utc_offset_s(p.time[int(kept[0])]),
        warnings=tuple(warnings),
    )


def parse_gpx(data: bytes, *, source: str, sport: Sport | None = None) -> list[Activity]:
    """Read a GPX 1.0/1.1 document into one Activity per recorded track.

    Parameters
    ----------
    data
        The document bytes.
    source
        File name used in errors and warnings.
    sport
        The sport an export states for this file (Strava ``activities.csv``); it
        overrides ``<type>`` and inference, and decides how cadence is read.

    Raises
    ------
    CorruptFileError, UnsafeInputError
        Broken or hostile XML (see :mod:`backstride.importers.xmlsafe`).
    UnsupportedFormatError
        Well-formed XML whose root is not ``<gpx>``.
    NoActivityError
        No track (or route) with at least one timed point.
    """
    try:
        return _parse(data, source, sport)
    except ActivityFileError:
        raise
    except (ValueError, TypeError, OverflowError, IndexError, KeyError) as exc:
        # last line of defence: damaged content we did not foresee
        raise CorruptFileError(source, f"unreadable GPX content ({exc})") from None


def _parse(data: bytes, source: str, sport_hint: Sport | None) -> list[Activity]:
    doc = parse_xml(data, source=source)
    root = doc.root
    if local_name(root.tag) != "gpx":
        raise UnsupportedFormatError(
            source, f"XML root element is <{local_name(root.tag)}>, not <gpx>"
        )
    creator = root.get("creator")
    device = creator.strip() if creator and creator.strip() else None
    tracks, n_wpt, file_name = _collect(root)
    if not tracks:
        what = f"only {n_wpt} waypoint(s)" if n_wpt else "nothing"
        raise NoActivityError(source, f"GPX holds no track, {what}")
    if len(tracks) > MAX_TRACKS:
        raise UnsafeInputError(
            source, f"GPX holds {len(tracks)} tracks, more than the {MAX_TRACKS} read"
        )
    activities: list[Activity] = []
    skipped: list[str] = []
    for track in tracks:
        built = _build(
            track, source=source, device=device, file_name=file_name,
            file_warnings=doc.warnings, sport_hint=sport_hint,
        )
        if isinstance(built, Activity):
            activities.append(built)
        else:
            skipped.append(built)
            log.debug("%s: track %r skipped: %s", source, track.name, built)
    if not activities:
        reasons = "; ".join(sorted(set(skipped)))
        raise NoActivityError(
            source,
            f"none of the {len(tracks)} track(s) is a timed recording ({reasons}); "
            "a planned route or a drawing is not an activity",
        )
    return activities
