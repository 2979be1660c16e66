"""Fixtures for the plan, log and today commands: a home, in-process runs, a stored check."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from backstride.cli.main import app

START = date(2025, 6, 2)

Invoke = Callable[..., Result]
CheckRunner = Callable[..., Result]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty BACKSTRIDE_HOME with the default SQLite database."""
    folder = tmp_path / "home"
    monkeypatch.setenv("BACKSTRIDE_HOME", str(folder))
    monkeypatch.delenv("BACKSTRIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return folder


@pytest.fixture
def invoke() -> Invoke:
    """Run ``backstride ARGS...`` in-process."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args))

    return run


@pytest.fixture
def run_check(invoke: Invoke, tmp_path: Path) -> CheckRunner:
    """Store a check: ``run_check(answers, on)`` (asserts it ran)."""

    def run(answers: Mapping[str, object], on: date = START) -> Result:
        path = tmp_path / f"answers-{abs(hash(json.dumps(answers, sort_keys=True)))}.json"
        path.write_text(json.dumps(answers), encoding="utf-8")
        result = invoke("check", "--answers", str(path), "--as-of", on.isoformat(), "--json")
        assert result.exit_code == 0, result.output
        return result

    return run

