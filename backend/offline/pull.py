"""The pull side: what changed in a person's scope since their cursor.

Each synced row carries the change number of its last write (``version``),
so one page is, per type, the rows in scope with ``cursor < version <=
head``, merged in version order. ``head`` is the newest change number
visible to this read; every number below it is committed (see
``backend.db.changelog``), so nothing can appear below a cursor later.
"""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor
from backend.access.scope import scope_of
from backend.db.models import ChangeLogEntry, synced_tables
from backend.offline.horizon import purged_through
from sync.messages import Change, PullResponse, decode_cursor, encode_cursor

# Columns devices never receive: secrets, bookkeeping, import keys.
HIDDEN_COLUMNS = frozenset({"password_hash", "login", "external_ref", "version", "deleted_at"})


async def head_change(session: AsyncSession) -> int:
    return int(await session.scalar(sa.select(sa.func.max(ChangeLogEntry.id))) or 0)


async def read_changes(
    session: AsyncSession, actor: Actor, *, cursor: str | None, limit: int, last_seq: int
) -> PullResponse:
    """One page of changes in ``actor``'s scope after ``cursor``.

    A cursor this server did not make, one ahead of its newest change (the
    database was restored from a backup), or one older than the tombstone
    horizon (it may have missed a deletion), answers ``reset`` and the
    whole scope from the start.
    """
    head = await head_change(session)
    after = decode_cursor(cursor)
    reset = cursor is not None and (
        after is None or after > head or after < await purged_through(session)
    )
    if reset or after is None:
        after = 0
    if head <= after:
        return PullResponse(
            cursor=encode_cursor(after), has_more=False, reset=reset, last_seq=last_seq, changes=[]
        )

    # TODO(#3): a change of scope (a service order newly assigned) must also
    # send the rows that become visible or invisible without changing.
    found: list[Change] = []
    for sync_type, table in synced_tables().items():
        found.extend(await _changes_of(session, actor, sync_type, table, after, head, limit + 1))
    found.sort(key=lambda change: change.version)

    has_more = len(found) > limit
    page = found[:limit]
    next_cursor = page[-1].version if has_more else head
    return PullResponse(
        cursor=encode_cursor(next_cursor),
        has_more=has_more,
        reset=reset,
        last_seq=last_seq,
        changes=page,
    )


async def _changes_of(
    session: AsyncSession,
    actor: Actor,
    sync_type: str,
    table: sa.Table,
    after: int,
    head: int,
    limit: int,
) -> list[Change]:
    query = (
        sa.select(table)
        .where(table.c.version > after, table.c.version <= head, scope_of(sync_type, actor))
        .order_by(table.c.version)
        .limit(limit)
    )
    if after == 0:
        # A first snapshot never needs tombstones: the device has nothing yet.
        query = query.where(table.c.deleted_at.is_(None))
    rows = (await session.execute(query)).mappings()
    return [_change(sync_type, row) for row in rows]


def _change(sync_type: str, row: sa.RowMapping) -> Change:
    if row["deleted_at"] is not None:
        return Change(op="del", type=sync_type, id=row["id"], version=row["version"])
    data: dict[str, Any] = {
        name: value for name, value in row.items() if name not in HIDDEN_COLUMNS
    }
    return Change(
        op="put",
        type=sync_type,
        id=row["id"],
        version=row["version"],
        data=msgspec.to_builtins(data),
    )
