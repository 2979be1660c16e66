"""The training report: signals and charts of the stored history, as one HTML file.

:func:`training_report` turns an :class:`~backstride.analysis.Analysis` into a
self-contained page (:func:`backstride.report.page.page`) with:

* a summary (flagged signals, the last four weeks);
* every signal with its level, value, threshold, explanation, advice, evidence
  grade and source (contested measures labelled as context only);
* weekly running distance over the last year, with single-run spike weeks
  (triangles) and hill weeks (shaded) marked;
* steady-running cadence per run against the runner's own baseline;
* distance per pair of shoes against the 500-800 km guide (weak evidence);
* ground contact balance per run against the 50 % line;
* the last twelve ISO weeks as numbers, and the sources cited.

The sections are built by separate functions returning
:class:`~backstride.report.page.Section` objects, so other reports (e.g. for a
physiotherapist) can reuse them.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Final

from backstride import __version__
from backstride.analysis import Analysis, WeekRow
from backstride.domain.evidence import SOURCES
from backstride.domain.signal import Level, Signal
from backstride.domain.signals.shoes import shoe_use
from backstride.domain.training import Session
from backstride.report import svg
from backstride.report.labels import (
    CONTESTED_LABEL,
    NOTICE,
    format_threshold,
    format_value,
    level_counts,
    title,
)
from backstride.report.page import Section, badge, figure, page, table

__all__ = [
    "balance_section",
    "cadence_section",
    "distance_section",
    "shoes_section",
    "signals_section",
    "sources_section",
    "summary_section",
    "training_report",
    "weeks_section",
]

#: Weeks shown in the weekly distance chart.
CHART_WEEKS: Final = 52
#: Weeks listed in the weekly table.
TABLE_WEEKS: Final = 12

_MARKS: Final = (
    svg.Mark("spike-warn", "single-run spike: warn", "triangle", svg.COLOURS["vermillion"]),
    svg.Mark("spike-watch", "single-run spike: watch", "open-triangle", svg.COLOURS["orange"]),
    svg.Mark("hill", "hill week", "band", svg.COLOURS["green"]),
)


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _window_runs(analysis: Analysis, weeks: int) -> list[Session]:
    first = analysis.as_of - timedelta(days=7 * weeks - 1)
    return [s for s in analysis.runs if s.local_date >= first]


def _ticks(analysis: Analysis, runs: Sequence[Session]) -> list[tuple[float, str]]:
    first = min((s.local_date for s in runs), default=analysis.as_of)
    return svg.month_ticks(first, analysis.as_of)


def _point(s: Session, y: float, text: str) -> svg.Point:
    km = s.distance_or_zero_m / 1000.0
    return svg.Point(float(s.local_date.toordinal()), y,
                     f"{_day(s.local_date)}: {text} ({km:.1f} km run)")


# -- sections ---------------------------------------------------------------------------


def summary_section(analysis: Analysis) -> Section:
    """Counts of flagged signals, the flagged ones by name, and the last four weeks."""
    counts = level_counts(analysis.signals)
    recent = [w for w in analysis.weeks][-4:]
    km = sum(w.run_distance_km for w in recent)
    runs = sum(w.runs for w in recent)
    longest = max((w.longest_run_km for w in recent), default=0.0)
    cross_h = sum(w.cross_moving_s for w in recent) / 3600.0
    cards = (
        f'<ul class="cards">'
        f'<li><span class="big">{counts[Level.WARN]}</span>{badge("warn")} signals</li>'
        f'<li><span class="big">{counts[Level.WATCH]}</span>{badge("watch")} signals</li>'
        f'<li><span class="big">{km:.0f} km</span>running in the last 4 weeks '
        f'({runs} runs)</li>'
        f'<li><span class="big">{longest:.1f} km</span>longest run, last 4 weeks</li>'
        f'<li><span class="big">{cross_h:.1f} h</span>cross-training, last 4 weeks</li>'
        f"</ul>"
    )
    flagged = [s for s in analysis.signals if s.level is not Level.OK]
    if flagged:
        items = "".join(
            f"<li>{badge(s.level.value)} <strong>{escape(title(s))}</strong>: "
            f"{escape(s.advice)}"
            + (f' <span class="tag">{escape(CONTESTED_LABEL)}</span>' if s.contested else "")
            + "</li>"
            for s in flagged
        )
        text = f"<p>What stands out, worst first:</p><ul>{items}</ul>"
    else:
        text = "<p>No signal is above <em>ok</em> on this day.</p>"
    return Section("summary", "At a glance", cards + text)


def _evidence(s: Signal) -> str:
    out = (f'<strong>{escape(s.evidence_grade.value.capitalize())}</strong><br>'
           f'<span class="small">{escape(s.source)}</span>')
    if s.contested:
        out += f'<br><span class="tag">{escape(CONTESTED_LABEL)}</span>'
    return out


def signals_section(analysis: Analysis) -> Section:
    """Every signal, worst first, with value, threshold, words, grade and source."""
    rows = [
        [badge(s.level.value), f"<strong>{escape(title(s))}</strong>"
         + (f'<br><span class="small muted">{_day(s.on)}</span>' if s.on else ""),
         escape(format_value(s)), escape(format_threshold(s)), escape(s.explanation),
         escape(s.advice), _evidence(s)]
        for s in analysis.signals
    ]
    intro = ("<p>Each signal compares your own training with a rule from the research "
             "literature or with your own usual values. The evidence grade says how far the "
             "rule can be trusted; measures marked <em>contested</em> are shown as context "
             "only.</p>")
    return Section("signals", "Signals", intro + table(
        ["Level", "Signal", "Value", "Threshold", "What we found", "What to do", "Evidence"],
        rows, numeric=(2, 3), raw=(0, 1, 2, 3, 4, 5, 6)))


def _week_tip(w: WeekRow) -> str:
    tip = (f"{w.week} (from {_day(w.start)}): {w.run_distance_km:.1f} km in {w.runs} runs, "
           f"longest {w.longest_run_km:.1f} km")
    if w.climb_m_per_km is not None:
        tip += f", climbing {w.climb_m_per_km:.0f} m/km"
    if w.spike_ratio is not None and w.spike_level is not Level.OK:
        tip += f"; single-run spike {w.spike_ratio:.2f}× ({w.spike_level.value})"
    return tip


def distance_section(analysis: Analysis, weeks: int = CHART_WEEKS) -> Section:
    """Weekly running distance with spike weeks and hill weeks marked."""
    rows = list(analysis.weeks)[-weeks:]
    bars = []
    for w in rows:
        marks: list[str] = []
        if w.hill_week:
            marks.append("hill")
        if w.spike_level is Level.WARN:
            marks.append("spike-warn")
        elif w.spike_level is Level.WATCH:
            marks.append("spike-watch")
        bars.append(svg.Bar(f"{w.start:%d %b}", w.run_distance_km, tuple(marks), _week_tip(w)))
    th = analysis.thresholds
    chart = svg.bar_chart(
        bars, title="Weekly running distance",
        desc=f"Running distance per ISO week for the last {len(rows)} weeks, with weeks "
             "holding a single-run spike and hill weeks marked.",
        y_label="km per week", marks=_MARKS, max_labels=13)
    caption = (
        f"Running only, per ISO week (Monday to Sunday, your local days); labels are the "
        f"Mondays. Triangles mark weeks with a run more than "
        f"{th['spike.watch_ratio']:.0%} (watch) or {th['spike.warn_ratio']:.0%} (warn) of "
        f"your longest run in the {th['spike.window_days']:.0f} days before it "
        f"(Nielsen et al. 2025). Shaded weeks climbed more than "
        f"{th['hills.session_climb_m_per_km']:.0f} m per km on average (hill weeks; "
        "Levine et al. 2007, weak evidence).")
    return Section("distance", "Weekly running distance", figure(chart, caption))


def cadence_section(analysis: Analysis, weeks: int = CHART_WEEKS) -> Section:
    """Steady-running cadence per run against the runner's own baseline."""
    runs = [s for s in _window_runs(analysis, weeks)
            if s.form is not None and s.form.cadence_spm is not None]
    if not runs:
        return Section("cadence", "Cadence", "<p>No cadence was recorded on your runs in this "
                       "period (a watch or foot pod records it).</p>")
    th = analysis.thresholds
    recent_first = analysis.as_of - timedelta(days=int(th["form.recent_days"]) - 1)
    base_first = recent_first - timedelta(days=int(th["form.baseline_days"]))
    base = [s.form.cadence_spm for s in analysis.runs
            if s.form is not None and s.form.cadence_spm is not None
            and base_first <= s.local_date < recent_first]
    if len(base) >= th["form.min_baseline_runs"]:
        baseline = statistics.median(base)
        label = f"your baseline {baseline:.0f} steps/min"
        how = (f"the median of your runs in the {th['form.baseline_days']:.0f} days before the "
               f"last {th['form.recent_days']:.0f}")
    else:
        baseline = statistics.median(s.form.cadence_spm for s in runs if s.form and
                                     s.form.cadence_spm)
        label = f"your median {baseline:.0f} steps/min"
        how = "the median of the runs shown (not enough earlier runs for a baseline)"
    points = tuple(_point(s, s.form.cadence_spm, f"{s.form.cadence_spm:.0f} steps/min")
                   for s in runs if s.form is not None and s.form.cadence_spm is not None)
    chart = svg.line_chart(
        [svg.Series("steady cadence of a run", points, svg.COLOURS["blue"])],
        title="Cadence per run", y_label="steps/min", x_ticks=_ticks(analysis, runs),
        desc="Median cadence of the steady running in each run, with your baseline.",
        ref_lines=[svg.RefLine(baseline, label, svg.COLOURS["vermillion"])])
    caption = (f"Each dot is the median cadence of one run's steady running (walking, stops "
               f"and the first and last minute left out). The line is {how}. Cadence rises "
               "with speed, so the cadence signal compares runs at similar speeds; there is "
               "no single ideal cadence (Heiderscheit et al. 2011, weak evidence).")
    return Section("cadence", "Cadence", figure(chart, caption))


