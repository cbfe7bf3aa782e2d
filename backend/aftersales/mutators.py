"""Mutators of service orders and checklists (PROTOCOL.md, Mutators)."""

from __future__ import annotations

from backend.aftersales import parts, repairs, services
from backend.aftersales.batch import ANSWER_IN_BATCH, NOTE_IN_BATCH, STATUS_IN_BATCH
from backend.aftersales.equipment_schemas import UsePartArgs
from backend.aftersales.schemas import (
    ChecklistAnswerArgs,
    ChecklistAttachArgs,
    RepairIntakeArgs,
    RepairPhotoArgs,
    RepairRecordArgs,
    RepairReturnArgs,
    RepairStepArgs,
    RepairWarrantyArgs,
    ServiceOrderNoteArgs,
    ServiceOrderStatusArgs,
)
from backend.aftersales.vouchers import mutators as voucher_mutators
from backend.db.models import Role
from backend.offline.context import MutationContext
from sync.outcomes import Kept
from sync.registry import MutatorRegistry

FIELD_ROLES = [Role.ADMIN.value, Role.MANAGER.value, Role.SUPERVISOR.value, Role.TECHNICIAN.value]
OFFICE_ROLES = [Role.ADMIN.value, Role.MANAGER.value, Role.SUPERVISOR.value]


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

    # Repairs (backend.aftersales.repairs).
    @registry.register("service_order.intake", RepairIntakeArgs, FIELD_ROLES)
    async def intake(ctx: MutationContext, args: RepairIntakeArgs) -> None:
        await repairs.intake(ctx, args)

    @registry.register("service_order.step", RepairStepArgs, FIELD_ROLES)
    async def step(ctx: MutationContext, args: RepairStepArgs) -> None:
        await repairs.move_to_step(ctx, args)

    @registry.register("service_order.record", RepairRecordArgs, FIELD_ROLES)
    async def record(ctx: MutationContext, args: RepairRecordArgs) -> Kept | None:
        return await repairs.record_report(ctx, args)

    @registry.register("service_order.photo", RepairPhotoArgs, FIELD_ROLES)
    async def photo(ctx: MutationContext, args: RepairPhotoArgs) -> None:
        await repairs.add_photo(ctx, args)

    @registry.register("service_order.return", RepairReturnArgs, FIELD_ROLES)
    async def return_(ctx: MutationContext, args: RepairReturnArgs) -> None:
        await repairs.return_to_customer(ctx, args)

    @registry.register("service_order.warranty", RepairWarrantyArgs, OFFICE_ROLES)
    async def warranty(ctx: MutationContext, args: RepairWarrantyArgs) -> None:
        await repairs.override_warranty(ctx, args)
