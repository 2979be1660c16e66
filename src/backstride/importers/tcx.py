"""TCX (Garmin Training Center Database v2) importer: one Activity per ``<Activity>``.

What is read
------------
* Every ``<Activity>`` (also the legs of a ``<MultiSportSession>``, numbered by
  ``leg_index``) becomes one Activity. ``Sport="Running"``/``"Biking"`` are taken
  as given; ``"Other"`` (or a missing or unknown value) is inferred from the
  movement by :func:`backstride.domain.sport_inference.infer_sport`, which is
  told that running and cycling are ruled out when the file says ``Other``.
* Laps: ``StartTime``, ``TotalTimeSeconds`` (timer time), ``DistanceMeters``,
  ``AverageHeartRateBpm``, ``Cadence`` and the ``LX`` extension's
  ``AvgRunCadence``.
* Trackpoints: ``Time``, ``Position``, ``AltitudeMeters``, ``DistanceMeters``,
  ``HeartRateBpm``, ``Cadence`` and the ``TPX`` extension's ``Speed``,
  ``RunCadence`` and ``Watts`` (any namespace prefix, matched by local name).
  Trackpoints without a position are kept (treadmill and indoor runs have none).
* ``Creator/Name`` -> ``device``.
* Elements are matched by local name, so the namespace-less TCX fragment in
  runpandas' ``malformed.tcx`` (root ``<Activities>``) reads too.

Rules
-----
* Times go through the same checks as GPX: placeholders before the GPS epoch are
  missing, trackpoints without a time or whose time goes backwards are dropped
  (each with a warning).
* Cadence: ``RunCadence`` (preferred) or ``Cadence`` counts strides per minute on
  running devices and crank revolutions on bikes. For every sport except cycling
  it is doubled into steps/min when the median of its non-zero samples is below
  120 (the rule of the shared reference: no human runs at < 120 steps/min, but
  76-100 strides/min is normal); cycling keeps the crank rate.
* Elapsed = last - first trackpoint time. Distance = the sum of the laps'
  ``DistanceMeters`` (the device's own total); when that and the trackpoint
  distance differ by more than 5 % a warning says so (sports-lib
  ``movescount.tcx``: 1999 m by laps, 2919 m by trackpoints). Without lap
  distances the trackpoint distance is used. The distance channel comes from the
  trackpoints' ``DistanceMeters``, else from the positions (haversine).
* Moving time = the summed lap ``TotalTimeSeconds`` (the device's timer).
* Ascent: :mod:`backstride.domain.elevation` on the trackpoint altitudes. An
  ``AltitudeMeters`` of exactly 0.0 on a trackpoint *without a position* is a
  placeholder written before the GPS fix (Garmin Forerunner 410 files in
  activityio: 0.0 m, then 1117 m) and is dropped, with a warning.
* Heart rate outside 20-250 bpm is a sensor placeholder (255 = "invalid" in the
  FIT files TCX is converted from) and is dropped; so are positions beyond
  +-90/+-180 deg and altitudes outside -2000..20000 m.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from lxml import etree

from backstride.domain.activity import Activity, FloatArray, Lap, Sport, Streams, Summary
from backstride.domain.elevation import ascent_descent
from backstride.domain.sport_inference import infer_sport
from backstride.domain.summary import cumulative_distance_m, moving_time_s, nonzero_mean
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
    local_name,
    parse_datetimes,
    parse_floats,
    parse_xml,
    us_to_datetime,
    within,
)

__all__ = ["MAX_ACTIVITIES", "parse_tcx"]

log = logging.getLogger(__name__)

#: Most activities one file may hold (a Training Center history); more is refused.
MAX_ACTIVITIES = 20_000
#: Cadence medians below this are strides (or revolutions) per minute [1/min].
STRIDES_BELOW = 120.0
#: Lap and trackpoint distance may differ by this fraction before a warning.
DISTANCE_DISAGREEMENT = 0.05

_SPORTS = {"running": Sport.RUNNING, "biking": Sport.CYCLING}
_LEG_TAGS = frozenset({"FirstSport", "NextSport"})
_TCX_ROOTS = frozenset({"TrainingCenterDatabase", "Activities"})


@dataclass
class _Points:
    time: list[str | None] = field(default_factory=list)
    lat: list[str | None] = field(default_factory=list)
    lon: list[str | None] = field(default_factory=list)
    alt: list[str | None] = field(default_factory=list)
    dist: list[str | None] = field(default_factory=list)
    hr: list[str | None] = field(default_factory=list)
    cad: list[str | None] = field(default_factory=list)
    run_cad: list[str | None] = field(default_factory=list)
    speed: list[str | None] = field(default_factory=list)
    watts: list[str | None] = field(default_factory=list)


@dataclass
class _RawLap:
    start: str | None = None
    total_time: str | None = None
    distance: str | None = None
    avg_hr: str | None = None
    cadence: str | None = None
    avg_run_cadence: str | None = None


@dataclass
class _RawActivity:
    sport_attr: str | None
    leg_index: int
    laps: list[_RawLap] = field(default_factory=list)
    points: _Points = field(default_factory=_Points)
    device: str | None = None
    activity_id: str | None = None


def _text(el: etree._Element) -> str | None:
    t = el.text
    return t.strip() if t and t.strip() else None


def _value_child(el: etree._Element) -> str | None:
    """Text of a ``<Value>`` child (HeartRateBpm), or the element's own text."""
    for c in el:
        if local_name(c.tag) == "Value":
            return _text(c)
    return _text(el)


