"""Push and pull, as the server runs them for one signed-in device."""

from __future__ import annotations

import datetime as dt

import structlog
from sqlalchemy.exc import DBAPIError

from backend.access.actors import Actor
from backend.db.engine import Database
from backend.db.faults import is_transient
from backend.db.models import Device
from backend.lib.errors import Forbidden, ServiceUnavailable, TooLarge, UpgradeRequired
from backend.lib.time import utc_now
from backend.offline.devices import device_for, note_pull, note_push, pull_worth_noting
from backend.offline.pull import head_change, read_changes
from backend.offline.scope_changes import keep_scope_set, known_roots
from backend.offline.store import SqlPushStore, used_mutation_ids
from backend.settings import Settings
from sync.engine import PushOutcome, Replay, push
from sync.messages import (
    MAX_MUTATIONS_PER_PUSH,
    PROTOCOL_VERSION,
    PullRequest,
    PullResponse,
    PushRequest,
)
from sync.registry import MutatorRegistry

logger = structlog.get_logger()


class SeqGap(Exception):
    """The batch skipped numbers: the device must resend from ``expected``."""

    def __init__(self, expected: int) -> None:
        super().__init__(expected)
        self.expected = expected


def check_versions(protocol: int, schema: int, settings: Settings) -> None:
    """426 for a client built for another protocol or an unsupported schema."""
    if protocol != PROTOCOL_VERSION or not settings.min_schema <= schema <= settings.max_schema:
        raise UpgradeRequired(
            "upgrade_required", min_schema=settings.min_schema, max_schema=settings.max_schema
        )


async def run_push(
    db: Database,
    registry: MutatorRegistry,
    actor: Actor,
    request: PushRequest,
    *,
    settings: Settings,
    language: str,
    agent: str | None = None,
    in_batch: bool = True,
) -> tuple[PushOutcome, int]:
    """Apply a push in one transaction; answer the outcome and the checkpoint.

    A gap in the numbers still commits what came before it, then raises
    ``SeqGap``. A passing database fault commits nothing of this push and
    answers 503: the device retries the same batch. ``in_batch=False``
    applies each mutation by its handler alone (``backend.offline.batch``
    says why the batch is the default).
    """
    check_versions(request.protocol, request.schema, settings)
    if len(request.mutations) > MAX_MUTATIONS_PER_PUSH:
        raise TooLarge("too_large", reason=f"at most {MAX_MUTATIONS_PER_PUSH} mutations")

    received_at = utc_now()
    try:
        try:
            outcome, checkpoint = await _push_in_one_transaction(
                db, registry, actor, request, language, agent, received_at, in_batch=in_batch
            )
        except Replay:
            # Writes held for the batch failed together: all undone, and the
            # push applied again one by one, where a failure has its owner.
            logger.warning("sync.push_replayed", client=str(request.client_id))
            outcome, checkpoint = await _push_in_one_transaction(
                db, registry, actor, request, language, agent, received_at, in_batch=False
            )
    except DBAPIError as exc:
        if not is_transient(exc):
            raise
        logger.warning("sync.push_busy", client=str(request.client_id))
        raise ServiceUnavailable("unavailable") from exc

    logger.info(
        "sync.pushed",
        client=str(request.client_id),
        count=len(request.mutations),
        last_seq=outcome.last_seq,
        ms=round((utc_now() - received_at).total_seconds() * 1000),
    )
    if outcome.expected_seq is not None:
        raise SeqGap(outcome.expected_seq)
    return outcome, checkpoint


async def _push_in_one_transaction(
    db: Database,
    registry: MutatorRegistry,
    actor: Actor,
    request: PushRequest,
    language: str,
    agent: str | None,
    received_at: dt.datetime,
    *,
    in_batch: bool,
) -> tuple[PushOutcome, int]:
    async with db.writing() as session:
        device = await device_for(session, actor, request.client_id, for_update=True, agent=agent)
        held = await known_roots(session, device.scope) if device.scope else None
        used = await used_mutation_ids(session, (m.id for m in request.mutations))
        # Noted after the reads above, so that the device's row is written
        # once, with its new ``last_seq``, when the push is done.
        noted = note_push(
            device, sent_at=request.sent_at, received_at=received_at, schema=request.schema
        )
        store = SqlPushStore(
            session,
            actor,
            device,
            language,
            received_at,
            held={kind: frozenset(ids) for kind, ids in held.items()} if held else None,
            used_ids=used,
            noted=noted,
            in_batch=in_batch,
        )
        outcome = await push(store, registry, request.mutations)
        return outcome, await head_change(session)


async def run_pull(
    db: Database,
    actor: Actor,
    request: PullRequest,
    *,
    settings: Settings,
    agent: str | None = None,
) -> PullResponse:
    """One page of changes; ``reset`` when the cursor is not one of ours.

    The device's row notes the pull (see ``pull_worth_noting``) and the
    scope it now holds; a pull that changes neither writes nothing.
    """
    check_versions(request.protocol, request.schema, settings)
    received_at = utc_now()

    async with db.reading() as session:
        if not db.is_sqlite:
            # One snapshot for every query of the page.
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        device = await session.get(Device, request.client_id)
        if device is not None and device.user_id != actor.id:
            raise Forbidden("device_of_another_user", code="device_of_another_user")
        page = await read_changes(
            session,
            actor,
            cursor=request.cursor,
            limit=request.limit,
            last_seq=device.last_seq if device is not None else 0,
        )

    noted = pull_worth_noting(device, received_at)
    if noted or page.new_scope is not None or device is None or device.scope != page.scope:
        async with db.writing() as session:
            if page.new_scope is not None:
                # Kept before the cursor naming it leaves: the next pull
                # compares with it.
                await keep_scope_set(session, *page.new_scope)
            known = await device_for(
                session, actor, request.client_id, for_update=False, agent=agent
            )
            known.scope = page.scope
            if noted:
                note_pull(known, received_at=received_at)
    return page.response
