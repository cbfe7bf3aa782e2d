"""The pull side: what changed in a person's scope since their cursor.

Each synced row carries the change number of its last write (``version``),
so one page is, per type, the rows in scope with ``cursor < version <=
head``, merged in version order. ``head`` is the newest change number
visible to this read; every number below it is committed (see
``backend.db.changelog``), so nothing can appear below a cursor later.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor
from backend.access.scope import scope_of, synced_select
from backend.db.models import ChangeLogEntry, synced_tables
from backend.offline.horizon import purged_through
from backend.offline.scope_changes import (
    EVERYTHING,
    Roots,
    current_roots,
    fingerprint,
    known_roots,
    scope_changes,
)
from sync.messages import Change, Cursor, PullResponse, decode_cursor, encode_cursor

# Columns devices never receive: secrets, bookkeeping, import keys.
HIDDEN_COLUMNS = frozenset({"password_hash", "login", "external_ref", "version", "deleted_at"})


async def head_change(session: AsyncSession) -> int:
    return int(await session.scalar(sa.select(sa.func.max(ChangeLogEntry.id))) or 0)


@dataclass
class PullPage:
    """A page to answer, and a scope set the server has not kept yet."""

    response: PullResponse
    # The fingerprint of the scope this page leads to, and its roots when
    # the server does not keep them yet.
    scope: str | None = None
    new_scope: tuple[str, Roots] | None = None


async def read_changes(
    session: AsyncSession, actor: Actor, *, cursor: str | None, limit: int, last_seq: int
) -> PullPage:
    """One page of changes in ``actor``'s scope after ``cursor``.

    The answer is a ``reset`` and the whole scope from the start when the
    cursor is not one this server made, is ahead of its newest change (the
    database was restored from a backup), or is older than the tombstone
    horizon (it may have missed a deletion). When what the person may see
    changed since the cursor, the page also carries the rows that became
    visible and the deletions of those that no longer are
    (``backend.offline.scope_changes``).
    """
    head = await head_change(session)
    given = decode_cursor(cursor)
    if given is not None and given.change == head:
        # Nothing was written since: nobody's scope can have changed.
        return PullPage(
            _page(given, [], has_more=False, reset=False, last_seq=last_seq), given.scope
        )

    roots = await current_roots(session, actor)
    scope = fingerprint(actor, roots)
    before = await _roots_at(session, given, scope)
    reset = cursor is not None and (
        given is None
        or given.change > head
        or given.change < await purged_through(session)
        or before is _UNKNOWN
    )
    after = 0 if reset or given is None else given.change
    new_scope = (
        (scope, roots) if roots is not None and await known_roots(session, scope) is None else None
    )

    page: list[Change] = []
    has_more = False
    if after < head:
        page, has_more = await _page_of_changes(session, actor, after, head, limit)
    next_change = page[-1].version if has_more else head
    if not reset and isinstance(before, dict) and roots is not None and after > 0:
        page.extend(await scope_changes(session, actor, before, roots, after, _change))

    return PullPage(
        _page(Cursor(next_change, scope), page, has_more=has_more, reset=reset, last_seq=last_seq),
        scope,
        new_scope,
    )


_UNKNOWN = object()


async def _roots_at(session: AsyncSession, given: Cursor | None, scope: str) -> Any:
    """The roots the device's cursor was made with: None when there is
    nothing to compare (a first pull, or the same scope), ``_UNKNOWN`` when
    the set is no longer kept (the device starts again)."""
    if given is None or given.scope is None or given.scope == scope:
        return None
    if EVERYTHING in (given.scope, scope):
        return _UNKNOWN
    kept = await known_roots(session, given.scope)
    return _UNKNOWN if kept is None else kept


def _page(
    cursor: Cursor, changes: list[Change], *, has_more: bool, reset: bool, last_seq: int
) -> PullResponse:
    return PullResponse(
        cursor=encode_cursor(cursor),
        has_more=has_more,
        reset=reset,
        last_seq=last_seq,
        changes=changes,
    )


async def _page_of_changes(
    session: AsyncSession, actor: Actor, after: int, head: int, limit: int
) -> tuple[list[Change], bool]:
    """The first ``limit`` changes in scope after ``after``, and whether
    more follow.

    Two steps, both in the page's one snapshot: the change numbers first
    (one statement over every type, numbers only), then the rows of the
    types this page holds, up to its last number. Reading whole rows of
    every type up to a page each, as before, read twice the rows a page
    needs, and turning a row into Python values is most of a pull's time.
    """
    tables = synced_tables()
    types = list(tables)
    connection = await session.connection()

    numbers = [
        _numbers_in_scope(actor, sync_type, tables[sync_type], kind, after, head, limit + 1)
        for kind, sync_type in enumerate(types)
    ]
    merged = sa.union_all(*numbers).subquery()
    found = (
        await connection.execute(
            sa.select(merged.c.version, merged.c.kind).order_by(merged.c.version).limit(limit + 1)
        )
    ).all()
    has_more = len(found) > limit
    found = found[:limit]
    if not found:
        return [], has_more

    last = found[-1].version
    page: list[Change] = []
    for kind in sorted({row.kind for row in found}):
        sync_type = types[kind]
        page.extend(await _changes_of(session, actor, sync_type, tables[sync_type], after, last))
    page.sort(key=lambda change: change.version)
    return page, has_more


def _in_range(
    actor: Actor, sync_type: str, table: sa.Table, after: int, through: int
) -> list[sa.ColumnElement[bool]]:
    conditions = [
        table.c.version > after,
        table.c.version <= through,
        scope_of(sync_type, actor),
    ]
    if after == 0:
        # A first snapshot never needs tombstones: the device has nothing yet.
        conditions.append(table.c.deleted_at.is_(None))
    return conditions


def _numbers_in_scope(
    actor: Actor, sync_type: str, table: sa.Table, kind: int, after: int, head: int, limit: int
) -> sa.Select[Any]:
    """The first change numbers of one type, tagged with the type's place."""
    numbers = (
        sa.select(table.c.version, sa.literal_column(str(kind)).label("kind"))
        .where(*_in_range(actor, sync_type, table, after, head))
        .order_by(table.c.version)
        .limit(limit)
        .subquery()
    )
    return sa.select(numbers.c.version, numbers.c.kind)


