"""Paths, folders, zip archives (limits, traversal, nesting) and Strava bulk exports."""

from __future__ import annotations

import dataclasses
import gzip
import io
import os
import stat
import zipfile
import zlib
from pathlib import Path

import pytest

from backstride.domain.activity import Sport
from backstride.errors import (
    ActivityFileError,
    CorruptFileError,
    FileTooLargeError,
    NoActivityError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from backstride.importers.read import read_source
from backstride.importers.source import Source, SourceMeta
from backstride.importers.sources import (
    expand_paths,
    iter_sources,
    read_strava_csv,
    sources_in_file,
)
from backstride.settings import ImportLimits

LIMITS = ImportLimits()
MiB = 1024 * 1024
GPX_A = "runpandas/run.gpx"
GPX_B = "runpandas/stopped_example.gpx"
TCX_A = "runpandas/run_garmin.tcx"


def _sources(entries: list[Source | ActivityFileError]) -> list[Source]:
    return [e for e in entries if isinstance(e, Source)]


def _errors(entries: list[Source | ActivityFileError]) -> list[ActivityFileError]:
    return [e for e in entries if isinstance(e, ActivityFileError)]


def _zip(path: Path, members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --------------------------------------------------------------------------- folders


@pytest.fixture
def tree(tmp_path: Path, activities_dir: Path) -> Path:
    """A folder tree: activities at two depths, gzip, hidden files, a README, JSON, CSV."""
    root = tmp_path / "runs"
    (root / "2021" / "jan").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "b_run.gpx").write_bytes((activities_dir / GPX_A).read_bytes())
    (root / "2021" / "jan" / "a.tcx").write_bytes((activities_dir / TCX_A).read_bytes())
    (root / "2021" / "stopped.gpx.gz").write_bytes(
        gzip.compress((activities_dir / GPX_B).read_bytes())
    )
    (root / "README.txt").write_text("My runs, exported from my watch.\n")
    (root / "2021" / "summary.json").write_text('{"runs": 3}')
    (root / "2021" / "laps.csv").write_text("lap,time,distance\n1,300,1000\n")
    (root / "2021" / "notes.json.gz").write_bytes(gzip.compress(b'{"a": 1}'))
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    (root / "blob.bin").write_bytes(bytes(range(256)))
    (root / "broken.fit").write_bytes(bytes(range(256)))  # unreadable, named like a FIT
    (root / ".hidden.gpx").write_bytes((activities_dir / GPX_A).read_bytes())
    (root / ".git" / "x.gpx").write_bytes((activities_dir / GPX_A).read_bytes())
    return root


def test_folder_walk_is_recursive_sorted_and_skips_non_activities(tree: Path) -> None:
    files, errors = expand_paths([tree])
    assert errors == []
    rel = [str(f.relative_to(tree)) for f in files]
    assert rel == ["2021/jan/a.tcx", "2021/stopped.gpx.gz", "b_run.gpx", "broken.fit"]


def test_files_are_taken_as_given_and_missing_paths_are_errors(tree: Path) -> None:
    readme, missing = tree / "README.txt", tree / "nope.gpx"
    files, errors = expand_paths([readme, missing, tree / "b_run.gpx"])
    assert files == [readme, tree / "b_run.gpx"]
    assert [e.source for e in errors] == [str(missing)]
    assert "no such file" in errors[0].reason


def test_a_named_non_activity_is_an_error(tree: Path) -> None:
    (err,) = list(sources_in_file(tree / "README.txt", LIMITS))
    assert isinstance(err, UnsupportedFormatError)
    assert "not an activity file (plain text)" in str(err)
    (err,) = list(sources_in_file(tree / "2021" / "summary.json", LIMITS))
    assert isinstance(err, UnsupportedFormatError) and "JSON" in err.reason


def test_iter_sources_over_a_tree_reads_everything(tree: Path) -> None:
    entries = list(iter_sources([tree, tree / "missing"], LIMITS))
    names = [Path(e.name if isinstance(e, Source) else e.source).name for e in entries]
    assert names == ["a.tcx", "stopped.gpx.gz", "b_run.gpx", "broken.fit", "missing"]
    outcomes: dict[str, object] = {}
    for e in entries:
        if isinstance(e, Source):
            try:
                outcomes[Path(e.name).name] = read_source(e, LIMITS)[0].sport
            except ActivityFileError as exc:
                outcomes[Path(e.name).name] = type(exc).__name__
        else:
            outcomes[Path(e.source).name] = type(e).__name__
    assert outcomes == {
        "a.tcx": Sport.RUNNING, "stopped.gpx.gz": Sport.RUNNING, "b_run.gpx": Sport.RUNNING,
        "broken.fit": "UnsupportedFormatError", "missing": "ActivityFileError",
    }


def test_oversize_plain_file(tmp_path: Path) -> None:
    big = tmp_path / "big.gpx"
    big.write_bytes(b"<gpx>" + b" " * 5000 + b"</gpx>")
    (err,) = list(sources_in_file(big, dataclasses.replace(LIMITS, max_file_bytes=1000)))
    assert isinstance(err, FileTooLargeError)


# --------------------------------------------------------------------------- zip


def test_zip_members_become_sources(tmp_path: Path, activities_dir: Path) -> None:
    archive = _zip(tmp_path / "export.zip", {
        "runs/a.gpx": (activities_dir / GPX_A).read_bytes(),
        "runs/b.tcx.gz": gzip.compress((activities_dir / TCX_A).read_bytes()),
        "runs/": b"",
        "notes.txt": b"hello",
        "meta.json": b"{}",
        "__MACOSX/runs/._a.gpx": b"\x00\x05\x16\x07junk",
    })
    entries = list(sources_in_file(archive, LIMITS))
    assert _errors(entries) == []
    assert [s.name for s in _sources(entries)] == [
        f"{archive}!runs/a.gpx", f"{archive}!runs/b.tcx.gz",
    ]
    for s in _sources(entries):
        assert read_source(s, LIMITS)


def test_nested_zip_one_level(tmp_path: Path, activities_dir: Path) -> None:
    inner = _zip_bytes({"x.gpx": (activities_dir / GPX_A).read_bytes()})
    innermost = _zip_bytes({"deep.zip": _zip_bytes({"y.gpx": b"<gpx/>"})})
    archive = _zip(tmp_path / "garmin.zip", {
        "DI_CONNECT/uploaded.zip": inner, "too/deep.zip": innermost,
        "z.gpx": (activities_dir / GPX_B).read_bytes(),
    })
    entries = list(sources_in_file(archive, LIMITS))
    assert [s.name for s in _sources(entries)] == [
        f"{archive}!DI_CONNECT/uploaded.zip!x.gpx", f"{archive}!z.gpx",
    ]
    (err,) = _errors(entries)
    assert isinstance(err, UnsupportedFormatError)
    assert err.source == f"{archive}!too/deep.zip!deep.zip"


def test_unsafe_members_are_refused_while_others_continue(
    tmp_path: Path, activities_dir: Path
) -> None:
    gpx = (activities_dir / GPX_A).read_bytes()
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ok1.gpx", gpx)
        zf.writestr("../../etc/cron.d/evil.gpx", gpx)
        zf.writestr("/abs/evil.gpx", gpx)
        zf.writestr("C:\\windows\\evil.gpx", gpx)
        link = zipfile.ZipInfo("link.gpx")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("ok2.gpx", gpx)
    entries = list(sources_in_file(archive, LIMITS))
    assert [s.name.rsplit("!", 1)[1] for s in _sources(entries)] == ["ok1.gpx", "ok2.gpx"]
    errors = _errors(entries)
    assert all(isinstance(e, UnsafeInputError) for e in errors)
    assert [e.source.rsplit("!", 1)[1] for e in errors] == [
        "../../etc/cron.d/evil.gpx", "/abs/evil.gpx", "C:\\windows\\evil.gpx", "link.gpx",
    ]
    assert "'..'" in errors[0].reason and "symbolic link" in errors[3].reason


def test_zip_bomb_ratio_and_size(tmp_path: Path, activities_dir: Path) -> None:
    gpx = (activities_dir / GPX_A).read_bytes()
    archive = _zip(tmp_path / "bomb.zip", {
        "bomb.gpx": b"<gpx>" + bytes(40 * MiB) + b"</gpx>",  # ~1000x
        "fine.gpx": gpx,
    })
    entries = list(sources_in_file(archive, LIMITS))
    (err,) = _errors(entries)
    assert isinstance(err, UnsafeInputError) and "200x" in err.reason
    assert [s.name.rsplit("!", 1)[1] for s in _sources(entries)] == ["fine.gpx"]

    # size: stored (ratio 1) but over the member limit; then over the archive total
    stored = _zip(tmp_path / "stored.zip", {
        "a.gpx": gpx, "huge.gpx": bytes(3 * MiB), "b.gpx": gpx,
    }, method=zipfile.ZIP_STORED)
    small = dataclasses.replace(LIMITS, max_archive_member_bytes=2 * MiB)
    entries = list(sources_in_file(stored, small))
    assert [e.source.rsplit("!", 1)[1] for e in _errors(entries)] == ["huge.gpx"]
    assert len(_sources(entries)) == 2
    total = dataclasses.replace(LIMITS, max_archive_total_bytes=len(gpx) + MiB)
    entries = list(sources_in_file(stored, total))
    assert len(_sources(entries)) == 1  # a.gpx; reading stops at the total limit
    (err,) = _errors(entries)
    assert isinstance(err, UnsafeInputError) and "total" in err.reason


def test_large_media_in_an_archive_is_skipped_without_inflating(
    tmp_path: Path, activities_dir: Path
) -> None:
    video = b"\x00\x00\x00\x18ftypmp42" + bytes(3 * MiB)  # over the member limit
    archive = _zip(tmp_path / "export.zip", {
        "media/clip.mp4": video, "activities/a.gpx": (activities_dir / GPX_A).read_bytes(),
    })
    small = dataclasses.replace(LIMITS, max_archive_member_bytes=2 * MiB)
    entries = list(sources_in_file(archive, small))
    assert _errors(entries) == []
    assert [s.name.rsplit("!", 1)[1] for s in _sources(entries)] == ["activities/a.gpx"]


def test_lying_headers_are_not_trusted(tmp_path: Path) -> None:
    """A member whose header understates its size is still stopped while inflating."""
    payload = bytes(8 * MiB)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = comp.compress(payload) + comp.flush()
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.gpx", payload)
    raw = bytearray(archive.read_bytes())
    # patch the uncompressed size in the local header (offset 22) and the central
    # directory (offset 24 of its record) to claim 1 KiB
    raw[22:26] = (1024).to_bytes(4, "little")
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24:cd + 28] = (1024).to_bytes(4, "little")
    archive.write_bytes(bytes(raw))
    assert len(deflated) < 20_000
    limits = dataclasses.replace(LIMITS, max_compression_ratio=1e9,
                                 max_archive_member_bytes=4 * MiB)
    entries = list(sources_in_file(archive, limits))
    (err,) = entries
    # zipfile stops at the declared size and then finds the CRC wrong: never a
    # multi-megabyte read on the header's word
    assert isinstance(err, CorruptFileError | UnsafeInputError)


