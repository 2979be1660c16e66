"""What the training analysis reads from the store, and the runner's own shoe names.

:func:`load_sessions`
    Every dated activity as a :class:`~backstride.domain.training.Session`, from the
    ``activities`` and ``activity_metrics`` tables only (never the streams): summary
    totals, the shoe name, and the form, terrain and maximum heart rate stored at
    import. One query; about 0.1 s for 3,000 activities (``bench/bench_risks.py``).
:func:`backfill_metrics`
    Computes the metrics of activities stored without them, or with an older
    :data:`~backstride.storage.metrics.METRICS_VERSION`, by decoding their streams
    (databases filled before metrics existed, or after a rule changed).
:func:`assign_gear`
    Sets the shoe name (``activities.gear``) of chosen activities: runs between two
    local dates, or activities by id. It replaces the name the file or archive gave.

Every function raises :class:`~backstride.errors.StorageError` (one line) when the
database refuses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session as OrmSession

from backstride.domain.training import Session
from backstride.errors import InputError, NotFoundError, StorageError
from backstride.storage.codec import CodecError, decode_streams
from backstride.storage.metrics import (
    METRICS_VERSION,
    ActivityMetrics,
    compute_metrics,
    decode_form,
    decode_terrain,
    metrics_row,
)
from backstride.storage.records import sport_from_text
from backstride.storage.schema import ActivityRow, MetricsRow, StreamRow

if TYPE_CHECKING:
    from backstride.storage.store import Store

__all__ = [
    "assign_gear",
    "backfill_metrics",
    "load_sessions",
    "metrics_missing",
]

log = logging.getLogger(__name__)

#: Activities whose metrics are recomputed per transaction during a backfill.
BACKFILL_BATCH: Final = 50
#: Ids per ``IN (...)`` clause (well under SQLite's and PostgreSQL's limits).
_ID_CHUNK: Final = 500

A, M = ActivityRow, MetricsRow


def _db_error(store: Store, what: str, exc: SQLAlchemyError) -> StorageError:
    lines = [line.strip() for line in str(getattr(exc, "orig", None) or exc).splitlines()]
    reason = "; ".join(line for line in lines if line)[:300] or type(exc).__name__
    return StorageError(f"cannot {what} in {store.url}: {reason}")


@contextmanager
def _reading(store: Store, what: str) -> Iterator[OrmSession]:
    try:
        with store.session() as session:
            yield session
    except SQLAlchemyError as exc:
        raise _db_error(store, what, exc) from exc


@contextmanager
def _writing(store: Store, what: str) -> Iterator[OrmSession]:
    try:
        with store.session(write=True) as session, session.begin():
            yield session
    except SQLAlchemyError as exc:
        raise _db_error(store, what, exc) from exc


# -- sessions ---------------------------------------------------------------------------


_SESSION_COLUMNS: Final = (
    A.id, A.sport, A.start_utc, A.utc_offset_s, A.elapsed_s, A.moving_s, A.distance_m,
    A.ascent_m, A.descent_m, A.avg_hr_bpm, A.gear, M.max_hr_bpm, M.form, M.terrain,
)


def _session(row: Any) -> Session | None:
    try:
        return Session(
            id=row.id, sport=sport_from_text(row.sport), start_utc=row.start_utc,
            utc_offset_s=row.utc_offset_s, elapsed_s=row.elapsed_s, moving_s=row.moving_s,
            distance_m=row.distance_m, ascent_m=row.ascent_m, descent_m=row.descent_m,
            avg_hr_bpm=row.avg_hr_bpm, max_hr_bpm=row.max_hr_bpm, gear=row.gear,
            form=decode_form(row.id, row.form), terrain=decode_terrain(row.id, row.terrain),
        )
    except ValueError as exc:
        log.warning("activity #%d left out of the analysis: %s", row.id, exc)
        return None


def load_sessions(store: Store) -> list[Session]:
    """Every stored activity with a start date, as a Session, oldest first.

    Reads the ``activities`` and ``activity_metrics`` tables only. Activities
    without a real start date (files without times) cannot be placed on the
    runner's calendar and are left out. Local days come from ``utc_offset_s``
    (UTC when the file did not record it).
    """
    stmt = (
        select(*_SESSION_COLUMNS)
        .outerjoin(M, M.activity_id == A.id)
        .where(A.start_utc.is_not(None))
        .order_by(A.start_utc, A.leg_index, A.id)
    )
    with _reading(store, "read activities") as db:
        rows = db.execute(stmt).all()
    sessions = [s for s in map(_session, rows) if s is not None]
    log.debug("loaded %d sessions from %s", len(sessions), store.url)
    return sessions


# -- metrics backfill -------------------------------------------------------------------


def _stale() -> Any:
    return or_(M.activity_id.is_(None), M.version < METRICS_VERSION)


def metrics_missing(store: Store) -> int:
    """Activities stored without metrics or with metrics of an older version."""
    stmt = select(func.count()).select_from(A).outerjoin(M, M.activity_id == A.id).where(_stale())
    with _reading(store, "count activity metrics") as db:
        return int(db.scalar(stmt) or 0)


def _recompute(activity_id: int, sport: str, blob: bytes | None) -> ActivityMetrics:
    if blob is None:
        log.warning("activity #%d has no stored streams; no metrics", activity_id)
        return ActivityMetrics()
    try:
        streams = decode_streams(blob)
    except CodecError as exc:
        log.warning("activity #%d: stored streams unreadable (%s); no metrics", activity_id, exc)
        return ActivityMetrics()
    return compute_metrics(streams, sport_from_text(sport))


def backfill_metrics(
    store: Store, *, on_progress: Callable[[int, int], None] | None = None
) -> int:
    """Compute and store the metrics of every activity lacking current ones.

    Decodes the stored streams of activities without an ``activity_metrics`` row or
    with one of an older :data:`~backstride.storage.metrics.METRICS_VERSION`, in
    transactions of :data:`BACKFILL_BATCH` activities. Activities whose streams
    cannot be decoded get an empty row (and a warning), so they are not retried.

    Parameters
    ----------
    store
        The store to update.
    on_progress
        Called as ``on_progress(done, total)`` after each batch.

    Returns
    -------
    int
        Number of activities whose metrics were (re)computed.
    """
    ids_stmt = select(A.id).outerjoin(M, M.activity_id == A.id).where(_stale()).order_by(A.id)
    with _reading(store, "find activities without metrics") as db:
        ids = list(db.scalars(ids_stmt).all())
    if not ids:
        return 0
    log.info("computing analysis metrics for %d stored activities", len(ids))
    for start in range(0, len(ids), BACKFILL_BATCH):
        batch = ids[start:start + BACKFILL_BATCH]
        with _writing(store, "store activity metrics") as db:
            rows = db.execute(
                select(A.id, A.sport, StreamRow.data)
                .outerjoin(StreamRow, StreamRow.activity_id == A.id)
                .where(A.id.in_(batch))
            ).all()
            db.execute(delete(M).where(M.activity_id.in_(batch)))
            db.add_all(metrics_row(r.id, _recompute(r.id, r.sport, r.data)) for r in rows)
        if on_progress is not None:
            on_progress(min(start + BACKFILL_BATCH, len(ids)), len(ids))
    log.info("analysis metrics stored for %d activities", len(ids))
    return len(ids)


# -- gear -------------------------------------------------------------------------------


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _ID_CHUNK):
        yield ids[start:start + _ID_CHUNK]


def _local_date(start_utc: datetime, offset_s: int | None) -> date:
    return (start_utc + timedelta(seconds=offset_s or 0)).date()


def _runs_between(db: OrmSession, first: date | None, last: date | None) -> list[int]:
    """Ids of runs whose local start date lies in ``first`` ... ``last`` (either open)."""
    stmt = select(A.id, A.sport, A.start_utc, A.utc_offset_s).where(A.start_utc.is_not(None))
    # local offsets are within +-14 h: widen the UTC window by a day, filter exactly below
    if first is not None:
        lo = datetime.combine(first - timedelta(days=1), time(), tzinfo=UTC)
        stmt = stmt.where(A.start_utc >= lo)
    if last is not None:
        hi = datetime.combine(last + timedelta(days=2), time(), tzinfo=UTC)
        stmt = stmt.where(A.start_utc < hi)
    out = []
    for row in db.execute(stmt):
        day = _local_date(row.start_utc, row.utc_offset_s)
        if not sport_from_text(row.sport).is_running:
            continue
        if (first is None or day >= first) and (last is None or day <= last):
            out.append(int(row.id))
    return out


def assign_gear(
    store: Store,
    name: str,
    *,
    first: date | None = None,
    last: date | None = None,
    ids: Sequence[int] = (),
) -> list[int]:
    """Set the shoe name of runs between two local dates, or of activities by id.

    Parameters
    ----------
    store
        The store to update.
    name
        The pair's name (surrounding spaces removed); replaces the file's gear name.
    first, last
        Local dates, inclusive; either may be open. Only running activities in the
        range are changed.
    ids
        Activity ids (any sport); used instead of a date range.

    Returns
    -------
    list of int
        Ids of the activities changed, in ascending order.

    Raises
    ------
    InputError
        Empty name; neither a range nor ids, or both; ``first`` after ``last``.
    NotFoundError
        An id that is not stored.
    """
    pair = name.strip()
    if not pair:
        raise InputError("the pair needs a name")
    has_range = first is not None or last is not None
    if has_range == bool(ids):
        raise InputError("give either a date range (--from/--to) or activity ids (--id), "
                         "not both" if ids else "give a date range (--from/--to) or --id")
    if first is not None and last is not None and first > last:
        raise InputError(f"--from {first} is after --to {last}")
    with _writing(store, "assign gear") as db:
        if ids:
            wanted = sorted(set(ids))
            found = {int(i) for chunk in _chunks(wanted)
                     for i in db.scalars(select(A.id).where(A.id.in_(chunk)))}
            missing = [i for i in wanted if i not in found]
            if missing:
                raise NotFoundError("no activity " + ", ".join(f"#{i}" for i in missing))
            chosen = wanted
        else:
            chosen = sorted(_runs_between(db, first, last))
        for chunk in _chunks(chosen):
            db.execute(update(A).where(A.id.in_(chunk)).values(gear=pair))
    log.info("gear %r assigned to %d activities", pair, len(chosen))
    return chosen

