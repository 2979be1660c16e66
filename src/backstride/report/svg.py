"""Small hand-written SVG charts for offline HTML reports (no JavaScript, no fonts).

Each function returns one ``<svg>`` element as text, to be placed inline in an
HTML page: it scales to the page width (``viewBox``), carries a ``<title>`` and
``<desc>`` for screen readers, a ``<title>`` tooltip on every bar and point, and
a legend drawn inside the SVG so it prints with the chart. Markers never rely on
colour alone: each kind has its own shape or position (triangles above a bar, a
shaded band behind it, dashed reference lines with a text label).

Points of a :class:`Series` are circles by default; ``Series.shape`` draws squares,
triangles (up or down) or diamonds instead, so series can differ by shape as well as
colour. Colours are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies): :data:`COLOURS`.

Charts
------
:func:`bar_chart`
    Vertical bars (one per period) with optional marks per bar and horizontal
    reference lines.
:func:`hbar_chart`
    Horizontal bars (one per item) with vertical reference lines.
:func:`line_chart`
    One or more series of points on a numeric x axis (e.g. date ordinals, with
    :func:`month_ticks`), with horizontal reference lines.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Final, Literal

__all__ = [
    "COLOURS",
    "Bar",
    "Mark",
    "Point",
    "RefLine",
    "Series",
    "Shape",
    "bar_chart",
    "hbar_chart",
    "line_chart",
    "month_ticks",
    "nice_ticks",
]

#: Okabe-Ito colours by role.
COLOURS: Final = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "grey": "#6b6b6b",
    "ink": "#222222",
    "grid": "#dddddd",
}

_FONT: Final = 12


@dataclass(frozen=True, slots=True)
class Mark:
    """How one kind of bar mark is drawn and named in the legend.

    Attributes
    ----------
    key
        Identifier used in :attr:`Bar.marks`.
    label
        Legend text.
    shape
        ``"triangle"`` (filled, above the bar), ``"open-triangle"`` (outlined,
        above the bar) or ``"band"`` (shading behind the whole slot).
    colour
        Fill or stroke colour.
    """

    key: str
    label: str
    shape: Literal["triangle", "open-triangle", "band"]
    colour: str


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: label on the axis, value, marks and tooltip."""

    label: str
    value: float
    marks: tuple[str, ...] = ()
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class RefLine:
    """A reference line at ``value`` with a text label (dashed unless ``solid``)."""

    value: float
    label: str
    colour: str = COLOURS["grey"]
    solid: bool = False


@dataclass(frozen=True, slots=True)
class Point:
    """One point: x (e.g. a date ordinal), y and tooltip."""

    x: float
    y: float
    tooltip: str = ""


#: Point marker shapes of a :class:`Series`.
Shape = Literal["circle", "square", "triangle", "triangle-down", "diamond"]


@dataclass(frozen=True, slots=True)
class Series:
    """Points drawn as dots (``shape``, circles by default), optionally joined by a line."""

    label: str
    points: tuple[Point, ...]
    colour: str = COLOURS["blue"]
    joined: bool = False
    dots: bool = True
    shape: Shape = "circle"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering ``lo`` ... ``hi`` (steps of 1, 2, 2.5 or 5 x 10^k)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(count, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * mag >= raw)
    first = math.floor(lo / step + 1e-9) * step
    ticks = [round(first, 10)]
    while ticks[-1] < hi - 1e-9 * step:
        ticks.append(round(first + len(ticks) * step, 10))
    return ticks


def month_ticks(first: date, last: date, *, max_ticks: int = 13) -> list[tuple[float, str]]:
    """Ticks on the first day of months between two dates (date ordinals, ``Mar 25``)."""
    months = []
    y, m = first.year, first.month
    while date(y, m, 1) <= last:
        if date(y, m, 1) >= first:
            months.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    step = max(1, math.ceil(len(months) / max_ticks))
    return [(float(d.toordinal()), f"{d:%b %y}") for d in months[::step]]


