"""Stored plans and daily check-ins (tables ``plans`` and ``checkins`` of migration 0002).

Plans
-----
A plan row keeps only what rebuilds the plan exactly
(:func:`backstride.domain.plan.plan_from_dict`; the build is deterministic): ``basis``,
``start``, ``weeks_requested`` and ``requested_level`` (a few kilobytes; the full
:meth:`~backstride.domain.plan.Plan.to_dict` is about 260 KB). ``state`` is the
adaptation state as the application last computed it (JSON; see
:mod:`backstride.planning`), ``check_id`` the check it was built from.

One plan is active at a time: :func:`save_plan` deactivates every other plan in the same
transaction. Should two writers race on PostgreSQL, :func:`active_plan_record` returns
the newest active one.

Check-ins
---------
One row per local date (``on_date`` is unique): :func:`save_checkin` inserts or
replaces it in one statement (``INSERT ... ON CONFLICT DO UPDATE`` on SQLite and
PostgreSQL). ``data`` is :meth:`~backstride.domain.checkin.CheckIn.to_dict` plus
``red_flags_since``: when the check-in's warning signs were first recorded (aware UTC,
ISO text), so that a later back check can supersede them (see :mod:`backstride.planning`).

Every function raises :class:`~backstride.errors.StorageError` (one line) when the
database refuses, and uses the Store's own sessions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from backstride.domain.checkin import CheckIn
from backstride.domain.plan_model import PLAN_SCHEMA, Plan
from backstride.errors import StorageError
from backstride.storage.schema import CheckInRow, PlanRow
from backstride.storage.store import Store

__all__ = [
    "REBUILD_KEYS",
    "StoredCheckIn",
    "StoredPlan",
    "active_plan_record",
    "get_checkin",
    "list_checkins",
    "plan_record",
    "save_checkin",
    "save_plan",
    "update_plan_state",
]

#: The plan fields storage keeps (all :func:`~backstride.domain.plan.plan_from_dict` reads).
REBUILD_KEYS: Final = ("basis", "start", "weeks_requested", "requested_level")
#: Key of ``checkins.data`` holding when the warning signs were first recorded.
RED_FLAGS_SINCE: Final = "red_flags_since"


@dataclass(frozen=True, slots=True)
class StoredPlan:
    """One stored plan.

    Attributes
    ----------
    id
        Row id.
    created_at
        When it was saved (aware UTC).
    start, weeks
        First day and weeks requested.
    check_id
        The check it was built from (None once that check is deleted).
    active
        True for the plan in use.
    plan
        The rebuild fields (``schema`` plus :data:`REBUILD_KEYS`).
    state
        The adaptation state JSON.
    """

    id: int
    created_at: datetime
    start: date
    weeks: int
    check_id: int | None
    active: bool
    plan: Mapping[str, Any]
    state: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class StoredCheckIn:
    """One stored check-in.

    Attributes
    ----------
    checkin
        The check-in.
    recorded_at
        When it was last saved (aware UTC).
    red_flags_since
        When its warning signs were first recorded (aware UTC); None without any.
    """

    checkin: CheckIn
    recorded_at: datetime
    red_flags_since: datetime | None

    @property
    def on(self) -> date:
        """The check-in's day."""
        return self.checkin.on


def _one_line(exc: BaseException) -> str:
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = "; ".join(line.strip() for line in str(inner).splitlines() if line.strip())
    return (text or type(inner).__name__)[:300]


def plan_record(plan: Plan) -> dict[str, Any]:
    """The small JSON kept for a plan: its schema and the rebuild fields."""
    return {"schema": PLAN_SCHEMA, "basis": plan.basis.to_dict(),
            "start": plan.start.isoformat(), "weeks_requested": plan.weeks_requested,
            "requested_level": plan.requested_level}


def _stored_plan(row: PlanRow) -> StoredPlan:
    return StoredPlan(id=row.id, created_at=row.created_at, start=row.start_date,
                      weeks=row.weeks, check_id=row.check_id, active=row.active,
                      plan=dict(row.plan or {}), state=dict(row.state or {}))


def save_plan(store: Store, plan: Plan, *, state: Mapping[str, Any], check_id: int | None,
              created_at: datetime | None = None) -> StoredPlan:
    """Store ``plan`` as the active plan (every other plan becomes inactive), one transaction.

    Parameters
    ----------
    store
        An open Store.
    plan
        The built plan; only :func:`plan_record` of it is kept.
    state
        Adaptation state (JSON-ready).
    check_id
        The stored check it was built from.
    created_at
        When it was made (aware); now when None.
    """
    row = PlanRow(created_at=created_at or datetime.now(UTC), start_date=plan.start,
                  weeks=plan.weeks_requested, check_id=check_id, active=True,
                  plan=plan_record(plan), state=dict(state))
    try:
        with store.session(write=True) as session, session.begin():
            session.execute(update(PlanRow).where(PlanRow.active.is_(True))
                            .values(active=False))
            session.add(row)
            session.flush()
            return _stored_plan(row)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot save the plan in {store.url}: {_one_line(exc)}") from exc
    except (OverflowError, ValueError, TypeError) as exc:
        raise StorageError(f"the plan cannot be stored: {_one_line(exc)}") from exc


