"""Mutators of sync bookkeeping: resolving conflicts from a device."""

from __future__ import annotations

from backend.db.models import Role
from backend.lib.errors import AppError
from backend.offline.context import MutationContext
from backend.offline.resolution import resolve_conflict
from backend.offline.schemas import ConflictResolveArgs
from sync.outcomes import Rejected
from sync.registry import MutatorRegistry

DECIDERS = [Role.ADMIN.value, Role.MANAGER.value, Role.SUPERVISOR.value]


def register(registry: MutatorRegistry) -> None:
    @registry.register("conflict.resolve", ConflictResolveArgs, DECIDERS)
    async def resolve(ctx: MutationContext, args: ConflictResolveArgs) -> None:
        # The API answers these refusals with an error; from a device they
        # are the mutation's outcome, with the same code: resolved already
        # (by someone else, meanwhile), not one's to decide, or the kept
        # side still cannot apply (the week is still approved...).
        try:
            await resolve_conflict(ctx.session, ctx.actor, args.conflict_id, args.keep, registry)
        except AppError as refusal:
            raise Rejected(refusal.code, **refusal.details) from refusal