def _read_trackpoint(tp: etree._Element, out: _Points, names: dict[str, str]) -> None:
    time = lat = lon = alt = dist = hr = cad = run_cad = speed = watts = None
    for child in tp:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        ln = names.get(tag)
        if ln is None:
            ln = names[tag] = local_name(tag)
        if ln == "Time":
            time = child.text
        elif ln == "Position":
            for p in child:
                pln = local_name(p.tag)
                if pln == "LatitudeDegrees":
                    lat = p.text
                elif pln == "LongitudeDegrees":
                    lon = p.text
        elif ln == "AltitudeMeters":
            alt = child.text
        elif ln == "DistanceMeters":
            dist = child.text
        elif ln == "HeartRateBpm":
            hr = _value_child(child)
        elif ln == "Cadence":
            cad = child.text
        elif ln == "Extensions":
            for ext in child.iter():
                etag = ext.tag
                if not isinstance(etag, str):
                    continue
                eln = names.get(etag)
                if eln is None:
                    eln = names[etag] = local_name(etag)
                if eln == "Speed":
                    speed = ext.text
                elif eln == "RunCadence":
                    run_cad = ext.text
                elif eln == "Watts":
                    watts = ext.text
    out.time.append(time)
    out.lat.append(lat)
    out.lon.append(lon)
    out.alt.append(alt)
    out.dist.append(dist)
    out.hr.append(hr)
    out.cad.append(cad)
    out.run_cad.append(run_cad)
    out.speed.append(speed)
    out.watts.append(watts)


def _read_lap(lap_el: etree._Element, act: _RawActivity, names: dict[str, str]) -> None:
    lap = _RawLap(start=lap_el.get("StartTime"))
    for child in lap_el:
        ln = local_name(child.tag)
        if ln == "TotalTimeSeconds":
            lap.total_time = _text(child)
        elif ln == "DistanceMeters":
            lap.distance = _text(child)
        elif ln == "AverageHeartRateBpm":
            lap.avg_hr = _value_child(child)
        elif ln == "Cadence":
            lap.cadence = _text(child)
        elif ln == "Track":
            for tp in child:
                if local_name(tp.tag) == "Trackpoint":
                    _read_trackpoint(tp, act.points, names)
        elif ln == "Extensions":
            for ext in child.iter():
                if local_name(ext.tag) == "AvgRunCadence":
                    lap.avg_run_cadence = _text(ext)
    act.laps.append(lap)


def _read_activity(el: etree._Element, leg_index: int, names: dict[str, str]) -> _RawActivity:
    act = _RawActivity(sport_attr=el.get("Sport"), leg_index=leg_index)
    for child in el:
        ln = local_name(child.tag)
        if ln == "Id":
            act.activity_id = _text(child)
        elif ln == "Lap":
            _read_lap(child, act, names)
        elif ln == "Creator":
            for c in child:
                if local_name(c.tag) == "Name":
                    act.device = _text(c)
    return act


