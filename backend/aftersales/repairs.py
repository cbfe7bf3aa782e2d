"""Repairs: a product received, diagnosed, repaired, checked and returned.

Steps of a repair (each recorded in its history, who and when)::

    intake --> diagnosis --> repair --> quality_check --> ready --> returned
                               ^              |                    (signed)
                               +--- failed ---+

The order's status follows its step: planned at intake, in progress from
diagnosis to ready, done once returned. A returned repair is locked, like a
closed or cancelled order; the office cancels a repair by its status.

A checklist run on the order that guards a step (``guards_step``) must be
complete before the order enters that step: the step is refused with the
missing items named.

Two devices moving the same repair while apart: the step already reached is
recorded once; a step that no longer fits where the order stands (the device
saw another step than the server holds) is kept as a ``step_moved_on``
conflict, never applied over the other.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access import policy
from backend.aftersales.checklist_rules import failed_quality, missing_required
from backend.aftersales.schemas import (
    ChecklistItem,
    GuardingRun,
    RepairIntakeArgs,
    RepairPhotoArgs,
    RepairRecordArgs,
    RepairReturnArgs,
    RepairStepArgs,
    RepairWarrantyArgs,
)
from backend.aftersales.services import (
    LOCKED_STATUSES,
    _order_locked,
    _visible_order,
    next_order_number,
)
from backend.aftersales.warranty import warranty_at_intake
from backend.db.models import (
    Affair,
    ChecklistAnswer,
    ChecklistPhoto,
    ChecklistRun,
    ChecklistTemplate,
    Equipment,
    RepairStep,
    ServiceOrder,
    ServiceOrderKind,
    ServiceOrderPhoto,
    ServiceOrderStatus,
    ServiceOrderStep,
    WarrantyBasis,
)
from backend.lib.time import zone
from backend.offline.blobs import take_change_lock, wait_for_blob
from backend.offline.conflicts import keep_conflict
from backend.offline.context import MutationContext
from backend.offline.horizon import was_purged
from sync.ids import derived_id
from sync.outcomes import CONCURRENT_UPDATE, DELETE_VS_UPDATE, Conflicted, Kept, Rejected
from sync.rules import Rule, Seen, rule_for_addition

R = RepairStep
NEXT_STEPS = {
    (R.INTAKE, R.DIAGNOSIS),
    (R.DIAGNOSIS, R.REPAIR),
    (R.REPAIR, R.QUALITY_CHECK),
    (R.QUALITY_CHECK, R.READY),
    # The quality check failed: back to the bench.
    (R.QUALITY_CHECK, R.REPAIR),
}
STEP_MOVED_ON = "step_moved_on"


def status_of_step(step: RepairStep) -> ServiceOrderStatus:
    if step is R.INTAKE:
        return ServiceOrderStatus.PLANNED
    if step is R.RETURNED:
        return ServiceOrderStatus.DONE
    return ServiceOrderStatus.IN_PROGRESS


# A product is recorded as received when it arrives, or soon after from a
# phone that was offline: a reception older than this is a wrong clock or
# a made-up date, and it would decide who pays.
RECEIVED_AT_MOST_BEFORE = dt.timedelta(days=31)


def _device_time(ctx: MutationContext, instant: dt.datetime | None) -> dt.datetime:
    """A time the device wrote, corrected by the device's clock offset like
    the mutation's own time, and never after the mutation."""
    if instant is None:
        return ctx.corrected_at
    corrected = instant + (ctx.corrected_at - ctx.mutation.at)
    return min(corrected, ctx.corrected_at)


def _received_at(ctx: MutationContext, instant: dt.datetime | None) -> dt.datetime:
    received = _device_time(ctx, instant)
    earliest = ctx.corrected_at - RECEIVED_AT_MOST_BEFORE
    if received < earliest:
        raise Rejected("received_too_long_ago", earliest=_local_day(ctx, earliest).isoformat())
    return received


def _local_day(ctx: MutationContext, instant: dt.datetime) -> dt.date:
    try:
        where = zone(ctx.mutation.tz)
    except ValueError:
        where = zone(None)
    return instant.astimezone(where).date()


def _record_step(ctx: MutationContext, order: ServiceOrder, step: RepairStep, note: Any) -> None:
    # The mutation names its history row: a replay adds nothing twice.
    ctx.session.add(
        ServiceOrderStep(
            id=derived_id("service_order_step", order.id, ctx.mutation.id),
            service_order_id=order.id,
            step=step,
            by_id=ctx.actor.id,
            at=ctx.corrected_at,
            note=note,
        )
    )


