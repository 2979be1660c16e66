"""Stored back checks: save one, read one, the latest, the one before, the history.

Each check is one row of the ``checks`` table (migration 0002):

``on_date``
    The day the check is *for* (today, or ``backstride check --as-of``).
``taken_at``
    When it was saved (aware UTC).
``knowledge_version``, ``triage_level``
    :attr:`~backstride.domain.check.Knowledge.version` and the triage level, as text.
``answers``
    The validated answers (:meth:`~backstride.domain.answers.Answers.to_dict`), which
    :func:`~backstride.domain.answers.parse_answers` accepts back.
``result``
    :meth:`~backstride.domain.check.CheckResult.to_dict`, plus what the caller adds
    (the command line adds the training signals it used).

Checks are ordered by ``on_date``, then ``taken_at``, then ``id``: "latest" is the last
one in that order. The change shown by a repeated check is computed against the
function scores (``result["function"]``) of the latest earlier check that has any, so
a check that stopped at a red flag before the pain questions does not hide the one
before it.

Every function raises :class:`~backstride.errors.StorageError` (one line) when the
database refuses, and uses the Store's own sessions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from backstride.domain.check import CheckResult
from backstride.domain.function import FunctionScores
from backstride.errors import NotFoundError, StorageError
from backstride.storage.schema import CheckRow
from backstride.storage.store import Store

__all__ = [
    "StoredCheck",
    "check_history",
    "get_check",
    "latest_check",
    "previous_check",
    "save_check",
]


@dataclass(frozen=True, slots=True)
class StoredCheck:
    """One stored check.

    Attributes
    ----------
    id
        Row id (``check_id`` in ``backstride check --json``).
    on
        The day the check is for.
    taken_at
        When it was saved (aware UTC).
    knowledge_version
        Version of the knowledge files used.
    triage_level
        ``self_care``, ``routine``, ``soon``, ``same_day`` or ``emergency``.
    answers
        The answers, as :func:`~backstride.domain.answers.parse_answers` accepts them.
    result
        The JSON result.
    """

    id: int
    on: date
    taken_at: datetime
    knowledge_version: str
    triage_level: str
    answers: Mapping[str, Any]
    result: Mapping[str, Any]

    def function_scores(self) -> FunctionScores | None:
        """Pain and PSFS of this check, or None when the stored result has none."""
        raw = self.result.get("function")
        if not isinstance(raw, Mapping):
            return None
        try:
            scores = FunctionScores.from_dict(raw)
        except (ValueError, KeyError, TypeError):
            return None
        return scores if scores.pain or scores.psfs else None


def _one_line(exc: BaseException) -> str:
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = "; ".join(line.strip() for line in str(inner).splitlines() if line.strip())
    return (text or type(inner).__name__)[:300]


def _stored(row: CheckRow) -> StoredCheck:
    return StoredCheck(id=row.id, on=row.on_date, taken_at=row.taken_at,
                       knowledge_version=row.knowledge_version, triage_level=row.triage_level,
                       answers=dict(row.answers or {}), result=dict(row.result or {}))


def _newest_first(stmt: Select[CheckRow]) -> Select[CheckRow]:
    return stmt.order_by(CheckRow.on_date.desc(), CheckRow.taken_at.desc(), CheckRow.id.desc())


def save_check(store: Store, result: CheckResult, *, extra: Mapping[str, object] | None = None,
               taken_at: datetime | None = None) -> StoredCheck:
    """Store one check in one transaction.

    Parameters
    ----------
    store
        An open Store.
    result
        The check; its date is ``result.on``.
    extra
        Keys added to the stored result (e.g. the training signals used).
    taken_at
        When it was taken (aware); now when None.

    Returns
    -------
    StoredCheck
        The stored row, with its new id.
    """
    payload: dict[str, Any] = {**result.to_dict(), **(extra or {})}
    row = CheckRow(taken_at=taken_at or datetime.now(UTC), on_date=result.on,
                   knowledge_version=result.knowledge_version,
                   triage_level=result.triage.level.value,
                   answers=result.answers.to_dict(), result=payload)
    try:
        with store.session(write=True) as session, session.begin():
            session.add(row)
            session.flush()
            return _stored(row)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot save the check in {store.url}: {_one_line(exc)}") from exc
    except (OverflowError, ValueError, TypeError) as exc:
        raise StorageError(f"the check cannot be stored: {_one_line(exc)}") from exc


def get_check(store: Store, check_id: int) -> StoredCheck:
    """The stored check ``check_id``.

    Raises
    ------
    NotFoundError
        When there is no such check.
    """
    try:
        with store.session() as session:
            row = session.get(CheckRow, check_id)
            if row is None:
                raise NotFoundError(f"no check #{check_id}")
            return _stored(row)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read check #{check_id}: {_one_line(exc)}") from exc


def _first(store: Store, stmt: Select[CheckRow], *, with_function: bool
           ) -> StoredCheck | None:
    try:
        with store.session() as session:
            rows: Iterable[CheckRow] = session.scalars(_newest_first(stmt))
            for row in rows:
                check = _stored(row)
                if not with_function or check.function_scores() is not None:
                    return check
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read checks from {store.url}: {_one_line(exc)}") from exc
    return None


def latest_check(store: Store, *, on_or_before: date | None = None,
                 with_function: bool = False) -> StoredCheck | None:
    """The latest stored check, or None.

    Parameters
    ----------
    on_or_before
        Only checks for this day or earlier.
    with_function
        Only checks that stored at least one pain reading or PSFS activity (what a
        repeated check compares against).
    """
    stmt = select(CheckRow)
    if on_or_before is not None:
        stmt = stmt.where(CheckRow.on_date <= on_or_before)
    return _first(store, stmt, with_function=with_function)


def previous_check(store: Store, check: StoredCheck, *,
                   with_function: bool = False) -> StoredCheck | None:
    """The stored check just before ``check`` (same ordering as :func:`latest_check`)."""
    earlier = (
        (CheckRow.on_date < check.on)
        | ((CheckRow.on_date == check.on) & (CheckRow.taken_at < check.taken_at))
        | ((CheckRow.on_date == check.on) & (CheckRow.taken_at == check.taken_at)
           & (CheckRow.id < check.id))
    )
    return _first(store, select(CheckRow).where(earlier), with_function=with_function)


def check_history(store: Store, *, limit: int | None = None) -> list[StoredCheck]:
    """Stored checks, oldest first (the newest ``limit`` when given)."""
    stmt = _newest_first(select(CheckRow))
    if limit is not None:
        stmt = stmt.limit(limit)
    try:
        with store.session() as session:
            checks = [_stored(row) for row in session.scalars(stmt)]
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read checks from {store.url}: {_one_line(exc)}") from exc
    return checks[::-1]
