"""The demo's maintenance contract: the bakery's boiler, visited every
three months; one visit done, one late, one coming."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.aftersales.contracts import add_months, generate_visits
from backend.db.models import (
    Affair,
    ContractEquipment,
    ContractStatus,
    Equipment,
    MaintenanceContract,
    ServiceOrder,
    ServiceOrderStatus,
    User,
)
from sync.ids import derived_id

DEMO_AFFAIR = "AFF-2026-003"
DEMO_TECHNICIAN = "tech1@demo.test"
VISIT_HORIZON_DAYS = 90


async def load_contracts(session: AsyncSession, today: dt.date) -> None:
    """A running contract on the bakery's service affair, its visits made.

    It started six months and ten days before ``today``, a visit every
    three months: the first is done, the second is late, the third is due
    in ten days (the fourth lies past the horizon).
    """
    affair = await session.scalar(sa.select(Affair).where(Affair.code == DEMO_AFFAIR))
    if affair is None or affair.customer_id is None:
        return
    technician_id = await session.scalar(sa.select(User.id).where(User.email == DEMO_TECHNICIAN))

    starts_on = add_months(today + dt.timedelta(days=10), -6)
    boiler = Equipment(
        id=derived_id("demo", "equipment", "contract-boiler"),
        affair_id=affair.id,
        customer_id=affair.customer_id,
        site_id=affair.site_id,
        label="Chaudière fournil / Bakehouse boiler",
        serial_number="DEMO-CH-2021-0042",
        installed_on=add_months(starts_on, -24),
    )
    contract = MaintenanceContract(
        id=derived_id("demo", "contract", "bakery"),
        number=f"MC-{starts_on.year}-0001",
        customer_id=affair.customer_id,
        affair_id=affair.id,
        status=ContractStatus.ACTIVE,
        signed_on=starts_on - dt.timedelta(days=14),
        starts_on=starts_on,
        ends_on=add_months(starts_on, 12) - dt.timedelta(days=1),
        visit_every_months=3,
        response_hours=48,
        amount_cents=96_000,
        renews=True,
        renewal_months=12,
        technician_id=technician_id,
    )
    session.add_all([boiler, contract])
    await session.flush()
    session.add(ContractEquipment(contract_id=contract.id, equipment_id=boiler.id))
    await session.flush()

    await generate_visits(session, today, VISIT_HORIZON_DAYS, [contract.id])
    await session.execute(
        sa.update(ServiceOrder)
        .where(ServiceOrder.contract_id == contract.id, ServiceOrder.visit_due_on == starts_on)
        .values(status=ServiceOrderStatus.DONE)
    )
