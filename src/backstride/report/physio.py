"""A printable report for the runner's physiotherapist: one self-contained HTML file.

:func:`physio_report_html` puts the back check (the dict of
:meth:`~backstride.domain.check.CheckResult.to_dict`, as stored and as ``check --json``
prints it), the training analysis, the plan and the daily check-ins on one compact
page for a clinician, in this order:

1. triage: level, where to go and how fast, every fired red-flag rule with its
   source, and the red-flag questions left unanswered;
2. pain pattern and movement sensitivities (what the answers fit; never a diagnosis);
3. pain and function (pain readings, PSFS) with the change since the previous check;
4. self-tests: hold times, the McGill ratios, findings, norms and their caveats;
5. contributors, ranked, with the evidence behind each and its grade;
6. training: weekly running distance (single-run spikes, hill weeks), cadence, the
   last weeks as numbers, the flagged signals (builders of
   :mod:`backstride.report.training`);
7. the plan: phases, a four-week calendar, action items (referrals first), exercises;
8. daily check-ins: pain during/after with the plan's decisions marked, referral
   triggers;
9. numbered sources with evidence grades (tables cite ``[n]``).

Safety (``shared/evidence.md`` section 1): when the triage is ``emergency`` or
``same_day`` (or the plan is stopped) the triage dominates the page and nothing about
running, exercise or the plan is shown: only the triage, the pain scores and the
sources. A plan stopped by a check-in (a new warning sign) is shown as stopped.

Print: A4 with 14 mm margins; training, plan and check-ins each start a new page;
charts, table rows and boxes are not split; the table of contents is hidden on paper.
:func:`backstride.report.pdf.html_to_pdf` prints it to PDF with the same engine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from typing import Final

from backstride import __version__
from backstride.analysis import Analysis
from backstride.domain.adaptation import Action, Decision, PlanState, replay
from backstride.domain.checkin import CheckIn
from backstride.domain.function import PAIN_MEASURES, PSFS_ITEM_MID, PSFS_MEAN_MID
from backstride.domain.plan_model import Plan
from backstride.domain.signal import Level
from backstride.jsonview import Obj
from backstride.jsonview import get_map as _map
from backstride.jsonview import get_maps as _maps
from backstride.jsonview import get_str as _str
from backstride.jsonview import get_strs as _strs
from backstride.report import training
from backstride.report.labels import (
    CONTESTED_LABEL,
    format_threshold,
    format_value,
    title,
)
from backstride.report.page import Section, badge, page, table
from backstride.report.physio_plan import Refs, checkins_section, day_label, plan_section

__all__ = ["PRINT_CSS", "URGENT_LEVELS", "physio_report_html"]


#: Triage levels at which the report shows nothing but where to go.
URGENT_LEVELS: Final = ("emergency", "same_day")
#: Weeks of training shown in the charts, and in the weekly table.
CHART_WEEKS: Final = 26
TABLE_WEEKS: Final = 8

#: This report's own layout, after the shared stylesheet.
PRINT_CSS: Final = """
.urgent { margin: 1rem 0; padding: 1rem 1.2rem; border: 3px solid var(--warn);
  background: var(--warn-bg); border-radius: 6px; }
