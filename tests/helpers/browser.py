"""Real headless Chromium for tests, and a small HTML reader for report pages."""

from __future__ import annotations

import os
from html.parser import HTMLParser

import pytest

from backstride.errors import ConfigError
from backstride.report.pdf import find_chromium


def chromium_or_skip() -> str:
    """The Chromium the library would use; skip when absent (fail under ``CI=true``)."""
    try:
        return find_chromium()
    except ConfigError as exc:
        reason = f"{exc} (scripts/ensure-chromium.sh installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (required under CI=true)")
        pytest.skip(reason)


class HtmlDoc(HTMLParser):
    """Every start tag with its attributes, and the text, of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(html: str) -> HtmlDoc:
    """Parse ``html`` completely."""
    doc = HtmlDoc()
    doc.feed(html)
    doc.close()
    return doc
