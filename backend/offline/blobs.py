"""Blobs: the bytes of photos and signatures, sent apart from the changes
that name them by hash (PROTOCOL.md).

    device                                  server
    PUT /api/blobs/<sha256>  bytes    --->  hash, type, size checked; kept
    push checklist.attach {sha256}    --->  applied: the blob is here

A change that arrives before its blob (an upload lost, another client) is
held as a ``missing_blob`` conflict. The blob's arrival applies every
change held for it, oldest first, as its author, in the transaction that
stores the blob::

    held (open) --blob arrives--> applied ............ resolved, "device"
                              \\-> conflicts again .... open, with the new reason
                              \\-> can never apply .... resolved, "server", with why
    held (open) --given up by a supervisor--> dropped .. resolved, "server", by whom

Either way the conflict record changes, so the author's device learns the
outcome by its next pull.

A photo may never come (the phone that took it was lost or wiped): whoever
oversees the author gives up on the change by keeping the server's side
(``resolve_conflict``); the photo arriving after that applies nothing.

A blob nothing needs any more is removed with the horizon purge
(``remove_unused_blobs``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access import policy
from backend.access.actors import Actor
from backend.db.changelog import change_lock_statement
from backend.db.faults import is_transient
from backend.db.models import (
    Blob,
    BlobHolder,
    ChecklistPhoto,
    ConflictRecord,
    ConflictStatus,
    Device,
    ServiceOrder,
    ServiceOrderPhoto,
    User,
)
from backend.db.upsert import dialect_of, insert_ignoring_duplicates
from backend.lib.errors import InvalidInput, NotFound, UnsupportedMediaType
from backend.lib.time import utc_now
from backend.offline.context import MutationContext
from backend.offline.schemas import BlobOut
from backend.offline.scope_changes import known_roots
from backend.people.services import actor_of
from sync.messages import Mutation
from sync.outcomes import MISSING_BLOB, Conflicted, Rejected
from sync.registry import MutatorRegistry

logger = structlog.get_logger()

# The types a photo or a signature may have, and how their bytes begin: a
# file that says it is a PNG and is not one is refused like any other type.
BLOB_TYPES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}
HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Upload:
    """An upload whose shape is checked: a hash name, an allowed type."""

    sha256: str
    content_type: str
    data: bytes


def check_name(sha256: str) -> str:
    """The hash in the path, or ``InvalidInput``: 64 lower-case hex digits."""
    if len(sha256) != 64 or not set(sha256) <= HEX:
        raise InvalidInput("invalid_input", field="sha256", reason="64 lower-case hex digits")
    return sha256


def check_type(header: str | None) -> str:
    """The upload's media type, when it is one a blob may have."""
    content_type = (header or "").split(";")[0].strip().lower()
    if content_type not in BLOB_TYPES:
        raise _unsupported(content_type)
    return content_type


