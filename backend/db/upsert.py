"""INSERT ... ON CONFLICT DO NOTHING for both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_of(session: AsyncSession) -> str:
    bind = session.bind
    assert bind is not None, "sessions are always bound to an engine here"
    return str(bind.dialect.name)


def insert_ignoring_duplicates(session: AsyncSession, table: Any) -> Any:
    """An insert that leaves an existing row with the same key alone."""
    if dialect_of(session) == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()