async def _intake_owner(
    ctx: MutationContext, args: RepairIntakeArgs
) -> tuple[Affair, Equipment | None]:
    """The affair the repair belongs to, and its equipment, when the actor
    sees them; refused otherwise."""
    session = ctx.session
    equipment = None
    if args.equipment_id is not None:
        equipment = await session.scalar(
            sa.select(Equipment).where(
                Equipment.id == args.equipment_id,
                Equipment.deleted_at.is_(None),
                policy.visible_equipment(ctx.actor),
            )
        )
        if equipment is None:
            raise Rejected("not_found", field="equipment_id")
        if args.affair_id is not None and args.affair_id != equipment.affair_id:
            raise Rejected("equipment_not_in_affair", field="affair_id")
    affair_id = equipment.affair_id if equipment is not None else args.affair_id
    if affair_id is None:
        raise Rejected("equipment_or_affair_needed", field="equipment_id")
    affair = await session.scalar(
        sa.select(Affair).where(
            Affair.id == affair_id, Affair.deleted_at.is_(None), policy.visible_affairs(ctx.actor)
        )
    )
    if affair is None:
        raise Rejected("not_found", field="affair_id")
    return affair, equipment


async def intake(ctx: MutationContext, args: RepairIntakeArgs) -> None:
    """Open a repair at step intake, assigned to whoever received it, with
    the warranty decided for the day it was received."""
    session = ctx.session
    device = {"title": args.title, "symptoms": args.symptoms, "equipment_id": args.equipment_id}
    existing = await session.get(ServiceOrder, args.id, populate_existing=True)
    stored = (
        {
            "title": existing.title,
            "symptoms": existing.symptoms,
            "equipment_id": existing.equipment_id,
        }
        if existing is not None
        else None
    )
    rule = rule_for_addition(
        Seen(
            stored=existing is not None,
            same_content=existing is not None
            and existing.kind == ServiceOrderKind.REPAIR
            and stored == device,
            purged=existing is None and await was_purged(session, args.id),
        )
    )
    if rule is Rule.NOTHING:
        return
    if rule.is_conflict:
        raise Conflicted(
            kind=rule.value,
            entity_type="service_order",
            entity_id=args.id,
            code=rule.value,
            device_value=msgspec.to_builtins(device),
            server_value=msgspec.to_builtins(stored),
        )
    affair, equipment = await _intake_owner(ctx, args)

    received_at = _received_at(ctx, args.received_at)
    day = _local_day(ctx, received_at)
    decision = await warranty_at_intake(session, equipment, day)
    # Numbers are counted per year: writers take turns to count.
    await take_change_lock(session)
    order = ServiceOrder(
        id=args.id,
        number=await next_order_number(session, day.year),
        affair_id=affair.id,
        customer_id=equipment.customer_id if equipment is not None else affair.customer_id,
        site_id=equipment.site_id if equipment is not None else affair.site_id,
        technician_id=ctx.actor.id,
        status=ServiceOrderStatus.PLANNED,
        status_changed_at=ctx.corrected_at,
        title=args.title,
        kind=ServiceOrderKind.REPAIR,
        step=R.INTAKE,
        equipment_id=equipment.id if equipment is not None else None,
        contract_id=decision.contract_id,
        symptoms=args.symptoms,
        received_at=received_at,
        warranty=decision.basis,
        warranty_reason=decision.reason,
    )
    session.add(order)
    await session.flush()
    _record_step(ctx, order, R.INTAKE, None)
    await _start_guarding_checklists(session, order, args.runs)
    ctx.memo.visible_orders.add(order.id)


async def _start_guarding_checklists(
    session: AsyncSession, order: ServiceOrder, named: list[GuardingRun]
) -> None:
    """Every repair gets a run of each checklist that guards a step (the
    latest revision of each): the quality check then holds its step back
    on every repair, not only on those someone remembered to give it.

    A run the device started offline keeps the device's id, so the answers
    it gave meanwhile find their run. A device that knew an older revision
    gets its run on the revision it answered."""
    by_code: dict[str, GuardingRun] = {}
    if named:
        known = await session.execute(
            sa.select(ChecklistTemplate.id, ChecklistTemplate.code).where(
                ChecklistTemplate.id.in_([run.template_id for run in named]),
                ChecklistTemplate.guards_step.is_not(None),
            )
        )
        codes = dict(known.tuples().all())
        by_code = {codes[run.template_id]: run for run in named if run.template_id in codes}
    latest = (
        sa.select(ChecklistTemplate.code, sa.func.max(ChecklistTemplate.revision).label("revision"))
        .where(ChecklistTemplate.deleted_at.is_(None))
        .group_by(ChecklistTemplate.code)
        .subquery()
    )
    templates = await session.scalars(
        sa.select(ChecklistTemplate)
        .join(
            latest,
            sa.and_(
                latest.c.code == ChecklistTemplate.code,
                latest.c.revision == ChecklistTemplate.revision,
            ),
        )
        .where(ChecklistTemplate.guards_step.is_not(None))
        .order_by(ChecklistTemplate.code)
    )
    for template in templates:
        device_run = by_code.get(template.code)
        if device_run is not None and await session.get(ChecklistRun, device_run.id) is not None:
            device_run = None  # an id already taken is never reused
        session.add(
            ChecklistRun(
                # Named by the device, or by the repair and the checklist:
                # either way a replay adds none.
                id=device_run.id
                if device_run
                else derived_id("checklist_run", order.id, template.code),
                template_id=device_run.template_id if device_run else template.id,
                service_order_id=order.id,
                affair_id=order.affair_id,
                guards_step=template.guards_step,
            )
        )