def test_member_count_limit(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "many.zip", {f"{i}.gpx": b"<gpx/>" for i in range(20)})
    entries = list(sources_in_file(archive, dataclasses.replace(LIMITS, max_archive_members=10)))
    (err,) = entries
    assert isinstance(err, UnsafeInputError) and "20 members" in err.reason


def test_empty_and_damaged_archives(tmp_path: Path) -> None:
    empty = _zip(tmp_path / "empty.zip", {})
    (err,) = list(sources_in_file(empty, LIMITS))
    assert isinstance(err, NoActivityError)
    only_photos = _zip(tmp_path / "photos.zip", {"a.jpg": b"\xff\xd8\xff" + bytes(50)})
    (err,) = list(sources_in_file(only_photos, LIMITS))
    assert isinstance(err, NoActivityError)
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(b"PK\x03\x04" + bytes(100))
    (err,) = list(sources_in_file(damaged, LIMITS))
    assert isinstance(err, CorruptFileError)


# --------------------------------------------------------------------------- Strava

STRAVA_CSV = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,"
    "Elapsed Time,Distance,Activity Gear,Filename,Elapsed Time,Distance,Extra\n"
    '101,"Jan 10, 2021, 8:54:28 AM",Recife long run,Run,,5127,12.6,Pegasus 37,'
    "activities/101.gpx.gz,5127,12600,x\n"
    '102,"May 27, 2017, 8:13:01 AM","Trails, hills",Trail Run,"multi\nline",1423,4.8,'
    "Speedgoat 5,activities/102.tcx,1423,4800,x\n"
    '103,"Nov 25, 2018, 7:20:49 AM",Treadmill,Virtual Run,,823,2.1,,activities/103.tcx.gz\n'
    '104,"Jan 1, 2021, 9:00:00 AM",Yoga,Yoga,,3600,0,,,\n'
)


