"""GPX importer: every GPX row of REFERENCE.csv (gpxpy values), plus the edge cases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.helpers.shared import reference_files, utc

from backstride.domain.activity import Activity, Sport
from backstride.domain.elevation import ascent_descent
from backstride.domain.sport_inference import sport_from_label
from backstride.errors import (
    ActivityFileError,
    CorruptFileError,
    NoActivityError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from backstride.importers import gpx as gpx_module
from backstride.importers.gpx import ascent_by_segment, parse_gpx


def _close(ours: float | None, ref: float, rel: float, absolute: float) -> bool:
    """Within ``rel`` (relative) or ``absolute`` (covers the CSV's 0.1 rounding)."""
    return ours is not None and abs(ours - ref) <= max(rel * abs(ref), absolute)


def _file_totals(acts: list[Activity]) -> tuple[datetime, float, float, float]:
    """start, elapsed, distance, ascent of a whole file (gpxpy treats a file as one)."""
    starts = [a.start_utc for a in acts if a.start_utc is not None]
    start = min(starts)
    end = max(a.start_utc.timestamp() + a.summary.elapsed_s for a in acts if a.start_utc)
    distance = sum(a.summary.distance_m or 0.0 for a in acts)
    ascent = sum(a.summary.ascent_m or 0.0 for a in acts)
    return start, end - start.timestamp(), distance, ascent


#: Files that cannot match gpxpy's whole-file values, with the documented reason.
WAYPOINTS_ONLY = {"gpxpy/gpx_with_garmin_extension.gpx", "gpxpy/unicode_with_bom.gpx"}
PLACEHOLDER_TIMES = "gpxpy/Mojstrovka.gpx"
UNTIMED_TRACKS_SKIPPED = {"gpxpy/cerknicko-without-times.gpx", "gpxpy/korita-zbevnica.gpx"}


@pytest.mark.parametrize("file", reference_files("gpx"))
def test_matches_reference(file: str, activities_dir: Path, reference_rows: list) -> None:
    row = next(r for r in reference_rows if r.file == file)
    data = (activities_dir / file).read_bytes()

    if file in WAYPOINTS_ONLY:
        # gpxpy reports 0 m and no time: the file holds one waypoint, no track
        with pytest.raises(NoActivityError, match="no track, only 1 waypoint"):
            parse_gpx(data, source=file)
        return
    if file == PLACEHOLDER_TIMES:
        # every time is 1901-12-13T20:45:52Z (the 32-bit time_t minimum GPSBabel writes
        # for "no time", with sub-second jitter that makes gpxpy call it non-monotonic);
        # gpxpy reports elapsed 0 s. Times before 1980 are placeholders for us, so the
        # track has no usable time and is a route, not a recording.
        with pytest.raises(NoActivityError, match="placeholder times before 1980"):
            parse_gpx(data, source=file)
        return

    acts = parse_gpx(data, source=file)
    start, elapsed, distance, ascent = _file_totals(acts)
    assert row.elapsed_s is not None and row.distance_m is not None
    assert abs((start - utc(row.start_utc)).total_seconds()) < 1.0
    assert _close(elapsed, row.elapsed_s, 0.005, 0.05), (elapsed, row.elapsed_s)

    if file in UNTIMED_TRACKS_SKIPPED:
        # gpxpy sums every track; tracks without a single timed point are not
        # recordings for us (Garmin "saved tracks" are time-stripped copies), so
        # their length and climb are not counted and the totals are smaller.
        assert 0 < distance < row.distance_m
        assert row.ascent_m is not None and ascent < row.ascent_m
        return

    assert _close(distance, row.distance_m, 0.005, 0.05), (distance, row.distance_m)
    if row.ascent_m is not None:
        assert _close(ascent, row.ascent_m, 0.005, 0.5), (ascent, row.ascent_m)
    else:
        assert all(a.summary.ascent_m is None for a in acts)
    if row.avg_hr is not None:
        assert _close(acts[0].summary.avg_hr_bpm, row.avg_hr, 0.0, 1.0)
    if row.avg_cadence_spm is not None:
        assert _close(acts[0].summary.avg_cadence_spm, row.avg_cadence_spm, 0.0, 1.0)
    expected_sport = sport_from_label(row.sport.split(" ")[0]) if row.sport else None
    if expected_sport is not None:
        assert {a.sport for a in acts} == {expected_sport}
    assert all(a.source_format == "gpx" for a in acts)
    if row.n_records is not None and len(acts) == 1:
        assert acts[0].streams.n_samples <= row.n_records


def test_nike_session_files_are_all_inferred_as_runs(activities_dir: Path) -> None:
    # no <type> in any of them; the README says every one is a run
    files = sorted((activities_dir / "runpandas" / "session").glob("*.gpx"))
    assert len(files) == 58
    sports = {f.name: parse_gpx(f.read_bytes(), source=f.name)[0].sport for f in files}
    assert set(sports.values()) == {Sport.RUNNING}, sports


def test_strava_numeric_type_and_extensions(activities_dir: Path) -> None:
    f = "runpandas/stopped_example.gpx"
    (act,) = parse_gpx((activities_dir / f).read_bytes(), source=f)
    assert act.sport is Sport.RUNNING  # <type>9</type>
    assert act.device == "StravaGPX"
    assert act.name == "Ciclofaixa Recife Antigo x Jaqueira 002 - 12km livre"
    cad = act.streams["cadence_spm"]
    assert cad[0] == 168.0  # <gpxtpx:cad>84</gpxtpx:cad> strides -> steps
    assert act.streams["heart_rate_bpm"][0] == 174.0
    assert set(act.streams) >= {"latitude_deg", "longitude_deg", "altitude_m", "distance_m"}
    assert act.start_utc == datetime(2021, 1, 10, 8, 54, 28, tzinfo=UTC)


def test_time_zone_offset_is_converted_and_kept(activities_dir: Path) -> None:
    f = "gpxpy/track-with-less-sec-time.gpx"
    (act,) = parse_gpx((activities_dir / f).read_bytes(), source=f)
    assert act.start_utc == datetime(2015, 12, 11, 14, 43, 13, tzinfo=UTC)
    assert act.utc_offset_s == 3600
    assert act.summary.elapsed_s == pytest.approx(0.994)


def test_multi_track_file_gives_one_activity_per_timed_track(activities_dir: Path) -> None:
    f = "gpxpy/cerknicko-jezero.gpx"
    acts = parse_gpx((activities_dir / f).read_bytes(), source=f)
    # 8 <trk>: the first is empty, the other 7 are "ACTIVE LOG #n"
    assert [a.name for a in acts] == ["ACTIVE LOG #2", *[f"ACTIVE LOG #{i}" for i in range(3, 9)]]
    assert all(a.device == "GPSBabel - http://www.gpsbabel.org" for a in acts)
    starts = [a.start_utc for a in acts]
    assert starts == sorted(starts)


def test_untimed_points_count_toward_distance_not_streams(activities_dir: Path) -> None:
    f = "gpxpy/cerknicko-without-times.gpx"
    (act,) = parse_gpx((activities_dir / f).read_bytes(), source=f)  # only track #8 is timed
    assert act.streams.n_samples == 5  # its 5 timed points of 21
    stream_distance = float(np.nanmax(act.streams["distance_m"]))
    assert act.summary.distance_m is not None and act.summary.distance_m > stream_distance
    assert any("without a time" in w for w in act.warnings)


# --------------------------------------------------------------------------- synthetic

NS11 = "http://www.topografix.com/GPX/1/1"


def _gpx(body: str, *, ns: str = NS11, extra_ns: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="unit test" '
        f'xmlns="{ns}" {extra_ns}>{body}</gpx>'
    ).encode()


def _pt(lat: float, lon: float, time: str | None, ele: float | None = None, ext: str = "") -> str:
    t = f"<time>{time}</time>" if time else ""
    e = f"<ele>{ele}</ele>" if ele is not None else ""
    x = f"<extensions>{ext}</extensions>" if ext else ""
    return f'<trkpt lat="{lat}" lon="{lon}">{e}{t}{x}</trkpt>'


def _run_points(n: int, *, step_deg: float = 0.0003, dt: int = 10, ext: str = "") -> str:
    # 0.0003 deg latitude = 33.4 m; every 10 s -> 3.3 m/s
    return "".join(
        _pt(45.0 + i * step_deg, 7.0, f"2024-05-01T08:{i * dt // 60:02d}:{i * dt % 60:02d}Z",
            100.0, ext)
        for i in range(n)
    )


def test_trackpointextension_v2_any_prefix_and_cadence_doubling() -> None:
    ext = (
        "<zz:TrackPointExtension><zz:atemp>21</zz:atemp><zz:hr>150</zz:hr>"
        "<zz:cad>85</zz:cad></zz:TrackPointExtension>"
    )
    doc = _gpx(
        f"<trk><name>Lunch</name><type>Run</type><trkseg>{_run_points(30, ext=ext)}"
        "</trkseg></trk>",
        extra_ns='xmlns:zz="http://www.garmin.com/xmlschemas/TrackPointExtension/v2"',
    )
    (act,) = parse_gpx(doc, source="v2.gpx")
    assert act.sport is Sport.RUNNING
    assert act.name == "Lunch"
    assert act.device == "unit test"
    assert np.all(act.streams["heart_rate_bpm"] == 150.0)
    assert np.all(act.streams["cadence_spm"] == 170.0)
    assert act.summary.avg_cadence_spm == pytest.approx(170.0)
    assert act.summary.elapsed_s == 290.0


@pytest.mark.parametrize(
    ("label", "sport"),
    [("9", Sport.RUNNING), ("1", Sport.CYCLING), ("10", Sport.WALKING), ("4", Sport.HIKING),
     ("running", Sport.RUNNING), ("Run", Sport.RUNNING), ("trail", Sport.TRAIL_RUNNING),
     ("walk", Sport.WALKING), ("hike", Sport.HIKING), ("biking", Sport.CYCLING),
     ("cycling", Sport.CYCLING), ("Ride", Sport.CYCLING), ("swim", Sport.SWIMMING)],
)
def test_type_labels(label: str, sport: Sport) -> None:
    doc = _gpx(f"<trk><type>{label}</type><trkseg>{_run_points(10)}</trkseg></trk>")
    (act,) = parse_gpx(doc, source="t.gpx")
    assert act.sport is sport
    assert not any("inferred" in w for w in act.warnings)


def test_cycling_cadence_is_not_doubled_and_not_averaged() -> None:
    ext = "<g:TrackPointExtension><g:cad>88</g:cad></g:TrackPointExtension>"
    doc = _gpx(
        f"<trk><type>1</type><trkseg>{_run_points(10, ext=ext)}</trkseg></trk>",
        extra_ns='xmlns:g="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"',
    )
    (act,) = parse_gpx(doc, source="ride.gpx")
    assert act.sport is Sport.CYCLING
    assert np.all(act.streams["cadence_spm"] == 88.0)
    assert act.summary.avg_cadence_spm is None


def test_unknown_type_falls_back_to_inference_with_a_warning() -> None:
    doc = _gpx(f"<trk><type>jkljkl</type><trkseg>{_run_points(40)}</trkseg></trk>")
    (act,) = parse_gpx(doc, source="t.gpx")
    assert act.sport is Sport.RUNNING  # 3.3 m/s, flat
    assert any("inferred" in w and "jkljkl" in w for w in act.warnings)


def test_segments_distance_within_segments_only() -> None:
    seg1 = "".join(_pt(45.0 + i * 0.0003, 7.0, f"2024-05-01T08:00:{i * 5:02d}Z") for i in range(5))
    # second segment starts 1 deg (111 km) away: the jump must not count
    seg2 = "".join(_pt(46.0 + i * 0.0003, 7.0, f"2024-05-01T08:01:{i * 5:02d}Z") for i in range(5))
    doc = _gpx(f"<trk><trkseg>{seg1}</trkseg><trkseg>{seg2}</trkseg><trkseg/></trk>")
    (act,) = parse_gpx(doc, source="segs.gpx")
    one_step = 6_371_000 * np.radians(0.0003)
    assert act.summary.distance_m == pytest.approx(8 * one_step, rel=1e-6)
    assert float(np.nanmax(act.streams["distance_m"])) == pytest.approx(8 * one_step, rel=1e-6)


def test_time_going_backwards_is_dropped_with_a_warning() -> None:
    pts = (
        _pt(45.0, 7.0, "2024-05-01T08:00:00Z") + _pt(45.0003, 7.0, "2024-05-01T08:00:10Z")
        + _pt(45.0006, 7.0, "2024-05-01T07:59:00Z")  # goes backwards
        + _pt(45.0009, 7.0, "2024-05-01T08:00:20Z")
    )
    (act,) = parse_gpx(_gpx(f"<trk><trkseg>{pts}</trkseg></trk>"), source="b.gpx")
    assert act.streams.n_samples == 3
    assert list(act.streams["time_s"]) == [0.0, 10.0, 20.0]
    assert any("backwards" in w for w in act.warnings)
    # the dropped point still has a position: it counts toward the 2-D length
    assert act.summary.distance_m == pytest.approx(3 * 6_371_000 * np.radians(0.0003), rel=1e-6)


def test_gpx_10_and_no_namespace() -> None:
    pts = _run_points(5)
    for ns in ("http://www.topografix.com/GPX/1/0", ""):
        doc = (
            f'<gpx version="1.0" {f"xmlns={chr(34)}{ns}{chr(34)}" if ns else ""}>'
            f"<name>Old</name><trk><trkseg>{pts}</trkseg></trk></gpx>"
        ).encode()
        (act,) = parse_gpx(doc, source="old.gpx")
        assert act.streams.n_samples == 5
        assert act.name == "Old"


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("", "no track, nothing"),
        ('<rte><rtept lat="45" lon="7"/><rtept lat="45.1" lon="7"/></rte>', "no point has a time"),
        ("<trk><trkseg/></trk>", "no points"),
        (f"<trk><trkseg>{_pt(45, 7, None)}{_pt(45.1, 7, None)}</trkseg></trk>", "no point has"),
    ],
    ids=["empty", "route-without-times", "empty-track", "untimed-track"],
)
def test_no_activity(body: str, match: str) -> None:
    with pytest.raises(NoActivityError, match=match):
        parse_gpx(_gpx(body), source="x.gpx")


