"""FIT importer (placeholder until the decoder lands)."""

from __future__ import annotations

from backstride.domain.activity import Activity
from backstride.errors import UnsupportedFormatError

__all__ = ["parse_fit"]


def parse_fit(data: bytes, *, source: str) -> list[Activity]:
    """Decode a FIT file (possibly chained) into one Activity per sport leg."""
    raise UnsupportedFormatError(source, "FIT import is not available yet")
