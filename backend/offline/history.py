"""Records as they were: the change log's snapshots, read back as values.

The change-log triggers copy each written row as JSON. SQLite writes its
storage forms there (UUIDs as hex, booleans as 0/1, instants as text), so
values are read back through the table's column types before comparing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import ChangeLogEntry
from backend.db.types import UTCDateTime


async def snapshot_at(
    session: AsyncSession, table: sa.Table, entity_id: uuid.UUID, version: int | None
) -> dict[str, Any] | None:
    """The row as written at change ``version``, or None when unknown
    (no base given, or older than the change log keeps)."""
    if version is None:
        return None
    data = await session.scalar(
        sa.select(ChangeLogEntry.data).where(
            ChangeLogEntry.id == version, ChangeLogEntry.entity_id == entity_id
        )
    )
    return None if data is None else typed_row(table, data)


async def last_own_snapshot(
    session: AsyncSession,
    table: sa.Table,
    entity_id: uuid.UUID,
    client_id: uuid.UUID,
    client_column: str,
) -> dict[str, Any] | None:
    """The row as this device last wrote it: the base of a device's change
    to its own record when it has not pulled the record back yet."""
    rows = await session.scalars(
        sa.select(ChangeLogEntry.data)
        .where(ChangeLogEntry.entity_id == entity_id)
        .order_by(ChangeLogEntry.id.desc())
        .limit(100)
    )
    for data in rows:
        row = typed_row(table, data or {})
        if row.get(client_column) == client_id:
            return row
    return None


async def first_snapshot(
    session: AsyncSession, table: sa.Table, entity_id: uuid.UUID
) -> dict[str, Any] | None:
    """The row as it was first written, while the change log still has it."""
    data = await session.scalar(
        sa.select(ChangeLogEntry.data)
        .where(ChangeLogEntry.entity_id == entity_id)
        .order_by(ChangeLogEntry.id)
        .limit(1)
    )
    return None if data is None else typed_row(table, data)


def typed_row(table: sa.Table, data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: _typed(table.c[name].type, value) for name, value in data.items() if name in table.c
    }


def _typed(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, sa.Uuid):
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    if isinstance(column_type, sa.Boolean):
        return bool(value)
    if isinstance(column_type, UTCDateTime):
        instant = dt.datetime.fromisoformat(str(value))
        return instant.replace(tzinfo=dt.UTC) if instant.tzinfo is None else instant
    if isinstance(column_type, sa.Date):
        return dt.date.fromisoformat(str(value)[:10])
    return value