@pytest.fixture
def strava_files(activities_dir: Path) -> dict[str, bytes]:
    return {
        "activities.csv": STRAVA_CSV.encode(),
        "activities/101.gpx.gz": gzip.compress((activities_dir / GPX_B).read_bytes()),
        "activities/102.tcx": (activities_dir / "runpandas/run.tcx").read_bytes(),
        "activities/103.tcx.gz": gzip.compress((activities_dir / TCX_A).read_bytes()),
        "activities/999.gpx": (activities_dir / GPX_A).read_bytes(),  # not in the CSV
        "media/photo.jpg": b"\xff\xd8\xff\xe0" + bytes(64),
        "profile.csv": b"Athlete ID,Email Address\n1,a@b.c\n",
    }


def _by_member(sources: list[Source]) -> dict[str, Source]:
    return {s.name.replace("\\", "/").rsplit("activities/", 1)[-1]: s for s in sources}


def _check_strava(sources: list[Source]) -> None:
    by = _by_member(sources)
    assert set(by) == {"101.gpx.gz", "102.tcx", "103.tcx.gz", "999.gpx"}
    assert by["101.gpx.gz"].meta == SourceMeta("Pegasus 37", Sport.RUNNING, "Recife long run")
    assert by["102.tcx"].meta == SourceMeta("Speedgoat 5", Sport.TRAIL_RUNNING, "Trails, hills")
    assert by["103.tcx.gz"].meta == SourceMeta(None, Sport.TREADMILL, "Treadmill")
    assert by["999.gpx"].meta == SourceMeta()
    (a,) = read_source(by["101.gpx.gz"], LIMITS)
    assert (a.gear, a.sport, a.name) == ("Pegasus 37", Sport.RUNNING, "Recife long run")
    (b,) = read_source(by["102.tcx"], LIMITS)
    assert (b.gear, b.sport, b.name) == ("Speedgoat 5", Sport.TRAIL_RUNNING, "Trails, hills")
    (c,) = read_source(by["103.tcx.gz"], LIMITS)
    assert (c.gear, c.sport, c.name) == (None, Sport.TREADMILL, "Treadmill")
    assert c.summary.avg_cadence_spm is not None