def check_upload(sha256: str, content_type: str, data: bytes) -> Upload:
    """The upload, when its bytes hash to its name and are of its type."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise InvalidInput("hash_mismatch", code="hash_mismatch", field="sha256", actual=actual)
    if not _looks_like(content_type, data):
        raise _unsupported(content_type)
    return Upload(sha256, content_type, data)


def _looks_like(content_type: str, data: bytes) -> bool:
    if content_type == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return data.startswith(BLOB_TYPES[content_type])


def _unsupported(content_type: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        "unsupported_blob_type",
        code="unsupported_blob_type",
        content_type=content_type[:60],
        expected=", ".join(BLOB_TYPES),
    )


async def take_change_lock(session: AsyncSession) -> None:
    """Take turns with every writer of synced rows (see ``change_lock_statement``)."""
    statement = change_lock_statement(dialect_of(session))
    if statement is not None:
        await session.execute(sa.text(statement))


async def blob_usable(session: AsyncSession, actor: Actor, sha256: str) -> bool:
    """Does the server hold this blob, for ``actor`` to name in a change?

    The bytes must be here and be the actor's to use: uploaded by them (a
    hash alone proves nothing), or named by a record they see. Otherwise
    the change waits for the actor's own upload (``missing_blob``).

    Asked under the writers' lock: an upload committing meanwhile is either
    seen here, or sees the change this answer leads to held for it.
    """
    await take_change_lock(session)
    found = await session.scalar(
        sa.select(Blob.sha256).where(Blob.sha256 == sha256, policy.visible_blobs(actor))
    )
    return found is not None


# Changes of one device that may wait for their photos at once. A day
# offline is tens of photos; beyond this, a device (or someone sending
# made-up hashes) would fill its supervisor's list with photos that will
# never come.
MAX_WAITING_PER_DEVICE = 200


async def room_to_wait(ctx: MutationContext) -> None:
    """``Rejected(too_many_waiting_photos)`` when this device has as many
    changes waiting for their photos as it may."""
    waiting = await ctx.session.scalar(
        sa.select(sa.func.count())
        .select_from(ConflictRecord)
        .where(
            ConflictRecord.client_id == ctx.client_id,
            ConflictRecord.kind == MISSING_BLOB,
            ConflictRecord.status == ConflictStatus.OPEN,
        )
    )
    if int(waiting or 0) >= MAX_WAITING_PER_DEVICE:
        raise Rejected("too_many_waiting_photos", limit=MAX_WAITING_PER_DEVICE)


def held_for_blob(
    ctx: MutationContext,
    sha256: str,
    *,
    entity_type: str,
    entity_id: Any,
    affair_id: Any = None,
    device_value: Any = None,
) -> Conflicted:
    """The conflict that holds a change until its blob arrives.

    Its details keep the hash (to find it again) and the change's corrected
    device time (it applies later, but happened then).
    """
    return Conflicted(
        kind=MISSING_BLOB,
        entity_type=entity_type,
        entity_id=entity_id,
        code=MISSING_BLOB,
        affair_id=affair_id,
        device_value=device_value,
        fields={"sha256": sha256, "at": ctx.corrected_at.isoformat()},
    )


async def wait_for_blob(
    ctx: MutationContext,
    sha256: str,
    *,
    entity_type: str,
    entity_id: Any,
    affair_id: Any = None,
    device_value: Any = None,
) -> None:
    """Go on when the actor may use the blob ``sha256``; else hold the
    change (``missing_blob``) until its bytes arrive, if the device still
    has room to wait."""
    if await blob_usable(ctx.session, ctx.actor, sha256):
        return
    await room_to_wait(ctx)
    raise held_for_blob(
        ctx,
        sha256,
        entity_type=entity_type,
        entity_id=entity_id,
        affair_id=affair_id,
        device_value=device_value,
    )


async def store_blob(
    session: AsyncSession, actor: Actor, upload: Upload, mutators: MutatorRegistry
) -> BlobOut:
    """Keep the blob (once: the same bytes again change nothing) and apply
    the changes that were waiting for it."""
    await take_change_lock(session)
    kept = (
        await session.execute(
            sa.select(Blob.content_type, Blob.size).where(Blob.sha256 == upload.sha256)
        )
    ).first()
    if kept is None:
        session.add(
            Blob(
                sha256=upload.sha256,
                content_type=upload.content_type,
                size=len(upload.data),
                data=upload.data,
                created_by_id=actor.id,
            )
        )
        await session.flush()
    # Whoever uploads the bytes holds them, first or not.
    await session.execute(
        insert_ignoring_duplicates(session, BlobHolder).values(
            sha256=upload.sha256, user_id=actor.id
        )
    )
    released = await release_held(session, mutators, upload.sha256)

    logger.info("blob.stored", size=len(upload.data), created=kept is None, released=released)
    return BlobOut(
        sha256=upload.sha256,
        content_type=kept.content_type if kept else upload.content_type,
        size=kept.size if kept else len(upload.data),
        created=kept is None,
        released=released,
    )


async def read_blob(session: AsyncSession, actor: Actor, sha256: str) -> Blob:
    """The blob, when ``actor`` may see it; ``NotFound`` alike when it is
    not here or not theirs to see (a hash alone reveals nothing)."""
    blob = await session.scalar(
        sa.select(Blob).where(Blob.sha256 == check_name(sha256), policy.visible_blobs(actor))
    )
    if blob is None:
        raise NotFound()
    return blob


async def release_held(session: AsyncSession, mutators: MutatorRegistry, sha256: str) -> int:
    """Apply the changes held for ``sha256``, oldest first; how many applied."""
    held = await session.scalars(
        sa.select(ConflictRecord)
        .where(
            ConflictRecord.kind == MISSING_BLOB,
            ConflictRecord.status == ConflictStatus.OPEN,
            ConflictRecord.details["sha256"].as_string() == sha256,
        )
        .order_by(ConflictRecord.created_at, ConflictRecord.version)
        .execution_options(populate_existing=True)
    )
    applied = 0
    for conflict in list(held):
        if await _apply_held(session, mutators, conflict):
            applied += 1
    return applied


async def _apply_held(
    session: AsyncSession, mutators: MutatorRegistry, conflict: ConflictRecord
) -> bool:
    mutator = mutators.get(conflict.mutation_name)
    author = await session.get(User, conflict.author_id)
    if mutator is None or author is None:
        return False
    actor = await actor_of(session, author)
    raw = msgspec.json.encode(conflict.mutation_args)
    happened = _held_at(conflict)
    ctx = MutationContext(
        session=session,
        actor=actor,
        # The device's own change, applied late: its client, id and time.
        client_id=conflict.client_id,
        mutation=Mutation(
            seq=1,
            id=conflict.mutation_id,
            name=conflict.mutation_name,
            args=msgspec.Raw(raw),
            at=happened,
            base=conflict.base_version,
        ),
        corrected_at=happened,
        held=await _held_by_device(session, conflict),
    )

    try:
        if actor.role.value not in mutator.roles:
            raise Rejected("forbidden")
        async with session.begin_nested():
            await mutator.handler(ctx, mutator.decode(raw))
    except Conflicted as again:
        _still_held(conflict, again)
        return False
    except (Rejected, msgspec.ValidationError) as refusal:
        code = refusal.code if isinstance(refusal, Rejected) else "invalid_input"
        fields = refusal.fields if isinstance(refusal, Rejected) else {}
        _never_applies(conflict, code, fields)
        return False
    except Exception as exc:
        if is_transient(exc):
            raise
        # A change that fails this way must not keep the blob out, nor the
        # changes held behind it: it stays held, for a person to look at.
        logger.error(
            "blob.release_failed",
            mutation=conflict.mutation_name,
            error=type(exc).__name__,
            exc_info=exc,
        )
        return False

    conflict.status = ConflictStatus.RESOLVED
    conflict.resolution = "device"
    conflict.resolved_at = utc_now()
    logger.info("blob.released", mutation=conflict.mutation_name, client=str(conflict.client_id))
    return True


def _held_at(conflict: ConflictRecord) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(str(conflict.details["at"]))
    except (KeyError, ValueError):
        return conflict.created_at


async def _held_by_device(
    session: AsyncSession, conflict: ConflictRecord
) -> dict[str, frozenset[str]] | None:
    """What the author's device held at its last pull: a record that left
    its scope while the change waited is ``out_of_scope``, as in a push."""
    scope = await session.scalar(
        sa.select(Device.scope).where(Device.client_id == conflict.client_id)
    )
    roots = await known_roots(session, scope) if scope else None
    return {kind: frozenset(ids) for kind, ids in roots.items()} if roots else None


def _still_held(conflict: ConflictRecord, again: Conflicted) -> None:
    """The blob came, but the change now conflicts for another reason: the
    record says which, and stays open for a person to decide."""
    conflict.kind = again.kind
    conflict.code = again.code
    conflict.details = {**conflict.details, **msgspec.to_builtins(again.fields)}
    conflict.server_value = msgspec.to_builtins(again.server_value)
    conflict.server_version = again.server_version
    conflict.server_author_id = again.server_author_id
    if again.affair_id is not None:
        conflict.affair_id = again.affair_id


def _never_applies(conflict: ConflictRecord, code: str, fields: dict[str, Any]) -> None:
    """The blob came, but the change can never apply (its author may no
    longer make it): nothing is left to decide, the server's side stands,
    and the record says why."""
    conflict.code = code
    conflict.details = {**conflict.details, **msgspec.to_builtins(fields)}
    conflict.status = ConflictStatus.RESOLVED
    conflict.resolution = "server"
    conflict.resolved_at = utc_now()


async def remove_unused_blobs(session: AsyncSession, cutoff: dt.datetime) -> int:
    """Remove the blobs nothing needs, uploaded before ``cutoff``, with
    their holders; how many went.

    A blob stays while a photo or a repair's signature names it (a
    deleted photo too, until its tombstone is purged), while an open
    conflict keeps a change naming it (held for it as ``missing_blob``,
    or held for another reason: keeping the device's side replays the
    change, which needs the bytes), and
    while anyone uploaded it after ``cutoff``: a device uploads a photo
    before it pushes the change that names it, so a recent upload may be
    named in a moment.

    Takes the writers' lock, like an upload and a push naming a blob, so a
    change that finds the blob here finds it still here when it commits.
    """
    await take_change_lock(session)
    named = sa.or_(
        sa.exists().where(ChecklistPhoto.sha256 == Blob.sha256),
        sa.exists().where(ServiceOrderPhoto.sha256 == Blob.sha256),
        sa.exists().where(ServiceOrder.signature_sha256 == Blob.sha256),
    )
    awaited = sa.exists().where(
        ConflictRecord.status == ConflictStatus.OPEN,
        sa.or_(
            ConflictRecord.details["sha256"].as_string() == Blob.sha256,
            ConflictRecord.mutation_args["sha256"].as_string() == Blob.sha256,
        ),
    )
    uploaded_lately = sa.exists().where(
        BlobHolder.sha256 == Blob.sha256, BlobHolder.since >= cutoff
    )
    unused = list(
        await session.scalars(
            sa.select(Blob.sha256).where(
                Blob.created_at < cutoff, ~named, ~awaited, ~uploaded_lately
            )
        )
    )
    if not unused:
        return 0

    await session.execute(sa.delete(BlobHolder).where(BlobHolder.sha256.in_(unused)))
    await session.execute(sa.delete(Blob).where(Blob.sha256.in_(unused)))
    return len(unused)