def _collect(root: etree._Element, source: str) -> tuple[list[_RawActivity], int]:
    names: dict[str, str] = {}
    out: list[_RawActivity] = []
    n_courses = sum(1 for _ in root.iter("{*}Course"))
    legs_seen: dict[etree._Element, int] = {}  # multisport session -> legs so far
    for el in root.iter("{*}Activity"):
        if len(out) >= MAX_ACTIVITIES:
            raise UnsafeInputError(
                source, f"TCX holds more than the {MAX_ACTIVITIES} activities read"
            )
        parent = el.getparent()
        leg = 0
        if parent is not None and local_name(parent.tag) in _LEG_TAGS:
            session = parent.getparent()
            if session is not None:
                leg = legs_seen.get(session, 0)
                legs_seen[session] = leg + 1
        out.append(_read_activity(el, leg, names))
    return out, n_courses


def _median_nonzero(values: FloatArray) -> float | None:
    v = values[np.isfinite(values) & (values > 0)]
    return float(np.median(v)) if len(v) else None


def _opt(values: FloatArray) -> FloatArray | None:
    return values if np.isfinite(values).any() else None


def _fmt_time(us: int) -> str:
    return us_to_datetime(us).strftime("%Y-%m-%dT%H:%M:%SZ")


def _build(
    raw: _RawActivity, *, source: str, file_warnings: tuple[str, ...], sport_hint: Sport | None
) -> Activity | str:
    p = raw.points
    warnings = list(file_warnings)
    times = parse_datetimes(p.time)
    placeholder = (times != NO_TIME) & (times < GPS_EPOCH_US)
    if placeholder.any():
        warnings.append(
            f"{int(placeholder.sum())} trackpoint time(s) before 1980 (e.g. "
            f"{_fmt_time(int(times[placeholder][0]))}) are placeholders; dropped"
        )
        times = np.where(placeholder, NO_TIME, times)
    idx = np.flatnonzero(times != NO_TIME)
    untimed = len(times) - len(idx) - int(placeholder.sum())
    if untimed:
        warnings.append(f"{untimed} trackpoint(s) without a time were dropped")
    lap_starts = parse_datetimes([lap.start for lap in raw.laps])
    lap_starts = np.where(lap_starts < GPS_EPOCH_US, NO_TIME, lap_starts)
    lap_timer = within(parse_floats([lap.total_time for lap in raw.laps]), 0.0, 1e7)
    lap_dist = within(parse_floats([lap.distance for lap in raw.laps]), 0.0, 1e8)

    if len(idx) == 0:
        return "no timed trackpoint"
    t_timed = times[idx]
    prev_max = np.maximum.accumulate(t_timed)
    keep = np.ones(len(idx), dtype=bool)
    keep[1:] = t_timed[1:] >= prev_max[:-1]
    if (~keep).any():
        warnings.append(
            f"{int((~keep).sum())} trackpoint(s) whose time goes backwards were dropped"
        )
    kept = idx[keep]
    t_us = times[kept]
    t0 = int(t_us[0])
    time_s = (t_us - t0) / 1e6

    lat = within(parse_floats(p.lat), -90.0, 90.0)[kept]
    lon = within(parse_floats(p.lon), -180.0, 180.0)[kept]
    bad = np.isnan(lat) | np.isnan(lon)
    lat[bad] = np.nan
    lon[bad] = np.nan
    alt = within(parse_floats(p.alt), ALT_MIN_M, ALT_MAX_M)[kept]
    placeholder_alt = (alt == 0.0) & bad
    if placeholder_alt.any() and (np.isfinite(alt) & (alt != 0.0)).any():
        warnings.append(
            f"{int(placeholder_alt.sum())} altitude(s) of 0.0 m on trackpoints without a "
            "position (written before the GPS fix) were dropped"
        )
        alt[placeholder_alt] = np.nan
    dist = within(parse_floats(p.dist), 0.0, 1e8)[kept]
    hr = within(parse_floats(p.hr), HR_MIN_BPM, HR_MAX_BPM)[kept]
    speed = within(parse_floats(p.speed), 0.0, 1000.0)[kept]
    watts = within(parse_floats(p.watts), 0.0, 5000.0)[kept]
    run_cad = within(parse_floats(p.run_cad), 0.0, 254.0)[kept]
    cad = run_cad if np.isfinite(run_cad).any() else within(
        parse_floats(p.cad), 0.0, 254.0
    )[kept]

    channels: dict[str, FloatArray] = {"time_s": time_s}
    has_pos = bool(np.isfinite(lat).any())
    if has_pos:
        channels["latitude_deg"] = lat
        channels["longitude_deg"] = lon
    if np.isfinite(dist).any():
        channels["distance_m"] = dist
    elif has_pos:
        channels["distance_m"] = cumulative_distance_m(lat, lon)
    for name, arr in (("altitude_m", alt), ("heart_rate_bpm", hr), ("speed_m_s", speed),
                      ("power_w", watts)):
        if np.isfinite(arr).any():
            channels[name] = arr

    cad_median = _median_nonzero(cad)
    doubled = cad_median is not None and cad_median < STRIDES_BELOW
    steps = cad * 2.0 if doubled else cad

    sport_attr = (raw.sport_attr or "").strip()
    sport = sport_hint if sport_hint is not None else _SPORTS.get(sport_attr.lower())
    if sport is None:
        d = channels.get("distance_m")
        sport = (
            infer_sport(
                time_s, d, channels.get("altitude_m"), _opt(steps),
                exclude=(Sport.RUNNING, Sport.CYCLING) if sport_attr == "Other" else (),
                require_cadence=sport_attr == "Other",
            )
            if d is not None
            else Sport.OTHER
        )
        warnings.append(
            f"sport inferred from speed, climb and cadence: {sport.value} "
            f"(file says {sport_attr or 'nothing'!r})"
        )
    cadence = cad if sport is Sport.CYCLING else steps
    if np.isfinite(cadence).any():
        channels["cadence_spm"] = cadence

    try:
        streams = Streams(channels)
    except ValueError as exc:  # pragma: no cover - guarded above
        raise CorruptFileError(source, f"inconsistent trackpoint data: {exc}") from None

    # --- summary
    elapsed = float(time_s[-1] - time_s[0])
    stream_dist = streams.get("distance_m")
    tp_distance: float | None = None
    if stream_dist is not None and np.isfinite(stream_dist).any():
        finite = stream_dist[np.isfinite(stream_dist)]
        top = float(finite.max())
        # DistanceMeters counts from the start of the recording; a first value of a
        # few metres is the distance covered before the first trackpoint was written
        tp_distance = top if finite[0] <= 0.05 * top else top - float(finite[0])
    laps_have_distance = bool(np.isfinite(lap_dist).any())
    distance = float(np.nansum(lap_dist)) if laps_have_distance else tp_distance
    if laps_have_distance and tp_distance is not None and distance is not None:
        ref = max(distance, tp_distance)
        if ref > 0 and abs(distance - tp_distance) > DISTANCE_DISAGREEMENT * ref:
            warnings.append(
                f"lap distances sum to {distance:.0f} m but trackpoints reach "
                f"{tp_distance:.0f} m; the lap total is kept"
            )
    updown = ascent_descent(alt)
    steps_sport = sport.is_running or sport in (Sport.WALKING, Sport.HIKING)
    moving = float(np.nansum(lap_timer)) if np.isfinite(lap_timer).any() else (
        moving_time_s(time_s, stream_dist) if stream_dist is not None else None
    )
    summary = Summary(
        elapsed_s=max(elapsed, 0.0),
        moving_s=max(moving, 0.0) if moving is not None else None,
        distance_m=distance,
        ascent_m=updown[0] if updown else None,
        descent_m=updown[1] if updown else None,
        avg_hr_bpm=nonzero_mean(hr),
        avg_cadence_spm=nonzero_mean(cadence) if steps_sport else None,
        avg_power_w=nonzero_mean(watts),
    )

    # --- laps
    end_us = int(t_us[-1])
    laps: list[Lap] = []
    lap_hr = within(parse_floats([lap.avg_hr for lap in raw.laps]), HR_MIN_BPM, HR_MAX_BPM)
    lap_cad_raw = within(
        parse_floats([lap.avg_run_cadence or lap.cadence for lap in raw.laps]), 0.0, 254.0
    )
    if cad_median is None:  # no trackpoint cadence: judge the lap values themselves
        lap_median = _median_nonzero(lap_cad_raw)
        doubled = lap_median is not None and lap_median < STRIDES_BELOW
    lap_cad = lap_cad_raw * 2.0 if doubled and sport is not Sport.CYCLING else lap_cad_raw
    next_start = end_us  # start of the next lap that has one, scanning backwards
    following: list[int] = []
    for st in lap_starts[::-1]:
        following.append(next_start)
        if st != NO_TIME:
            next_start = int(st)
    following.reverse()
    for i in range(len(raw.laps)):
        start = int(lap_starts[i])
        nxt = following[i]
        timer = float(lap_timer[i]) if np.isfinite(lap_timer[i]) and lap_timer[i] >= 0 else None
        if start != NO_TIME and nxt >= start:
            lap_elapsed = (nxt - start) / 1e6
        else:
            lap_elapsed = timer or 0.0
        laps.append(
            Lap(
                start_utc=us_to_datetime(start) if start != NO_TIME else None,
                elapsed_s=lap_elapsed,
                timer_s=timer,
                distance_m=float(lap_dist[i]) if np.isfinite(lap_dist[i]) else None,
                avg_hr_bpm=float(lap_hr[i]) if np.isfinite(lap_hr[i]) else None,
                avg_cadence_spm=(
                    float(lap_cad[i]) if np.isfinite(lap_cad[i]) and lap_cad[i] > 0 else None
                ),
            )
        )

    for w in warnings[len(file_warnings):]:
        log.warning("%s: %s", source, w)
    return Activity(
        sport=sport,
        start_utc=us_to_datetime(t0),
        summary=summary,
        streams=streams,
        source_format="tcx",
        device=raw.device,
        laps=tuple(laps),
        leg_index=raw.leg_index,
        warnings=tuple(warnings),
    )


