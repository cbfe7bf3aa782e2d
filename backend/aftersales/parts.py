"""Parts used on a service order, and the fittings they make or end.

``service_order.use_part`` records what a technician did with a part on
an order (its id is the device's: a resend changes nothing):

    fit     the part (by serial) goes into the order's equipment; it
            leaves the machine it was in, if any; a serial never seen
            becomes a new piece of equipment, on the machine's affair
    remove  the part's fitting in the order's equipment ends
    use     a part without serial is consumed (a gasket, a litre of oil)

A part is in one machine at a time: the database keeps at most one open
fitting per part. A fitting never ends before it began, whatever the
devices' clocks say: a change arriving late is placed at the latest
known moment of the part's history.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
import structlog

from backend.aftersales.equipment_schemas import UsePartArgs
from backend.aftersales.services import LOCKED_STATUSES, _order_locked, _visible_order
from backend.db.models import (
    Equipment,
    EquipmentPart,
    PartAction,
    Product,
    RepairStep,
    ServiceOrder,
    ServiceOrderPart,
)
from backend.offline.blobs import take_change_lock
from backend.offline.context import MutationContext
from backend.offline.horizon import was_purged
from sync.outcomes import Conflicted, Rejected
from sync.rules import Rule, Seen, rule_for_addition

logger = structlog.get_logger()


def order_locked(order: ServiceOrder) -> bool:
    """Closed, cancelled, or a repair handed back to its customer."""
    return order.status in LOCKED_STATUSES or order.step == RepairStep.RETURNED


def _device_value(args: UsePartArgs) -> dict[str, Any]:
    return {
        "action": args.action,
        "serial_number": args.serial_number,
        "product_id": str(args.product_id) if args.product_id else None,
        "label": args.label,
        "quantity": args.quantity,
    }


def _same_use(stored: ServiceOrderPart, order: ServiceOrder, args: UsePartArgs) -> bool:
    return (
        stored.service_order_id,
        stored.action.value,
        stored.serial_number,
        stored.product_id,
        stored.quantity,
    ) == (order.id, args.action, args.serial_number, args.product_id, args.quantity)


async def use_part(ctx: MutationContext, args: UsePartArgs) -> None:
    """Record a part used on an order, and fit or remove it (see module)."""
    session = ctx.session
    order = await _visible_order(ctx, args.id)
    device = _device_value(args)
    stored = await session.get(ServiceOrderPart, args.use_id, populate_existing=True)
    rule = rule_for_addition(
        Seen(
            stored=stored is not None,
            same_content=stored is not None and _same_use(stored, order, args),
            purged=stored is None and await was_purged(session, args.use_id),
            parent_deleted=order.deleted_at is not None,
            locked=order_locked(order),
        )
    )
    if rule is Rule.NOTHING:
        return
    if rule is Rule.LOCKED:
        raise _order_locked(order, "service_order_part", args.use_id, device)
    if rule.is_conflict:
        raise Conflicted(
            kind=rule.value,
            entity_type="service_order_part",
            entity_id=args.use_id,
            code=rule.value,
            affair_id=order.affair_id,
            device_value=device,
        )

    product = await _product(ctx, args.product_id)
    label = args.label or (product.label if product else None) or args.serial_number
    if args.action == "use":
        if label is None:
            raise Rejected("part_unnamed")
    else:
        if args.serial_number is None:
            raise Rejected("serial_required", action=args.action)
        machine = await _machine(ctx, order)
        # Whether the serial is known and where the part is are decided on
        # what every other writer committed: two devices fitting one new
        # part at once make one piece of equipment, in one place.
        await take_change_lock(session)
        if args.action == "fit":
            label = await _fit(ctx, order, machine, args, label or args.serial_number)
        else:
            label = await _remove(ctx, order, machine, args)

    session.add(
        ServiceOrderPart(
            id=args.use_id,
            service_order_id=order.id,
            product_id=args.product_id,
            label=label,
            quantity=args.quantity,
            serial_number=args.serial_number,
            action=PartAction(args.action),
            used_by_id=ctx.actor.id,
            used_at=ctx.corrected_at,
        )
    )
    logger.info("service_order.part_used", order=str(order.id), action=args.action)


async def _product(ctx: MutationContext, product_id: uuid.UUID | None) -> Product | None:
    if product_id is None:
        return None
    product = await ctx.session.get(Product, product_id)
    if product is None:
        raise Rejected("unknown_product", product_id=str(product_id))
    return product


async def _machine(ctx: MutationContext, order: ServiceOrder) -> Equipment:
    machine = await ctx.session.get(Equipment, order.equipment_id) if order.equipment_id else None
    if machine is None or machine.deleted_at is not None:
        raise Rejected("no_equipment", number=order.number)
    return machine


async def _part_by_serial(ctx: MutationContext, args: UsePartArgs) -> Equipment | None:
    """The equipment with that serial (of that product, when named). Two
    products sharing a serial must be told apart by the device."""
    statement = sa.select(Equipment).where(
        Equipment.serial_number == args.serial_number, Equipment.deleted_at.is_(None)
    )
    if args.product_id is not None:
        statement = statement.where(Equipment.product_id == args.product_id)
    found = list(await ctx.session.scalars(statement.limit(2)))
    if len(found) > 1:
        raise Rejected("ambiguous_serial", serial_number=args.serial_number)
    return found[0] if found else None


async def _open_fitting(ctx: MutationContext, part_id: uuid.UUID) -> EquipmentPart | None:
    return await ctx.session.scalar(
        sa.select(EquipmentPart).where(
            EquipmentPart.part_id == part_id,
            EquipmentPart.removed_at.is_(None),
            EquipmentPart.deleted_at.is_(None),
        )
    )


async def _hosts(ctx: MutationContext, machine: Equipment) -> set[uuid.UUID]:
    """The machines ``machine`` is in now, directly or through others."""
    hosts: set[uuid.UUID] = set()
    current = machine.id
    while (fitting := await _open_fitting(ctx, current)) is not None:
        if fitting.equipment_id in hosts:
            break
        hosts.add(fitting.equipment_id)
        current = fitting.equipment_id
    return hosts


def _end(fitting: EquipmentPart, order: ServiceOrder, ctx: MutationContext) -> dt.datetime:
    """Close a fitting; answer when it ended (never before it began)."""
    ended = max(ctx.corrected_at, fitting.fitted_at)
    fitting.removed_at = ended
    fitting.removed_order_id = order.id
    fitting.removed_by_id = ctx.actor.id
    return ended


async def _fit(
    ctx: MutationContext,
    order: ServiceOrder,
    machine: Equipment,
    args: UsePartArgs,
    label: str,
) -> str:
    """Fit the part; answer its label (the part's own when it is known)."""
    session = ctx.session
    part = await _part_by_serial(ctx, args)
    if part is None:
        part = Equipment(
            affair_id=machine.affair_id,
            customer_id=machine.customer_id,
            site_id=machine.site_id,
            product_id=args.product_id,
            label=label,
            serial_number=args.serial_number,
        )
        session.add(part)
        await session.flush()
    if part.id == machine.id or part.id in await _hosts(ctx, machine):
        raise Rejected("part_holds_machine", serial_number=args.serial_number)

    fitted_at = ctx.corrected_at
    current = await _open_fitting(ctx, part.id)
    if current is not None:
        if current.equipment_id == machine.id:
            return part.label  # in this machine already: recorded, nothing moves
        fitted_at = _end(current, order, ctx)
        # The old fitting is closed before the new one opens: one open
        # fitting per part, checked by the database at each statement.
        await session.flush()

    session.add(
        EquipmentPart(
            equipment_id=machine.id,
            part_id=part.id,
            affair_id=machine.affair_id,
            fitted_at=fitted_at,
            fitted_order_id=order.id,
            fitted_by_id=ctx.actor.id,
        )
    )
    await session.flush()
    return part.label


async def _remove(
    ctx: MutationContext, order: ServiceOrder, machine: Equipment, args: UsePartArgs
) -> str:
    """End the part's fitting in the machine; answer the part's label."""
    part = await _part_by_serial(ctx, args)
    current = await _open_fitting(ctx, part.id) if part is not None else None
    if part is None or current is None or current.equipment_id != machine.id:
        raise Rejected("part_not_fitted", serial_number=args.serial_number)
    _end(current, order, ctx)
    await ctx.session.flush()
    return part.label
