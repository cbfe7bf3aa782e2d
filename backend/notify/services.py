"""Who must be poked for a batch of changes.

A person is poked when their next pull would bring something: a changed
row now in their scope (a `put`, or the `del` of a tombstone), or a
changed row that was in it and no longer is (a service order given to
someone else). The first is asked of the database with the access policy
itself (``backend.access.scope``), once per batch for everyone watching;
the second needs to know what the person saw before the change, so the
feed keeps each watched person's *roots* (the records whose own columns
decide visibility, ``backend.offline.scope_changes``) while they watch.

    batch of changes (id range of the change log)
      |-- whoever sees everything ......... poked by any change
      |-- 'scope' entries, a watched person's own user row
      |       -> their actor and roots are read again; poked if roots moved
      '-- everyone else: one query per batch (UNION ALL, in slices)
              changed row in scope now ........ poked, root kept
              changed root held, not in scope . poked, root dropped
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor
from backend.access.scope import scope_of
from backend.db.changelog import SCOPE_CHANGE
from backend.db.models import ChangeLogEntry, synced_tables
from backend.lib.errors import NotFound
from backend.offline.scope_changes import SCOPE_ROOTS, current_roots
from backend.people.services import load_actor

# Statements hold at most this many UNION ALL terms (SQLite allows 500).
TERMS_PER_STATEMENT = 100

# Root ids by type; None for whoever sees everything.
HeldRoots = dict[str, set[str]] | None


@dataclass
class Followed:
    """A person with a stream open, and what the server believes they see."""

    actor: Actor
    roots: HeldRoots


@dataclass
class ChangeBatch:
    """The changes numbered ``after < id <= head``, by sync type."""

    after: int
    head: int
    changed: dict[str, set[uuid.UUID]] = field(default_factory=dict)
    scope_moved: bool = False


async def newest_change(session: AsyncSession) -> int:
    return int(await session.scalar(sa.select(sa.func.max(ChangeLogEntry.id))) or 0)


async def roots_of(session: AsyncSession, actor: Actor) -> HeldRoots:
    found = await current_roots(session, actor)
    if found is None:
        return None
    return {sync_type: set(ids) for sync_type, ids in found.items()}


async def follow(session: AsyncSession, actor: Actor) -> Followed:
    return Followed(actor, await roots_of(session, actor))


async def read_batch(session: AsyncSession, after: int, head: int) -> ChangeBatch:
    """Which records changed after ``after``, up to ``head``: ids only."""
    rows = await session.execute(
        sa.select(ChangeLogEntry.entity_type, ChangeLogEntry.entity_id)
        .where(ChangeLogEntry.id > after, ChangeLogEntry.id <= head)
        .distinct()
    )
    batch = ChangeBatch(after, head)
    tables = synced_tables()
    for entity_type, entity_id in rows:
        if entity_type == SCOPE_CHANGE:
            batch.scope_moved = True
        elif entity_type in tables:
            batch.changed.setdefault(entity_type, set()).add(entity_id)
    return batch


async def people_to_poke(
    session: AsyncSession, batch: ChangeBatch, followed: dict[uuid.UUID, Followed]
) -> set[uuid.UUID]:
    """The watched people whose next pull would bring something of ``batch``.

    Updates ``followed`` (actors and roots) as it learns: the next batch is
    compared with what the people see after this one.
    """
    poked = await _read_again(session, batch, followed)
    if batch.changed:
        poked |= {person for person, seen in followed.items() if seen.roots is None}

    narrow = [(person, seen) for person, seen in followed.items() if seen.roots is not None]
    visible = await _visible_now(session, batch, [seen.actor for _, seen in narrow])
    for index, (person, seen) in enumerate(narrow):
        assert seen.roots is not None
        now = visible.get(index, {})
        if any(now.values()) or _held(seen.roots, batch):
            poked.add(person)
        for sync_type in SCOPE_ROOTS:
            changed = {str(entity_id) for entity_id in batch.changed.get(sync_type, ())}
            if changed:
                held = seen.roots.setdefault(sync_type, set())
                held -= changed
                held |= {str(entity_id) for entity_id in now.get(sync_type, ())}
    return poked


async def everyone_again(
    session: AsyncSession, followed: dict[uuid.UUID, Followed]
) -> set[uuid.UUID]:
    """After a batch too big to sort (an import): everyone is poked and
    what they see is read again."""
    for person, seen in list(followed.items()):
        followed[person] = await _reloaded(session, seen)
    return set(followed)


async def _read_again(
    session: AsyncSession, batch: ChangeBatch, followed: dict[uuid.UUID, Followed]
) -> set[uuid.UUID]:
    """Read the actor and roots again of whom a batch may have moved: a
    scope change (teams, affair members) can move anyone; a change of a
    person's own row, their role or team. Poked when their roots moved."""
    own_rows = {str(user_id) for user_id in batch.changed.get("user", ())}
    poked: set[uuid.UUID] = set()
    for person, seen in list(followed.items()):
        if not batch.scope_moved and str(person) not in own_rows:
            continue
        fresh = await _reloaded(session, seen)
        if fresh.roots != seen.roots or fresh.actor != seen.actor:
            poked.add(person)
        followed[person] = fresh
    return poked


async def _reloaded(session: AsyncSession, seen: Followed) -> Followed:
    try:
        actor = await load_actor(session, seen.actor.id)
    except NotFound:
        # Gone from the database: nothing more to see; its pull will say so.
        return Followed(seen.actor, {})
    return await follow(session, actor)


def _held(roots: dict[str, set[str]], batch: ChangeBatch) -> bool:
    """Did the batch change a root the person saw before it?"""
    return any(
        str(entity_id) in roots.get(sync_type, set())
        for sync_type in SCOPE_ROOTS
        for entity_id in batch.changed.get(sync_type, ())
    )


async def _visible_now(
    session: AsyncSession, batch: ChangeBatch, actors: list[Actor]
) -> dict[int, dict[str, set[uuid.UUID]]]:
    """For each actor (by index), the changed records they see now.

    Root types answer their ids (the roots held are kept up to date with
    them); other types only whether any is visible (one id stands for
    all). The changed ids are read from the change log by the database
    itself, so no statement carries thousands of parameters.
    """
    if not actors or not batch.changed:
        return {}
    tables = synced_tables()
    terms: list[sa.Select[tuple[int, str, uuid.UUID]]] = []
    for index, actor in enumerate(actors):
        for sync_type in sorted(batch.changed):
            table = tables[sync_type]
            changed_ids = sa.select(ChangeLogEntry.entity_id).where(
                ChangeLogEntry.id > batch.after,
                ChangeLogEntry.id <= batch.head,
                ChangeLogEntry.entity_type == sync_type,
            )
            term = sa.select(
                sa.literal(index, sa.Integer).label("who"),
                sa.literal(sync_type, sa.String).label("kind"),
                table.c.id.label("entity_id"),
            ).where(table.c.id.in_(changed_ids), scope_of(sync_type, actor))
            if sync_type not in SCOPE_ROOTS:
                term = term.limit(1)
            terms.append(term)

    found: dict[int, dict[str, set[uuid.UUID]]] = defaultdict(lambda: defaultdict(set))
    for start in range(0, len(terms), TERMS_PER_STATEMENT):
        parts = [term.subquery().select() for term in terms[start : start + TERMS_PER_STATEMENT]]
        rows = await session.execute(sa.union_all(*parts))
        for who, kind, entity_id in rows:
            found[who][kind].add(entity_id)
    return found
