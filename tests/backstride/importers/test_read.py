"""read_source: limits, bounded gunzip, dispatch, export overrides, cross-format twins,
and the promise that only ActivityFileError ever escapes (property tests)."""

from __future__ import annotations

import dataclasses
import gzip
import io
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backstride.domain.activity import Activity, Sport
from backstride.domain.summary import haversine_m
from backstride.errors import (
    ActivityFileError,
    CorruptFileError,
    FileTooLargeError,
    NoActivityError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from backstride.importers import read as read_module
from backstride.importers.gpx import parse_gpx
from backstride.importers.read import gunzip_bounded, read_source
from backstride.importers.source import Source, SourceMeta
from backstride.importers.tcx import parse_tcx
from backstride.settings import ImportLimits

LIMITS = ImportLimits()
MiB = 1024 * 1024


def _read(activities_dir: Path, rel: str, meta: SourceMeta | None = None) -> list[Activity]:
    data = (activities_dir / rel).read_bytes()
    return read_source(Source(rel, data, meta or SourceMeta()), LIMITS)


# --------------------------------------------------------------------------- dispatch


def test_gpx_and_tcx_dispatch(activities_dir: Path) -> None:
    (gpx,) = _read(activities_dir, "runpandas/run.gpx")
    (tcx,) = _read(activities_dir, "runpandas/run.tcx")
    assert (gpx.source_format, tcx.source_format) == ("gpx", "tcx")


def test_fit_goes_to_parse_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bytes, str]] = []

    def fake(data: bytes, *, source: str) -> list[Activity]:
        seen.append((data, source))
        raise NoActivityError(source, "fake")

    monkeypatch.setattr(read_module, "parse_fit", fake)
    fit = bytes([14, 0x10, 0, 0, 0, 0, 0, 0]) + b".FIT" + bytes(6)
    with pytest.raises(NoActivityError):
        read_source(Source("x.bin", fit), LIMITS)
    with pytest.raises(NoActivityError):
        read_source(Source("x.fit.gz", gzip.compress(fit)), LIMITS)
    assert seen == [(fit, "x.bin"), (fit, "x.fit.gz")]


def test_unexpected_exceptions_become_corrupt_file_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(data: bytes, *, source: str) -> list[Activity]:
        raise RuntimeError("decoder bug")

    monkeypatch.setattr(read_module, "parse_fit", broken)
    fit = bytes([14, 0x10, 0, 0, 0, 0, 0, 0]) + b".FIT" + bytes(6)
    with pytest.raises(CorruptFileError, match="RuntimeError: decoder bug") as info:
        read_source(Source("a.zip!x.fit", fit), LIMITS)
    assert info.value.source == "a.zip!x.fit"


def test_errors_name_the_source() -> None:
    with pytest.raises(UnsupportedFormatError) as info:
        read_source(Source("export.zip!notes.txt", b"hello"), LIMITS)
    assert info.value.source == "export.zip!notes.txt"
    assert str(info.value).startswith("export.zip!notes.txt: not an activity file")


def test_oversize_file() -> None:
    limits = dataclasses.replace(LIMITS, max_file_bytes=1000)
    with pytest.raises(FileTooLargeError, match="limit"):
        read_source(Source("big.gpx", b"<gpx>" + b" " * 2000 + b"</gpx>"), limits)


def test_zip_handed_to_the_reader_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.gpx", "<gpx/>")
    with pytest.raises(UnsupportedFormatError, match="nested too deeply"):
        read_source(Source("a.zip!b.zip!c.zip", buf.getvalue()), LIMITS)


# --------------------------------------------------------------------------- gzip


