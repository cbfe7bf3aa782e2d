"""Affairs: lists and the summary a manager steers by."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access import policy
from backend.access.actors import Actor
from backend.affairs.schemas import (
    AffairContract,
    AffairEquipment,
    AffairOut,
    AffairSummary,
    Labour,
    LabourFigures,
    OpenConflict,
    OpenServiceOrder,
    Parts,
)
from backend.db.models import (
    Affair,
    ConflictRecord,
    ConflictStatus,
    Customer,
    Equipment,
    MaintenanceContract,
    PartAction,
    Product,
    ServiceOrder,
    ServiceOrderPart,
    ServiceOrderStatus,
)
from backend.lib.errors import Forbidden, NotFound
from backend.lib.i18n import translate
from backend.timesheets.costing import labour_of_affair

OPEN_ORDER_STATUSES = (
    ServiceOrderStatus.PLANNED,
    ServiceOrderStatus.IN_PROGRESS,
    ServiceOrderStatus.DONE,
)


async def list_affairs(session: AsyncSession, actor: Actor, limit: int = 200) -> list[AffairOut]:
    rows = await session.execute(
        sa.select(Affair, Customer.name)
        .outerjoin(Customer, Customer.id == Affair.customer_id)
        .where(policy.visible_affairs(actor), Affair.deleted_at.is_(None))
        .order_by(Affair.code)
        .limit(limit)
    )
    return [_affair_out(affair, customer) for affair, customer in rows]


def _affair_out(affair: Affair, customer_name: str | None) -> AffairOut:
    return AffairOut(
        id=affair.id,
        code=affair.code,
        title=affair.title,
        kind=affair.kind.value,
        status=affair.status.value,
        stage=affair.stage,
        customer_id=affair.customer_id,
        customer_name=customer_name,
        manager_id=affair.manager_id,
        win_probability=affair.win_probability,
        expected_amount_cents=affair.expected_amount_cents,
        budget_cents=affair.budget_cents,
        start_date=affair.start_date,
        end_date=affair.end_date,
        progress=affair.progress,
    )


async def affair_summary(
    session: AsyncSession, actor: Actor, affair_id: uuid.UUID, language: str
) -> AffairSummary:
    """The affair with its labour, open service orders, open conflicts, and
    the equipment and maintenance contracts that belong to it."""
    row = (
        await session.execute(
            sa.select(Affair, Customer.name)
            .outerjoin(Customer, Customer.id == Affair.customer_id)
            .where(Affair.id == affair_id, Affair.deleted_at.is_(None))
            .where(policy.visible_affairs(actor))
        )
    ).first()
    if row is None:
        raise NotFound()
    affair, customer_name = row
    in_charge = actor.id in (affair.manager_id, affair.salesperson_id)
    # Costs are the office's business, and the affair's own managers'.
    if not policy.reads_costs(actor) and not in_charge:
        raise Forbidden()

    labour = await labour_of_affair(session, affair.id)
    parts = await parts_of_affair(session, affair.id)
    orders = await session.scalars(
        sa.select(ServiceOrder)
        .where(
            ServiceOrder.affair_id == affair.id,
            ServiceOrder.status.in_(OPEN_ORDER_STATUSES),
            ServiceOrder.deleted_at.is_(None),
        )
        .order_by(ServiceOrder.scheduled_start, ServiceOrder.number)
    )
    conflicts = await session.scalars(
        sa.select(ConflictRecord)
        .where(
            ConflictRecord.affair_id == affair.id,
            ConflictRecord.status == ConflictStatus.OPEN,
            policy.visible_conflicts(actor),
        )
        .order_by(ConflictRecord.created_at)
    )
    equipment = await session.scalars(
        sa.select(Equipment)
        .where(Equipment.affair_id == affair.id, Equipment.deleted_at.is_(None))
        .order_by(Equipment.label, Equipment.serial_number)
    )
    contracts = await session.scalars(
        sa.select(MaintenanceContract)
        .where(MaintenanceContract.affair_id == affair.id, MaintenanceContract.deleted_at.is_(None))
        .order_by(MaintenanceContract.number)
    )
    return AffairSummary(
        affair=_affair_out(affair, customer_name),
        labour=Labour(
            approved=LabourFigures(labour.approved_minutes, labour.approved_cents),
            not_approved=LabourFigures(labour.pending_minutes, labour.pending_cents),
            unrated_minutes=labour.unrated_minutes,
        ),
        parts=parts,
        open_service_orders=[
            OpenServiceOrder(
                id=order.id,
                number=order.number,
                title=order.title,
                status=order.status.value,
                kind=order.kind.value,
                step=order.step.value if order.step else None,
                technician_id=order.technician_id,
                scheduled_start=order.scheduled_start,
            )
            for order in orders
        ],
        open_conflicts=[
            OpenConflict(
                id=conflict.id,
                kind=conflict.kind,
                code=conflict.code,
                entity_type=conflict.entity_type,
                author_id=conflict.author_id,
                created_at=conflict.created_at,
                message=translate(conflict.code, language, conflict.details),
            )
            for conflict in conflicts
        ],
        equipment=[
            AffairEquipment(
                id=item.id,
                label=item.label,
                serial_number=item.serial_number,
                customer_warranty_ends_on=item.customer_warranty_ends_on,
                manufacturer_warranty_ends_on=item.manufacturer_warranty_ends_on,
            )
            for item in equipment
        ],
        contracts=[
            AffairContract(
                id=contract.id,
                number=contract.number,
                status=contract.status.value,
                starts_on=contract.starts_on,
                ends_on=contract.ends_on,
            )
            for contract in contracts
        ],
    )


# A removed part goes back to the shelf or the bin: only what went into a
# machine, or was used up, costs the affair.
CONSUMED = (PartAction.FIT, PartAction.USE)


async def parts_of_affair(session: AsyncSession, affair_id: uuid.UUID) -> Parts:
    """The parts the affair's service orders consumed, at the product's cost."""
    unit_cost = sa.func.coalesce(Product.cost_cents, 0)
    uncosted = sa.case((sa.or_(Product.id.is_(None), Product.cost_cents.is_(None)), 1), else_=0)
    row = (
        await session.execute(
            sa.select(
                sa.func.count(ServiceOrderPart.id),
                sa.func.coalesce(sa.func.sum(ServiceOrderPart.quantity), 0),
                sa.func.coalesce(sa.func.sum(ServiceOrderPart.quantity * unit_cost), 0),
                sa.func.coalesce(sa.func.sum(uncosted), 0),
            )
            .select_from(ServiceOrderPart)
            .join(ServiceOrder, ServiceOrder.id == ServiceOrderPart.service_order_id)
            .outerjoin(Product, Product.id == ServiceOrderPart.product_id)
            .where(
                ServiceOrder.affair_id == affair_id,
                ServiceOrder.deleted_at.is_(None),
                ServiceOrderPart.deleted_at.is_(None),
                ServiceOrderPart.action.in_(CONSUMED),
            )
        )
    ).one()
    lines, quantity, cost, uncosted_lines = row
    return Parts(
        lines=int(lines),
        quantity=int(quantity),
        cost_cents=int(cost),
        uncosted_lines=int(uncosted_lines),
    )
