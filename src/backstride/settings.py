"""Settings, read once at the edge and passed in; nothing is created at import time.

Every setting is a ``(name, default, help)`` entry in :data:`SETTINGS_HELP`; a test
fails when a field of :class:`Settings` is not documented there.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from backstride.errors import ConfigError

__all__ = ["SETTINGS_HELP", "ImportLimits", "Settings"]

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """Limits that keep hostile or broken input from exhausting the machine.

    Attributes
    ----------
    max_file_bytes
        Largest single activity file accepted [bytes]. The largest real file in the
        shared test set (a 14 h triathlon) is 3 MiB; 64 MiB leaves ample room.
    max_archive_member_bytes
        Largest uncompressed member of a zip or gzip archive [bytes].
    max_archive_total_bytes
        Largest total uncompressed size of one archive [bytes].
    max_compression_ratio
        Largest uncompressed/compressed ratio of an archive member. Activity XML
        compresses about 10-20x; a ratio above 200 is treated as a zip bomb.
    max_archive_members
        Most members one archive may hold.
    """

    max_file_bytes: int = 64 * MiB
    max_archive_member_bytes: int = 256 * MiB
    max_archive_total_bytes: int = 8 * 1024 * MiB
    max_compression_ratio: float = 200.0
    max_archive_members: int = 100_000


SETTINGS_HELP: dict[str, tuple[str, str]] = {
    "home": (
        "BACKSTRIDE_HOME",
        "Data directory (database, reports). Default: the platform's user data dir.",
    ),
    "database_url": (
        "BACKSTRIDE_DATABASE_URL",
        "SQLAlchemy URL of the database. Default: sqlite:///<home>/backstride.sqlite3.",
    ),
    "import_workers": (
        "BACKSTRIDE_IMPORT_WORKERS",
        "Processes that parse files during an import. Default: min(2, CPU count).",
    ),
    "limits": (
        "(not from the environment)",
        "Import size limits; see ImportLimits.",
    ),
}


def _default_home() -> Path:
    from platformdirs import user_data_path

    return user_data_path("backstride", appauthor=False)


def _workers(env: Mapping[str, str]) -> int | None:
    text = env.get("BACKSTRIDE_IMPORT_WORKERS", "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise ConfigError(f"BACKSTRIDE_IMPORT_WORKERS={text!r} must be a whole number from 1 to 64")
    return int(text)


@dataclass(frozen=True, slots=True)
class Settings:
    """Where backstride keeps its data and how it guards its input.

    Attributes
    ----------
    home
        Data directory; created on first use by the storage layer, not here.
    database_url
        SQLAlchemy database URL.
    import_workers
        Parser processes during import (None: min(2, CPU count)).
    limits
        Import limits.
    """

    home: Path
    database_url: str
    import_workers: int | None = None
    limits: ImportLimits = field(default_factory=ImportLimits)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables (``os.environ`` by default)."""
        env = os.environ if env is None else env
        home_text = env.get("BACKSTRIDE_HOME", "").strip()
        home = Path(home_text).expanduser() if home_text else _default_home()
        if home.exists() and not home.is_dir():
            raise ConfigError(f"BACKSTRIDE_HOME={home} exists and is not a directory")
        url = env.get("BACKSTRIDE_DATABASE_URL", "").strip()
        if not url:
            url = f"sqlite:///{home / 'backstride.sqlite3'}"
        elif "://" not in url:
            raise ConfigError(f"BACKSTRIDE_DATABASE_URL={url!r} is not a database URL")
        return cls(home=home, database_url=url, import_workers=_workers(env))
