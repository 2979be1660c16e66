"""The page shell of every backstride report: one self-contained HTML file.

:func:`page` wraps a list of :class:`Section` objects in a document with its own
stylesheet (readable typography, print styles for A4/Letter), the
decision-support notice near the top, a table of contents and a footer. Nothing is
loaded from elsewhere (no scripts, fonts, images or style sheets), so the file
works offline, in an e-mail attachment and on paper.

Helpers build the common pieces safely (every text is HTML-escaped):
:func:`table` (a data table), :func:`badge` (a level label that does not rely on
colour alone) and :func:`figure` (a chart with its caption).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from string import Template
from typing import Final

__all__ = ["CSS", "Section", "badge", "figure", "page", "table"]


@dataclass(frozen=True, slots=True)
class Section:
    """One section of a report.

    Attributes
    ----------
    id
        Anchor name (letters, digits and ``-``), used by the table of contents.
    title
        Heading text (escaped by :func:`page`).
    body
        HTML of the section (already safe: build it with the helpers).
    """

    id: str
    title: str
    body: str


CSS: Final = """
:root { --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --bg: #ffffff;
  --warn: #b42318; --warn-bg: #fdecea; --watch: #8a5a00; --watch-bg: #fff4d6;
  --ok: #1a7f37; --ok-bg: #e6f4ea; --note-bg: #eef4fb; --note-line: #0072B2; }
* { box-sizing: border-box; }
html { font-size: 16px; -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: var(--bg);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "Liberation Sans", sans-serif;
  line-height: 1.55; }
.wrap { max-width: 70rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
header h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .25rem; }
header .sub { color: var(--muted); margin: 0; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.4rem 0 .4rem; }
p, li { max-width: 48rem; }
.notice { margin: 1.2rem 0; padding: .8rem 1rem; background: var(--note-bg);
  border-left: 4px solid var(--note-line); border-radius: 4px; }
nav.toc { margin: 1rem 0; font-size: .95rem; }
nav.toc ol { margin: .2rem 0; padding-left: 1.3rem; columns: 2; }
a { color: #0b5cad; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .45rem .5rem;
  border-bottom: 1px solid var(--line); }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: .6rem;
  font-size: .8rem; font-weight: 700; letter-spacing: .02em; text-transform: uppercase;
  border: 1px solid currentColor; white-space: nowrap; }
.badge.warn { color: var(--warn); background: var(--warn-bg); }
.badge.watch { color: var(--watch); background: var(--watch-bg); }
.badge.ok { color: var(--ok); background: var(--ok-bg); }
.tag { display: inline-block; margin-top: .25rem; font-size: .78rem; color: var(--muted);
  font-style: italic; }
.muted { color: var(--muted); }
.small { font-size: .85rem; }
figure { margin: 1rem 0 1.6rem; }
figure svg.chart { width: 100%; height: auto; display: block; }
svg.chart text:not([fill]) { fill: var(--ink); }
svg.chart text.ref { font-weight: 600; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .35rem; max-width: 48rem; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; margin: .6rem 0; padding: 0;
  list-style: none; }
.cards li { flex: 1 1 10rem; border: 1px solid var(--line); border-radius: 6px;
  padding: .6rem .8rem; }
.cards .big { display: block; font-size: 1.5rem; font-weight: 700; }
footer { margin-top: 3rem; padding-top: .8rem; border-top: 1px solid var(--line);
  color: var(--muted); font-size: .85rem; }
@media (max-width: 40rem) { nav.toc ol { columns: 1; } table { font-size: .85rem; } }
@page { size: auto; margin: 14mm 12mm; }
@media print {
  html { font-size: 10.5pt; }
  .wrap { max-width: none; padding: 0; }
  nav.toc { display: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, tr, .notice, .cards li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .badge { background: none !important; }
  .notice { background: none; border: 1px solid #000; }
  body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

_PAGE: Final = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="backstride">
<title>$title</title>
<style>$css</style>
</head>
<body>
<div class="wrap">
<header>
<h1>$title</h1>
<p class="sub">$subtitle</p>
</header>
<aside class="notice" role="note">
<strong>Decision support, not a diagnosis.</strong> $notice
</aside>
<nav class="toc" aria-label="Contents"><strong>Contents</strong><ol>$toc</ol></nav>
<main>
$sections
</main>
<footer>$footer</footer>
</div>
</body>
</html>
""")


def page(
    title: str,
    sections: Sequence[Section],
    *,
    subtitle: str = "",
    notice: str,
    footer: str = "",
    extra_css: str = "",
) -> str:
    """A complete, self-contained HTML document.

    Parameters
    ----------
    title, subtitle
        Page heading and the line under it (plain text; escaped here).
    sections
        The body, in order; each gets an entry in the table of contents.
    notice
        Plain text shown in the decision-support box at the top (escaped here).
    footer
        Plain text for the footer (escaped here).
    extra_css
        Style rules appended after :data:`CSS` (a report's own print layout); trusted
        text from the caller, never user input.
    """
    toc = "".join(f'<li><a href="#{escape(s.id)}">{escape(s.title)}</a></li>' for s in sections)
    body = "\n".join(
        f'<section id="{escape(s.id)}" aria-labelledby="{escape(s.id)}-h">'
        f'<h2 id="{escape(s.id)}-h">{escape(s.title)}</h2>\n{s.body}\n</section>'
        for s in sections
    )
    return _PAGE.substitute(
        title=escape(title), subtitle=escape(subtitle), css=CSS + extra_css,
        notice=escape(notice),
        toc=toc, sections=body, footer=escape(footer),
    )


def badge(level: str) -> str:
    """A level label (``warn``, ``watch``, ``ok``): coloured, but readable as text too."""
    return f'<span class="badge {escape(level)}">{escape(level)}</span>'


def figure(svg: str, caption: str) -> str:
    """A chart (SVG text from :mod:`backstride.report.svg`) with a plain-text caption."""
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric: Sequence[int] = (),
    raw: Sequence[int] = (),
    caption: str = "",
) -> str:
    """A data table.

    Parameters
    ----------
    headers
        Column headings (plain text).
    rows
        Cells; plain text unless the column index is in ``raw`` (then already HTML).
    numeric
        Column indices aligned right with tabular figures.
    raw
        Column indices whose cells are HTML built by the caller.
    caption
        Optional caption (plain text).
    """
    num = set(numeric)

    def cls(i: int) -> str:
        return ' class="num"' if i in num else ""

    head = "".join(f'<th scope="col"{cls(i)}>{escape(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{c if i in raw else escape(c)}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
