"""``backstride check`` end to end: Typer's CliRunner on real SQLite, plus one real terminal.

No mocks: real knowledge files, real database, the real demo export for the training
signals, and the installed console script inside a pseudo-terminal for the TTY test.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.cli import flat_text, json_object, one_error_line
from typer.testing import CliRunner, Result

from backstride.cli.main import app
from backstride.domain.answers import REQUIRED_KEYS, QType, Section
from backstride.domain.triage import TriageLevel
from backstride.knowledge import load_knowledge
from backstride.settings import Settings
from backstride.storage.checks import check_history, get_check
from backstride.storage.store import Store

KB = load_knowledge()
QUESTIONS = KB.questions
RED_FLAG_KEYS = [q.key for q in QUESTIONS.in_section(Section.RED_FLAGS)]
#: A runner with no warning sign (every red-flag question answered).
BENIGN: dict[str, object] = {
    **{k: False for k in RED_FLAG_KEYS if QUESTIONS[k].qtype is QType.BOOL},
    "age": 38, "weeks_since_onset": 2, "pain_one_side": True, "spasm": True,
    "worse_twisting": True, "pain_now": 4, "pain_during_run": 3,
}
EMERGENCY_ADVICE = KB.triage.levels[TriageLevel.EMERGENCY].advice
SAME_DAY_ADVICE = KB.triage.levels[TriageLevel.SAME_DAY].advice


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Environment for one invocation: a fresh data folder with the default SQLite."""
    return {"BACKSTRIDE_HOME": str(tmp_path / "home"), "BACKSTRIDE_DATABASE_URL": "",
            "COLUMNS": "200"}