async def _changes_of(
    session: AsyncSession,
    actor: Actor,
    sync_type: str,
    table: sa.Table,
    after: int,
    through: int,
) -> list[Change]:
    connection = await session.connection()
    stored_uuids = connection.dialect.name == "sqlite"
    query = _wire_select(sync_type, table, stored_uuids=stored_uuids).where(
        *_in_range(actor, sync_type, table, after, through)
    )
    # Plain rows through the session's connection (same snapshot): these
    # are table rows, not objects, and the ORM's loading would cost more
    # than the query.
    result = await connection.execute(query)
    keys = list(result.keys())
    at_id, at_version, at_deleted = (keys.index(name) for name in ("id", "version", "deleted_at"))
    shown = [(name, at) for at, name in enumerate(keys) if name not in HIDDEN_COLUMNS]
    uuids = [name for name, _ in shown if name in table.c and _is_uuid(table.c[name])]

    changes = []
    for values in result.all():
        entity_id = uuid.UUID(values[at_id]) if stored_uuids else values[at_id]
        if values[at_deleted] is not None:
            changes.append(
                Change(op="del", type=sync_type, id=entity_id, version=values[at_version])
            )
            continue
        data = {name: values[at] for name, at in shown}
        if stored_uuids:
            for name in uuids:
                data[name] = _uuid_text(data[name])
        changes.append(
            Change(
                op="put",
                type=sync_type,
                id=entity_id,
                version=values[at_version],
                data=msgspec.to_builtins(data),
            )
        )
    return changes


def _wire_select(sync_type: str, table: sa.Table, *, stored_uuids: bool) -> sa.Select[Any]:
    """The type's rows as devices receive them; with ``stored_uuids``, its
    UUID columns as the text SQLite stores (``_uuid_text``)."""
    query = synced_select(sync_type, table)
    if not stored_uuids:
        return query
    return query.with_only_columns(
        *(
            sa.type_coerce(column, sa.String).label(column.name) if _is_uuid(column) else column
            for column in query.selected_columns
        )
    )


def _is_uuid(column: Any) -> bool:
    return isinstance(getattr(column, "type", None), sa.Uuid)


def _uuid_text(stored: str | None) -> str | None:
    """A UUID as devices receive it (``str(uuid)``), from SQLite's text.

    SQLite keeps a UUID as its 32 hex digits. Making a ``uuid.UUID`` of
    each, for the page's encoder to turn it back into text, was a tenth
    of a pull's time; anything but the 32 digits takes that way still.
    """
    if stored is None:
        return None
    if len(stored) != 32:
        return str(uuid.UUID(stored))
    return f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"


def _change(sync_type: str, row: Mapping[str, Any]) -> Change:
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