def shoes_section(analysis: Analysis) -> Section:
    """Running distance per pair of shoes against the 500-800 km guide."""
    uses = shoe_use(list(analysis.runs))
    if not uses:
        return Section("shoes", "Shoes", "<p>No run has a pair of shoes named. Name them with "
                       "<code>backstride gear assign NAME --from DATE</code>.</p>")
    th = analysis.thresholds
    check, replace = th["shoes.check_km"], th["shoes.replace_km"]
    bars = [svg.Bar(u.name, u.distance_m / 1000.0,
                    tooltip=f"{u.name}: {u.distance_m / 1000:.0f} km in {u.runs} runs, "
                            f"{_day(u.first_used)} to {_day(u.last_used)}")
            for u in uses]
    chart = svg.hbar_chart(
        bars, title="Distance per pair of shoes", x_label="km of running",
        desc="Total running distance in each pair, with the 500 and 800 km guide lines.",
        ref_lines=[
            svg.RefLine(check, f"check at {check:.0f} km (weak evidence)", svg.COLOURS["orange"]),
            svg.RefLine(replace, f"replace guide {replace:.0f} km (weak evidence)",
                        svg.COLOURS["vermillion"]),
        ])
    caption = (f"The {check:.0f}-{replace:.0f} km guide comes from one 1985 lab test of "
               "cushioning (Cook et al.), with no injury outcome: weak evidence. Check your "
               "shoes for wear around it rather than replacing them by the number.")
    rows = [[u.name, f"{u.distance_m / 1000:.0f}", str(u.runs), _day(u.first_used),
             _day(u.last_used)] for u in uses]
    return Section("shoes", "Shoes", figure(chart, caption) + table(
        ["Pair", "km", "Runs", "First run", "Last run"], rows, numeric=(1, 2)))