@pytest.fixture(scope="module")
def shared_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One data folder for many read-only (``--no-save``) runs."""
    home = tmp_path_factory.mktemp("shared") / "home"
    return {"BACKSTRIDE_HOME": str(home), "BACKSTRIDE_DATABASE_URL": "", "COLUMNS": "200"}


def _write(path: Path, answers: Mapping[str, object]) -> Path:
    path.write_text(json.dumps(answers), encoding="utf-8")
    return path


def _check(runner: CliRunner, env: Mapping[str, str], answers_file: Path, *args: str,
           input: str | None = None) -> Result:
    return runner.invoke(app, ["check", "--answers", str(answers_file), *args], env=dict(env),
                         input=input)


def _stored(env: Mapping[str, str]) -> Store:
    """The Store the command used (default SQLite under BACKSTRIDE_HOME)."""
    return Store.open(Settings.from_env({"BACKSTRIDE_HOME": env["BACKSTRIDE_HOME"]}))


def _running_advice() -> list[str]:
    """Every piece of running or exercise guidance the knowledge can show."""
    texts = [t for p in KB.patterns.patterns for t in (p.running, p.exercise, p.meaning)]
    texts += [s.text for s in KB.patterns.sensitivities]
    texts += [e.label for e in KB.contributors.plan_elements.values()]
    texts += [c.label for c in KB.contributors.contributors]
    texts += [KB.triage.limited_running]
    return texts


# -- usage and the template ----------------------------------------------------------------


def test_template_lists_every_key_and_parses_back_unchanged(
        runner: CliRunner, env: dict[str, str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "--template"], env=env)
    assert result.exit_code == 0, result.output
    template = json.loads(result.stdout)
    assert set(REQUIRED_KEYS) <= set(template)
    assert {k for k in template if not k.startswith("_")} == set(QUESTIONS)
    for key, question in QUESTIONS.items():
        assert template[key] is None
        assert question.meaning in template["_help"][key]
        assert question.allowed() in template["_help"][key]
    # written to a file and fed back as it is: accepted, everything unanswered
    path = tmp_path / "answers.json"
    path.write_text(result.stdout, encoding="utf-8")
    data = json_object(_check(runner, env, path, "--json", "--no-save"))
    assert data["answers"] == {}
    assert data["triage"]["level"] == "self_care"
    assert data["triage"]["unanswered_red_flags"] == RED_FLAG_KEYS


@pytest.mark.parametrize("args", [
    ["check", "--template", "--answers", "x.json"],
    ["check", "--as-of", "01/06/2025", "--template"],
    ["check", "--bogus"],
])
def test_wrong_usage_exits_2(runner: CliRunner, env: dict[str, str], args: list[str]) -> None:
    assert runner.invoke(app, args, env=env).exit_code == 2


# -- answers files: every key, errors naming the file and key --------------------------------


def _valid_value(key: str) -> object:
    q = QUESTIONS[key]
    if q.qtype is QType.BOOL:
        return False
    if q.qtype is QType.CHOICE:
        return q.choices[-1]
    if q.qtype is QType.PSFS:
        return [{"activity": f"activity {i}", "score": i} for i in range(q.max_items)]
    assert q.minimum is not None and q.maximum is not None
    middle = (q.minimum + q.maximum) / 2
    return int(middle) if q.qtype is QType.INT else middle


def test_every_key_is_accepted(runner: CliRunner, shared_env: dict[str, str],
                               tmp_path: Path) -> None:
    answers = {key: _valid_value(key) for key in QUESTIONS}
    assert set(REQUIRED_KEYS) <= set(answers)
    data = json_object(_check(runner, shared_env, _write(tmp_path / "all.json", answers), "--json",
                        "--no-save"))
    assert data["answers"] == answers
    assert data["triage"]["unanswered_red_flags"] == []
    assert data["check_id"] is None


@pytest.mark.parametrize(("answers", "key"), [
    ({"saddle_numbess": True}, "saddle_numbess"),
    ({"age": 200}, "age"),
    ({"age": 30.5}, "age"),
    ({"pain_now": 11}, "pain_now"),
    ({"pain_now": "five"}, "pain_now"),
    ({"fever": "yes"}, "fever"),
    ({"sex": "other"}, "sex"),
    ({"weeks_since_onset": -1}, "weeks_since_onset"),
    ({"psfs": [{"activity": "run", "score": 12}]}, "psfs"),
])
def test_bad_answers_are_one_line_naming_file_and_key(
        runner: CliRunner, shared_env: dict[str, str], tmp_path: Path,
        answers: dict[str, object], key: str) -> None:
    path = _write(tmp_path / "bad answers.json", answers)
    result = _check(runner, shared_env, path, "--json")
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert str(path) in line
    assert repr(key) in line
    assert result.stdout == ""


@pytest.mark.parametrize(("content", "expected"), [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    (None, "cannot read the answers file"),
])
def test_unreadable_answers_file(runner: CliRunner, shared_env: dict[str, str], tmp_path: Path,
                                 content: str | None, expected: str) -> None:
    path = tmp_path / "answers.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = _check(runner, shared_env, path)
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert str(path) in line and expected in line


def test_answers_from_stdin(runner: CliRunner, shared_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["check", "--answers", "-", "--json", "--no-save"],
                           env=shared_env, input=json.dumps({"fever": True}))
    assert json_object(result)["triage"]["level"] == "same_day"


# -- triage through the command line -------------------------------------------------------


@pytest.mark.parametrize(("example", "level"), [
    pytest.param(dict(r.example), r.level, id=r.key) for r in KB.triage.rules])
def test_every_red_flag_alone_reaches_its_level(
        runner: CliRunner, shared_env: dict[str, str], tmp_path: Path,
        example: dict[str, object], level: TriageLevel) -> None:
    data = json_object(_check(runner, shared_env, _write(tmp_path / "a.json", example), "--json",
                        "--no-save"))
    assert TriageLevel(data["triage"]["level"]).rank >= level.rank


def test_combined_flags_take_the_highest_level(runner: CliRunner, shared_env: dict[str, str],
                                               tmp_path: Path) -> None:
    answers = {**BENIGN, "night_pain": True, "fever": True, "chest_pain": True,
               "pain_below_knee": True}
    data = json_object(_check(runner, shared_env, _write(tmp_path / "a.json", answers), "--json",
                        "--no-save"))
    assert data["triage"]["level"] == "emergency"
    levels = [r["level"] for r in data["triage"]["reasons"]]
    assert levels[0] == "emergency"
    assert {"emergency", "same_day", "soon", "routine"} <= set(levels)


#: One vignette per level; the human view must lead with that level's title and advice.
VIGNETTES = {
    TriageLevel.EMERGENCY: {**BENIGN, "bladder_change": True},
    TriageLevel.SAME_DAY: {**BENIGN, "immunosuppressed": True},
    TriageLevel.SOON: {**BENIGN, "cancer_history": True},
    TriageLevel.ROUTINE: {**BENIGN, "pain_below_knee": True},
    TriageLevel.SELF_CARE: BENIGN,
}


@pytest.mark.parametrize("level", list(TriageLevel), ids=str)
def test_vignette_for_each_level(runner: CliRunner, shared_env: dict[str, str],
                                 tmp_path: Path, level: TriageLevel) -> None:
    path = _write(tmp_path / "vignette.json", VIGNETTES[level])
    data = json_object(_check(runner, shared_env, path, "--json", "--no-save"))
    assert data["triage"]["level"] == level.value
    assert {"level", "reasons", "advice"} <= set(data["triage"])
    assert isinstance(data["patterns"], list) and data["patterns"]
    for c in data["contributors"]:
        assert {"key", "score", "evidence", "grade"} <= set(c)
    human = _check(runner, shared_env, path, "--no-save")
    assert human.exit_code == 0, human.output
    flat = flat_text(human.stdout)
    advice = KB.triage.levels[level]
    title = advice.title.upper() if level.urgent else advice.title
    assert flat.lstrip("╭┏━─ ").startswith(title)
    assert flat_text(advice.advice) in flat
    assert flat_text(KB.triage.notice) in flat
    if level.urgent:
        for phrase in _running_advice():
            assert flat_text(phrase) not in flat, phrase
        assert data["contributors"] == [] and data["plan_elements"] == []
        assert all(set(p) == {"key", "label"} for p in data["patterns"])
    else:
        assert "What may be adding to your back pain" in flat
    if level is TriageLevel.SOON:
        assert flat_text(KB.triage.limited_running) in flat


def test_emergency_answers_file_saves_and_shows_only_where_to_go(
        runner: CliRunner, env: dict[str, str], tmp_path: Path) -> None:
    path = _write(tmp_path / "e.json", {"saddle_numbness": True, "pain_now": 6,
                                        "desk_hours_per_day": 10, "hill_running": True})
    result = _check(runner, env, path, "--as-of", "2025-03-02")
    assert result.exit_code == 0, result.output
    flat = flat_text(result.stdout)
    assert flat_text(EMERGENCY_ADVICE) in flat
    assert "emergency department" in flat and "112" in flat
    for phrase in _running_advice():
        assert flat_text(phrase) not in flat, phrase
    assert "Check #1 saved for 2025-03-02" in flat
    with _stored(env) as store:
        [saved] = check_history(store)
    assert saved.triage_level == "emergency" and saved.on == date(2025, 3, 2)


def test_database_failure_never_hides_the_emergency(
        runner: CliRunner, env: dict[str, str], tmp_path: Path) -> None:
    env["BACKSTRIDE_DATABASE_URL"] = "postgresql+psycopg://me:pw@127.0.0.1:9/nowhere"
    result = _check(runner, env, _write(tmp_path / "e.json", {"chest_pain": True}))
    assert result.exit_code == 1
    assert flat_text(EMERGENCY_ADVICE) in flat_text(result.stdout)
    assert "cannot open database" in one_error_line(result.stderr)


# -- repeated checks: change against the minimal important differences ---------------------


def test_repeated_check_shows_change_against_the_mids(
        runner: CliRunner, env: dict[str, str], tmp_path: Path) -> None:
    def run(on: str, pain: int, run_score: int, film: int) -> dict[str, Any]:
        answers = {**BENIGN, "pain_now": pain, "psfs": [
            {"activity": "Run 10 km", "score": run_score},
            {"activity": "sit through a film", "score": film}]}
        return json_object(_check(runner, env, _write(tmp_path / f"{on}.json", answers),
                            "--as-of", on, "--json"))

    first = run("2025-06-01", 6, 3, 5)
    assert first["change"] is None and first["previous_check_id"] is None
    # pain 6 -> 5: 1 point < min(2, 30% of 6); "Run 10 km" 3 -> 6: +3 reaches the single
    # activity MID (3) while the mean 4 -> 5.5 (+1.5) stays under its MID (2)
    second = run("2025-06-08", 5, 6, 5)
    assert second["previous_check_id"] == first["check_id"]
    status = {c["measure"]: c["status"] for c in second["change"]["changes"]}
    assert status == {"pain_now": "unchanged", "pain_during_run": "unchanged",
                      "psfs_mean": "unchanged", "psfs:Run 10 km": "improved",
                      "psfs:sit through a film": "unchanged"}
    assert second["change"]["overall"] == "improved"
    # pain 5 -> 7: +2 points is worse; overall worse when anything is worse
    third = run("2025-06-15", 7, 6, 5)
    assert third["change"]["overall"] == "worse"
    assert third["change"]["previous_on"] == "2025-06-08"
    # a check dated before the others compares with the latest one on or before its day
    back = run("2025-06-05", 6, 3, 5)
    assert back["previous_check_id"] == first["check_id"]

    human = _check(runner, env, tmp_path / "2025-06-15.json", "--as-of", "2025-06-22")
    flat = flat_text(human.stdout)
    assert "since your check on 2025-06-15" in flat
    assert "An important change is at least 2 points or 30% for pain" in flat
    with _stored(env) as store:
        assert [c.on for c in check_history(store)] == [
            date(2025, 6, 1), date(2025, 6, 5), date(2025, 6, 8), date(2025, 6, 15),
            date(2025, 6, 22)]
        assert get_check(store, third["check_id"]).result["change"]["overall"] == "worse"


def test_no_save_stores_nothing(runner: CliRunner, env: dict[str, str], tmp_path: Path) -> None:
    result = _check(runner, env, _write(tmp_path / "a.json", BENIGN), "--no-save")
    assert result.exit_code == 0, result.output
    assert "not saved (--no-save)" in result.stdout
    with _stored(env) as store:
        assert check_history(store) == []


# -- interactive -------------------------------------------------------------------------


def _prompt(key: str) -> str:
    return QUESTIONS[key].prompt


def test_interactive_emergency_stops_at_once(runner: CliRunner, env: dict[str, str]) -> None:
    first, second = RED_FLAG_KEYS[0], RED_FLAG_KEYS[1]
    result = runner.invoke(app, ["check"], env=env, input="y\n" + "n\n" * 40)
    assert result.exit_code == 0, result.output
    flat = flat_text(result.stdout)
    assert _prompt(first) in flat
    assert _prompt(second) not in flat
    assert flat_text(EMERGENCY_ADVICE) in flat
    assert "The check stopped here because of your last answer." in flat
    for phrase in _running_advice():
        assert flat_text(phrase) not in flat, phrase
    with _stored(env) as store:
        [saved] = check_history(store)
    assert saved.triage_level == "emergency"
    assert saved.answers == {first: True}


def test_interactive_same_day_finishes_the_red_flags_then_stops(
        runner: CliRunner, env: dict[str, str]) -> None:
    lines = ["y" if k == "fever" else "" if QUESTIONS[k].qtype is not QType.BOOL else "n"
             for k in RED_FLAG_KEYS]
    result = runner.invoke(app, ["check", "--json"], env=env, input="\n".join(lines) + "\n")
    prompts = flat_text(result.stderr)
    assert _prompt(RED_FLAG_KEYS[-1]) in prompts
    first_pattern = QUESTIONS.in_section(Section.PATTERN)[0]
    assert first_pattern.prompt not in prompts
    assert flat_text(SAME_DAY_ADVICE) in prompts  # shown to the person at the prompts at once
    data = json_object(result)
    assert data["triage"]["level"] == "same_day"
    assert data["contributors"] == [] and data["withheld"]
    assert isinstance(data["check_id"], int)


def _full_interview() -> str:
    lines: list[str] = []
    for key in RED_FLAG_KEYS:
        lines += {"age": ["35"], "weeks_since_onset": ["2"]}.get(key, ["n"])
    lines += ["n", "n", "y", "y", "y", "skip"]  # pattern: one-sided, spasm, twisting
    lines += ["abc", "11", "5"]  # pain now: not a number, out of range, then 5
    lines += ["?", "6"]  # worst pain this week, after asking what it means
    lines += [""]  # pain during running: skipped
    lines += ["run 10 km", "4", ""]  # PSFS: one activity
    lines += ["skip"]  # training and daily life
    lines += ["y"]  # do the self-tests
    for test in KB.self_tests.tests:
        lines += ["y", "male", "60", "40"] if test.key == "side_bridge" else ["n"]
    return "\n".join(lines) + "\n"


def test_interactive_full_check(runner: CliRunner, env: dict[str, str]) -> None:
    result = runner.invoke(app, ["check", "--json", "--as-of", "2025-06-01"], env=env,
                           input=_full_interview())
    prompts = flat_text(result.stderr)
    assert "answer 'pain_now' = 'abc' is not allowed" in prompts
    assert "answer 'pain_now' = 11 is not allowed" in prompts
    assert QUESTIONS["worst_pain_week"].meaning in prompts
    side_bridge = next(t for t in KB.self_tests.tests if t.key == "side_bridge")
    assert flat_text(side_bridge.instructions[0]) in prompts
    assert flat_text(KB.self_tests.safety) in prompts
    data = json_object(result)
    assert data["triage"]["level"] == "self_care"
    assert data["triage"]["unanswered_red_flags"] == []
    answers = data["answers"]
    assert answers["pain_now"] == 5 and answers["worst_pain_week"] == 6
    assert "pain_during_run" not in answers
    assert answers["psfs"] == [{"activity": "run 10 km", "score": 4}]
    assert answers["sex"] == "male"
    assert (answers["side_bridge_left_s"], answers["side_bridge_right_s"]) == (60, 40)
    assert "desk_hours_per_day" not in answers
    assert [p["key"] for p in data["patterns"]] == ["muscular"]
    findings = [f["key"] for f in data["self_tests"]["findings"]]
    assert "side_bridge_asymmetry" in findings
    assert data["function"]["psfs"] == [{"activity": "run 10 km", "score": 4}]


def test_interactive_extension_pain_skips_the_extensor_hold(
        runner: CliRunner, env: dict[str, str]) -> None:
    lines = [{"age": "35", "weeks_since_onset": "2"}.get(k, "n") for k in RED_FLAG_KEYS]
    pattern = [q.key for q in QUESTIONS.in_section(Section.PATTERN)]
    lines += ["y" if k == "pain_on_extension" else "" if QUESTIONS[k].qtype is not QType.BOOL
              else "n" for k in pattern]
    lines += ["skip", "skip", "y"] + ["n"] * len(KB.self_tests.tests)
    result = runner.invoke(app, ["check", "--no-save"], env=env, input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    flat = flat_text(result.stdout)
    assert "Skipping Back extensor hold: Arching the back hurts." in flat


def test_interactive_end_of_input_saves_nothing_but_shows_a_warning_reached(
        runner: CliRunner, env: dict[str, str]) -> None:
    fever_at = RED_FLAG_KEYS.index("fever")
    result = runner.invoke(app, ["check"], env=env, input="n\n" * fever_at + "y\n")
    assert result.exit_code == 1
    flat = flat_text(result.stderr)
    assert "check stopped before the end; nothing saved" in flat
    assert flat_text(SAME_DAY_ADVICE) in flat
    with _stored(env) as store:
        assert check_history(store) == []


# -- a real terminal ----------------------------------------------------------------------


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def _read(fd: int, until: bytes | None, timeout: float) -> bytes:
    """Read a pty until ``until`` appears (or the child closes it when None)."""
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        data += chunk
        if until is not None and until in _ANSI.sub("", data.decode("utf-8", "replace")
                                                    ).encode():
            break
    return data


@pytest.fixture
def console_script() -> Path:
    exe = Path(sys.executable).with_name("backstride")
    if not exe.is_file():
        pytest.skip(f"console script not installed next to {sys.executable}")
    return exe


def test_real_terminal_emergency_stops_at_once(console_script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "BACKSTRIDE_HOME": str(tmp_path / "home"), "COLUMNS": "100",
           "TERM": "xterm-256color"}
    env.pop("BACKSTRIDE_DATABASE_URL", None)
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(console_script), "check"], stdin=slave, stdout=slave,
                            stderr=slave, env=env, close_fds=True, start_new_session=True)
    os.close(slave)
    try:
        before = _read(master, b"[y/n]", timeout=30)
        assert b"[y/n]" in _ANSI.sub("", before.decode("utf-8", "replace")).encode(), before
        os.write(master, b"y\r")
        after = _read(master, None, timeout=30)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    screen = flat_text(_ANSI.sub("", (before + after).decode("utf-8", "replace")))
    assert _prompt(RED_FLAG_KEYS[0]) in screen
    assert _prompt(RED_FLAG_KEYS[1]) not in screen
    assert "EMERGENCY: GET HELP NOW" in screen
    assert flat_text(EMERGENCY_ADVICE) in screen
    assert b"\x1b[" in after  # Rich saw a terminal: styled output


# -- training signals as evidence -----------------------------------------------------------


DEMO_END = date(2025, 6, 30)
#: Within two weeks after the demo's single-run spike (D 42).
AFTER_SPIKE = DEMO_END - timedelta(days=35)
#: Within two weeks after the demo's hill block (D 83-56). Later, e.g. after the spike, the
#: block has left the 28-day hill windows of the analysis and the hill signals are "ok".
AFTER_HILLS = DEMO_END - timedelta(days=45)
#: Evidence for other contributors, none for hills or training load.
SIGNAL_ANSWERS = {**BENIGN, "desk_hours_per_day": 9, "slumped_sitting": True,
                  "mcgill_flexor_s": 120, "mcgill_extensor_s": 90}


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The demo runner's year, imported with ``backstride import`` into its own database."""
    pytest.importorskip("backstride.analysis",
                        reason="backstride.analysis (current_signals) is not there yet")
    from backstride.demo.export import write_demo_export

    root = tmp_path_factory.mktemp("demo")
    env = {"BACKSTRIDE_HOME": str(root / "home"), "BACKSTRIDE_DATABASE_URL": "",
           "COLUMNS": "200"}
    export = write_demo_export(root / "export", end=DEMO_END)
    result = CliRunner().invoke(app, ["import", str(export)], env=env)
    assert result.exit_code == 0, result.output
    return env