def test_gzip_variants_read_like_the_plain_file(activities_dir: Path) -> None:
    rel = "sports-lib/20171008_run_2067489619.gpx"
    raw = (activities_dir / rel).read_bytes()
    (plain,) = read_source(Source(rel, raw), LIMITS)
    half = len(raw) // 2
    variants = {
        "single member": gzip.compress(raw),
        "two members": gzip.compress(raw[:half]) + gzip.compress(raw[half:]),
        "zero padding": gzip.compress(raw) + bytes(512),
    }
    for label, data in variants.items():
        (act,) = read_source(Source(f"{rel}.gz", data), LIMITS)
        assert act.summary == plain.summary, label
        assert not act.warnings, label


def test_truncated_gzip_keeps_what_inflates_with_a_warning(activities_dir: Path) -> None:
    rel = "runpandas/run_garmin.tcx"
    raw = (activities_dir / rel).read_bytes()
    data = gzip.compress(raw)
    # cut the trailer only: the XML is complete, the gzip stream is not
    (act,) = read_source(Source("r.tcx.gz", data[:-8]), LIMITS)
    assert any("gzip data ends early" in w for w in act.warnings)
    # cut deep into the stream: the XML is incomplete too
    with pytest.raises(CorruptFileError):
        read_source(Source("r.tcx.gz", data[: len(data) // 2]), LIMITS)


def test_damaged_gzip() -> None:
    with pytest.raises(CorruptFileError, match="gzip"):
        read_source(Source("x.gpx.gz", b"\x1f\x8b\x08\x00" + b"\xff" * 40), LIMITS)


def test_gzip_inside_gzip_is_refused() -> None:
    with pytest.raises(UnsupportedFormatError, match="inside gzip"):
        read_source(Source("x.gz", gzip.compress(gzip.compress(b"<gpx/>"))), LIMITS)


@pytest.fixture(scope="module")
def zeros_member() -> bytes:
    """One gzip member of 64 MiB of zeros (about 64 KB compressed, ratio ~1000)."""
    c = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(MiB)
    return b"".join([*(c.compress(chunk) for _ in range(64)), c.flush()])


def test_gzip_bomb_ratio(zeros_member: bytes) -> None:
    with pytest.raises(UnsafeInputError, match="200x"):
        read_source(Source("bomb.gpx.gz", zeros_member), LIMITS)


def test_gzip_bomb_size_stops_without_inflating_everything(zeros_member: bytes) -> None:
    # 160 members: 10 GiB once inflated, 10 MB on the wire
    bomb = zeros_member * 160
    limits = dataclasses.replace(
        LIMITS, max_compression_ratio=1e12, max_archive_member_bytes=16 * MiB
    )
    with pytest.raises(UnsafeInputError, match="limit for archive members"):
        gunzip_bounded(bomb, limits, source="bomb.gz")
    # and an honest file over the file limit is "too large", not "unsafe"
    limits = dataclasses.replace(LIMITS, max_compression_ratio=1e12, max_file_bytes=8 * MiB)
    with pytest.raises(FileTooLargeError, match="inside gzip"):
        read_source(Source("big.gpx.gz", zeros_member), limits)


# --------------------------------------------------------------------------- overrides


def test_source_meta_overrides_gear_sport_and_name(activities_dir: Path) -> None:
    meta = SourceMeta(gear="Pegasus 40", sport=Sport.TRAIL_RUNNING, name="Sunday long run")
    (act,) = _read(activities_dir, "runpandas/stopped_example.gpx", meta=meta)
    assert (act.gear, act.sport, act.name) == ("Pegasus 40", Sport.TRAIL_RUNNING, "Sunday long run")
    assert act.summary.avg_cadence_spm == pytest.approx(170.0, abs=1.0)
    tcx = "runpandas/run_garmin.tcx"
    (walk,) = _read(activities_dir, tcx, meta=SourceMeta(sport=Sport.WALKING))
    assert walk.sport is Sport.WALKING
    (ride,) = _read(activities_dir, tcx, meta=SourceMeta(sport=Sport.CYCLING))
    assert ride.summary.avg_cadence_spm is None  # crank rate, not steps
    (plain,) = _read(activities_dir, tcx, meta=SourceMeta(gear="Shoe"))
    assert (plain.gear, plain.sport, plain.name) == ("Shoe", Sport.RUNNING, None)


# --------------------------------------------------------------------------- twins

# True format twins: one recording exported twice. The brief's tolerances hold:
# start within 5 s, elapsed within 1 %, distance within 5 %, average HR within 2 bpm.
# Distance may differ by up to 5 % because a GPX carries no distance of its own: it is
# the 2-D length of the track, which includes GPS jitter (stopped_example: 12 595 m
# during a long stop vs the watch's 12 008 m), while a TCX total is the device's own.
FORMAT_TWINS = [
    ("runpandas/run.tcx", "runpandas/run.gpx"),
    ("runpandas/stopped_example.tcx", "runpandas/stopped_example.gpx"),
]

# The five runpandas/samples TCX runs and their runpandas/session GPX twins are the same
# runs recorded by two devices (a Garmin-style watch and Nike Run Club on a phone), not
# one recording in two formats, and the brief's tolerances do not hold for them in the
# files themselves (gpxpy and tcxreader give the same values as we do):
# * the recordings start up to 11 s apart (12-13: 10.7 s);
# * 12-02's GPX stops 667 s before the watch (1832 s of 2498 s), so elapsed and
#   distance are compared over the time both cover;
# * distance over the common time differs by up to 9.7 % (12-13: phone 10 357 m, watch
#   9 442 m), elapsed by up to 1.9 %;
# * the phone's heart rate is 15-22 bpm above the watch's at the same instants
#   (12-13: median +15.7 bpm, correlation 0.80): a different sensor, so averages are
#   not compared; that both files carry heart rate is.
SAMPLE_TWINS = [
    ("2020-12-02T06_08_29-300_Running.tcx", "36bb9510-27b3-4c13-9d68-55b59af24ec3.gpx"),
    ("2020-12-06T06_36_21-300_Running.tcx", "c74b49c3-6505-4874-9ef1-9f9cbd149896.gpx"),
    ("2020-12-08T06_36_12-300_Running.tcx", "e72ac978-0e43-493a-b4f2-50102b64939a.gpx"),
    ("2020-12-13T07_25_55-300_Running.tcx", "f5bda6ea-d83c-466d-9ced-c480d4b02073.gpx"),
    ("2020-12-26T06_03_49-300_Running.tcx", "531a7cd6-3ae1-4a03-99dc-f6fcb8d97eb0.gpx"),
]


@pytest.mark.parametrize(("tcx", "gpx"), FORMAT_TWINS, ids=[t for t, _ in FORMAT_TWINS])
def test_format_twins_agree(activities_dir: Path, tcx: str, gpx: str) -> None:
    (a,) = _read(activities_dir, tcx)
    (b,) = _read(activities_dir, gpx)
    assert a.start_utc is not None and b.start_utc is not None
    assert abs((a.start_utc - b.start_utc).total_seconds()) <= 5
    assert b.summary.elapsed_s == pytest.approx(a.summary.elapsed_s, rel=0.01)
    assert b.summary.distance_m == pytest.approx(a.summary.distance_m, rel=0.05)
    assert (a.summary.avg_hr_bpm is None) == (b.summary.avg_hr_bpm is None)
    if a.summary.avg_hr_bpm is not None:
        assert b.summary.avg_hr_bpm == pytest.approx(a.summary.avg_hr_bpm, abs=2)
    assert a.sport is b.sport is Sport.RUNNING


def _window_distance(act: Activity, lo: float, hi: float) -> float:
    assert act.start_utc is not None
    t = act.streams["time_s"] + act.start_utc.timestamp()
    d = act.streams["distance_m"]
    ok = np.isfinite(d)
    return float(np.interp(hi, t[ok], d[ok]) - np.interp(lo, t[ok], d[ok]))


@pytest.mark.parametrize(("tcx", "gpx"), SAMPLE_TWINS, ids=[t for t, _ in SAMPLE_TWINS])
def test_same_run_on_two_devices(activities_dir: Path, tcx: str, gpx: str) -> None:
    (a,) = _read(activities_dir, f"runpandas/samples/{tcx}")
    (b,) = _read(activities_dir, f"runpandas/session/{gpx}")
    assert a.start_utc is not None and b.start_utc is not None
    assert abs((a.start_utc - b.start_utc).total_seconds()) <= 15
    ta0, tb0 = a.start_utc.timestamp(), b.start_utc.timestamp()
    lo = max(ta0, tb0)
    hi = min(ta0 + a.summary.elapsed_s, tb0 + b.summary.elapsed_s)
    shorter = min(a.summary.elapsed_s, b.summary.elapsed_s)
    assert hi - lo >= 0.98 * shorter  # one recording lies within the other
    if tcx.startswith("2020-12-02"):
        assert b.summary.elapsed_s == pytest.approx(1831.7, abs=1)  # the GPX stops early
    else:
        assert b.summary.elapsed_s == pytest.approx(a.summary.elapsed_s, rel=0.02)
    da, db = _window_distance(a, lo, hi), _window_distance(b, lo, hi)
    assert db == pytest.approx(da, rel=0.10)
    # the two tracks are the same streets: half the phone's points lie within 100 m of
    # the watch's position at the same instant (observed medians 15-58 m; the clocks of
    # two devices disagree by seconds, i.e. tens of metres at running pace)
    tb = b.streams["time_s"] + tb0
    ta = a.streams["time_s"] + ta0
    inside = (tb >= lo) & (tb <= hi)
    has_pos = np.isfinite(a.streams["latitude_deg"])
    lat = np.interp(tb[inside], ta[has_pos], a.streams["latitude_deg"][has_pos])
    lon = np.interp(tb[inside], ta[has_pos], a.streams["longitude_deg"][has_pos])
    gap = haversine_m(lat, lon, b.streams["latitude_deg"][inside],
                      b.streams["longitude_deg"][inside])
    assert float(np.median(gap)) < 100
    assert a.summary.avg_hr_bpm is not None and b.summary.avg_hr_bpm is not None


# --------------------------------------------------------------------------- property

SMALL_GPX = ("runpandas/garmin_connect.gpx", "gpxpy/track-with-empty-segment.gpx")
SMALL_TCX = ("runpandas/run_garmin.tcx",)


@pytest.fixture(scope="module")
def seeds(activities_dir: Path) -> list[bytes]:
    return [(activities_dir / f).read_bytes() for f in (*SMALL_GPX, *SMALL_TCX)]


def _check_only_file_errors(data: bytes) -> None:
    for call in (
        lambda: parse_gpx(data, source="fuzz"),
        lambda: parse_tcx(data, source="fuzz"),
        lambda: read_source(Source("fuzz", data), LIMITS),
    ):
        try:
            acts = call()
        except ActivityFileError as exc:
            assert exc.source == "fuzz"
        else:
            assert acts and all(isinstance(a, Activity) for a in acts)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_raise_only_file_errors(data: bytes) -> None:
    _check_only_file_errors(data)
    _check_only_file_errors(b'<?xml version="1.0"?><gpx><trk><trkseg>' + data)


@st.composite
def _mutation(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "delete", "dup"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from(
                [b"<", b">", b"&", b"<!ENTITY x 'y'>", b"</trkpt>", b"<Trackpoint>", b"\x00",
                 b"NaN", b"-1e999", b"<time>1901-01-01T00:00:00Z</time>", b"\xff\xfe"]
            ))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 200))]
        else:
            data[pos:pos] = data[pos:pos + draw(st.integers(1, 400))]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_real_files_raise_only_file_errors(seeds: list[bytes], data: st.DataObject) -> None:
    blob = data.draw(_mutation(seeds))
    _check_only_file_errors(blob)
    _check_only_file_errors(gzip.compress(blob, compresslevel=1))