def balance_section(analysis: Analysis, weeks: int = CHART_WEEKS) -> Section | None:
    """Ground contact balance per run with the 50 % line; None when never recorded."""
    if not any(s.form is not None and s.form.ground_contact_balance_pct is not None
               for s in analysis.runs):
        return None
    runs = [s for s in _window_runs(analysis, weeks)
            if s.form is not None and s.form.ground_contact_balance_pct is not None]
    dev = analysis.thresholds["gct_balance.deviation_pct_points"]
    points = tuple(
        _point(s, s.form.ground_contact_balance_pct,
               f"{s.form.ground_contact_balance_pct:.1f}% left")
        for s in runs if s.form is not None and s.form.ground_contact_balance_pct is not None)
    values = [p.y for p in points] + [50.0 - dev - 0.5, 50.0 + dev + 0.5]
    chart = svg.line_chart(
        [svg.Series("ground contact balance of a run (% left)", points, svg.COLOURS["purple"])],
        title="Ground contact balance per run", y_label="% of contact time on the left foot",
        x_ticks=_ticks(analysis, runs), y_range=(min(values), max(values)),
        desc="Share of ground contact time on the left foot per run, with the 50/50 line.",
        ref_lines=[svg.RefLine(50.0, "50/50", svg.COLOURS["ink"], solid=True),
                   svg.RefLine(50.0 + dev, f"±{dev:.1f} points (heuristic)",
                               svg.COLOURS["grey"]),
                   svg.RefLine(50.0 - dev, "", svg.COLOURS["grey"])])
    caption = ("Each dot is one run's median share of ground contact time on the left foot "
               "(50 = even). No study has set an injury threshold for balance; a lasting lean "
               "is only worth noticing (Joubert et al. 2020, weak evidence). Watch or pod "
               "placement changes these numbers.")
    return Section("balance", "Ground contact balance", figure(chart, caption))