.urgent .advice { font-size: 1.2rem; font-weight: 700; margin: .3rem 0; }
.level { margin: .4rem 0; font-size: 1.05rem; }
.refs { color: var(--muted); font-size: .8rem; white-space: nowrap; }
ul.tight { margin: .2rem 0; padding-left: 1.1rem; }
ul.tight li { margin: 0; }
.cal table { table-layout: fixed; font-size: .78rem; }
.cal th:first-child, .cal td:first-child { width: 9%; }
.cal td { padding: .3rem .3rem; line-height: 1.3; }
.cal .d { display: block; color: var(--muted); font-size: .72rem; }
th, td { padding: .3rem .4rem; }
@page { size: A4; margin: 14mm 13mm 15mm; }
@media print {
  html { font-size: 9pt; }
  th, td { padding: .22rem .35rem; }
  header h1 { font-size: 1.6rem; }
  h2 { margin-top: 1.2rem; }
  #training, #plan, #checkins { break-before: page; page-break-before: always; }
  .urgent { border-width: 3px; }
  table { font-size: .86rem; }
}
"""

_NOTICE: Final = (
    "This report summarises what the runner answered in backstride's back check, the "
    "self-tests they did, their recorded training and their daily check-ins, for a "
    "clinician to assess. backstride gives decision support; it is never a diagnosis, "
    "and the findings are self-reported.")
_URGENT_NOTICE: Final = (
    "This report shows what the runner answered in backstride's back check, for a "
    "clinician to assess. backstride gives decision support; it is never a diagnosis. "
    "The answers matched an urgent warning sign, so nothing else is shown.")
_MEASURE_LABELS: Final = {
    "mcgill_flexor_s": "Trunk flexor endurance hold", "mcgill_extensor_s":
    "Back extensor endurance hold (Biering-Sørensen)", "side_bridge_left_s":
    "Side bridge, left", "side_bridge_right_s": "Side bridge, right",
    "single_leg_bridge_left_reps": "Single-leg bridge, left",
    "single_leg_bridge_right_reps": "Single-leg bridge, right",
    "aslr_left": "Active straight-leg raise, left", "aslr_right":
    "Active straight-leg raise, right", "thomas_left": "Modified Thomas test, left",
    "thomas_right": "Modified Thomas test, right", "single_leg_squat_left":
    "Single-leg squat, left", "single_leg_squat_right": "Single-leg squat, right"}
#: McGill ratio key -> (label, the finding that flags it).
_RATIOS: Final = {
    "flexion_extension": ("Flexor / extensor hold", "flexion_extension_ratio"),
    "side_right_left": ("Right / left side bridge", "side_bridge_asymmetry"),
    "side_extension": ("Side bridge / extensor hold", "side_bridge_extension_ratio")}


# -- typed access to the JSON-ready check -----------------------------------------------


def _num(value: object, digits: int = 2) -> str:
    """A number as plain text (``3``, ``1.67``); ``—`` when missing."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value):
        return "—" if value is None else str(value)
    return f"{value:g}" if float(value).is_integer() else f"{value:.{digits}f}"


def _score(d: Obj) -> float:
    value = d.get("score")
    return float(value) if isinstance(value, int | float) else 0.0


def _words(key: str) -> str:
    return key.replace("_", " ")


def _cite(refs: Refs, d: Obj) -> str:
    return refs.cite([_str(d, "source")], citation=_str(d, "citation"),
                     grade=_str(d, "grade"))


# -- sections from the check --------------------------------------------------------------


def _triage_section(check: Obj, refs: Refs, *, urgent: bool, plan: Plan | None,
                    stopped: Decision | None) -> Section:
    triage = _map(check, "triage")
    level = _str(triage, "level")
    head = (f'<p class="level"><strong>Level: {escape(_words(level))}</strong> — '
            f"{escape(_str(triage, 'title'))}</p>")
    advice = f'<p class="advice">{escape(_str(triage, "advice"))}</p>'
    body = f'<div class="urgent">{head}{advice}</div>' if urgent else head + advice
    reasons = _maps(triage, "reasons")
    if reasons:
        rows = [[escape(_str(r, "text")), escape(_words(_str(r, "level"))),
                 escape(_str(r, "grade")), _cite(refs, r)] for r in reasons]
        body += "<h3>Warning signs reported</h3>" + table(
            ["Rule that fired", "Level", "Grade", "Ref."], rows, raw=(0, 1, 2, 3))
    else:
        body += "<p>No warning sign was reported in this screen.</p>"
    unanswered = _strs(triage, "unanswered_red_flags")
    if unanswered:
        body += (f'<p class="small"><strong>Not answered</strong> (counted as "no"; worth '
                 f"asking): {escape(', '.join(_words(k) for k in unanswered))}.</p>")
    if plan is not None and plan.stopped is not None and not urgent:
        body += f"<p><strong>Plan stopped</strong>: {escape(plan.stopped.advice)}</p>"
    if stopped is not None and not urgent:
        text = stopped.reasons[0].text if stopped.reasons else ""
        body += (f'<div class="urgent"><p class="level"><strong>Check-in of '
                 f"{escape(day_label(stopped.on) if stopped.on else '')}: plan stopped"
                 f'</strong></p><p>{escape(text)}</p><p>{escape(stopped.instruction)}</p>'
                 "</div>")
    withheld = _str(check, "withheld")
    if withheld:
        body += f"<p><em>{escape(withheld)}</em></p>"
    return Section("triage", "Triage", body)


