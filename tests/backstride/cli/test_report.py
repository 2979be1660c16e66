"""``backstride report``: a self-contained HTML file, parsed and rendered in real Chromium.

Chromium (Debian's ``chromium``; ``scripts/ensure-chromium.sh`` installs it) renders
the report to a PNG screenshot and to PDF (the print styles). Without it those tests
skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from tests.helpers.browser import chromium_or_skip, parse_html
from typer.testing import CliRunner

from backstride.cli.main import app

SECTIONS = ("summary", "signals", "distance", "cadence", "shoes", "balance", "weeks", "sources")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def report(runner: CliRunner, demo_home: Path, demo, tmp_path: Path) -> Path:
    out = tmp_path / "out" / "training report.html"
    result = runner.invoke(app, ["report", "--out", str(out), "--as-of", demo.end.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    return out


def _render(tmp_path: Path, page: Path, *flags: str) -> None:
    cmd = [chromium_or_skip(), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
           *flags, page.as_uri()]
    done = subprocess.run(cmd, capture_output=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]


def test_report_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    doc = parse_html(html)
    tags = [t for t, _ in doc.tags]
    assert tags.count("svg") == 4                                  # the four charts
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(tags)
    for _, attrs in doc.tags:
        assert "src" not in attrs
        href = attrs.get("href")
        assert href is None or href.startswith("#"), href
    assert re.search(r"https?://", html) is None
    assert re.findall(r"url\((?!#)", html) == [] and "@import" not in html
    ids = {a.get("id") for _, a in doc.tags}
    assert set(SECTIONS) <= ids
    assert "@media print" in html


def test_report_content(report: Path, demo) -> None:
    html = report.read_text(encoding="utf-8")
    text = " ".join(parse_html(html).text)
    assert "Decision support, not a diagnosis." in text
    assert "Signals on 1 Jun 2025" in text
    for words in ("Earlier single-run spike", "Shoe distance", "Acute:chronic load ratio",
                  "contested measure: context only", "Nielsen et al. 2025", "Moderate",
                  "Weak", "hill week", "single-run spike: warn", "your baseline",
                  "check at 500 km (weak evidence)", "replace guide 800 km (weak evidence)",
                  "50/50", *demo.pairs):
        assert words in text, words
    # spike and hill weeks are marked on the weekly chart (tooltips name them)
    assert "single-run spike 1.70× (warn)" in text
    assert len(re.findall(r"climbing 2[0-9] m/km", text)) >= 4


def test_names_are_escaped(runner: CliRunner, demo_home: Path, demo, tmp_path: Path) -> None:
    evil = '<script>alert("x")</script> & <b>'
    assigned = runner.invoke(app, ["gear", "assign", evil, "--from", "2025-05-01"])
    assert assigned.exit_code == 0, assigned.output
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "--out", str(out), "--as-of", demo.end.isoformat()])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;" in html
    assert evil in " ".join(parse_html(html).text)


def test_default_path_and_errors(runner: CliRunner, demo_home: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(demo_home / "report.html")
    assert (demo_home / "report.html").stat().st_size > 20_000  # today: long after the demo
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    bad = runner.invoke(app, ["report", "--out", str(blocker / "report.html")])
    assert bad.exit_code == 1
    lines = [line for line in bad.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot write the report to ")
    monkeypatch.setenv("BACKSTRIDE_HOME", str(tmp_path / "empty"))
    empty = runner.invoke(app, ["report"])
    assert empty.exit_code == 1 and "backstride demo" in empty.stderr


def test_renders_in_chromium(report: Path, tmp_path: Path) -> None:
    png, pdf = tmp_path / "report.png", tmp_path / "report.pdf"
    _render(tmp_path, report, f"--screenshot={png}", "--window-size=1200,2000",
            "--hide-scrollbars")
    _render(tmp_path, report, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and pdf.stat().st_size > 30_000
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 3


def test_real_gpx_runs_without_cadence_or_shoes(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, activities_dir: Path
) -> None:
    """58 real GPX runs (positions and altitude only): the charts without data say so."""
    monkeypatch.setenv("BACKSTRIDE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BACKSTRIDE_DATABASE_URL", raising=False)
    folder = activities_dir / "runpandas" / "session"
    assert runner.invoke(app, ["import", str(folder)]).exit_code == 0
    out = tmp_path / "gpx.html"
    result = runner.invoke(app, ["report", "--out", str(out), "--as-of", "2021-07-04"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    doc = parse_html(html)
    assert [t for t, _ in doc.tags].count("svg") == 1               # weekly distance only
    text = " ".join(doc.text)
    assert "No cadence was recorded" in text and "No run has a pair of shoes named" in text
    assert "Ground contact balance" not in text
    assert "58 activities (58 runs, 0 cross-training)" in text