async def _repair(ctx: MutationContext, order_id: uuid.UUID, device: Any) -> ServiceOrder:
    """The repair the actor sees, still open to changes."""
    order = await _visible_order(ctx, order_id)
    if order.deleted_at is not None:
        raise Conflicted(
            kind=DELETE_VS_UPDATE,
            entity_type="service_order",
            entity_id=order.id,
            code="delete_vs_update",
            affair_id=order.affair_id,
            device_value=device,
            server_version=order.version,
        )
    if order.kind != ServiceOrderKind.REPAIR:
        raise Rejected("not_a_repair")
    return order


def _check_open(order: ServiceOrder, device: Any) -> None:
    if order.status in LOCKED_STATUSES or order.step == R.RETURNED:
        raise _order_locked(order, "service_order", order.id, device)


async def missing_for_step(
    session: AsyncSession, order_id: uuid.UUID, step: RepairStep
) -> list[str]:
    """Keys of the items that hold ``step`` back on this order: required
    items still unanswered, and quality items answered "no", in the
    checklists that guard it (empty when nothing stands in the way)."""
    runs = (
        await session.execute(
            sa.select(ChecklistRun.id, ChecklistTemplate.items)
            .join(ChecklistTemplate, ChecklistTemplate.id == ChecklistRun.template_id)
            .where(
                ChecklistRun.service_order_id == order_id,
                ChecklistRun.guards_step == step,
                ChecklistRun.deleted_at.is_(None),
            )
        )
    ).all()
    missing: list[str] = []
    for run_id, raw_items in runs:
        items = msgspec.convert(raw_items, list[ChecklistItem])
        rows = await session.execute(
            sa.select(ChecklistAnswer.item_key, ChecklistAnswer.value).where(
                ChecklistAnswer.run_id == run_id, ChecklistAnswer.deleted_at.is_(None)
            )
        )
        answers: dict[str, Any] = {key: value for key, value in rows}
        photographed = await session.scalars(
            sa.select(ChecklistPhoto.item_key).where(
                ChecklistPhoto.run_id == run_id, ChecklistPhoto.deleted_at.is_(None)
            )
        )
        missing.extend(missing_required(items, answers, photographed))
        missing.extend(failed_quality(items, answers))
    return missing


async def _check_guards(session: AsyncSession, order: ServiceOrder, step: RepairStep) -> None:
    missing = await missing_for_step(session, order.id, step)
    if missing:
        raise Rejected("checklist_incomplete", step=step.value, missing=missing)


def _move(ctx: MutationContext, order: ServiceOrder, step: RepairStep) -> None:
    order.step = step
    status = status_of_step(step)
    if order.status != status:
        order.status = status
        order.status_changed_at = ctx.corrected_at


async def move_to_step(ctx: MutationContext, args: RepairStepArgs) -> None:
    """Move a repair one allowed step (see the module's diagram)."""
    target = R(args.step)
    device = {"step": args.step, "from_step": args.from_step}
    order = await _repair(ctx, args.id, device)

    if order.step == target:
        return
    _check_open(order, device)
    current = R(order.step) if order.step is not None else R.INTAKE
    if args.from_step is not None and R(args.from_step) != current:
        raise Conflicted(
            kind=CONCURRENT_UPDATE,
            entity_type="service_order",
            entity_id=order.id,
            code=STEP_MOVED_ON,
            affair_id=order.affair_id,
            server_value={"step": current.value},
            device_value=device,
            server_version=order.version,
            fields={"number": order.number, "step": current.value},
        )
    if (current, target) not in NEXT_STEPS:
        raise Rejected("bad_transition", current=current.value, target=target.value)
    await _check_guards(ctx.session, order, target)

    _move(ctx, order, target)
    _record_step(ctx, order, target, args.note)


