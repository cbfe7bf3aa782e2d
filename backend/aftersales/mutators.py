"""Mutators of service orders and checklists (PROTOCOL.md, Mutators)."""

from __future__ import annotations

from backend.aftersales import parts, services
from backend.aftersales.batch import ANSWER_IN_BATCH, NOTE_IN_BATCH, STATUS_IN_BATCH
from backend.aftersales.equipment_schemas import UsePartArgs
from backend.aftersales.schemas import (
    ChecklistAnswerArgs,
    ChecklistAttachArgs,
    ServiceOrderNoteArgs,
    ServiceOrderStatusArgs,
)
from backend.aftersales.vouchers import mutators as voucher_mutators
from backend.db.models import Role
from backend.offline.context import MutationContext
from sync.outcomes import Kept
from sync.registry import MutatorRegistry

FIELD_ROLES = [Role.ADMIN.value, Role.MANAGER.value, Role.SUPERVISOR.value, Role.TECHNICIAN.value]


def register(registry: MutatorRegistry) -> None:
    @registry.register("checklist.answer", ChecklistAnswerArgs, FIELD_ROLES, ANSWER_IN_BATCH)
    async def answer(ctx: MutationContext, args: ChecklistAnswerArgs) -> Kept | None:
        return await services.answer_item(ctx, args)

    @registry.register("checklist.attach", ChecklistAttachArgs, FIELD_ROLES)
    async def attach(ctx: MutationContext, args: ChecklistAttachArgs) -> None:
        await services.attach_photo(ctx, args)

    @registry.register(
        "service_order.set_status", ServiceOrderStatusArgs, FIELD_ROLES, STATUS_IN_BATCH
    )
    async def set_status(ctx: MutationContext, args: ServiceOrderStatusArgs) -> None:
        await services.set_order_status(ctx, args.id, args.status)

    @registry.register("service_order.note", ServiceOrderNoteArgs, FIELD_ROLES, NOTE_IN_BATCH)
    async def note(ctx: MutationContext, args: ServiceOrderNoteArgs) -> None:
        await services.add_order_note(ctx, args)

    voucher_mutators.register(registry)

    @registry.register("service_order.use_part", UsePartArgs, FIELD_ROLES)
    async def use_part(ctx: MutationContext, args: UsePartArgs) -> None:
        await parts.use_part(ctx, args)
