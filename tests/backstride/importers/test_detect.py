"""Format detection from content only."""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile
from pathlib import Path

import pytest

from backstride.errors import UnsupportedFormatError
from backstride.importers.detect import describe, detect_format, looks_like_activity, sniff


def test_every_shared_file_is_detected_by_content(activities_dir: Path) -> None:
    for path in sorted(activities_dir.rglob("*")):
        if path.suffix.lower() not in (".fit", ".gpx", ".tcx"):
            continue
        head = path.read_bytes()[:65536]
        assert detect_format(head) == path.suffix.lower()[1:], path


def test_csv_and_readme_in_the_shared_folder_are_not_activities(activities_dir: Path) -> None:
    for name in ("REFERENCE.csv", "README.md", "gpxpy/LICENSE.txt"):
        data = (activities_dir / name).read_bytes()
        assert not looks_like_activity(data)
        with pytest.raises(UnsupportedFormatError, match="not an activity file"):
            detect_format(data, source=name)


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


GPX = b'<gpx xmlns="http://www.topografix.com/GPX/1/1"/>'


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (bytes([14, 0x10, 0, 0, 0, 0, 0, 0]) + b".FIT" + bytes(6), "fit"),
        (bytes([12, 0x10, 0, 0, 0, 0, 0, 0]) + b".FIT", "fit"),
        (gzip.compress(b"anything"), "gzip"),
        (_zip_bytes({"a.fit": b"x"}), "zip"),
        (_zip_bytes({}), "zip"),  # empty archive: end-of-central-directory only
        (GPX, "gpx"),
        (codecs.BOM_UTF8 + b'<?xml version="1.0"?>\n' + GPX, "gpx"),
        (b'  \n<?xml version="1.0"?><!-- exported by X --><?pi x?>\n'
         b'<!DOCTYPE gpx [<!ELEMENT gpx ANY>]>\n<gpx/>', "gpx"),
        (b"<g:gpx xmlns:g='http://www.topografix.com/GPX/1/1'/>", "gpx"),
        ('<?xml version="1.0" encoding="UTF-16"?><gpx/>'.encode("utf-16"), "gpx"),
        (b'<?xml version="1.0"?>\n<TrainingCenterDatabase xmlns="x">', "tcx"),
        (b"<?xml version='1.0'?>\n  <Activities>\n    <Activity Sport=\"Running\">", "tcx"),
    ],
    ids=["fit14", "fit12", "gzip", "zip", "empty-zip", "gpx", "bom-decl", "prologue",
         "prefixed-root", "utf16", "tcx", "tcx-without-root"],
)
def test_formats(data: bytes, fmt: str) -> None:
    assert detect_format(data) == fmt


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"", "empty file"),
        (b'{"activities": []}', "JSON"),
        (b"Activity ID,Activity Date,Activity Name\n1,2,3\n", "CSV"),
        (b"\x89PNG\r\n\x1a\n" + bytes(20), "PNG image"),
        (b"\xff\xd8\xff\xe0" + bytes(20), "JPEG image"),
        (b"%PDF-1.7\n", "PDF"),
        (b"<!DOCTYPE html><html><body/></html>", "HTML"),
        (b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"/>', "<kml>"),
        (b"<Activities><Workout/></Activities>", "<Activities>"),
        (b"Just some notes about my run.\n", "plain text"),
        (bytes([14, 0x10, 0, 0, 0, 0, 0, 0]) + b".FTT" + bytes(6), "binary"),
        (bytes(range(256)) * 4, "binary"),
    ],
    ids=["empty", "json", "csv", "png", "jpeg", "pdf", "html", "kml", "not-tcx-activities",
         "text", "bad-fit-magic", "binary"],
)
def test_not_activities_say_what_they_look_like(data: bytes, what: str) -> None:
    with pytest.raises(UnsupportedFormatError, match=f"not an activity file.*{what}"):
        detect_format(data, source="f")
    assert what in describe(data)


def test_unknown_binary_may_still_be_an_activity() -> None:
    # content we cannot name is not "clearly something else": it may be a damaged FIT
    assert sniff(bytes(range(256)))[0] == "unknown"
    assert looks_like_activity(bytes(range(256)))
    assert not looks_like_activity(b'{"a": 1}')


def test_extension_is_never_consulted() -> None:
    # the same bytes are the same format whatever they are called
    assert detect_format(GPX, source="activity.fit") == "gpx"
    with pytest.raises(UnsupportedFormatError):
        detect_format(b'{"x": 1}', source="run.gpx")