def weeks_section(analysis: Analysis, weeks: int = TABLE_WEEKS) -> Section:
    """The last ISO weeks as numbers, newest first."""
    rows = []
    for w in reversed(list(analysis.weeks)[-weeks:]):
        marks = []
        if w.spike_level is not Level.OK:
            marks.append(f"spike {w.spike_ratio or 0:.2f}× ({w.spike_level.value})")
        if w.hill_week:
            marks.append("hill week")
        rows.append([
            w.week, f"{w.start:%d %b}", str(w.runs), f"{w.run_distance_km:.1f}",
            f"{w.longest_run_km:.1f}", f"{w.run_ascent_m:.0f}",
            f"{w.cross_moving_s / 60:.0f}", str(w.rest_days), f"{w.load:.0f}", "; ".join(marks),
        ])
    note = ("<p class=\"small muted\">Load per session: effort rating × minutes when you "
            "logged one, else a heart-rate TRIMP (Banister) when heart rate was recorded, "
            "else minutes; the scales differ, so compare a week with your own other weeks. "
            "Cross-training is every sport but running and is kept apart from running.</p>")
    return Section("weeks", f"The last {weeks} weeks", table(
        ["Week", "From", "Runs", "km", "Longest km", "Climb m", "Cross-training min",
         "Rest days", "Load", "Marks"], rows, numeric=(2, 3, 4, 5, 6, 7, 8)) + note)


def sources_section(signals: Sequence[Signal]) -> Section:
    """The sources the signals cite, with their evidence grades."""
    keys = sorted({s.source_key for s in signals})
    items = "".join(f"<li><strong>{escape(SOURCES[k].grade.value.capitalize())}</strong>: "
                    f"{escape(SOURCES[k].citation)}</li>" for k in keys)
    return Section("sources", "Sources", "<p>Evidence grades: guideline, strong, moderate, "
                   "weak, expert, contested.</p>" f"<ul>{items}</ul>")


def training_report(analysis: Analysis, *, generated: datetime | None = None) -> str:
    """The training report of an analysis as a complete HTML document."""
    made = (generated or datetime.now(UTC)).astimezone(UTC)
    sessions = analysis.history.sessions
    n_runs = len(analysis.runs)
    first = min((s.local_date for s in sessions), default=analysis.as_of)
    last = max((s.local_date for s in sessions), default=analysis.as_of)
    subtitle = (f"Signals on {_day(analysis.as_of)} · {len(sessions)} activities "
                f"({n_runs} runs, {len(sessions) - n_runs} cross-training) from {_day(first)} "
                f"to {_day(last)}")
    sections = [summary_section(analysis), signals_section(analysis),
                distance_section(analysis), cadence_section(analysis), shoes_section(analysis),
                balance_section(analysis), weeks_section(analysis),
                sources_section(analysis.signals)]
    return page(
        "Training report", [s for s in sections if s is not None], subtitle=subtitle,
        notice=NOTICE + " If your back hurts, take the back check (backstride check).",
        footer=f"Made by backstride {__version__} on {made:%Y-%m-%d %H:%M} UTC from your "
               "stored activities. This file is self-contained and works offline.",
    )
