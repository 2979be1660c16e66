"""The Store: the one place where backstride talks SQL.

:meth:`Store.open` connects (SQLite file under ``settings.home`` by default, or any
SQLAlchemy URL such as PostgreSQL), migrates the schema to the newest revision and
returns a Store. :meth:`Store.add_file` writes everything read from one file in one
transaction, skipping duplicates:

* **same content**: an activity whose :func:`~backstride.domain.identity.fingerprint`
  is already stored;
* **same run from another file or format**: an already stored activity of the same
  sport family (running sports vs. everything else) that started within
  :data:`SAME_RUN_START_S` seconds and whose elapsed time is within
  :data:`SAME_RUN_ELAPSED_FRACTION` of this one (e.g. a watch's FIT file and the GPX
  Strava exported for the same run).

Duplicates are reported with the id of the stored activity and change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from backstride.domain.activity import Activity, Lap, Streams
from backstride.errors import NotFoundError, StorageError
from backstride.settings import Settings
from backstride.storage.codec import CodecError, decode_streams
from backstride.storage.metrics import metrics_row
from backstride.storage.migrate import upgrade_to_head
from backstride.storage.records import (
    ActivityRecord,
    PreparedActivity,
    StoredActivity,
    activity_row,
    as_prepared,
    prepare_activity,
    record_from_row,
    sport_family,
    sport_from_text,
)
from backstride.storage.schema import ActivityRow, LapRow, StreamRow

__all__ = [
    "SAME_RUN_ELAPSED_FRACTION",
    "SAME_RUN_START_S",
    "ActivityRecord",
    "PreparedActivity",
    "Store",
    "StoredActivity",
    "prepare_activity",
    "safe_url",
]

log = logging.getLogger(__name__)

#: Two activities starting at most this far apart may be the same run [s].
SAME_RUN_START_S: Final = 60.0
#: ... when their elapsed times differ by at most this fraction of the longer one.
SAME_RUN_ELAPSED_FRACTION: Final = 0.10


def safe_url(url: str | URL) -> str:
    """The URL as text with any password masked (for messages and logs)."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return "<unparseable database URL>"
    return parsed.render_as_string(hide_password=True)


def _one_line(exc: BaseException) -> str:
    """A one-line description of a database error (the driver's message when there is one)."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    text = "; ".join(lines) or type(inner).__name__
    return text[:300]


_BEGIN_OPTION: Final = "backstride_sqlite_begin"


def _install_sqlite_pragmas(engine: Engine) -> None:
    """WAL, foreign keys, synchronous=NORMAL, and real BEGIN/COMMIT transactions.

    The Python 3.11 ``sqlite3`` module does not BEGIN before SELECT or DDL; we turn its
    own transaction handling off and emit BEGIN ourselves (SQLAlchemy's documented
    recipe, "Serializable isolation / Savepoints / Transactional DDL").
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=10000")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # writers take the write lock up front (BEGIN IMMEDIATE): a second writer then
        # waits for busy_timeout instead of failing on a stale read snapshot
        connection.exec_driver_sql(connection.get_execution_options().get(_BEGIN_OPTION, "BEGIN"))