def _ranks(data: Mapping[str, Any]) -> dict[str, tuple[int, float]]:
    return {c["key"]: (i, c["score"]) for i, c in enumerate(data["contributors"])}


@pytest.mark.parametrize(("as_of", "contributor", "signal_keys"), [
    pytest.param(AFTER_SPIKE, "training_spikes", {"single_run_spike"}, id="spike"),
    pytest.param(AFTER_HILLS, "hills", {"hill_volume"}, id="hill-block"),
])
def test_stored_activities_raise_contributors(
        runner: CliRunner, env: dict[str, str], demo_env: dict[str, str], tmp_path: Path,
        as_of: date, contributor: str, signal_keys: set[str]) -> None:
    path = _write(tmp_path / "a.json", SIGNAL_ANSWERS)
    args = ("--as-of", as_of.isoformat(), "--json", "--no-save")
    without = json_object(_check(runner, env, path, *args))
    with_activities = json_object(_check(runner, demo_env, path, *args))

    assert without["training_signals"] == []
    assert "No activities stored" in without["training_signals_note"]
    rank_without, score_without = _ranks(without)[contributor]
    rank_with, score_with = _ranks(with_activities)[contributor]
    assert score_without == 0
    assert score_with > score_without
    assert rank_with < rank_without
    counted = {s["key"] for s in with_activities["training_signals"]
               if contributor in s["counts_toward"]}
    assert signal_keys <= counted
    evidence = next(c for c in with_activities["contributors"] if c["key"] == contributor)
    assert any(e.startswith("Training signal") for e in evidence["evidence"])
    assert with_activities["signals_used"] == len(with_activities["training_signals"])

    human = _check(runner, demo_env, path, "--as-of", as_of.isoformat(), "--no-save")
    flat = flat_text(human.stdout)
    assert "Training signals used as evidence" in flat
    for key in signal_keys:
        assert key in flat


def test_urgent_check_uses_no_training_signals(runner: CliRunner, demo_env: dict[str, str],
                                               tmp_path: Path) -> None:
    path = _write(tmp_path / "e.json", {**SIGNAL_ANSWERS, "major_trauma": True})
    data = json_object(_check(runner, demo_env, path, "--as-of", AFTER_SPIKE.isoformat(), "--json",
                        "--no-save"))
    assert data["triage"]["level"] == "emergency"
    assert data["training_signals"] == [] and data["contributors"] == []
    assert "withheld" in data["training_signals_note"]