def test_wrong_root_and_broken_xml() -> None:
    with pytest.raises(UnsupportedFormatError, match="<kml>"):
        parse_gpx(b"<kml/>", source="x.gpx")
    with pytest.raises(CorruptFileError, match="line 1"):
        parse_gpx(b"<gpx><trk></gpx>", source="x.gpx")


def test_garbage_values_become_missing() -> None:
    pts = (
        '<trkpt lat="north" lon="7"><time>2024-05-01T08:00:00Z</time></trkpt>'
        '<trkpt lat="45" lon="7"><ele>high</ele><time>not a time</time></trkpt>'
        '<trkpt lat="95" lon="7"><time>2024-05-01T08:00:05Z</time></trkpt>'
        '<trkpt lat="45" lon="7"><ele>12</ele><time>2024-05-01T08:00:09Z</time>'
        "<extensions><hr>255</hr></extensions></trkpt>"
    )
    (act,) = parse_gpx(_gpx(f"<trk><trkseg>{pts}</trkseg></trk>"), source="g.gpx")
    assert act.streams.n_samples == 3
    lat = act.streams["latitude_deg"]
    assert np.isnan(lat[0]) and np.isnan(lat[1]) and lat[2] == 45.0
    assert "heart_rate_bpm" not in act.streams  # 255 is a placeholder


