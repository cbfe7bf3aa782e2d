"""Mutators of sync bookkeeping: resolving conflicts from a device."""

from __future__ import annotations

from backend.db.models import Role
from backend.offline.context import MutationContext
from backend.offline.resolution import resolve_conflict
from backend.offline.schemas import ConflictResolveArgs
from sync.registry import MutatorRegistry

DECIDERS = [Role.ADMIN.value, Role.MANAGER.value, Role.SUPERVISOR.value]


def register(registry: MutatorRegistry) -> None:
    @registry.register("conflict.resolve", ConflictResolveArgs, DECIDERS)
    async def resolve(ctx: MutationContext, args: ConflictResolveArgs) -> None:
        await resolve_conflict(ctx.session, ctx.actor, args.conflict_id, args.keep, registry)
