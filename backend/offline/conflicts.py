"""Conflict records: changes a device sent that did not take as sent."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import sqlalchemy as sa
import structlog

from backend.db.models import ConflictRecord
from backend.offline.context import MutationContext
from sync.ids import uuid7
from sync.outcomes import Conflicted

logger = structlog.get_logger()


def _json_ready(value: Any) -> Any:
    """Values as JSON can hold them (ids and dates as text)."""
    return msgspec.to_builtins(value)


async def keep_conflict(ctx: MutationContext, conflict: Conflicted) -> uuid.UUID:
    """Store both sides of ``conflict``; the id goes back to the device."""
    conflict_id = uuid7()
    await ctx.session.execute(
        sa.insert(ConflictRecord).values(
            id=conflict_id,
            kind=conflict.kind,
            entity_type=conflict.entity_type,
            entity_id=conflict.entity_id,
            affair_id=conflict.affair_id,
            mutation_id=ctx.mutation.id,
            mutation_name=ctx.mutation.name,
            mutation_args=msgspec.json.decode(ctx.mutation.args),
            client_id=ctx.client_id,
            author_id=ctx.actor.id,
            server_author_id=conflict.server_author_id,
            server_value=_json_ready(conflict.server_value),
            device_value=_json_ready(conflict.device_value),
            server_version=conflict.server_version,
            base_version=ctx.mutation.base,
            code=conflict.code,
            details=_json_ready(conflict.fields),
        )
    )
    logger.info(
        "sync.conflict_kept",
        kind=conflict.kind,
        entity=conflict.entity_type,
        mutation=ctx.mutation.name,
        client=str(ctx.client_id),
    )
    return conflict_id
