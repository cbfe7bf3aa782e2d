"""Demo equipment: machines with warranties (one running, one ended) and a
composition history (a burner replaced months ago), so the equipment list
and page have something to show at once."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Affair,
    Equipment,
    EquipmentPart,
    PartAction,
    RepairStep,
    ServiceOrder,
    ServiceOrderKind,
    ServiceOrderPart,
    ServiceOrderStatus,
    User,
)
from backend.lib.time import zone
from sync.ids import derived_id

PARIS = zone(None)


def _id(*parts: object) -> uuid.UUID:
    return derived_id("demo-equipment", *parts)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), PARIS).astimezone(dt.UTC)


async def add_demo_equipment(session: AsyncSession, today: dt.date) -> None:
    """Add the demo machines to the demo company (its affairs, its orders)."""
    affairs = {
        code: affair for code, affair in await session.execute(sa.select(Affair.code, Affair))
    }
    bakery, clinic = affairs["AFF-2026-003"], affairs["AFF-2026-001"]
    technician = await session.scalar(sa.select(User.id).where(User.email == "tech1@demo.test"))
    installed = today - dt.timedelta(days=3 * 365)
    replaced = today - dt.timedelta(days=120)

    boiler = _machine(
        "boiler",
        bakery,
        "Chaudière fournil Viessmann Vitodens 200",
        "VIT-7731-0042",
        installed,
        customer_ends=today - dt.timedelta(days=200),
        manufacturer_ends=today + dt.timedelta(days=400),
    )
    second_boiler = _machine(
        "clinic-boiler",
        clinic,
        "Chaudière n°2 De Dietrich C 230",
        "DD-C230-5518",
        today - dt.timedelta(days=30),
        customer_ends=today + dt.timedelta(days=700),
        manufacturer_ends=today + dt.timedelta(days=1800),
    )
    old_burner = _machine("old-burner", bakery, "Brûleur fioul/gaz", "BR-1187", installed)
    new_burner = _machine("new-burner", bakery, "Brûleur fioul/gaz", "BR-2291", replaced)
    board = _machine("board", bakery, "Carte de régulation", "CB-5531", installed)
    session.add_all([boiler, second_boiler, old_burner, new_burner, board])
    await session.flush()

    repair = ServiceOrder(
        id=_id("order", "burner"),
        number=f"SO-{replaced.year}-0990",
        affair_id=bakery.id,
        customer_id=bakery.customer_id,
        site_id=bakery.site_id,
        technician_id=technician,
        kind=ServiceOrderKind.REPAIR,
        step=RepairStep.RETURNED,
        status=ServiceOrderStatus.CLOSED,
        title="Remplacement du brûleur",
        equipment_id=boiler.id,
        received_at=_at(replaced, 8),
        returned_at=_at(replaced, 17),
    )
    session.add(repair)
    # Today's upkeep and last week's fault were on this boiler.
    await session.execute(
        sa.update(ServiceOrder)
        .where(ServiceOrder.number.in_(["SO-2026-0101", "SO-2026-0090"]))
        .values(equipment_id=boiler.id)
    )
    await session.flush()

    # Fitted when the boiler was installed; the burner replaced on the repair.
    old = _fitting("old-burner", boiler, old_burner, _at(installed, 10))
    old.removed_at, old.removed_order_id, old.removed_by_id = (
        _at(replaced, 11),
        repair.id,
        technician,
    )
    new = _fitting("new-burner", boiler, new_burner, _at(replaced, 14))
    new.fitted_order_id, new.fitted_by_id = repair.id, technician
    session.add_all([old, new, _fitting("board", boiler, board, _at(installed, 10))])
    for part, action, hour in (
        (old_burner, PartAction.REMOVE, 11),
        (new_burner, PartAction.FIT, 14),
    ):
        session.add(
            ServiceOrderPart(
                id=_id("use", part.label, part.serial_number),
                service_order_id=repair.id,
                label=part.label,
                serial_number=part.serial_number,
                action=action,
                used_by_id=technician,
                used_at=_at(replaced, hour),
            )
        )
    await session.flush()


def _machine(
    key: str,
    affair: Affair,
    label: str,
    serial: str,
    installed: dt.date,
    *,
    customer_ends: dt.date | None = None,
    manufacturer_ends: dt.date | None = None,
) -> Equipment:
    return Equipment(
        id=_id("equipment", key),
        affair_id=affair.id,
        customer_id=affair.customer_id,
        site_id=affair.site_id,
        label=label,
        serial_number=serial,
        installed_on=installed,
        customer_warranty_ends_on=customer_ends,
        manufacturer_warranty_ends_on=manufacturer_ends,
    )


def _fitting(
    key: str,
    machine: Equipment,
    part: Equipment,
    fitted_at: dt.datetime,
) -> EquipmentPart:
    return EquipmentPart(
        id=_id("fitting", key),
        equipment_id=machine.id,
        part_id=part.id,
        affair_id=machine.affair_id,
        fitted_at=fitted_at,
    )
