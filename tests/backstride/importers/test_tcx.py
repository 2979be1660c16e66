"""TCX importer: every TCX row of REFERENCE.csv (tcxreader values), plus edge cases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from tests.helpers.shared import reference_files, utc

from backstride.domain.activity import Sport
from backstride.domain.elevation import ascent_descent
from backstride.domain.sport_inference import sport_from_label
from backstride.errors import (
    ActivityFileError,
    CorruptFileError,
    NoActivityError,
    UnsupportedFormatError,
)
from backstride.importers.tcx import parse_tcx

MALFORMED = "runpandas/malformed/malformed.tcx"


def _close(ours: float | None, ref: float, rel: float, absolute: float) -> bool:
    return ours is not None and abs(ours - ref) <= max(rel * abs(ref), absolute)


def _file_altitudes(path: Path) -> np.ndarray:
    """Trackpoint altitudes read independently (plain lxml walk), minus the placeholders.

    The placeholder rule under test: 0.0 m on a trackpoint without a position, in a
    file that has real altitudes elsewhere (Forerunner 410 before its GPS fix).
    """
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
    alts, has_pos = [], []
    for tp in root.iter("{*}Trackpoint"):
        alt = tp.find("{*}AltitudeMeters")
        alts.append(float(alt.text) if alt is not None and alt.text else np.nan)
        has_pos.append(tp.find("{*}Position") is not None)
    arr = np.array(alts)
    placeholder = (arr == 0.0) & ~np.array(has_pos, dtype=bool)
    if (np.isfinite(arr) & (arr != 0.0)).any():
        arr[placeholder] = np.nan
    return arr


@pytest.mark.parametrize("file", [f for f in reference_files("tcx") if f != MALFORMED])
def test_matches_reference(file: str, activities_dir: Path, reference_rows: list) -> None:
    row = next(r for r in reference_rows if r.file == file)
    (act,) = parse_tcx((activities_dir / file).read_bytes(), source=file)
    s = act.summary
    assert act.source_format == "tcx"
    assert act.start_utc is not None
    assert abs((act.start_utc - utc(row.start_utc)).total_seconds()) < 1.0
    assert row.elapsed_s is not None and row.distance_m is not None
    assert _close(s.elapsed_s, row.elapsed_s, 0.005, 0.05), (s.elapsed_s, row.elapsed_s)
    assert _close(s.distance_m, row.distance_m, 0.005, 0.05), (s.distance_m, row.distance_m)
    # every trackpoint is kept, with or without a position (tcxreader only_gps=False)
    assert act.streams.n_samples == row.n_records
    if row.avg_cadence_spm is not None:
        assert _close(s.avg_cadence_spm, row.avg_cadence_spm, 0.0, 1.0)
    if file == "gpsbabel/gtrnctr-lap_s.tcx":
        # tcxreader reports 255 bpm: every HeartRateBpm in the file is 255, FIT's
        # "invalid" uint8 copied verbatim by Fit2Tcx; we drop it as a placeholder.
        assert row.avg_hr == 255.0
        assert s.avg_hr_bpm is None
    elif row.avg_hr is not None:
        assert _close(s.avg_hr_bpm, row.avg_hr, 0.0, 1.0)
    else:
        assert s.avg_hr_bpm is None
    # ascent: the reference is the raw sum of rises; ours is the smoothing rule
    if row.ascent_m is None:
        assert s.ascent_m is None
    else:
        assert s.ascent_m is not None and s.ascent_m <= row.ascent_m + 1e-6
        rule = ascent_descent(_file_altitudes(activities_dir / file))
        assert rule is not None
        assert s.ascent_m == pytest.approx(rule[0], abs=1e-6)
    expected = sport_from_label(row.sport) or (Sport.OTHER if row.sport == "other" else None)
    if expected is not None:
        assert act.sport is expected


def test_placeholder_altitude_before_gps_fix(activities_dir: Path) -> None:
    f = "activityio/c2eb1b_2.tcx"
    (act,) = parse_tcx((activities_dir / f).read_bytes(), source=f)
    assert np.isnan(act.streams["altitude_m"][0])  # <AltitudeMeters>0.0</...>, no Position
    assert any("0.0 m" in w for w in act.warnings)
    assert act.summary.ascent_m is not None and act.summary.ascent_m < 100  # not 1117+


def test_malformed_tcx_is_recovered_with_a_warning(activities_dir: Path) -> None:
    # Undeclared xsi prefix (line 4653) and no <TrainingCenterDatabase> root: the
    # element structure is intact, so it is read in recovery mode. It is basic.tcx
    # plus one trailing trackpoint that has only a time (22:03:05).
    (act,) = parse_tcx((activities_dir / MALFORMED).read_bytes(), source="malformed.tcx")
    (basic,) = parse_tcx(
        (activities_dir / "runpandas/basic.tcx").read_bytes(), source="basic.tcx"
    )
    assert any("undeclared namespace prefix" in w and "line 4653" in w for w in act.warnings)
    assert any("root element" in w for w in act.warnings)
    assert act.start_utc == basic.start_utc
    assert act.summary.elapsed_s == basic.summary.elapsed_s + 1 == 1992.0
    assert act.summary.distance_m == basic.summary.distance_m
    assert act.summary.avg_hr_bpm == pytest.approx(basic.summary.avg_hr_bpm)
    assert act.device == "Forerunner 410 Software Version 2.20"
    assert act.streams.n_samples == basic.streams.n_samples + 1


def test_laps_and_device(activities_dir: Path) -> None:
    f = "GoldenCheetah/10kUNLP2014-Garmin15.tcx"
    (act,) = parse_tcx((activities_dir / f).read_bytes(), source=f)
    assert act.device == "Forerunner 15"
    assert len(act.laps) == 11
    lap0 = act.laps[0]
    assert lap0.start_utc == datetime(2014, 10, 11, 18, 8, 45, tzinfo=UTC)
    assert lap0.timer_s == pytest.approx(212.152)
    assert lap0.distance_m == 1000.0
    assert sum(lap.distance_m or 0 for lap in act.laps) == pytest.approx(act.summary.distance_m)
    assert act.summary.moving_s == pytest.approx(sum(lap.timer_s or 0 for lap in act.laps))
    assert "speed_m_s" in act.streams  # TPX Speed without a prefix (default namespace)


def test_run_cadence_extension_is_doubled(activities_dir: Path) -> None:
    f = "runpandas/run_garmin.tcx"
    (act,) = parse_tcx((activities_dir / f).read_bytes(), source=f)
    cad = act.streams["cadence_spm"]
    assert np.nanmedian(cad[cad > 0]) > 150  # RunCadence median 88 strides/min
    assert all(lap.avg_cadence_spm is None or lap.avg_cadence_spm > 120 for lap in act.laps)


def test_lap_and_trackpoint_distance_disagreement_warns(activities_dir: Path) -> None:
    f = "sports-lib/movescount.tcx"
    (act,) = parse_tcx((activities_dir / f).read_bytes(), source=f)
    assert act.summary.distance_m == pytest.approx(1999.0, abs=0.1)
    assert any("1999 m" in w and "2919 m" in w for w in act.warnings)


def test_positionless_trackpoints_are_kept(activities_dir: Path) -> None:
    f = "runpandas/samples/2020-12-08T06_36_12-300_Running.tcx"
    (act,) = parse_tcx((activities_dir / f).read_bytes(), source=f)
    lat = act.streams["latitude_deg"]
    assert int(np.isnan(lat).sum()) == 90  # 90 of 898 trackpoints have no Position
    assert np.isfinite(act.streams["distance_m"][np.isnan(lat)]).all()


def test_other_sport_is_inferred_but_never_running(activities_dir: Path) -> None:
    f = "tcxreader/cross-country-skiing_activity_1.tcx"
    (act,) = parse_tcx((activities_dir / f).read_bytes(), source=f)
    # 2.2 m/s would be a jog, but the file says "Other" and cadence is 90 steps/min
    assert act.sport is Sport.OTHER
    assert act.summary.avg_cadence_spm is None
    assert any("inferred" in w for w in act.warnings)


# --------------------------------------------------------------------------- synthetic

TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
AX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"


def _tp(i: int, *, pos: bool = True, dist: bool = True, cad: int | None = None,
        run_cad: int | None = None, hr: int | None = 140, step: float = 30.0) -> str:
    parts = [f"<Time>2024-05-01T08:{i * 10 // 60:02d}:{i * 10 % 60:02d}Z</Time>"]
    if pos:
        parts.append(
            f"<Position><LatitudeDegrees>{45 + i * step / 111_195:.7f}</LatitudeDegrees>"
            "<LongitudeDegrees>7.0</LongitudeDegrees></Position>"
        )
    parts.append(f"<AltitudeMeters>{100 + (i % 3)}</AltitudeMeters>")
    if dist:
        parts.append(f"<DistanceMeters>{i * step}</DistanceMeters>")
    if hr is not None:
        parts.append(f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>")
    if cad is not None:
        parts.append(f"<Cadence>{cad}</Cadence>")
    if run_cad is not None:
        parts.append(f"<Extensions><x:TPX><x:RunCadence>{run_cad}</x:RunCadence>"
                     "<x:Speed>3.0</x:Speed><x:Watts>250</x:Watts></x:TPX></Extensions>")
    return f"<Trackpoint>{''.join(parts)}</Trackpoint>"


def _activity(sport: str, points: str, *, lap_distance: float | None = None) -> str:
    dist = f"<DistanceMeters>{lap_distance}</DistanceMeters>" if lap_distance is not None else ""
    return (
        f'<Activity Sport="{sport}"><Id>2024-05-01T08:00:00Z</Id>'
        f'<Lap StartTime="2024-05-01T08:00:00Z"><TotalTimeSeconds>290</TotalTimeSeconds>{dist}'
        f"<Track>{points}</Track></Lap><Creator><Name>Unit Watch</Name></Creator></Activity>"
    )


def _tcx(inner: str) -> bytes:
    return (
        f'<?xml version="1.0"?><TrainingCenterDatabase xmlns="{TCX_NS}" xmlns:x="{AX_NS}">'
        f"{inner}</TrainingCenterDatabase>"
    ).encode()


def test_treadmill_run_without_positions() -> None:
    pts = "".join(_tp(i, pos=False, run_cad=85) for i in range(30))
    (act,) = parse_tcx(_tcx(f"<Activities>{_activity('Running', pts)}</Activities>"), source="t")
    assert "latitude_deg" not in act.streams
    assert act.streams.n_samples == 30
    assert act.summary.distance_m == pytest.approx(29 * 30.0)  # from DistanceMeters
    assert act.summary.avg_cadence_spm == pytest.approx(170.0)
    assert act.device == "Unit Watch"
    assert np.all(act.streams["power_w"] == 250.0)


def test_distance_from_positions_when_no_distance_meters() -> None:
    pts = "".join(_tp(i, dist=False) for i in range(10))
    (act,) = parse_tcx(_tcx(f"<Activities>{_activity('Running', pts)}</Activities>"), source="t")
    assert act.summary.distance_m == pytest.approx(9 * 30.0, rel=1e-3)
    assert act.streams["distance_m"][-1] == pytest.approx(9 * 30.0, rel=1e-3)


def test_cadence_rule() -> None:
    # median >= 120: already steps/min, kept; Biking: crank rpm, kept, no average
    steps = "".join(_tp(i, cad=172) for i in range(10))
    (run,) = parse_tcx(_tcx(f"<Activities>{_activity('Running', steps)}</Activities>"), source="r")
    assert run.summary.avg_cadence_spm == pytest.approx(172.0)
    rpm = "".join(_tp(i, cad=88, step=60.0) for i in range(10))
    (ride,) = parse_tcx(_tcx(f"<Activities>{_activity('Biking', rpm)}</Activities>"), source="b")
    assert ride.sport is Sport.CYCLING
    assert np.all(ride.streams["cadence_spm"] == 88.0)
    assert ride.summary.avg_cadence_spm is None


def test_other_with_walking_cadence_is_a_walk() -> None:
    pts = "".join(_tp(i, cad=57, step=12.0) for i in range(40))  # 1.2 m/s, 114 steps/min
    (act,) = parse_tcx(_tcx(f"<Activities>{_activity('Other', pts)}</Activities>"), source="w")
    assert act.sport is Sport.WALKING
    assert act.summary.avg_cadence_spm == pytest.approx(114.0)


def test_other_without_cadence_stays_other() -> None:
    pts = "".join(_tp(i, step=12.0) for i in range(40))  # 1.2 m/s, no steps: maybe a paddle
    (act,) = parse_tcx(_tcx(f"<Activities>{_activity('Other', pts)}</Activities>"), source="o")
    assert act.sport is Sport.OTHER


def test_multisport_legs() -> None:
    run = "".join(_tp(i) for i in range(10))
    session = (
        f"<MultiSportSession><Id>2024-05-01T08:00:00Z</Id>"
        f"<FirstSport>{_activity('Biking', run)}</FirstSport>"
        f"<NextSport>{_activity('Running', run)}</NextSport></MultiSportSession>"
    )
    acts = parse_tcx(_tcx(f"<Activities>{session}</Activities>"), source="m")
    assert [(a.sport, a.leg_index) for a in acts] == [(Sport.CYCLING, 0), (Sport.RUNNING, 1)]


def test_lap_distance_wins_over_trackpoints() -> None:
    pts = "".join(_tp(i) for i in range(10))
    (act,) = parse_tcx(
        _tcx(f"<Activities>{_activity('Running', pts, lap_distance=500.0)}</Activities>"),
        source="l",
    )
    assert act.summary.distance_m == 500.0
    assert any("lap total is kept" in w for w in act.warnings)


@pytest.mark.parametrize(
    ("doc", "error", "match"),
    [
        (_tcx("<Activities/>"), NoActivityError, "no activity"),
        (_tcx('<Courses><Course><Name>Loop</Name></Course></Courses>'), NoActivityError,
         "course"),
        (_tcx(f"<Activities>{_activity('Running', '')}</Activities>"), NoActivityError,
         "no timed trackpoint"),
        (_tcx(f"<Activities>{_activity('Running', '<Trackpoint/>')}</Activities>"),
         NoActivityError, "no timed trackpoint"),
        (b"<gpx/>", UnsupportedFormatError, "not <TrainingCenterDatabase>"),
        (_tcx("<Activities>")[:-30], CorruptFileError, "line 1"),
    ],
    ids=["empty", "courses", "no-trackpoints", "untimed", "not-tcx", "truncated"],
)
def test_errors(doc: bytes, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        parse_tcx(doc, source="x.tcx")


_NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**400), 10**400).map(str),
    st.sampled_from(["", "1e999", "-0", "NaN", "1,5"]),
)
_TIME = st.one_of(
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.sampled_from(["", "1901-12-13T20:45:52Z", "2020-02-30T00:00:00Z"]),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_TIME, *[_NUMBER] * 8), max_size=10),
    st.tuples(_TIME, _NUMBER, _NUMBER, _NUMBER, _NUMBER),
    st.sampled_from(["Running", "Biking", "Other", ""]),
)
def test_hostile_values_never_escape(
    points: list[tuple[str, ...]], lap: tuple[str, ...], sport: str
) -> None:
    """Any value in any field: an Activity or an ActivityFileError, never a warning."""
    tps = "".join(
        f"<Trackpoint><Time>{t}</Time><Position><LatitudeDegrees>{la}</LatitudeDegrees>"
        f"<LongitudeDegrees>{lo}</LongitudeDegrees></Position><AltitudeMeters>{al}"
        f"</AltitudeMeters><DistanceMeters>{di}</DistanceMeters><HeartRateBpm><Value>{hr}"
        f"</Value></HeartRateBpm><Cadence>{ca}</Cadence><Extensions><x:TPX><x:Speed>{sp}"
        f"</x:Speed><x:Watts>{wa}</x:Watts></x:TPX></Extensions></Trackpoint>"
        for t, la, lo, al, di, hr, ca, sp, wa in points
    )
    start, total, dist, hr, cad = lap
    doc = _tcx(
        f'<Activities><Activity Sport="{sport}"><Lap StartTime="{start}"><TotalTimeSeconds>'
        f"{total}</TotalTimeSeconds><DistanceMeters>{dist}</DistanceMeters>"
        f"<AverageHeartRateBpm><Value>{hr}</Value></AverageHeartRateBpm><Cadence>{cad}</Cadence>"
        f"<Track>{tps}</Track></Lap></Activity></Activities>"
    )
    try:
        acts = parse_tcx(doc, source="h.tcx")
    except ActivityFileError:
        return
    for a in acts:
        assert a.summary.elapsed_s >= 0