def test_strava_export_zip(tmp_path: Path, strava_files: dict[str, bytes]) -> None:
    archive = _zip(tmp_path / "export_12345.zip",
                   {f"export_12345/{k}": v for k, v in strava_files.items()})
    entries = list(sources_in_file(archive, LIMITS))
    assert _errors(entries) == []
    _check_strava(_sources(entries))


def test_strava_export_unpacked_folder(tmp_path: Path, strava_files: dict[str, bytes]) -> None:
    root = tmp_path / "export"
    for name, data in strava_files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    entries = list(iter_sources([root], LIMITS))
    assert _errors(entries) == []
    _check_strava(_sources(entries))
    # a single file of the export named directly gets its metadata too
    (one,) = list(sources_in_file(root / "activities" / "102.tcx", LIMITS))
    assert isinstance(one, Source) and one.meta.gear == "Speedgoat 5"


def test_strava_csv_tolerance() -> None:
    table = read_strava_csv(STRAVA_CSV.encode("utf-8-sig"))
    assert set(table) == {"activities/101.gpx.gz", "activities/102.tcx", "activities/103.tcx.gz"}
    # missing columns, odd case, short rows, Windows paths
    odd = b"filename,ACTIVITY TYPE\r\n.\\activities\\7.fit.gz,Ride\r\nactivities/8.gpx\r\n"
    assert read_strava_csv(odd) == {
        "activities/7.fit.gz": SourceMeta(sport=Sport.CYCLING),
        "activities/8.gpx": SourceMeta(),
    }
    assert read_strava_csv(b"") == {}
    assert read_strava_csv(b"\xff\xfe garbage \x00") == {}


def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read anything")
    locked = tmp_path / "locked.gpx"
    locked.write_bytes(b"<gpx/>")
    locked.chmod(0)
    try:
        (err,) = list(sources_in_file(locked, LIMITS))
        assert isinstance(err, ActivityFileError) and "cannot read" in err.reason
    finally:
        locked.chmod(0o600)