def _fmt(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.1f}"


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    # ids from the content: the same chart gives the same bytes; distinct titles, distinct ids
    uid = "c" + hashlib.sha1(f"{title}\n{desc}".encode(), usedforsecurity=False).hexdigest()[:10]
    head = (f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{uid}-t {uid}-d" font-family="inherit" font-size="{_FONT}">'
            f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>')
    return head, uid


def _legend(items: Sequence[tuple[str, str]], x: float, y: float) -> str:
    """Legend row: (symbol SVG at origin, label) pairs."""
    out, cx = [], x
    for symbol, label in items:
        out.append(f'<g transform="translate({cx:.1f},{y:.1f})">{symbol}'
                   f'<text x="16" y="4">{escape(label)}</text></g>')
        cx += 28 + 6.6 * len(label)
    return "".join(out)


def _triangle(cx: float, cy: float, size: float, colour: str, *, filled: bool) -> str:
    h = size * 0.9
    pts = f"{cx - size / 2:.1f},{cy + h / 2:.1f} {cx + size / 2:.1f},{cy + h / 2:.1f} " \
          f"{cx:.1f},{cy - h / 2:.1f}"
    fill = colour if filled else "white"
    return f'<polygon points="{pts}" fill="{fill}" stroke="{colour}" stroke-width="1.5"/>'


def _dot(shape: Shape, cx: float, cy: float, colour: str, inner: str = "") -> str:
    """One point marker (``inner``: e.g. a ``<title>``); circles as before, 3.5 radius."""
    if shape == "circle":
        return (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="{colour}" '
                f'fill-opacity="0.85">{inner}</circle>')
    if shape == "square":
        return (f'<rect x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8" '
                f'fill="{colour}">{inner}</rect>')
    s = 5.5
    if shape == "diamond":
        pts = f"{cx:.1f},{cy - s:.1f} {cx + s:.1f},{cy:.1f} {cx:.1f},{cy + s:.1f} " \
              f"{cx - s:.1f},{cy:.1f}"
    else:
        k = -1 if shape == "triangle" else 1
        pts = f"{cx - s:.1f},{cy - k * s * 0.8:.1f} {cx + s:.1f},{cy - k * s * 0.8:.1f} " \
              f"{cx:.1f},{cy + k * s:.1f}"
    return f'<polygon points="{pts}" fill="{colour}">{inner}</polygon>'


def _mark_symbol(mark: Mark) -> str:
    if mark.shape == "band":
        return (f'<rect x="0" y="-6" width="11" height="12" fill="{mark.colour}" '
                f'fill-opacity="0.25" stroke="{mark.colour}" stroke-opacity="0.5"/>')
    return _triangle(5.5, 0, 10, mark.colour, filled=mark.shape == "triangle")


def _ref_symbol(ref: RefLine) -> str:
    dash = "" if ref.solid else ' stroke-dasharray="5 3"'
    return f'<line x1="0" y1="0" x2="11" y2="0" stroke="{ref.colour}" stroke-width="2"{dash}/>'


def _y_axis(ticks: Sequence[float], to_y: _Scale, left: float, right: float,
            label: str) -> str:
    out = []
    for t in ticks:
        y = to_y(t)
        out.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
                   f'stroke="{COLOURS["grid"]}"/>'
                   f'<text x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    mid = (to_y(ticks[0]) + to_y(ticks[-1])) / 2
    out.append(f'<text transform="translate(14,{mid:.1f}) rotate(-90)" text-anchor="middle">'
               f'{escape(label)}</text>')
    return "".join(out)


class _Scale:
    """Linear map from data values to SVG coordinates."""

    def __init__(self, d0: float, d1: float, r0: float, r1: float) -> None:
        self.d0, self.r0, self.r1 = d0, r0, r1
        self.k = (r1 - r0) / (d1 - d0) if d1 != d0 else 0.0

    def __call__(self, v: float) -> float:
        return self.r0 + (v - self.d0) * self.k


def _h_ref(ref: RefLine, to_y: _Scale, left: float, right: float) -> str:
    """A horizontal reference line (its label comes from :func:`_h_ref_label`)."""
    y = to_y(ref.value)
    dash = "" if ref.solid else ' stroke-dasharray="5 3"'
    return (f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
            f'stroke="{ref.colour}" stroke-width="1.5"{dash}/>')


def _h_ref_label(ref: RefLine, to_y: _Scale, right: float) -> str:
    """The label of a reference line, drawn last with a white halo so data never hides it."""
    if not ref.label:
        return ""
    return (f'<text x="{right - 4:.1f}" y="{to_y(ref.value) - 4:.1f}" text-anchor="end" '
            f'fill="{ref.colour}" stroke="white" stroke-width="3" paint-order="stroke" '
            f'class="ref">{escape(ref.label)}</text>')


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    desc: str,
    y_label: str,
    marks: Sequence[Mark] = (),
    ref_lines: Sequence[RefLine] = (),
    width: int = 960,
    height: int = 320,
    max_labels: int = 14,
    colour: str = COLOURS["blue"],
) -> str:
    """Vertical bar chart with marks per bar and horizontal reference lines.

    Parameters
    ----------
    bars
        Bars from left to right; ``Bar.marks`` name keys of ``marks``.
    title, desc
        Accessible title and description.
    y_label
        Value axis label (with unit).
    marks
        How each mark key is drawn; every kind is named in the legend.
    ref_lines
        Horizontal lines (e.g. a target), named in the legend.
    max_labels
        At most this many bar labels on the axis (every k-th bar).
    """
    head, _ = _open(width, height, title, desc)
    legend = [(_mark_symbol(m), m.label) for m in marks] + [(_ref_symbol(r), r.label)
                                                            for r in ref_lines if r.label]
    left, right, top = 56.0, width - 12.0, 26.0
    bottom = height - (52.0 if legend else 30.0)
    top_value = max([b.value for b in bars] + [r.value for r in ref_lines] + [0.0])
    ticks = nice_ticks(0.0, top_value if top_value > 0 else 1.0)
    to_y = _Scale(0.0, ticks[-1], bottom, top)
    parts = [head, _y_axis(ticks, to_y, left, right, y_label)]
    by_key = {m.key: m for m in marks}
    n = max(len(bars), 1)
    slot = (right - left) / n
    bar_w = max(slot * 0.72, 1.0)
    every = max(1, math.ceil(len(bars) / max_labels))
    for i, bar in enumerate(bars):
        x0 = left + i * slot
        for key in bar.marks:
            m = by_key.get(key)
            if m is not None and m.shape == "band":
                parts.append(f'<rect x="{x0:.1f}" y="{top:.1f}" width="{slot:.1f}" '
                             f'height="{bottom - top:.1f}" fill="{m.colour}" fill-opacity="0.18"/>')
        y = to_y(max(bar.value, 0.0))
        tip = escape(bar.tooltip or f"{bar.label}: {_fmt(bar.value)}")
        parts.append(f'<rect x="{x0 + (slot - bar_w) / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                     f'height="{bottom - y:.1f}" fill="{colour}"><title>{tip}</title></rect>')
        stacked = 0
        for key in bar.marks:
            m = by_key.get(key)
            if m is None or m.shape == "band":
                continue
            size = min(max(slot * 0.9, 6.0), 11.0)
            cy = y - 7 - stacked * (size + 2)
            parts.append(_triangle(x0 + slot / 2, cy, size, m.colour,
                                   filled=m.shape == "triangle"))
            stacked += 1
        if i % every == 0:
            parts.append(f'<text x="{x0 + slot / 2:.1f}" y="{bottom + 16:.1f}" '
                         f'text-anchor="middle">{escape(bar.label)}</text>')
    parts.append(f'<line x1="{left:.1f}" y1="{bottom:.1f}" x2="{right:.1f}" y2="{bottom:.1f}" '
                 f'stroke="{COLOURS["ink"]}"/>')
    parts += [_h_ref(r, to_y, left, right) for r in ref_lines]
    parts += [_h_ref_label(r, to_y, right) for r in ref_lines]
    if legend:
        parts.append(_legend(legend, left, height - 14))
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    desc: str,
    x_label: str,
    ref_lines: Sequence[RefLine] = (),
    width: int = 960,
    row_height: int = 30,
    label_width: int = 220,
    colour: str = COLOURS["blue"],
) -> str:
    """Horizontal bar chart (one row per item) with vertical reference lines."""
    legend = [(_ref_symbol(r), r.label) for r in ref_lines if r.label]
    top = 14.0
    height = int(top + row_height * max(len(bars), 1) + 40 + (26 if legend else 0))
    head, _ = _open(width, height, title, desc)
    left, right = float(label_width), width - 24.0
    bottom = top + row_height * max(len(bars), 1)
    top_value = max([b.value for b in bars] + [r.value for r in ref_lines] + [0.0])
    ticks = nice_ticks(0.0, top_value * 1.05 if top_value > 0 else 1.0)
    to_x = _Scale(0.0, ticks[-1], left, right)
    parts = [head]
    for t in ticks:
        x = to_x(t)
        parts.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" '
                     f'stroke="{COLOURS["grid"]}"/><text x="{x:.1f}" y="{bottom + 16:.1f}" '
                     f'text-anchor="middle">{_fmt(t)}</text>')
    parts.append(f'<text x="{(left + right) / 2:.1f}" y="{bottom + 32:.1f}" '
                 f'text-anchor="middle">{escape(x_label)}</text>')
    for i, bar in enumerate(bars):
        y = top + i * row_height
        x = to_x(max(bar.value, 0.0))
        tip = escape(bar.tooltip or f"{bar.label}: {_fmt(bar.value)}")
        label = bar.label if len(bar.label) <= 30 else bar.label[:29] + "…"
        parts.append(f'<text x="{left - 8:.1f}" y="{y + row_height / 2 + 4:.1f}" '
                     f'text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{left:.1f}" y="{y + 5:.1f}" width="{x - left:.1f}" '
                     f'height="{row_height - 10:.1f}" fill="{colour}"><title>{tip}</title></rect>'
                     f'<text x="{x + 4:.1f}" y="{y + row_height / 2 + 4:.1f}">{_fmt(bar.value)}'
                     f'</text>')
    for r in ref_lines:
        x = to_x(r.value)
        dash = "" if r.solid else ' stroke-dasharray="5 3"'
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" '
                     f'stroke="{r.colour}" stroke-width="2"{dash}/>')
    if legend:
        parts.append(_legend(legend, left, height - 10))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    y_label: str,
    x_ticks: Sequence[tuple[float, str]] = (),
    ref_lines: Sequence[RefLine] = (),
    y_range: tuple[float, float] | None = None,
    y_ticks: Sequence[float] | None = None,
    width: int = 960,
    height: int = 300,
) -> str:
    """Points (and optional lines) of one or more series, with horizontal reference lines.

    ``y_range`` fixes the value axis; by default it covers every point and line
    with a little room. ``y_ticks`` fixes the value-axis ticks (e.g. 0, 2 ... 10 on a
    pain scale); by default they are :func:`nice_ticks` inside the range.
    """
    head, uid = _open(width, height, title, desc)
    legend = [(f'<circle cx="5.5" cy="0" r="4" fill="{s.colour}"/>' if s.shape == "circle"
               else _dot(s.shape, 5.5, 0, s.colour), s.label) for s in series]
    legend += [(_ref_symbol(r), r.label) for r in ref_lines if r.label]
    left, right, top = 56.0, width - 16.0, 16.0
    bottom = height - (52.0 if legend else 30.0)
    xs = [p.x for s in series for p in s.points] + [t[0] for t in x_ticks]
    ys = [p.y for s in series for p in s.points] + [r.value for r in ref_lines]
    if y_range is not None:
        lo, hi = y_range
    elif ys:
        pad = max((max(ys) - min(ys)) * 0.1, 0.5)
        lo, hi = min(ys) - pad, max(ys) + pad
    else:
        lo, hi = 0.0, 1.0
    if y_ticks:
        ticks = list(y_ticks)
    else:
        ticks = nice_ticks(lo, hi)
        ticks = [t for t in ticks if lo - 1e-9 <= t <= hi + 1e-9] or ticks
    to_y = _Scale(lo, hi, bottom, top)
    x0, x1 = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if x1 <= x0:
        x0, x1 = x0 - 1, x1 + 1
    to_x = _Scale(x0, x1, left + 6, right - 6)
    parts = [head, f'<clipPath id="{uid}-clip"><rect x="{left:.1f}" y="{top:.1f}" '
                   f'width="{right - left:.1f}" height="{bottom - top:.1f}"/></clipPath>',
             _y_axis(ticks, to_y, left, right, y_label)]
    for value, label in x_ticks:
        x = to_x(value)
        parts.append(f'<line x1="{x:.1f}" y1="{bottom:.1f}" x2="{x:.1f}" y2="{bottom + 4:.1f}" '
                     f'stroke="{COLOURS["ink"]}"/><text x="{x:.1f}" y="{bottom + 17:.1f}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<line x1="{left:.1f}" y1="{bottom:.1f}" x2="{right:.1f}" y2="{bottom:.1f}" '
                 f'stroke="{COLOURS["ink"]}"/>')
    parts += [_h_ref(r, to_y, left, right) for r in ref_lines]
    parts.append(f'<g clip-path="url(#{uid}-clip)">')
    for s in series:
        if s.joined and len(s.points) > 1:
            path = " ".join(f"{to_x(p.x):.1f},{to_y(p.y):.1f}" for p in s.points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{s.colour}" '
                         f'stroke-width="2"/>')
        if s.dots:
            for p in s.points:
                tip = escape(p.tooltip or _fmt(p.y))
                parts.append(_dot(s.shape, to_x(p.x), to_y(p.y), s.colour,
                                  f"<title>{tip}</title>"))
    parts.append("</g>")
    parts += [_h_ref_label(r, to_y, right) for r in ref_lines]
    if legend:
        parts.append(_legend(legend, left, height - 14))
    parts.append("</svg>")
    return "".join(parts)
