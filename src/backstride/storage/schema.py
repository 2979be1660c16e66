"""Database tables (SQLAlchemy 2 typed declarative); Alembic migrations create exactly these.

Tables of migration 0001:

``activities``
    One row per Activity (one leg of a multisport file), with its summary numbers so
    lists and analyses never need the streams. ``fingerprint`` (unique) is the content
    key of :func:`backstride.domain.identity.fingerprint`.
``activity_streams``
    One row per activity: the per-sample channels as one blob of
    :mod:`backstride.storage.codec` (``codec`` names its version).
``laps``
    Laps as recorded, keyed by (activity, position).

Tables of migration 0002 (the runner's own analysis and plan):

``activity_metrics``
    Form and terrain metrics computed once per activity from its streams at import
    (:mod:`backstride.domain.form`, :mod:`backstride.domain.terrain`), so signals never
    decode streams.
``checks``
    Each back check: the answers and the result, with its date.
``checkins``
    One daily check-in per local date (logging a day again replaces it).
``plans``
    Plans built from a check and the signals; ``state`` is the adaptation state
    (stage, decisions); one plan is active at a time.

Times are ``TIMESTAMP WITH TIME ZONE`` on PostgreSQL. SQLite has no time zone type,
so :class:`UTCDateTime` stores naive UTC there and hands back aware UTC everywhere.
Child rows are deleted with their activity (``ON DELETE CASCADE``; SQLite needs
``PRAGMA foreign_keys=ON``, which the Store sets).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

__all__ = [
    "ActivityRow",
    "Base",
    "CheckInRow",
    "CheckRow",
    "LapRow",
    "MetricsRow",
    "PlanRow",
    "StreamRow",
    "UTCDateTime",
    "metadata",
]

#: Deterministic constraint and index names, identical on every database.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    Binds aware datetimes only (naive ones are a programming error); SQLite gets the
    naive UTC value, PostgreSQL the aware one. Results are always aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; use UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    """Declarative base bound to :data:`metadata`."""

    metadata = metadata


class ActivityRow(Base):
    """One stored activity (one leg), its identity and summary."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    source_name: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(String(16))
    sport: Mapped[str] = mapped_column(String(32))
    start_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    utc_offset_s: Mapped[int | None] = mapped_column(Integer)
    device: Mapped[str | None] = mapped_column(Text)
    gear: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    leg_index: Mapped[int] = mapped_column(Integer)
    elapsed_s: Mapped[float] = mapped_column(Float)
    moving_s: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    ascent_m: Mapped[float | None] = mapped_column(Float)
    descent_m: Mapped[float | None] = mapped_column(Float)
    avg_hr_bpm: Mapped[float | None] = mapped_column(Float)
    avg_cadence_spm: Mapped[float | None] = mapped_column(Float)
    avg_power_w: Mapped[float | None] = mapped_column(Float)
    has_running_dynamics: Mapped[bool]
    n_samples: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[list[str]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())

    streams: Mapped[StreamRow | None] = relationship(
        back_populates="activity", cascade="all, delete-orphan", passive_deletes=True
    )
    laps: Mapped[list[LapRow]] = relationship(
        back_populates="activity",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="LapRow.lap_index",
    )

    __table_args__ = (
        Index("ix_activities_start_utc", "start_utc"),
        Index("ix_activities_sport", "sport"),
    )


class StreamRow(Base):
    """The encoded per-sample channels of one activity."""

    __tablename__ = "activity_streams"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    codec: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    activity: Mapped[ActivityRow] = relationship(back_populates="streams")


class LapRow(Base):
    """One recorded lap of an activity."""

    __tablename__ = "laps"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    lap_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    start_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    elapsed_s: Mapped[float] = mapped_column(Float)
    timer_s: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    avg_hr_bpm: Mapped[float | None] = mapped_column(Float)
    avg_cadence_spm: Mapped[float | None] = mapped_column(Float)

    activity: Mapped[ActivityRow] = relationship(back_populates="laps")


class MetricsRow(Base):
    """Form and terrain metrics of one activity (JSON of the domain dataclasses)."""

    __tablename__ = "activity_metrics"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    max_hr_bpm: Mapped[float | None] = mapped_column(Float)
    form: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    terrain: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CheckRow(Base):
    """One back check: answers, result and the date it was taken."""

    __tablename__ = "checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    on_date: Mapped[date] = mapped_column(Date)
    knowledge_version: Mapped[str] = mapped_column(String(32))
    triage_level: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_checks_taken_at", "taken_at"),)


class CheckInRow(Base):
    """One daily check-in (pain during/after, morning, sessions, effort, notes)."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    on_date: Mapped[date] = mapped_column(Date, unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class PlanRow(Base):
    """A plan built from a check and the training signals, with its adaptation state."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    start_date: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(Integer)
    check_id: Mapped[int | None] = mapped_column(
        ForeignKey("checks.id", ondelete="SET NULL")
    )
    active: Mapped[bool] = mapped_column(Boolean)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_plans_created_at", "created_at"),)