@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.floats(-100, 3000) | st.just(float("nan"))),
        max_size=60,
    )
)
def test_ascent_by_segment_is_the_domain_rule_per_segment(
    samples: list[tuple[int, float]],
) -> None:
    seg = np.cumsum([s for s, _ in samples], dtype=np.int64)  # non-decreasing numbers
    alt = np.array([a for _, a in samples], dtype=np.float64)
    ours = ascent_by_segment(alt, seg)
    parts = [ascent_descent(alt[seg == s]) for s in np.unique(seg)]
    found = [p for p in parts if p is not None]
    if not found:
        assert ours is None
    else:
        assert ours is not None
        assert ours[0] == pytest.approx(sum(p[0] for p in found), abs=1e-6)
        assert ours[1] == pytest.approx(sum(p[1] for p in found), abs=1e-6)


def test_too_many_tracks_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gpx_module, "MAX_TRACKS", 3)
    track = f"<trk><trkseg>{_run_points(2)}</trkseg></trk>"
    assert len(parse_gpx(_gpx(track * 3), source="ok.gpx")) == 3
    with pytest.raises(UnsafeInputError, match="4 tracks"):
        parse_gpx(_gpx(track * 4), source="many.gpx")


def test_cadence_already_in_steps_is_not_doubled() -> None:
    ext = "<g:TrackPointExtension><g:cad>172</g:cad></g:TrackPointExtension>"
    doc = _gpx(
        f"<trk><type>running</type><trkseg>{_run_points(10, ext=ext)}</trkseg></trk>",
        extra_ns='xmlns:g="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"',
    )
    (act,) = parse_gpx(doc, source="steps.gpx")
    assert act.summary.avg_cadence_spm == pytest.approx(172.0)


_NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**400), 10**400).map(str),
    st.sampled_from(["", " ", "1e999", "-0", "NaN", "0x10", "1,5", "١٢"]),
)
_TIME = st.one_of(
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.sampled_from(["", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z",
                     "2020-02-30T00:00:00Z", "1901-12-13T20:45:52Z", "2020-01-01T00:00:00+25:00"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_NUMBER, _NUMBER, _NUMBER, _TIME, _NUMBER, _NUMBER), max_size=12))
def test_hostile_values_never_escape(points: list[tuple[str, ...]]) -> None:
    """Any value in any field: an Activity or an ActivityFileError, never a warning."""
    body = "".join(
        f'<trkpt lat="{la}" lon="{lo}"><ele>{el}</ele><time>{t}</time><extensions>'
        f"<hr>{hr}</hr><cad>{cad}</cad></extensions></trkpt>"
        for la, lo, el, t, hr, cad in points
    )
    try:
        acts = parse_gpx(_gpx(f"<trk><trkseg>{body}</trkseg></trk>"), source="h.gpx")
    except ActivityFileError:
        return
    for a in acts:
        assert a.summary.elapsed_s >= 0
