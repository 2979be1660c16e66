"""Reading what the ``backstride`` command printed."""

from __future__ import annotations

import json
import re
from typing import Any

from typer.testing import Result


def json_object(result: Result) -> dict[str, Any]:
    """The single JSON object a successful ``--json`` command printed."""
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def one_error_line(stderr: str) -> str:
    """The one ``error: ...`` line of a failed command (never a traceback)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def flat_text(text: str) -> str:
    """The words of a Rich rendering, without box drawing and line breaks."""
    return " ".join(re.sub(r"[│┃║]", " ", text).split())
