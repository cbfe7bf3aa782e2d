"""The pull side: what changed in a person's scope since their cursor.

Each synced row carries the change number of its last write (``version``),
so one page is, per type, the rows in scope with ``cursor < version <=
head``, merged in version order. ``head`` is the newest change number
visible to this read; every number below it is committed (see
``backend.db.changelog``), so nothing can appear below a cursor later.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor, Shape, bound_values, shape_of, stand_in
from backend.access.scope import scope_of, synced_select
from backend.db.models import ChangeLogEntry, synced_tables
from backend.db.types import uuid_text
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


HEAD_CHANGE = sa.select(sa.func.max(ChangeLogEntry.id))


async def head_change(session: AsyncSession) -> int:
    return int(await session.scalar(HEAD_CHANGE) or 0)


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
    types this page holds, up to its last number. Whole rows of every type
    up to a page each would be about twice the rows a page needs, and
    turning a row into Python values is most of a pull's time.
    """
    connection = await session.connection()
    stored_uuids = connection.dialect.name == "sqlite"
    statements = _page_statements(shape_of(actor), first=after == 0, stored_uuids=stored_uuids)
    person = bound_values(actor)

    found = (
        await connection.execute(
            statements.numbers, {**person, "after": after, "through": head, "limit": limit + 1}
        )
    ).all()
    has_more = len(found) > limit
    found = found[:limit]
    if not found:
        return [], has_more

    last = found[-1].version
    page: list[Change] = []
    for kind in sorted({row.kind for row in found}):
        sync_type = statements.types[kind]
        rows = statements.rows[sync_type]
        result = await connection.execute(rows.select, {**person, "after": after, "through": last})
        page.extend(_changes_of(sync_type, result, rows, stored_uuids=stored_uuids))
    page.sort(key=lambda change: change.version)
    return page, has_more


@dataclass(frozen=True)
class _PageStatements:
    """What one person's pages send, with ``after``, ``through`` (and for
    ``numbers``, ``limit``) given at each page."""

    types: list[str]
    # The first change numbers in scope, each with its type's place in ``types``.
    numbers: sa.Select[Any]
    # Each type's rows in scope, as devices receive them.
    rows: dict[str, _WireRows]


@dataclass(frozen=True)
class _WireRows:
    """A type's rows as devices receive them, some columns read as text
    and turned into what devices receive in Python, faster than the
    column types would."""

    select: sa.Select[Any]
    # UUIDs as SQLite stores them (``uuid_text``); none on PostgreSQL.
    uuids: list[str]
    # JSON documents, decoded here (``_decode_document``).
    documents: list[str]


# Building a page's statements (the visibility rules as SQL) cost a fifth
# of a pull: they are built once per shape of person (role, in a team,
# teams supervised: ``backend.access.actors.Shape``), the person's ids
# bound at each page, and kind of page (first or not); about 280 KB each.
KEPT_STATEMENTS = 32


@functools.lru_cache(maxsize=KEPT_STATEMENTS)
def _page_statements(shape: Shape, *, first: bool, stored_uuids: bool) -> _PageStatements:
    """``first``: for a first snapshot, which never needs tombstones (the
    device has nothing yet). ``stored_uuids``: UUIDs read as the text
    SQLite stores (``uuid_text``)."""
    actor = stand_in(shape)
    tables = synced_tables()
    types = list(tables)
    after, through = (
        sa.bindparam("after", type_=sa.BigInteger),
        sa.bindparam("through", type_=sa.BigInteger),
    )

    in_range: dict[str, list[sa.ColumnElement[bool]]] = {}
    for sync_type, table in tables.items():
        in_range[sync_type] = [
            table.c.version > after,
            table.c.version <= through,
            scope_of(sync_type, actor),
        ]
        if first:
            in_range[sync_type].append(table.c.deleted_at.is_(None))

    limit = sa.bindparam("limit", type_=sa.Integer)
    numbers = []
    for kind, sync_type in enumerate(types):
        version = tables[sync_type].c.version
        first_numbers = (
            sa.select(version, sa.literal_column(str(kind)).label("kind"))
            .where(*in_range[sync_type])
            .order_by(version)
            .limit(limit)
            .subquery()
        )
        numbers.append(sa.select(first_numbers.c.version, first_numbers.c.kind))
    merged = sa.union_all(*numbers).subquery()

    return _PageStatements(
        types=types,
        numbers=sa.select(merged.c.version, merged.c.kind).order_by(merged.c.version).limit(limit),
        rows={
            sync_type: _wire_rows(sync_type, table, in_range[sync_type], stored_uuids=stored_uuids)
            for sync_type, table in tables.items()
        },
    )


def _changes_of(
    sync_type: str, result: sa.CursorResult[Any], wire: _WireRows, *, stored_uuids: bool
) -> list[Change]:
    """The rows of ``result`` as changes, in one pass: plain rows through
    the page's connection (same snapshot), not objects, since the ORM's
    loading would cost more than the query."""
    keys = list(result.keys())
    at_id, at_version, at_deleted = (keys.index(name) for name in ("id", "version", "deleted_at"))
    shown = [(name, at) for at, name in enumerate(keys) if name not in HIDDEN_COLUMNS]

    changes = []
    for values in result.all():
        entity_id = uuid.UUID(values[at_id]) if stored_uuids else values[at_id]
        if values[at_deleted] is not None:
            changes.append(
                Change(op="del", type=sync_type, id=entity_id, version=values[at_version])
            )
            continue
        data = {name: values[at] for name, at in shown}
        for name in wire.uuids:
            if data[name] is not None:
                data[name] = uuid_text(data[name])
        for name in wire.documents:
            data[name] = _decode_document(data[name])
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


def _wire_rows(
    sync_type: str,
    table: sa.Table,
    conditions: list[sa.ColumnElement[bool]],
    *,
    stored_uuids: bool,
) -> _WireRows:
    """``stored_uuids``: the UUID columns read as the text SQLite stores."""
    uuids: list[str] = []
    documents: list[str] = []
    columns: list[sa.ColumnElement[Any]] = []
    for column in synced_select(sync_type, table).selected_columns:
        shown = column.name not in HIDDEN_COLUMNS
        if stored_uuids and _is_uuid(column):
            uuids.extend([column.name] if shown else [])
            columns.append(sa.type_coerce(column, sa.String).label(column.name))
        elif isinstance(getattr(column, "type", None), sa.JSON):
            documents.extend([column.name] if shown else [])
            columns.append(sa.cast(column, sa.Text).label(column.name))
        else:
            columns.append(column)
    query: sa.Select[Any] = sa.select(*columns).where(*conditions)
    return _WireRows(select=query, uuids=uuids, documents=documents)


def _decode_document(text: str | None) -> Any:
    """A JSON column's value, decoded as its column type would, faster.

    What the faster decoder refuses (NaN, a number beyond a float, both
    written by Python's encoder) is decoded the slow way.
    """
    if text is None:
        return None
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def _is_uuid(column: Any) -> bool:
    return isinstance(getattr(column, "type", None), sa.Uuid)


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