def active_plan_record(store: Store) -> StoredPlan | None:
    """The active plan (the newest, should there be more than one), or None."""
    stmt = (select(PlanRow).where(PlanRow.active.is_(True))
            .order_by(PlanRow.created_at.desc(), PlanRow.id.desc()).limit(1))
    try:
        with store.session() as session:
            row = session.scalars(stmt).first()
            return None if row is None else _stored_plan(row)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read plans from {store.url}: {_one_line(exc)}") from exc


def update_plan_state(store: Store, plan_id: int, state: Mapping[str, Any]) -> None:
    """Replace the adaptation state of plan ``plan_id`` (no-op for an unknown id)."""
    try:
        with store.session(write=True) as session, session.begin():
            session.execute(update(PlanRow).where(PlanRow.id == plan_id)
                            .values(state=dict(state)))
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot save the plan state in {store.url}: "
                           f"{_one_line(exc)}") from exc


# -- check-ins ----------------------------------------------------------------------------


def _stored_checkin(row: CheckInRow) -> StoredCheckIn:
    data = dict(row.data or {})
    since_text = data.get(RED_FLAGS_SINCE)
    since = None
    if isinstance(since_text, str):
        since = datetime.fromisoformat(since_text)
        since = since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
    try:
        checkin = CheckIn.from_dict(data)
    except (KeyError, ValueError) as exc:
        raise StorageError(f"the check-in of {row.on_date.isoformat()} cannot be read: "
                           f"{exc}") from exc
    return StoredCheckIn(checkin, row.recorded_at, since)


def save_checkin(store: Store, checkin: CheckIn, *, recorded_at: datetime | None = None,
                 red_flags_since: datetime | None = None) -> StoredCheckIn:
    """Insert the check-in of ``checkin.on``, or replace the one stored for that day.

    Parameters
    ----------
    store
        An open Store.
    checkin
        The whole day's record (a replacement, not a patch).
    recorded_at
        When it is saved (aware); now when None.
    red_flags_since
        When its warning signs were first recorded (aware); ``recorded_at`` when None
        and the check-in has any.
    """
    when = (recorded_at or datetime.now(UTC)).astimezone(UTC)
    since = None
    if checkin.new_red_flags:
        since = (red_flags_since or when).astimezone(UTC)
    data: dict[str, Any] = {**checkin.to_dict(),
                            RED_FLAGS_SINCE: None if since is None else since.isoformat()}
    values = {"on_date": checkin.on, "recorded_at": when, "data": data}
    try:
        dialect = store.dialect
        with store.session(write=True) as session, session.begin():
            if dialect in ("sqlite", "postgresql"):
                insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
                stmt = insert(CheckInRow).values(**values)
                session.execute(stmt.on_conflict_do_update(
                    index_elements=[CheckInRow.on_date],
                    set_={"recorded_at": stmt.excluded.recorded_at,
                          "data": stmt.excluded.data}))
            else:  # pragma: no cover - other databases: read, then write
                row = session.scalars(select(CheckInRow).where(
                    CheckInRow.on_date == checkin.on)).first()
                if row is None:
                    session.add(CheckInRow(**values))
                else:
                    row.recorded_at, row.data = when, data
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot save the check-in in {store.url}: "
                           f"{_one_line(exc)}") from exc
    except (OverflowError, ValueError, TypeError) as exc:
        raise StorageError(f"the check-in cannot be stored: {_one_line(exc)}") from exc
    return StoredCheckIn(checkin, when, since)


def get_checkin(store: Store, on: date) -> StoredCheckIn | None:
    """The check-in of day ``on``, or None."""
    found = list_checkins(store, start=on, end=on)
    return found[0] if found else None


def list_checkins(store: Store, *, start: date | None = None,
                  end: date | None = None) -> list[StoredCheckIn]:
    """Check-ins from ``start`` to ``end`` (inclusive; either may be open), oldest first."""
    stmt = select(CheckInRow).order_by(CheckInRow.on_date)
    if start is not None:
        stmt = stmt.where(CheckInRow.on_date >= start)
    if end is not None:
        stmt = stmt.where(CheckInRow.on_date <= end)
    try:
        with store.session() as session:
            rows = list(session.scalars(stmt))
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read check-ins from {store.url}: "
                           f"{_one_line(exc)}") from exc
    return [_stored_checkin(row) for row in rows]
