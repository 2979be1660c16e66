"""Storage at the edge: SQLAlchemy 2 with Alembic migrations (SQLite or PostgreSQL)."""
