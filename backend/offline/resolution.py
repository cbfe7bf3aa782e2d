"""Resolving a conflict: a person who oversees its author picks the side
that stands.

    kind                      keep "server"               keep "device"
    ------------------------  --------------------------  --------------------------
    concurrent_update,        the server's values are     nothing to do: the
      the device had won      sent again                  device's values stand
    concurrent_update,        nothing to do               the device's change is
      the server had won                                  sent again
    locked, delete_vs_update, nothing to do               the device's change is
      parent_deleted,                                     sent again: it applies if
      duplicate_id                                        its reason is gone (the
                                                          week was reopened...)
    missing_blob              the change is dropped: its  the change is sent again:
                              photo, if it comes, applies it waits for its photo
                              nothing                     still (refused)

"Sent again" replays the change through its mutator, as its author and
on top of the record as it stands now, so every business rule holds; if
it still cannot apply, the conflict stays open and the reason is said.
The resolved record is a change like any other: it reaches every device
that holds it.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

import msgspec
import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access import policy
from backend.access.actors import Actor
from backend.db.models import ConflictRecord, ConflictStatus, User, synced_tables
from backend.lib.errors import Conflict, Forbidden, NotFound
from backend.lib.i18n import translate
from backend.lib.time import utc_now
from backend.offline.blobs import take_change_lock
from backend.offline.context import MutationContext
from backend.offline.schemas import ConflictOut
from backend.people.services import actor_of, names_of
from sync.ids import derived_id, uuid7
from sync.messages import Mutation
from sync.outcomes import CONCURRENT_UPDATE, Conflicted, Rejected
from sync.registry import MutatorRegistry

logger = structlog.get_logger()

Side = Literal["server", "device"]


async def resolve_conflict(
    session: AsyncSession,
    actor: Actor,
    conflict_id: uuid.UUID,
    keep: Side,
    mutators: MutatorRegistry,
) -> ConflictRecord:
    """Make ``keep``'s side stand and mark the conflict resolved.

    Keeping the server's side of a change that waits for its photo drops
    the change: the photo arriving later applies nothing.
    """
    # Taken before reading, like an upload applying the changes held for
    # its photo: a photo arriving meanwhile either applied the change first
    # (it is resolved already) or finds it dropped, never both.
    await take_change_lock(session)
    conflict = await session.scalar(
        sa.select(ConflictRecord)
        .where(ConflictRecord.id == conflict_id, policy.visible_conflicts(actor))
        .execution_options(populate_existing=True)
    )
    if conflict is None:
        raise NotFound()
    if conflict.status != ConflictStatus.OPEN:
        raise Conflict("conflict_resolved", code="conflict_resolved")
    author = await session.get(User, conflict.author_id)
    assert author is not None
    if not policy.may_decide_for(actor, author.id, author.team_id):
        raise Forbidden()

    replay = side_to_send(conflict, keep)
    if replay is not None:
        await _send_again(session, mutators, conflict, author, replay)

    conflict.status = ConflictStatus.RESOLVED
    conflict.resolution = keep
    conflict.resolved_by_id = actor.id
    conflict.resolved_at = utc_now()
    await session.flush()
    logger.info("sync.conflict_resolved", kind=conflict.kind, keep=keep)
    return conflict


def side_to_send(conflict: ConflictRecord, keep: Side) -> dict[str, Any] | None:
    """The args to send again for ``keep`` to stand; None when it stands."""
    args = conflict.mutation_args
    device_stands = conflict.kind == CONCURRENT_UPDATE and bool(conflict.details.get("device_won"))
    if keep == "device":
        return None if device_stands else args
    if device_stands and isinstance(args, dict) and isinstance(conflict.server_value, dict):
        return {**args, **conflict.server_value}
    return None


async def _send_again(
    session: AsyncSession,
    mutators: MutatorRegistry,
    conflict: ConflictRecord,
    author: User,
    args: dict[str, Any] | None,
) -> None:
    mutator = mutators.get(conflict.mutation_name)
    if mutator is None or args is None:
        raise Conflict("cannot_replay", code="cannot_replay")
    raw = msgspec.json.encode(args)
    try:
        typed = mutator.decode(raw)
    except msgspec.ValidationError as exc:
        raise Conflict("cannot_replay", code="cannot_replay") from exc

    now = utc_now()
    mutation = Mutation(
        seq=1,
        id=uuid7(),
        name=conflict.mutation_name,
        args=msgspec.Raw(raw),
        at=now,
        base=await _current_version(session, conflict),
    )
    ctx = MutationContext(
        session=session,
        actor=await actor_of(session, author),
        # A client of its own: the replay is nobody's device.
        client_id=derived_id("conflict_resolution", conflict.id),
        mutation=mutation,
        corrected_at=now,
    )
    try:
        async with session.begin_nested():
            await mutator.handler(ctx, typed)
    except Rejected as refusal:
        raise Conflict(refusal.code, code=refusal.code, **refusal.fields) from refusal
    except Conflicted as still:
        raise Conflict(still.code, code=still.code, **still.fields) from still


async def _current_version(session: AsyncSession, conflict: ConflictRecord) -> int | None:
    table = synced_tables().get(conflict.entity_type)
    if table is None or conflict.entity_id is None:
        return None
    version = await session.scalar(
        sa.select(table.c.version).where(table.c.id == conflict.entity_id)
    )
    return int(version) if version is not None else None


async def list_conflicts(
    session: AsyncSession, actor: Actor, *, status: str | None, language: str, limit: int = 500
) -> list[ConflictOut]:
    """Conflicts the actor may see, oldest open first."""
    query = sa.select(ConflictRecord).where(policy.visible_conflicts(actor))
    if status is not None:
        query = query.where(ConflictRecord.status == status)
    conflicts = list(await session.scalars(query.order_by(ConflictRecord.created_at).limit(limit)))
    return await describe_conflicts(session, conflicts, language)


async def describe_conflicts(
    session: AsyncSession, conflicts: list[ConflictRecord], language: str
) -> list[ConflictOut]:
    names = await names_of(
        session,
        (
            person
            for conflict in conflicts
            for person in (conflict.author_id, conflict.server_author_id, conflict.resolved_by_id)
        ),
    )
    return [
        ConflictOut(
            id=conflict.id,
            kind=conflict.kind,
            code=conflict.code,
            message=translate(conflict.code, language, conflict.details),
            status=conflict.status.value,
            entity_type=conflict.entity_type,
            entity_id=conflict.entity_id,
            affair_id=conflict.affair_id,
            mutation_name=conflict.mutation_name,
            author_id=conflict.author_id,
            author_name=names.get(conflict.author_id, ""),
            server_author_name=names.get(conflict.server_author_id)
            if conflict.server_author_id
            else None,
            device_value=conflict.device_value,
            server_value=conflict.server_value,
            created_at=conflict.created_at,
            resolution=conflict.resolution,
            resolved_by_name=names.get(conflict.resolved_by_id)
            if conflict.resolved_by_id
            else None,
            resolved_at=conflict.resolved_at,
        )
        for conflict in conflicts
    ]
