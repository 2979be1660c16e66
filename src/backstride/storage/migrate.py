"""Run the Alembic migrations shipped inside the package, without an ``alembic.ini``.

The migration scripts live in ``backstride/storage/migrations`` (``env.py`` and
``versions/``). :func:`upgrade_to_head` points an in-memory Alembic
:class:`~alembic.config.Config` at them and hands over an open connection.

A new migration, after changing :mod:`backstride.storage.schema` (then review it, and
extend ``tests/backstride/storage/test_schema.py`` if needed)::

    .venv/bin/python -c "from alembic import command; \
        from backstride.storage.migrate import alembic_config; \
        command.upgrade(alembic_config(url='sqlite:////tmp/bs-rev.sqlite3'), 'head'); \
        command.revision(alembic_config(url='sqlite:////tmp/bs-rev.sqlite3'), \
                         'what changed', autogenerate=True, rev_id='0002')"
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "current_revision",
    "head_revision",
    "upgrade_to_head",
]

#: Folder holding ``env.py`` and ``versions/``.
MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"

_LOCK = threading.Lock()


def alembic_config(connection: Connection | None = None, *, url: str | None = None) -> Config:
    """Build an Alembic config for the packaged migrations.

    Parameters
    ----------
    connection
        Open connection the migrations run on (preferred).
    url
        Database URL, used only when no connection is given (development commands such
        as ``alembic revision --autogenerate``).
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def head_revision() -> str:
    """The newest revision shipped with this version of backstride."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at, or None for an empty database."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(connection: Connection) -> bool:
    """Bring the database on ``connection`` to the newest schema.

    Runs inside the connection's transaction; the caller commits. A database already
    at the head revision is left alone without running Alembic's environment. Alembic
    keeps its migration context in module globals, so runs in one process are
    serialised with a lock.

    Returns
    -------
    bool
        True when migrations were applied.
    """
    if current_revision(connection) == head_revision():
        return False
    with _LOCK:
        command.upgrade(alembic_config(connection), "head")
    return True
