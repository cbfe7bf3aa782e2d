"""The sync engine's storage, on SQLAlchemy, for one push transaction.

A push's own bookkeeping costs no round trip per mutation: the mutation
ids a batch reuses are found with one query before it runs, and the
outcomes are written together, in one statement, when the device's
``last_seq`` moves (same transaction, so a crash still keeps both or
neither). With a ``PushBatch``, the mutations themselves are decided in
memory where they can be (``backend.offline.batch``); the others, and
every mutation without one, run their handler in a savepoint of their own.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from backend.access.actors import Actor
from backend.db.faults import is_transient, is_unstorable
from backend.db.models import AppliedMutation, Device, MutationStatus
from backend.lib.i18n import translate
from backend.offline.batch import PushBatch
from backend.offline.conflicts import keep_conflict
from backend.offline.context import MutationContext, PushMemo
from sync.clock import corrected_time
from sync.engine import Decoded
from sync.messages import Mutation, MutationResult
from sync.outcomes import Conflicted, Kept, Rejected
from sync.registry import Mutator

logger = structlog.get_logger()

APPLIED_TABLE: sa.Table = AppliedMutation.__table__  # type: ignore[assignment]
APPLIED_INSERT = APPLIED_TABLE.insert()
DEVICE_TABLE: sa.Table = Device.__table__  # type: ignore[assignment]
DEVICE_UPDATE = DEVICE_TABLE.update().where(DEVICE_TABLE.c.client_id == sa.bindparam("device_id"))
# The first outcome recorded under a device's number, for a resend.
RECORDED = sa.select(
    AppliedMutation.status,
    AppliedMutation.code,
    AppliedMutation.message,
    AppliedMutation.conflict_id,
    AppliedMutation.mutation_id,
).where(
    AppliedMutation.client_id == sa.bindparam("client_id"),
    AppliedMutation.seq == sa.bindparam("seq"),
)
USED_IDS = sa.select(AppliedMutation.mutation_id).where(
    AppliedMutation.mutation_id.in_(sa.bindparam("ids", expanding=True))
)


async def used_mutation_ids(
    session: AsyncSession, mutation_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these mutation ids some device already used."""
    wanted = list(set(mutation_ids))
    if not wanted:
        return set()
    found = await session.scalars(USED_IDS, {"ids": wanted})
    return set(found)


class SqlPushStore:
    def __init__(
        self,
        session: AsyncSession,
        actor: Actor,
        device: Device,
        language: str,
        received_at: dt.datetime,
        held: dict[str, frozenset[str]] | None = None,
        used_ids: set[uuid.UUID] | None = None,
        *,
        noted: dict[str, Any] | None = None,
        in_batch: bool = True,
    ) -> None:
        self.session = session
        # Mutation ids already taken: those stored before this push (see
        # ``used_mutation_ids``), then each one this push records.
        self.used_ids = used_ids if used_ids is not None else set()
        # Outcomes recorded by this push, written when ``last_seq`` moves.
        self.pending: dict[int, dict[str, Any]] = {}
        # What the push noted of the device (``note_push``), written with
        # its ``last_seq``.
        self.noted = noted or {}
        self.held = held
        self.received_at = received_at
        self.actor = actor
        self.device = device
        self.language = language
        self.role = actor.role.value
        self.memo = PushMemo()
        self.batch = PushBatch(session, actor) if in_batch else None

    async def last_seq(self) -> int:
        return self.device.last_seq

    async def stored_result(self, seq: int) -> tuple[MutationResult, uuid.UUID] | None:
        kept: Mapping[Any, Any] | None = self.pending.get(seq)
        if kept is None:
            found = await self.session.execute(
                RECORDED, {"client_id": self.device.client_id, "seq": seq}
            )
            kept = found.mappings().first()
        if kept is None:
            return None
        result = MutationResult(
            seq=seq,
            status=kept["status"].value,
            code=kept["code"],
            message=kept["message"],
            conflict_id=kept["conflict_id"],
        )
        return result, kept["mutation_id"]

    async def prepare(self, batch: list[Decoded]) -> None:
        if self.batch is not None:
            self.batch.plan(batch)

    async def apply(self, mutator: Mutator[Any], args: Any, mutation: Mutation) -> Kept | None:
        if mutation.id in self.used_ids:
            raise Rejected("duplicate_mutation_id")
        ctx = self._context(mutation)
        if self.batch is not None:
            if await self.batch.decide(mutator, args, ctx):
                return None
            # The handler reads the database: it must hold what came before.
            await self.batch.write()
        async with self.session.begin_nested():
            kept = await mutator.handler(ctx, args)
        if self.batch is not None:
            self.batch.handler_wrote()
        return kept

    async def keep_conflict(self, mutation: Mutation, conflict: Conflicted) -> uuid.UUID:
        return await keep_conflict(self._context(mutation), conflict)

    async def record(self, mutation: Mutation, result: MutationResult) -> None:
        self.used_ids.add(mutation.id)
        self.pending[mutation.seq] = {
            "client_id": self.device.client_id,
            "seq": mutation.seq,
            "mutation_id": mutation.id,
            "name": mutation.name[:60],
            "status": MutationStatus(result.status),
            "code": result.code,
            "message": result.message,
            "conflict_id": result.conflict_id,
        }

    async def advance(self, last_seq: int) -> None:
        if self.batch is not None:
            await self.batch.write()
        if self.pending:
            # On the connection: a Core INSERT of many rows, not the ORM's bulk path.
            connection = await self.session.connection()
            await connection.execute(APPLIED_INSERT, list(self.pending.values()))
            self.pending.clear()
        # The device's row, once, with what the push noted of it.
        connection = await self.session.connection()
        await connection.execute(
            DEVICE_UPDATE,
            {"device_id": self.device.client_id, "last_seq": last_seq, **self.noted},
        )
        set_committed_value(self.device, "last_seq", last_seq)

    def message(self, code: str, fields: dict[str, Any]) -> str:
        return translate(code, self.language, fields)

    def is_transient(self, exc: Exception) -> bool:
        return is_transient(exc)

    def is_race(self, exc: Exception) -> bool:
        return isinstance(exc, IntegrityError)

    def is_unstorable(self, exc: Exception) -> bool:
        return is_unstorable(exc)

    def log_failure(self, mutation: Mutation, exc: Exception) -> None:
        logger.error(
            "sync.mutation_failed",
            mutation=mutation.name,
            client=str(self.device.client_id),
            seq=mutation.seq,
            error=type(exc).__name__,
            exc_info=exc,
        )

    def _context(self, mutation: Mutation) -> MutationContext:
        return MutationContext(
            session=self.session,
            actor=self.actor,
            client_id=self.device.client_id,
            mutation=mutation,
            corrected_at=corrected_time(mutation.at, self.device.clock_offset_ms, self.received_at),
            held=self.held,
            memo=self.memo,
        )