def _writer(engine: Engine) -> Engine:
    """The engine to write with: on SQLite its transactions start with BEGIN IMMEDIATE."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{_BEGIN_OPTION: "BEGIN IMMEDIATE"})


class Store:
    """Activities in a SQL database (SQLite or PostgreSQL).

    Create with :meth:`open`; close with :meth:`close` or use as a context manager.
    Every method opens its own short session; :meth:`add_file` is one transaction.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = _writer(engine)

    # -- life cycle ---------------------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings) -> Store:
        """Connect to ``settings.database_url``, migrate to the newest schema, return a Store.

        For SQLite files the data directory (``settings.home``) and the database's
        folder are created when missing.

        Raises
        ------
        StorageError
            When the URL is unusable, the driver is missing, the server cannot be
            reached, or the schema cannot be migrated. The message is one line and
            names the URL without its password.
        """
        try:
            url = make_url(settings.database_url)
        except ArgumentError as exc:
            raise StorageError(f"database URL {settings.database_url!r} is not valid") from exc
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        shown = safe_url(url)
        is_sqlite = url.get_backend_name() == "sqlite"
        connect_args: dict[str, Any] = {}
        if is_sqlite:
            cls._prepare_sqlite_folder(settings.home, url, shown)
        elif url.get_backend_name() == "postgresql":
            connect_args["connect_timeout"] = 10
        try:
            engine = create_engine(url, connect_args=connect_args)
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            hint = " (pip install 'backstride[postgres]')" if "postgres" in url.drivername else ""
            raise StorageError(f"no database driver for {shown}{hint}") from exc
        except (ArgumentError, SQLAlchemyError) as exc:
            raise StorageError(f"cannot use database {shown}: {_one_line(exc)}") from exc
        if is_sqlite:
            _install_sqlite_pragmas(engine)
        try:
            with _writer(engine).begin() as connection:
                if upgrade_to_head(connection):
                    log.info("database %s migrated to the newest schema", shown)
        except CommandError as exc:
            engine.dispose()
            raise StorageError(
                f"cannot migrate database {shown}: {_one_line(exc)} "
                "(was it written by a newer backstride?)"
            ) from exc
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StorageError(f"cannot open database {shown}: {_one_line(exc)}") from exc
        except BaseException:
            engine.dispose()
            raise
        log.debug("opened database %s", shown)
        return cls(engine)

    @staticmethod
    def _prepare_sqlite_folder(home: Path, url: URL, shown: str) -> None:
        database = url.database or ""
        folders = [home]
        if database and database != ":memory:" and not database.startswith("file:"):
            folders.append(Path(database).expanduser().parent)
        for folder in folders:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                raise StorageError(
                    f"cannot create folder {folder} for database {shown}: {reason}"
                ) from exc

    @property
    def url(self) -> str:
        """The database URL, password masked."""
        return safe_url(self._engine.url)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    def close(self) -> None:
        """Release every connection."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _session(self, *, write: bool = False) -> Session:
        return Session(self._writer if write else self._engine, expire_on_commit=False)

    def session(self, *, write: bool = False) -> Session:
        """A new ORM session for the other repositories of this package (e.g. checks).

        ``write=True`` uses the writer engine (``BEGIN IMMEDIATE`` on SQLite). The
        caller closes it: ``with store.session(write=True) as s, s.begin(): ...``.
        """
        return self._session(write=write)

    # -- writing ------------------------------------------------------------------------

    def add_file(
        self, source_name: str, activities: Sequence[Activity | PreparedActivity]
    ) -> list[StoredActivity]:
        """Store every activity read from one file, in one transaction.

        Parameters
        ----------
        source_name
            The file (or ``archive!member``) the activities came from.
        activities
            Everything read from it (several for multisport files), plain or already
            prepared with :func:`prepare_activity`.

        Returns
        -------
        list[StoredActivity]
            One entry per activity, in order: imported (new id) or duplicate (id of
            the stored activity it matches).

        Raises
        ------
        StorageError
            When the database refuses any row; then nothing of this file is stored.
        """
        if not activities:
            return []
        prepared = [as_prepared(item) for item in activities]
        now = datetime.now(UTC)
        results: list[StoredActivity] = []
        try:
            with self._session(write=True) as session, session.begin():
                new_ids: set[int] = set()
                for item in prepared:
                    activity, key = item.activity, item.fingerprint
                    duplicate = self._find_duplicate(session, activity, key, new_ids)
                    if duplicate is not None:
                        dup_id, reason = duplicate
                        results.append(StoredActivity(dup_id, "duplicate", activity, key, reason))
                        continue
                    row = activity_row(source_name, item, now)
                    session.add(row)
                    session.flush()
                    session.add(metrics_row(row.id, item.metrics))
                    new_ids.add(row.id)
                    results.append(StoredActivity(row.id, "imported", activity, key))
        except SQLAlchemyError as exc:
            raise StorageError(
                f"{source_name}: the database refused the activity: {_one_line(exc)}"
            ) from exc
        except (OverflowError, ValueError, TypeError) as exc:
            # raised by the driver while binding a value it cannot represent
            raise StorageError(
                f"{source_name}: a value cannot be stored: {_one_line(exc)}"
            ) from exc
        return results

    @staticmethod
    def _find_duplicate(
        session: Session, activity: Activity, key: str, new_ids: set[int]
    ) -> tuple[int, str] | None:
        same = session.execute(
            select(ActivityRow.id, ActivityRow.source_name).where(ActivityRow.fingerprint == key)
        ).first()
        if same is not None:
            return same.id, f"same content as #{same.id} ({same.source_name})"
        start = activity.start_utc
        if start is None:
            return None
        window = timedelta(seconds=SAME_RUN_START_S)
        candidates = session.execute(
            select(
                ActivityRow.id,
                ActivityRow.source_name,
                ActivityRow.sport,
                ActivityRow.start_utc,
                ActivityRow.elapsed_s,
            ).where(ActivityRow.start_utc.between(start - window, start + window))
        ).all()
        family = sport_family(activity.sport)
        elapsed = activity.summary.elapsed_s
        best: tuple[float, int, str] | None = None
        for cand in candidates:
            if cand.id in new_ids or cand.start_utc is None:
                continue  # legs of the file being added are never duplicates of each other
            if sport_family(sport_from_text(cand.sport)) != family:
                continue
            longer = max(elapsed, cand.elapsed_s)
            if abs(elapsed - cand.elapsed_s) > SAME_RUN_ELAPSED_FRACTION * longer:
                continue
            gap = abs((cand.start_utc - start).total_seconds())
            if best is None or gap < best[0]:
                best = (gap, cand.id, cand.source_name)
        if best is None:
            return None
        gap, dup_id, name = best
        return dup_id, f"same run as #{dup_id} ({name}): start {gap:.0f} s apart"

    # -- reading ------------------------------------------------------------------------

    def list_activities(self) -> list[ActivityRecord]:
        """Every stored activity, oldest first (activities without a date last)."""
        try:
            with self._session() as session:
                rows = session.scalars(
                    select(ActivityRow).order_by(
                        ActivityRow.start_utc.is_(None),
                        ActivityRow.start_utc,
                        ActivityRow.leg_index,
                        ActivityRow.id,
                    )
                ).all()
                return [record_from_row(row) for row in rows]
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot read activities from {self.url}: {_one_line(exc)}") from exc

    def get(self, activity_id: int) -> ActivityRecord:
        """The stored activity ``activity_id``.

        Raises
        ------
        NotFoundError
            When there is no such activity.
        """
        try:
            with self._session() as session:
                row = session.get(ActivityRow, activity_id)
                if row is None:
                    raise NotFoundError(f"no activity #{activity_id}")
                return record_from_row(row)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot read activity #{activity_id}: {_one_line(exc)}") from exc

    def load_streams(self, activity_id: int) -> Streams:
        """The per-sample channels of activity ``activity_id``.

        Raises
        ------
        NotFoundError
            When there is no such activity.
        StorageError
            When the stored blob cannot be decoded.
        """
        try:
            with self._session() as session:
                row = session.get(StreamRow, activity_id)
                if row is None:
                    raise NotFoundError(f"no streams for activity #{activity_id}")
                return self._decode(activity_id, row)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot read activity #{activity_id}: {_one_line(exc)}") from exc

    @staticmethod
    def _decode(activity_id: int, row: StreamRow) -> Streams:
        try:
            return decode_streams(row.data)
        except CodecError as exc:
            raise StorageError(
                f"activity #{activity_id}: stored streams unreadable: {exc}"
            ) from exc

    def load_activity(self, activity_id: int) -> Activity:
        """Rebuild the full :class:`~backstride.domain.activity.Activity` ``activity_id``.

        Raises
        ------
        NotFoundError
            When there is no such activity.
        """
        try:
            with self._session() as session:
                row = session.scalars(
                    select(ActivityRow)
                    .where(ActivityRow.id == activity_id)
                    .options(selectinload(ActivityRow.streams), selectinload(ActivityRow.laps))
                ).one_or_none()
                if row is None:
                    raise NotFoundError(f"no activity #{activity_id}")
                if row.streams is None:
                    raise StorageError(f"activity #{activity_id} has no stored streams")
                record = record_from_row(row)
                streams = self._decode(activity_id, row.streams)
                laps = tuple(
                    Lap(
                        start_utc=lap.start_utc,
                        elapsed_s=lap.elapsed_s,
                        timer_s=lap.timer_s,
                        distance_m=lap.distance_m,
                        avg_hr_bpm=lap.avg_hr_bpm,
                        avg_cadence_spm=lap.avg_cadence_spm,
                    )
                    for lap in row.laps
                )
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot read activity #{activity_id}: {_one_line(exc)}") from exc
        return Activity(
            sport=record.sport,
            start_utc=record.start_utc,
            summary=record.summary,
            streams=streams,
            source_format=record.source_format,
            device=record.device,
            gear=record.gear,
            name=record.name,
            laps=laps,
            leg_index=record.leg_index,
            utc_offset_s=record.utc_offset_s,
            warnings=record.warnings,
        )

    def counts(self) -> dict[str, int]:
        """Rows per table: ``activities``, ``activity_streams``, ``laps``."""
        try:
            with self._session() as session:
                return {
                    table.__tablename__: int(
                        session.scalar(select(func.count()).select_from(table)) or 0
                    )
                    for table in (ActivityRow, StreamRow, LapRow)
                }
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot count rows in {self.url}: {_one_line(exc)}") from exc

    # -- analysis (see backstride.storage.analysis) ---------------------------------------

    def backfill_metrics(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Compute the metrics of activities stored without current ones; return how many.

        See :func:`backstride.storage.analysis.backfill_metrics`.
        """
        from backstride.storage.analysis import backfill_metrics

        return backfill_metrics(self, on_progress=on_progress)

    def assign_gear(
        self,
        name: str,
        *,
        first: date | None = None,
        last: date | None = None,
        ids: Sequence[int] = (),
    ) -> list[int]:
        """Set the shoe name of runs between two local dates, or of activities by id.

        Returns the ids changed. See :func:`backstride.storage.analysis.assign_gear`.
        """
        from backstride.storage.analysis import assign_gear

        return assign_gear(self, name, first=first, last=last, ids=ids)
