"""The physiotherapist's report: real check, plan, demo-year analysis and check-ins."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest
from tests.helpers.browser import HtmlDoc, parse_html

from backstride.analysis import Analysis, current_signals
from backstride.domain.adaptation import Action, PlanState, replay
from backstride.domain.answers import parse_answers
from backstride.domain.check import CheckResult, run_check
from backstride.domain.checkin import CheckIn, Morning
from backstride.domain.function import FunctionScores
from backstride.domain.ladder import RunningBaseline
from backstride.domain.plan import Plan, SessionKind, build_plan
from backstride.knowledge import load_knowledge
from backstride.knowledge.exercises import load_exercises
from backstride.report.physio import physio_report_html
from backstride.settings import Settings
from backstride.storage.store import Store

KB = load_knowledge()
LIB = load_exercises()
DEMO_END = date(2025, 6, 1)   # the demo year's last day (tests/backstride/conftest.py)
START = DEMO_END + timedelta(days=1)
TODAY = START + timedelta(days=20)
BASE = RunningBaseline(longest_run_m=12_000, weekly_run_km=30, easy_pace_s_per_km=360)
DESK = {"age": 34, "desk_hours_per_day": 10, "strength_sessions_per_week": 0,
        "worse_sitting": True, "pain_now": 3, "pain_during_run": 5, "sex": "male",
        "mcgill_flexor_s": 150, "mcgill_extensor_s": 90, "side_bridge_left_s": 50,
        "side_bridge_right_s": 70,
        "psfs": [{"activity": "run 10 km", "score": 4},
                 {"activity": "<script>alert(1)</script>", "score": 6}]}
EMERGENCY = {"saddle_numbness": True, "pain_now": 5}
PREVIOUS = FunctionScores.from_dict({"on": "2025-05-01", "pain": {"pain_now": 6,
                                     "pain_during_run": 7}, "psfs": []})
#: (pain during, pain after) per day from the plan's start; day 10 steps back.
PAIN = [(2, 2), (3, 2), (2, 1), (1, 1), (2, 2), (4, 3), (3, 3), (2, 2), (1, 1), (2, 1),
        (6, 5), (3, 3), (2, 2), (2, 1), (1, 1), (2, 2), (1, 1), (2, 1), (1, 0), (1, 1)]


@pytest.fixture(scope="module")
def analysis(demo_db: Path, demo, tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    """The demo year's analysis on its last day (from a private copy of the database)."""
    assert demo.end == DEMO_END
    home = tmp_path_factory.mktemp("physio") / "home"
    shutil.copytree(demo_db, home)
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'backstride.sqlite3'}")
    with Store.open(settings) as store:
        return current_signals(store, as_of=DEMO_END)


def check_for(raw: Mapping[str, object], analysis: Analysis | None) -> CheckResult:
    signals = list(analysis.signals) if analysis is not None else []
    return run_check(parse_answers(raw, KB.questions), knowledge=KB, signals=signals,
                     previous=PREVIOUS, today=START)


def plan_for(c: CheckResult, analysis: Analysis | None) -> Plan:
    signals = list(analysis.signals) if analysis is not None else []
    return build_plan(c, signals, start=START, exercises=LIB, weeks=12, baseline=BASE)


def checkins_for(plan: Plan, pain: Sequence[tuple[int, int]] = PAIN) -> list[CheckIn]:
    out = []
    for i, (during, after) in enumerate(pain):
        on = START + timedelta(days=i)
        day = plan.day(on)
        kinds = tuple(s.kind for s in day.sessions if s.kind is not SessionKind.REST
                      ) if day else ()
        out.append(CheckIn(on, pain_during=during, pain_after=after,
                           morning_vs_usual=Morning.WORSE if during > 5 else Morning.SAME,
                           stiffness=2, sessions_done=kinds,
                           walk_minutes=30 if SessionKind.WALK in kinds else None))
    return out


@pytest.fixture(scope="module")
def full(analysis: Analysis) -> tuple[str, Plan, list[CheckIn]]:
    c = check_for(DESK, analysis)
    plan = plan_for(c, analysis)
    checkins = checkins_for(plan)
    html = physio_report_html(check=c.to_dict(), plan=plan, analysis=analysis,
                              checkins=checkins, decisions=None, today=TODAY)
    return html, plan, checkins


def assert_self_contained(html: str) -> HtmlDoc:
    doc = parse_html(html)
    tags = {t for t, _ in doc.tags}
    assert not {"script", "link", "img", "iframe", "object", "embed"} & tags
    for _, attrs in doc.tags:
        assert "src" not in attrs
        href = attrs.get("href")
        assert href is None or href.startswith("#"), href
    assert re.search(r"https?://", html) is None
    assert re.findall(r"url\((?!#)", html) == [] and "@import" not in html
    return doc


def test_full_report_sections_and_print_styles(full: tuple[str, Plan, list[CheckIn]]) -> None:
    html, _, _ = full
    doc = assert_self_contained(html)
    ids = [a.get("id") for t, a in doc.tags if t == "section"]
    assert ids == ["triage", "patterns", "function", "selftests", "contributors", "training",
                   "plan", "checkins", "sources"]
    assert [t for t, _ in doc.tags].count("svg") == 3        # distance, cadence, check-ins
    assert "@page { size: A4;" in html and "@media print" in html
    assert "#training, #plan, #checkins { break-before: page;" in html


