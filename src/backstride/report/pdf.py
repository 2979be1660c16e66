"""HTML report -> PDF with headless Chromium (``--print-to-pdf``).

Why Chromium: the reports are self-contained HTML with inline SVG charts and print
styles (``@page`` size and margins, page breaks, rows and charts kept whole). Printing
that HTML with a browser engine gives a PDF that looks exactly like the page the
runner (or the physiotherapist) opens in a browser: **one rendering engine for the HTML
and its PDF**, and the print CSS is honoured as written. Pure-Python HTML-to-PDF
libraries implement only part of CSS and SVG, so the PDF would drift from the HTML
and need its own layout. Chromium is also what the tests use to check the reports.

How: the HTML goes to a temporary file, Chromium prints it in a throwaway profile
(``--user-data-dir`` in the same temporary folder) with the network and background
services off, and the PDF is moved into place only when it is complete. Nothing is
loaded from the network: the reports have no external URLs.

Where Chromium comes from, first found: the ``chromium`` argument (a path or a name on
``PATH``), the ``BACKSTRIDE_CHROMIUM`` environment variable, then ``chromium``,
``chromium-browser``, ``google-chrome`` or ``google-chrome-stable`` on ``PATH``.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Final

from backstride.errors import BackstrideError, ConfigError, InputError

__all__ = ["CANDIDATES", "ENV_VAR", "TIMEOUT_S", "find_chromium", "html_to_pdf"]

log = logging.getLogger(__name__)

#: Environment variable naming the Chromium executable.
ENV_VAR: Final = "BACKSTRIDE_CHROMIUM"
#: Executable names tried on ``PATH``, in order.
CANDIDATES: Final = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Longest time Chromium may take to print [s].
TIMEOUT_S: Final = 120.0
#: Flags for a quiet, isolated, offline print.
FLAGS: Final = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--no-first-run",
                "--no-default-browser-check", "--no-pdf-header-footer",
                "--print-to-pdf-no-header")
_INSTALL_HINT: Final = ("install Chromium (Debian/Ubuntu: sudo apt-get install chromium) or "
                        f"set {ENV_VAR} to the browser's path")


def _executable(name: str) -> str | None:
    path = Path(name).expanduser()
    if path.is_file() and os.access(path, os.X_OK):
        return str(path.absolute())
    return shutil.which(name)


def find_chromium(chromium: str | None = None) -> str:
    """The Chromium executable to use (see the module docstring for the order).

    Raises
    ------
    ConfigError
        When the given or configured browser is not an executable, or none is found.
    """
    for given, where in ((chromium, "the chromium argument"),
                         (os.environ.get(ENV_VAR) or None, ENV_VAR)):
        if given is not None:
            found = _executable(given)
            if found is None:
                raise ConfigError(f"Chromium not found at {given!r} ({where}): "
                                  f"{_INSTALL_HINT}")
            return found
    for name in CANDIDATES:
        found = shutil.which(name)
        if found is not None:
            return found
    raise ConfigError(f"Chromium is needed to make the PDF but was not found: {_INSTALL_HINT}")


def _last_line(text: bytes) -> str:
    lines = [ln.strip() for ln in text.decode(errors="replace").splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "no message"


def html_to_pdf(html: str, out: Path, *, chromium: str | None = None) -> None:
    """Print an HTML document to a PDF file with headless Chromium.

    Parameters
    ----------
    html
        A complete, self-contained HTML document (print styles honoured).
    out
        Where to write the PDF; its folder is created; an existing file is replaced
        only once the new PDF is complete.
    chromium
        Path or name of the Chromium executable (default: see :func:`find_chromium`).

    Raises
    ------
    ConfigError
        Chromium not found (the message says how to install it).
    InputError
        The PDF cannot be written to ``out``.
    BackstrideError
        Chromium failed, timed out or wrote no PDF (one line).
    """
    exe = find_chromium(chromium)
    out = out.expanduser().absolute()
    with tempfile.TemporaryDirectory(prefix="backstride-pdf-") as tmp:
        folder = Path(tmp)
        page, pdf = folder / "report.html", folder / "report.pdf"
        page.write_text(html, encoding="utf-8")
        cmd = [exe, *FLAGS, f"--user-data-dir={folder / 'profile'}",
               f"--print-to-pdf={pdf}", page.as_uri()]
        log.debug("printing to PDF: %s", " ".join(cmd))
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S,  # noqa: S603
                                  check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise BackstrideError(f"Chromium did not finish the PDF within {TIMEOUT_S:.0f} s"
                                  ) from None
        except OSError as exc:
            raise BackstrideError(f"cannot run Chromium ({exe}): "
                                  f"{exc.strerror or type(exc).__name__}") from None
        if done.returncode != 0:
            raise BackstrideError(f"Chromium failed to print the PDF (exit "
                                  f"{done.returncode}): {_last_line(done.stderr)}")
        if not pdf.is_file() or pdf.read_bytes()[:5] != b"%PDF-":
            raise BackstrideError(f"Chromium wrote no PDF: {_last_line(done.stderr)}")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp_out = out.with_name(f".{out.name}.{os.getpid()}.tmp")
            try:
                shutil.copyfile(pdf, tmp_out)
                tmp_out.replace(out)
            except BaseException:
                tmp_out.unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise InputError(f"cannot write the PDF to {out}: "
                             f"{exc.strerror or type(exc).__name__}") from exc