async def record_report(ctx: MutationContext, args: RepairRecordArgs) -> Kept | None:
    """Write the diagnosis and the repair report. When another person wrote
    a text meanwhile (the server holds another than the device showed), the
    later change stands and the text it replaced is kept in a conflict
    record: nothing written is lost."""
    fields = (
        ("diagnosis", args.diagnosis, args.diagnosis_was),
        ("repair_report", args.repair_report, args.repair_report_was),
    )
    device = {name: text for name, text, _ in fields if text is not None}
    order = await _repair(ctx, args.id, device)
    _check_open(order, device)

    replaced = {}
    for name, text, was in fields:
        if text is None:
            continue
        stored = getattr(order, name) or ""
        if was is not None and stored not in (was, text):
            replaced[name] = stored
        setattr(order, name, text)
    if not replaced:
        return None

    conflict_id = await keep_conflict(
        ctx,
        Conflicted(
            kind=CONCURRENT_UPDATE,
            entity_type="service_order",
            entity_id=order.id,
            code="concurrent_update",
            affair_id=order.affair_id,
            server_value=replaced,
            device_value=device,
            server_version=order.version,
            fields={"number": order.number, "device_won": True},
        ),
    )
    return Kept(conflict_id, CONCURRENT_UPDATE, "concurrent_update")


async def add_photo(ctx: MutationContext, args: RepairPhotoArgs) -> None:
    """Add a photo of the product's state on arrival; photos are only added.
    A photo whose blob has not arrived yet waits for it (``missing_blob``)."""
    session = ctx.session
    device = {"sha256": args.sha256, "note": args.note}
    order = await _repair(ctx, args.id, device)

    existing = await session.get(ServiceOrderPhoto, args.photo_id, populate_existing=True)
    stored = {"sha256": existing.sha256, "note": existing.note} if existing is not None else None
    rule = rule_for_addition(
        Seen(
            stored=existing is not None,
            same_content=existing is not None
            and existing.service_order_id == order.id
            and stored == device,
            purged=existing is None and await was_purged(session, args.photo_id),
        )
    )
    if rule is Rule.NOTHING:
        return
    if rule.is_conflict:
        raise Conflicted(
            kind=rule.value,
            entity_type="service_order_photo",
            entity_id=args.photo_id,
            code=rule.value,
            affair_id=order.affair_id,
            server_value=stored,
            device_value=device,
        )
    _check_open(order, device)

    await wait_for_blob(
        ctx,
        args.sha256,
        entity_type="service_order_photo",
        entity_id=args.photo_id,
        affair_id=order.affair_id,
        device_value=device,
    )
    session.add(
        ServiceOrderPhoto(
            id=args.photo_id,
            service_order_id=order.id,
            sha256=args.sha256,
            note=args.note,
            taken_by_id=ctx.actor.id,
            taken_at=ctx.corrected_at,
        )
    )


async def return_to_customer(ctx: MutationContext, args: RepairReturnArgs) -> None:
    """Hand a ready repair back, signed by the customer: the order is done
    and locked. The same return sent again changes nothing."""
    session = ctx.session
    device = {"signature_sha256": args.signature_sha256, "signed_by": args.signed_by}
    order = await _repair(ctx, args.id, device)

    if order.step == R.RETURNED and (order.signature_sha256, order.signed_by) == (
        args.signature_sha256,
        args.signed_by,
    ):
        return
    _check_open(order, device)
    if order.step != R.READY:
        raise Rejected("not_ready", current=R(order.step or R.INTAKE).value)
    await _check_guards(session, order, R.RETURNED)
    # Held under the hash's usual name, so the blob's arrival finds it.
    await wait_for_blob(
        ctx,
        args.signature_sha256,
        entity_type="service_order",
        entity_id=order.id,
        affair_id=order.affair_id,
        device_value=device,
    )

    order.signature_sha256 = args.signature_sha256
    order.signed_by = args.signed_by
    order.returned_at = ctx.corrected_at
    _move(ctx, order, R.RETURNED)
    _record_step(ctx, order, R.RETURNED, None)


async def override_warranty(ctx: MutationContext, args: RepairWarrantyArgs) -> None:
    """The office decides who pays instead of the table, saying why."""
    device = {"warranty": args.warranty, "reason": args.reason}
    order = await _repair(ctx, args.id, device)

    order.warranty = WarrantyBasis(args.warranty)
    order.warranty_reason = args.reason