def test_full_report_content(full: tuple[str, Plan, list[CheckIn]]) -> None:
    html, plan, _ = full
    text = " ".join(parse_html(html).text)
    for words in (
            "Decision support, not a diagnosis.", "Prepared on 22 Jun 2025",
            "back check of 2 Jun 2025", "Level: self care", "Not answered",
            "Common (non-specific) back pain pattern",
            # function and the change since the previous check
            "Pain during running", "5/10", 'PSFS: "run 10 km"', "Change since the check of "
            "2025-05-01", "improved",
            # self-tests with the McGill ratios and caveats
            "Trunk flexor endurance hold", "150 s", "Flexor / extensor hold", "1.67",
            "flagged", "Norms (context only):", "Caveat:",
            # contributors with evidence and grades
            "Core (trunk) endurance", "Self-test: the flexor hold", "expert",
            "No evidence found for:",
            # training: charts (spike and hill weeks), weeks, signals
            "Weekly running distance", "single-run spike: warn", "hill week",
            "single-run spike 1.70× (warn)", "Cadence per run", "The last 8 weeks",
            "Training signals above ok", "Earlier single-run spike", "Shoe distance",
            # the plan
            "Return to run", "Run L1: 1/2 min ×6", "When to see someone", "McGill curl-up",
            "Pain rule:",
            # check-ins with decisions
            "20 check-ins from 2 Jun 2025 to 21 Jun 2025", "pain during activity",
            "stepped back", "moved up a level", "Decisions that changed the plan",
            "Pain reached 6/10, above 5/10.", "Now",
            # sources with grades
            "Nielsen et al. 2025", "(moderate)", "Silbernagel"):
        assert words in text, words
    assert plan.phases()[0][0].value == "settle"
    assert "<script>alert(1)</script>" in text and "<script>" not in html
    cited = {int(n) for group in re.findall(r"\[([\d, ]+)\]", text)
             for n in group.split(", ")}
    listed = len(re.findall(r'<li value="\d+">', html))
    assert cited == set(range(1, listed + 1))                # every [n] is in the list


def test_decisions_given_or_replayed_are_the_same(
        full: tuple[str, Plan, list[CheckIn]], analysis: Analysis) -> None:
    html, plan, checkins = full
    c = check_for(DESK, analysis)
    decisions = replay(PlanState.initial(plan), checkins)
    assert [d.action for d in decisions].count(Action.STEP_BACK) == 1
    again = physio_report_html(check=c.to_dict(), plan=plan, analysis=analysis,
                               checkins=list(reversed(checkins)), decisions=decisions,
                               today=TODAY)
    assert again == html


def test_emergency_shows_no_plan_or_running(analysis: Analysis) -> None:
    urgent = check_for(EMERGENCY, analysis)
    assert urgent.triage.level.value == "emergency"
    other = plan_for(check_for(DESK, analysis), analysis)   # even if a full plan is passed
    html = physio_report_html(check=urgent.to_dict(), plan=other, analysis=analysis,
                              checkins=checkins_for(other), decisions=None, today=TODAY)
    doc = assert_self_contained(html)
    ids = [a.get("id") for t, a in doc.tags if t == "section"]
    assert ids == ["triage", "function", "sources"]
    assert "svg" not in {t for t, _ in doc.tags}
    text = " ".join(doc.text)
    assert "Level: emergency" in text and "emergency department" in text
    assert 'class="urgent"' in html
    assert "Training guidance is withheld" in text
    for words in ("Walk-run", "Run L", "Easy run", "Strength", "km", "cadence", "Cadence",
                  "exercise", "Exercise", "plan:", "The plan", "check-in"):
        assert words not in text, words
    stopped = plan_for(urgent, analysis)
    assert stopped.stopped is not None
    same = physio_report_html(check=urgent.to_dict(), plan=stopped, analysis=None,
                              checkins=[], decisions=None, today=TODAY)
    assert [a.get("id") for t, a in parse_html(same).tags if t == "section"] == ids


def test_new_red_flag_in_a_check_in_stops_the_plan(analysis: Analysis) -> None:
    c = check_for(DESK, analysis)
    plan = plan_for(c, analysis)
    checkins = [*checkins_for(plan, PAIN[:5]),
                CheckIn(START + timedelta(days=5), pain_during=4,
                        new_red_flags=("saddle_numbness",))]
    html = physio_report_html(check=c.to_dict(), plan=plan, analysis=analysis,
                              checkins=checkins, decisions=None, today=TODAY)
    text = " ".join(parse_html(html).text)
    assert "plan stopped" in text and "New warning sign reported: saddle numbness" in text
    assert "The plan is stopped" in text and "Run L1" not in text


def test_without_training_plan_or_checkins() -> None:
    c = check_for({"pain_now": 2}, None)
    html = physio_report_html(check=c.to_dict(), plan=None, analysis=None, checkins=[],
                              decisions=None, today=date(2025, 6, 2))
    doc = assert_self_contained(html)
    text = " ".join(doc.text)
    for words in ("No training data is stored.", "No plan has been made yet.",
                  "No daily check-ins recorded."):
        assert words in text
    assert "selftests" not in {a.get("id") for _, a in doc.tags}   # no self-test done
    assert "svg" not in {t for t, _ in doc.tags}
