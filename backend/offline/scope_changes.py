"""When what a person may see changes, their devices follow.

A service order assigned to a technician brings its checklist runs,
answers and notes, though none of them changed; one taken away must leave
the phone, though it still exists. Neither shows in the change numbers, so
each pull also compares the person's *roots* (the records whose own
columns decide visibility: people, affairs, actions, service orders,
checklist runs, customers, sites) with the roots the device's cursor was
made with. The sets are kept by fingerprint in ``scope_sets``; the cursor
names the fingerprint, so a lost answer is simply asked again.

    roots at the cursor  vs  roots now
      grown root  -> put it, and its followers, even unchanged
      shrunk root -> del it, and its followers no longer visible

Followers are the rows seen through a root: an order's notes, a run's
answers and photos, a person's time, weeks and conflicts.

A root may be read from another type's rows and send none of its own:
the people whose named approver the person is (``time_approver_id``)
bring their time and weeks. They may be in scope as people anyway (a
team mate), so naming or unnaming an approver moves this root alone.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor, Shape, bound_values, shape_of, stand_in
from backend.access.scope import Scope, scope_of, synced_select
from backend.db.models import ScopeSet, User, synced_tables
from backend.db.types import uuid_text
from backend.db.upsert import insert_ignoring_duplicates
from backend.lib.time import utc_now
from sync.messages import Change

SCOPE_ROOTS = (
    "user",
    "affair",
    "action",
    "service_order",
    "checklist_run",
    "customer",
    "site",
    "time_approved",
)
# Roots read from the rows of a synced type, with their own condition;
# their rows are sent by that type's root, not by them.
ROOTS_OF_OTHER_ROWS: dict[str, tuple[str, Scope]] = {
    "time_approved": ("user", lambda actor: User.time_approver_id == actor.id),
}
FOLLOWERS: dict[str, tuple[tuple[str, str], ...]] = {
    "affair": (
        ("equipment", "affair_id"),
        ("equipment_part", "affair_id"),
        ("equipment_file", "affair_id"),
    ),
    "service_order": (
        ("service_order_note", "service_order_id"),
        ("service_order_part", "service_order_id"),
        ("service_order_step", "service_order_id"),
        ("service_order_photo", "service_order_id"),
    ),
    "checklist_run": (("checklist_answer", "run_id"), ("checklist_photo", "run_id")),
    "user": (("time_entry", "user_id"), ("timesheet_week", "user_id"), ("conflict", "author_id")),
    "time_approved": (("time_entry", "user_id"), ("timesheet_week", "user_id")),
}
# Whoever sees everything has one scope, whatever is written.
EVERYTHING = "0" * 12
# Big sets are read in slices: databases limit the values of one statement.
SLICE = 500

Roots = dict[str, list[str]]


async def current_roots(session: AsyncSession, actor: Actor) -> Roots | None:
    """The ids of each root type the actor sees; None when they see all."""
    if actor.sees_everything:
        return None
    connection = await session.connection()
    stored_uuids = connection.dialect.name == "sqlite"
    rows = await connection.execute(
        _roots_statement(shape_of(actor), stored_uuids=stored_uuids), bound_values(actor)
    )
    roots: Roots = {sync_type: [] for sync_type in SCOPE_ROOTS}
    for kind, entity_id in rows.all():
        roots[SCOPE_ROOTS[kind]].append(uuid_text(entity_id) if stored_uuids else str(entity_id))
    return roots


# Shapes of person whose roots statement stays built (every pull reads
# the roots; the person's ids are bound at each read).
KEPT_ROOTS_STATEMENTS = 32


@functools.lru_cache(maxsize=KEPT_ROOTS_STATEMENTS)
def _roots_statement(shape: Shape, *, stored_uuids: bool) -> sa.Select[Any]:
    """Every root type's ids in one statement, each tagged with the type's
    place in ``SCOPE_ROOTS``, ordered as the fingerprint reads them.
    ``stored_uuids``: the ids as the text SQLite stores (``uuid_text``)."""
    actor = stand_in(shape)
    tables = synced_tables()
    parts = []
    for kind, root_type in enumerate(SCOPE_ROOTS):
        rows_type, scope = ROOTS_OF_OTHER_ROWS.get(root_type, (root_type, None))
        entity_id: sa.ColumnElement[Any] = tables[rows_type].c.id
        if stored_uuids:
            entity_id = sa.type_coerce(entity_id, sa.String)
        parts.append(
            sa.select(sa.literal_column(str(kind)).label("kind"), entity_id.label("id")).where(
                scope(actor) if scope else scope_of(root_type, actor)
            )
        )
    merged = sa.union_all(*parts).subquery()
    return sa.select(merged.c.kind, merged.c.id).order_by(merged.c.kind, merged.c.id)


def fingerprint(actor: Actor, roots: Roots | None) -> str:
    if roots is None:
        return EVERYTHING
    digest = hashlib.sha256(actor.role.value.encode())
    for sync_type in SCOPE_ROOTS:
        digest.update(b"|" + sync_type.encode())
        for entity_id in roots[sync_type]:
            digest.update(entity_id.encode())
    return digest.hexdigest()[:12]


ROOTS_OF_SCOPE = sa.select(ScopeSet.roots).where(ScopeSet.fingerprint == sa.bindparam("scope"))


async def known_roots(session: AsyncSession, scope: str) -> Roots | None:
    return await session.scalar(ROOTS_OF_SCOPE, {"scope": scope})


async def keep_scope_set(session: AsyncSession, scope: str, roots: Roots) -> None:
    await session.execute(
        insert_ignoring_duplicates(session, ScopeSet).values(
            fingerprint=scope, roots=roots, touched_at=utc_now()
        )
    )


async def scope_changes(
    session: AsyncSession,
    actor: Actor,
    before: Roots,
    now: Roots,
    after: int,
    change_of: Any,
) -> list[Change]:
    """Puts for what became visible, dels for what no longer is.

    Rows changed after the cursor (``after``) come with the ordinary pull;
    only older rows are added here. ``change_of(sync_type, row)`` makes a
    change from a row.
    """
    tables = synced_tables()
    changes: list[Change] = []
    for root_type in SCOPE_ROOTS:
        grown = set(now[root_type]) - set(before.get(root_type, []))
        shrunk = set(before.get(root_type, [])) - set(now[root_type])
        own_rows = () if root_type in ROOTS_OF_OTHER_ROWS else ((root_type, "id"),)
        for sync_type, column in (*own_rows, *FOLLOWERS.get(root_type, ())):
            table = tables[sync_type]
            for ids in _slices(grown):
                rows = await session.execute(
                    synced_select(sync_type, table).where(
                        table.c[column].in_(ids),
                        table.c.version <= after,
                        table.c.deleted_at.is_(None),
                        scope_of(sync_type, actor),
                    )
                )
                changes.extend(change_of(sync_type, row) for row in rows.mappings())
            for ids in _slices(shrunk):
                # NOT of a condition that is NULL (a person with no team) is
                # NULL too: unknown must count as "not visible".
                hidden = sa.not_(sa.func.coalesce(scope_of(sync_type, actor), sa.false()))
                gone = await session.execute(
                    sa.select(table.c.id, table.c.version).where(table.c[column].in_(ids), hidden)
                )
                changes.extend(
                    Change(op="del", type=sync_type, id=row.id, version=row.version or 0)
                    for row in gone
                )
    return _once(changes)


def _once(changes: list[Change]) -> list[Change]:
    """Each change once: two roots may bring the same row (a person who
    came into the team and whose approver one became)."""
    seen: set[tuple[str, str, uuid.UUID]] = set()
    kept = []
    for change in changes:
        key = (change.op, change.type, change.id)
        if key not in seen:
            seen.add(key)
            kept.append(change)
    return kept


def _slices(ids: Iterable[str]) -> Iterable[list[uuid.UUID]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), SLICE):
        yield [uuid.UUID(entity_id) for entity_id in ordered[start : start + SLICE]]