def _patterns_section(check: Obj, refs: Refs) -> Section:
    rows = []
    for p in _maps(check, "patterns"):
        answered = _strs(p, "answered")
        rows.append([f"<strong>{escape(_str(p, 'label'))}</strong>",
                     escape("; ".join(answered) or "no specific answers (the default)"),
                     escape(_str(p, "meaning")), escape(_str(p, "grade")), _cite(refs, p)])
    body = table(["Pattern", "Based on the answers", "What it means", "Grade", "Ref."], rows,
                 raw=(0, 1, 2, 3, 4))
    sens = _maps(check, "sensitivities")
    if sens:
        items = "".join(
            f"<li><strong>{escape(_str(s, 'label'))}</strong>: {escape(_str(s, 'text'))}"
            + (f" Left out: {escape(', '.join(_words(x) for x in _strs(s, 'excluded_exercises')))}."
               if _strs(s, "excluded_exercises") else "") + f" {_cite(refs, s)}</li>"
            for s in sens)
        body += f'<h3>Movement sensitivities</h3><ul class="tight">{items}</ul>'
    return Section("patterns", "Pain pattern (what the answers fit; not a diagnosis)", body)


def _function_section(check: Obj) -> Section:
    function = _map(check, "function")
    pain, psfs = _map(function, "pain"), _maps(function, "psfs")
    labels = dict(PAIN_MEASURES)
    rows = [[labels.get(k, _words(k)).capitalize(), f"{_num(v)}/10"] for k, v in pain.items()]
    rows += [[f'PSFS: "{_str(i, "activity")}"', f"{_num(i.get('score'))}/10"] for i in psfs]
    if psfs:
        rows.append(["PSFS mean (0 = cannot do, 10 = as before)",
                     f"{_num(function.get('psfs_mean'))}/10"])
    body = (table(["Measure", "Now"], rows, numeric=(1,)) if rows
            else "<p>No pain scores or activities were answered.</p>")
    change = _map(check, "change")
    if change:
        crow = []
        for c in _maps(change, "changes"):
            delta = c.get("delta")
            sign = "+" if isinstance(delta, int | float) and delta > 0 else ""
            crow.append([_str(c, "label"), _num(c.get("previous")), _num(c.get("current")),
                         f"{sign}{_num(delta)}", _str(c, "status")])
        body += (f"<h3>Change since the check of {escape(_str(change, 'previous_on'))}</h3>"
                 f"<p>{escape(_str(change, 'text'))}</p>")
        if crow:
            body += table(["Measure", "Before", "Now", "Change", "Status"], crow,
                          numeric=(1, 2, 3))
        body += (f'<p class="small muted">An important change is at least 2 points or 30% '
                 f"for pain, {PSFS_MEAN_MID:g} points for the PSFS mean and "
                 f"{PSFS_ITEM_MID:g} points for one activity (Ostelo et al. 2008; "
                 "Stratford et al. 1995).</p>")
    else:
        body += "<p class=\"small muted\">No earlier check to compare with.</p>"
    return Section("function", "Pain and function", body)


