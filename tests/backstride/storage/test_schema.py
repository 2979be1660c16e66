"""Migrations create exactly the tables of schema.py, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Index, MetaData, create_engine, inspect

from backstride.settings import Settings
from backstride.storage.migrate import alembic_config, current_revision, head_revision
from backstride.storage.schema import metadata
from backstride.storage.store import Store


def _diff(settings: Settings, target: MetaData) -> list[object]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, target))
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_metadata(settings: Settings) -> None:
    Store.open(settings).close()
    assert _diff(settings, metadata) == []


def test_the_comparison_is_not_vacuous(settings: Settings) -> None:
    Store.open(settings).close()
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    Index("ix_activities_gear", changed.tables["activities"].c.gear)
    diff = _diff(settings, changed)
    assert any("ix_activities_gear" in repr(entry) for entry in diff)


def test_database_is_at_head_with_expected_tables_and_indexes(settings: Settings) -> None:
    Store.open(settings).close()
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == head_revision() == "0002"
            inspector = inspect(conn)
            assert set(inspector.get_table_names()) == {
                "activities", "activity_streams", "laps", "alembic_version",
                "activity_metrics", "checks", "checkins", "plans",
            }
            [plan_fk] = inspector.get_foreign_keys("plans")
            assert plan_fk["options"].get("ondelete") == "SET NULL"
            indexes = {ix["name"] for ix in inspector.get_indexes("activities")}
            assert {"ix_activities_start_utc", "ix_activities_sport"} <= indexes
            [fk] = inspector.get_foreign_keys("activity_streams")
            assert fk["options"].get("ondelete") == "CASCADE"
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again(settings: Settings) -> None:
    Store.open(settings).close()
    engine = create_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    Store.open(settings).close()
    assert _diff(settings, metadata) == []