def parse_tcx(data: bytes, *, source: str, sport: Sport | None = None) -> list[Activity]:
    """Read a TCX document into one Activity per ``<Activity>`` element.

    Parameters
    ----------
    data
        The document bytes.
    source
        File name used in errors and warnings.
    sport
        The sport an export states for this file (Strava ``activities.csv``); it
        overrides the ``Sport`` attribute and inference, and decides how cadence
        is read.

    Raises
    ------
    CorruptFileError, UnsafeInputError
        Broken or hostile XML (see :mod:`backstride.importers.xmlsafe`).
    UnsupportedFormatError
        Well-formed XML that is not TCX.
    NoActivityError
        No activity with a timed trackpoint (courses, workouts, empty history).
    """
    try:
        return _parse(data, source, sport)
    except ActivityFileError:
        raise
    except (ValueError, TypeError, OverflowError, IndexError, KeyError) as exc:
        raise CorruptFileError(source, f"unreadable TCX content ({exc})") from None


def _parse(data: bytes, source: str, sport_hint: Sport | None) -> list[Activity]:
    doc = parse_xml(data, source=source)
    root_name = local_name(doc.root.tag)
    if root_name not in _TCX_ROOTS:
        raise UnsupportedFormatError(
            source, f"XML root element is <{root_name}>, not <TrainingCenterDatabase>"
        )
    warnings = doc.warnings
    if root_name != "TrainingCenterDatabase":
        warnings = (*warnings, "TCX without its <TrainingCenterDatabase> root element")
    raws, n_courses = _collect(doc.root, source)
    if not raws:
        what = f"only {n_courses} course(s) (planned routes)" if n_courses else "no activity"
        raise NoActivityError(source, f"TCX holds {what}")
    activities: list[Activity] = []
    skipped: list[str] = []
    for raw in raws:
        built = _build(raw, source=source, file_warnings=warnings, sport_hint=sport_hint)
        if isinstance(built, Activity):
            activities.append(built)
        else:
            skipped.append(built)
    if not activities:
        raise NoActivityError(
            source,
            f"none of the {len(raws)} activit{'y' if len(raws) == 1 else 'ies'} has a "
            f"timed trackpoint ({'; '.join(sorted(set(skipped)))})",
        )
    return activities