def _self_tests_section(check: Obj, refs: Refs) -> Section | None:
    tests = _map(check, "self_tests")
    measures = _map(tests, "measures")
    if not measures:
        return None
    rows = []
    for k, v in measures.items():
        unit = " s" if k.endswith("_s") else " reps" if k.endswith("_reps") else ""
        rows.append([_MEASURE_LABELS.get(k, _words(k).capitalize()),
                     f"{_num(v)}{unit}" if unit else _words(str(v))])
    body = table(["Test", "Result"], rows, numeric=(1,))
    ratios = _map(tests, "ratios")
    findings = _maps(tests, "findings")
    flagged = {_str(f, "key") for f in findings}
    if ratios:
        rrows = [[_RATIOS.get(k, (_words(k), ""))[0], _num(v),
                  "flagged" if _RATIOS.get(k, ("", ""))[1] in flagged else "within target"]
                 for k, v in ratios.items()]
        body += "<h3>McGill endurance ratios</h3>" + table(
            ["Ratio", "Value", "Against the targets"], rrows, numeric=(1,))
    if findings:
        items = "".join(f"<li>{escape(_str(f, 'text').capitalize())} {_cite(refs, f)}</li>"
                        for f in findings)
        body += f'<h3>Findings</h3><ul class="tight">{items}</ul>'
    context = _strs(tests, "context")
    if context:
        body += ('<p class="small"><strong>Norms (context only):</strong> '
                 f"{escape(' '.join(context))}</p>")
    if _str(tests, "caveat"):
        body += ('<p class="small muted"><strong>Caveat:</strong> '
                 f'{escape(_str(tests, "caveat"))}</p>')
    return Section("selftests", "Self-tests", body)


def _contributors_section(check: Obj, refs: Refs) -> Section:
    contributors = _maps(check, "contributors")
    scored = [c for c in contributors if _score(c) > 0]
    rows = []
    for i, c in enumerate(scored, 1):
        evidence = "".join(f"<li>{escape(e)}</li>" for e in _strs(c, "evidence"))
        rows.append([str(i), f"<strong>{escape(_str(c, 'label'))}</strong>",
                     f"{_score(c):.2f}", f'<ul class="tight">{evidence}</ul>',
                     escape(_str(c, "grade")), _cite(refs, c)])
    body = (table(["#", "Contributor", "Score", "Evidence", "Grade", "Ref."], rows,
                  numeric=(0, 2), raw=(1, 3, 4, 5)) if rows
            else "<p>No contributor had any supporting evidence.</p>")
    body += ('<p class="small muted">The score (0-1) ranks the evidence found for this '
             "runner; it is not the probability that the factor causes the pain. The grade "
             "is the strength of the published evidence for the factor.</p>")
    rest = [_str(c, "label") for c in contributors if c not in scored]
    if rest:
        body += f'<p class="small muted">No evidence found for: {escape(", ".join(rest))}.</p>'
    return Section("contributors", "Possible contributors, ranked", body)


# -- training, sources ----------------------------------------------------------------------


def _training_section(analysis: Analysis | None, refs: Refs) -> Section:
    if analysis is None or analysis.is_empty:
        return Section("training", "Training", "<p>No training data is stored.</p>")
    weeks = list(analysis.weeks)[-4:]
    km = sum(w.run_distance_km for w in weeks)
    runs = sum(w.runs for w in weeks)
    intro = (f"<p>Recorded training up to {escape(day_label(analysis.as_of))}: "
             f"{len(analysis.runs)} runs stored; {runs} runs and {km:.0f} km in the last "
             f"{len(weeks)} weeks.</p>")
    flagged = tuple(s for s in analysis.signals if s.level is not Level.OK)
    for s in flagged:
        refs.cite([s.source_key], citation=s.source, grade=s.evidence_grade.value)
    parts = [intro]
    for heading, section in (
            ("Weekly running distance", training.distance_section(analysis, CHART_WEEKS)),
            ("Cadence", training.cadence_section(analysis, CHART_WEEKS)),
            (f"The last {TABLE_WEEKS} weeks", training.weeks_section(analysis, TABLE_WEEKS))):
        parts.append(f"<h3>{escape(heading)}</h3>{section.body}")
    if flagged:
        rows = [[badge(s.level.value),
                 f"<strong>{escape(title(s))}</strong>"
                 + (f'<br><span class="small muted">{escape(day_label(s.on))}</span>'
                    if s.on else ""),
                 escape(format_value(s)), escape(format_threshold(s)),
                 escape(s.explanation)
                 + (f' <span class="tag">{escape(CONTESTED_LABEL)}</span>' if s.contested
                    else ""),
                 escape(s.evidence_grade.value), refs.cite([s.source_key])]
                for s in flagged]
        parts.append("<h3>Training signals above ok</h3>" + table(
            ["Level", "Signal", "Value", "Threshold", "What was found", "Grade", "Ref."],
            rows, numeric=(2, 3), raw=(0, 1, 2, 3, 4, 5, 6)))
    quiet = len(analysis.signals) - len(flagged)
    parts.append(f'<p class="small muted">{quiet} more signal(s) at ok are not listed.</p>'
                 if flagged else "<p>Every training signal is at ok.</p>")
    return Section("training", "Training", "".join(parts))


