"""HTML -> PDF with real headless Chromium; errors with stand-in executables.

Without Chromium the real-print tests skip with the reason, except under ``CI=true``,
where they fail. Page 1 is rendered to PNG with ``pdftoppm`` (poppler-utils) when it is
installed, to check the PDF draws.
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
from datetime import date
from pathlib import Path

import pytest
from tests.helpers.browser import chromium_or_skip

from backstride.domain.answers import parse_answers
from backstride.domain.check import run_check
from backstride.domain.ladder import RunningBaseline
from backstride.domain.plan import build_plan
from backstride.errors import BackstrideError, ConfigError, InputError
from backstride.knowledge import load_knowledge
from backstride.knowledge.exercises import load_exercises
from backstride.report.pdf import ENV_VAR, find_chromium, html_to_pdf
from backstride.report.physio import physio_report_html

START = date(2025, 6, 2)
ANSWERS = {"age": 34, "desk_hours_per_day": 10, "worse_sitting": True, "pain_now": 3,
           "pain_during_run": 5, "sex": "female", "mcgill_flexor_s": 120,
           "mcgill_extensor_s": 100, "side_bridge_left_s": 60, "side_bridge_right_s": 64}


@pytest.fixture
def chromium() -> str:
    return chromium_or_skip()


def report_html() -> str:
    kb = load_knowledge()
    c = run_check(parse_answers(ANSWERS, kb.questions), knowledge=kb, today=START)
    plan = build_plan(c, [], start=START, exercises=load_exercises(), weeks=12,
                      baseline=RunningBaseline(longest_run_m=12_000, weekly_run_km=30))
    return physio_report_html(check=c.to_dict(), plan=plan, analysis=None, checkins=[],
                              decisions=None, today=START)


def fake(tmp_path: Path, script: str) -> str:
    exe = tmp_path / "fake-chromium"
    exe.write_text(f"#!/bin/sh\n{script}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(exe)


def test_real_pdf(chromium: str, tmp_path: Path) -> None:
    out = tmp_path / "new folder" / "physio report.pdf"
    html_to_pdf(report_html(), out, chromium=chromium)
    data = out.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 20_000
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 2, pages
    assert list(out.parent.iterdir()) == [out]                     # no temporary left over
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return
    png = tmp_path / "page"
    subprocess.run([pdftoppm, "-f", "1", "-l", "1", "-r", "60", "-png", "-singlefile",
                    str(out), str(png)], check=True, capture_output=True, timeout=60)
    image = png.with_suffix(".png").read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 20_000   # text drawn
    # A4 at 60 dpi: 496 x 702 pixels (IHDR width and height)
    width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
    assert (width, height) == (496, 702)


def test_env_var_and_argument(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    exe = fake(tmp_path, "exit 0")
    monkeypatch.setenv(ENV_VAR, exe)
    assert find_chromium() == exe
    assert find_chromium(exe) == exe
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match=f"nowhere.*{ENV_VAR}"):
        find_chromium()
    with pytest.raises(ConfigError, match="chromium argument"):
        find_chromium(str(tmp_path / "missing"))


def test_not_found_says_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="apt-get install chromium") as info:
        html_to_pdf("<p>x</p>", tmp_path / "x.pdf")
    assert "\n" not in str(info.value)


def test_chromium_failure_is_one_line(tmp_path: Path) -> None:
    failing = fake(tmp_path, 'echo "starting" >&2; echo "fatal: no display" >&2; exit 3')
    with pytest.raises(BackstrideError, match=r"exit 3\): fatal: no display$") as info:
        html_to_pdf("<p>x</p>", tmp_path / "x.pdf", chromium=failing)
    assert "\n" not in str(info.value)
    silent = fake(tmp_path, "exit 0")
    with pytest.raises(BackstrideError, match="wrote no PDF"):
        html_to_pdf("<p>x</p>", tmp_path / "x.pdf", chromium=silent)
    assert not (tmp_path / "x.pdf").exists()


def test_unwritable_destination(tmp_path: Path) -> None:
    # a stand-in that writes a minimal PDF where --print-to-pdf says
    writer = fake(tmp_path, 'for a in "$@"; do case "$a" in --print-to-pdf=*) '
                            'printf "%%PDF-1.4\\n" > "${a#--print-to-pdf=}";; esac; done')
    html_to_pdf("<p>x</p>", tmp_path / "ok.pdf", chromium=writer)
    assert (tmp_path / "ok.pdf").read_bytes() == b"%PDF-1.4\n"
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot write the PDF to"):
        html_to_pdf("<p>x</p>", blocker / "x.pdf", chromium=writer)
