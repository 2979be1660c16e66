"""The hand-written SVG charts: scales, escaping, markers, empty input."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from xml.etree import ElementTree

import pytest

from backstride.report import svg


def _xml(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)   # well-formed XML, not only HTML


@pytest.mark.parametrize(("lo", "hi"), [(0, 1), (0, 56.2), (158.3, 167.9), (48.4, 51.6),
                                        (0, 812), (0, 0), (-3, 3)])
def test_nice_ticks_cover_the_range(lo: float, hi: float) -> None:
    ticks = svg.nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi and 2 <= len(ticks) <= 12
    steps = {round(b - a, 9) for a, b in pairwise(ticks)}
    assert len(steps) == 1


def test_bar_chart_marks_and_escaping() -> None:
    bars = [svg.Bar("<W1>", 10.0, ("hill",)), svg.Bar("W2 & co", 30.0, ("spike",)),
            svg.Bar("W3", 0.0)]
    marks = [svg.Mark("spike", "spike", "triangle", "#D55E00"),
             svg.Mark("hill", "hill <week>", "band", "#009E73")]
    text = svg.bar_chart(bars, title="T <1>", desc="D & d", y_label="km", marks=marks,
                         ref_lines=[svg.RefLine(25, "target")])
    root = _xml(text)
    title = root.find("title")
    assert title is not None and title.text == "T <1>"
    assert "<W1>" not in text and "&lt;W1&gt;" in text and "hill &lt;week&gt;" in text
    assert text.count("<polygon") == 2                # one spike mark + its legend symbol
    assert 'fill-opacity="0.18"' in text              # the hill band
    assert svg.bar_chart(bars, title="T", desc="D", y_label="km") == svg.bar_chart(
        bars, title="T", desc="D", y_label="km")      # same input, same bytes


def test_empty_and_single_point_charts() -> None:
    _xml(svg.bar_chart([], title="a", desc="b", y_label="km"))
    _xml(svg.hbar_chart([], title="a", desc="b", x_label="km"))
    one = svg.Series("s", (svg.Point(738000.0, 50.0),))
    _xml(svg.line_chart([one], title="a", desc="b", y_label="%"))
    _xml(svg.line_chart([], title="a", desc="b", y_label="%"))


def test_month_ticks() -> None:
    ticks = svg.month_ticks(date(2024, 6, 3), date(2025, 6, 1))
    assert ticks[0] == (float(date(2024, 7, 1).toordinal()), "Jul 24")
    assert ticks[-1][1] == "Jun 25" and len(ticks) == 12
    assert len(svg.month_ticks(date(2015, 1, 1), date(2025, 1, 1))) <= 13


def test_line_chart_shapes_and_fixed_ticks() -> None:
    pts = (svg.Point(1.0, 2.0), svg.Point(2.0, 11.0))
    series = [svg.Series(shape, pts, shape=shape)
              for shape in ("circle", "square", "triangle", "triangle-down", "diamond")]
    text = svg.line_chart(series, title="t", desc="d", y_label="pain", y_range=(0, 12),
                          y_ticks=(0, 2, 4, 6, 8, 10))
    root = _xml(text)
    assert len(root.findall(".//circle")) == 2 + 1               # points + legend symbol
    assert len(root.findall(".//rect")) >= 2 + 1                 # squares (+ clip box)
    assert len(root.findall(".//polygon")) == 3 * (2 + 1)        # triangles, diamond
    labels = [t.text for t in root.iter("text")]
    assert [v for v in labels if v in {"0", "2", "4", "6", "8", "10", "12"}] == [
        "0", "2", "4", "6", "8", "10"]