def _sources_section(refs: Refs) -> Section:
    items = "".join(f'<li value="{n}">{escape(citation)}'
                    + (f" <em>({escape(grade)})</em>" if grade else "") + "</li>"
                    for n, citation, grade in refs.items())
    return Section("sources", "Sources",
                   "<p class=\"small\">Evidence grades: guideline, strong, moderate, weak, "
                   "expert, contested.</p>" f'<ol class="small">{items}</ol>')


def _latest_stop(decisions: Sequence[Decision] | None) -> Decision | None:
    if decisions and decisions[-1].action is Action.STOP:
        return decisions[-1]
    return None


def physio_report_html(*, check: Mapping[str, object], plan: Plan | None,
                       analysis: Analysis | None, checkins: Sequence[CheckIn],
                       decisions: Sequence[Decision] | None, today: date) -> str:
    """The physiotherapist's report as a complete, self-contained HTML document.

    Parameters
    ----------
    check
        The latest back check as :meth:`CheckResult.to_dict` (extra keys ignored).
    plan
        The current plan, None when none was made.
    analysis
        The training analysis (:func:`backstride.analysis.current_signals`), None
        without stored training.
    checkins
        Daily check-ins (any order).
    decisions
        The plan decisions for the check-ins (:func:`~backstride.domain.adaptation.replay`);
        None replays them from the plan's start.
    today
        The day the report is made.
    """
    refs = Refs()
    if decisions is None and plan is not None and checkins:
        decisions = replay(PlanState.initial(plan), checkins)
    triage = _map(check, "triage")
    urgent = (_str(triage, "level") in URGENT_LEVELS
              or (plan is not None and plan.stopped is not None))
    stop = None if urgent else _latest_stop(decisions)
    sections: list[Section | None] = [
        _triage_section(check, refs, urgent=urgent, plan=plan, stopped=stop)]
    if urgent:
        sections.append(_function_section(check))
    else:
        sections += [_patterns_section(check, refs), _function_section(check),
                     _self_tests_section(check, refs), _contributors_section(check, refs),
                     _training_section(analysis, refs),
                     plan_section(plan, today=today, refs=refs, stopped=stop),
                     checkins_section(checkins, decisions, plan, refs)]
    sections.append(_sources_section(refs))
    on = _str(check, "on")
    subtitle = (f"Prepared on {day_label(today)} · back check of "
                f"{day_label(date.fromisoformat(on)) if on else 'unknown date'}")
    return page(
        "Back report for the physiotherapist", [s for s in sections if s is not None],
        subtitle=subtitle, notice=_URGENT_NOTICE if urgent else _NOTICE, extra_css=PRINT_CSS,
        footer=f"Made by backstride {__version__} on {today.isoformat()} (knowledge "
               f"{_str(check, 'knowledge_version') or 'unknown'}). Self-contained; prints "
               "on A4.")
