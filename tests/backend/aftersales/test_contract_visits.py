"""A contract's visits made as service orders, on fixed days: once each
however often or however many at once, renewed, flagged when late; and
repairs of covered equipment flagged when not started in time."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from backend.access.actors import Actor
from backend.aftersales.contract_schemas import CloseRequest
from backend.aftersales.contract_terms import close_contract, contract_detail
from backend.aftersales.contracts import (
    add_months,
    company_today,
    generate_visits,
    plan_visits_daily,
    visit_days,
)
from backend.db.engine import Database
from backend.db.models import (
    ContractEquipment,
    ContractStatus,
    Equipment,
    MaintenanceContract,
    RepairStep,
    Role,
    ServiceOrder,
    ServiceOrderKind,
    ServiceOrderStatus,
    ServiceOrderStep,
)
from backend.lib.time import utc_now
from backend.settings import Settings
from sync.ids import uuid7
from tests.factories import Company

D = dt.date
HORIZON = 90


def manager(company: Company) -> Actor:
    return Actor(id=company.users["manager"], role=Role.MANAGER, name="Manager")


async def add_contract(db: Database, company: Company, **terms: Any) -> uuid.UUID:
    values: dict[str, Any] = {
        "number": "MC-2027-0001",
        "customer_id": company.customer_id,
        "affair_id": company.affair_id,
        "status": ContractStatus.ACTIVE,
        "starts_on": D(2027, 1, 31),
        "ends_on": D(2027, 12, 31),
        "visit_every_months": 1,
        **terms,
    }
    contract = MaintenanceContract(id=uuid7(), **values)
    async with db.writing() as session:
        session.add(contract)
    return contract.id


async def add_equipment(
    db: Database, company: Company, contract_id: uuid.UUID, serial: str = "B-1"
) -> uuid.UUID:
    equipment = Equipment(
        id=uuid7(),
        affair_id=company.affair_id,
        customer_id=company.customer_id,
        site_id=company.site_id,
        label="Boiler",
        serial_number=serial,
    )
    async with db.writing() as session:
        session.add(equipment)
        await session.flush()
        session.add(ContractEquipment(contract_id=contract_id, equipment_id=equipment.id))
    return equipment.id


async def generate(db: Database, today: dt.date, horizon: int = HORIZON) -> int:
    async with db.writing() as session:
        return (await generate_visits(session, today, horizon)).visits_created


async def visits(db: Database, contract_id: uuid.UUID) -> list[ServiceOrder]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                sa.select(ServiceOrder)
                .where(ServiceOrder.contract_id == contract_id)
                .order_by(ServiceOrder.visit_due_on)
            )
        )


async def test_visits_are_made_up_to_the_horizon_once(db: Database, company: Company) -> None:
    contract_id = await add_contract(db, company)

    first = await generate(db, D(2027, 3, 1))
    again = await generate(db, D(2027, 3, 1))
    next_day = await generate(db, D(2027, 3, 2))

    made = await visits(db, contract_id)
    assert (first, again, next_day) == (4, 0, 1)
    assert [visit.visit_due_on for visit in made] == [
        D(2027, 1, 31),
        D(2027, 2, 28),
        D(2027, 3, 31),
        D(2027, 4, 30),
        D(2027, 5, 31),
    ]
    visit = made[0]
    assert visit.kind == ServiceOrderKind.VISIT and visit.status == ServiceOrderStatus.PLANNED
    assert (visit.affair_id, visit.customer_id) == (company.affair_id, company.customer_id)
    assert visit.number == "MC-2027-0001-20270131"
    assert visit.version is not None


async def test_a_visit_names_the_one_machine_covered(db: Database, company: Company) -> None:
    contract_id = await add_contract(db, company)
    equipment_id = await add_equipment(db, company, contract_id)

    await generate(db, D(2027, 1, 31), horizon=1)

    [visit] = await visits(db, contract_id)
    assert (visit.equipment_id, visit.site_id) == (equipment_id, company.site_id)


async def test_a_visit_for_several_machines_goes_to_the_affairs_site(
    db: Database, company: Company
) -> None:
    contract_id = await add_contract(db, company)
    await add_equipment(db, company, contract_id)
    await add_equipment(db, company, contract_id, serial="B-2")

    await generate(db, D(2027, 1, 31), horizon=1)

    [visit] = await visits(db, contract_id)
    assert (visit.equipment_id, visit.site_id) == (None, company.site_id)


async def test_two_runs_at_once_make_each_visit_once(db: Database, company: Company) -> None:
    contract_id = await add_contract(db, company)

    created = await asyncio.gather(*(generate(db, D(2027, 3, 1)) for _ in range(3)))

    assert sum(created) == 4
    assert len(await visits(db, contract_id)) == 4


async def test_the_database_refuses_a_second_visit_on_a_day(db: Database, company: Company) -> None:
    contract_id = await add_contract(db, company)
    await generate(db, D(2027, 1, 31), horizon=1)

    with pytest.raises(IntegrityError):
        async with db.writing() as session:
            session.add(
                ServiceOrder(
                    id=uuid7(),
                    number="BY-HAND-1",
                    affair_id=company.affair_id,
                    title="Twice",
                    contract_id=contract_id,
                    visit_due_on=D(2027, 1, 31),
                )
            )


async def test_visits_stop_at_the_end_of_a_contract_that_does_not_renew(
    db: Database, company: Company
) -> None:
    contract_id = await add_contract(db, company, ends_on=D(2027, 3, 15))

    await generate(db, D(2027, 3, 1))

    made = await visits(db, contract_id)
    assert [visit.visit_due_on for visit in made] == [D(2027, 1, 31), D(2027, 2, 28)]


async def test_a_renewing_contract_runs_on_when_its_end_is_reached(
    db: Database, company: Company
) -> None:
    contract_id = await add_contract(
        db, company, ends_on=D(2027, 3, 31), renews=True, renewal_months=12
    )

    await generate(db, D(2027, 3, 30))
    before = [visit.visit_due_on for visit in await visits(db, contract_id)]
    async with db.writing() as session:
        renewed = await generate_visits(session, D(2027, 3, 31), HORIZON)

    async with db.reading() as session:
        contract = await session.get(MaintenanceContract, contract_id)
    after = [visit.visit_due_on for visit in await visits(db, contract_id)]
    assert before[-1] == D(2027, 3, 31)
    assert renewed.contracts_renewed == 1
    assert contract is not None and contract.ends_on == D(2028, 3, 31)
    assert after[-3:] == [D(2027, 3, 31), D(2027, 4, 30), D(2027, 5, 31)]


async def test_drafts_and_closed_contracts_plan_nothing(db: Database, company: Company) -> None:
    draft = await add_contract(db, company, status=ContractStatus.DRAFT)
    closed = await add_contract(db, company, number="MC-2027-0002", status=ContractStatus.CLOSED)

    assert await generate(db, D(2027, 3, 1)) == 0
    assert await visits(db, draft) == [] and await visits(db, closed) == []


async def test_closing_cancels_the_visits_planned_after(db: Database, company: Company) -> None:
    contract_id = await add_contract(db, company)
    await generate(db, D(2027, 3, 1))
    now = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)

    async with db.writing() as session:
        await close_contract(
            session, manager(company), contract_id, CloseRequest(D(2027, 3, 15)), now
        )
    await generate(db, D(2027, 3, 20))

    statuses = [(visit.visit_due_on, visit.status) for visit in await visits(db, contract_id)]
    assert statuses == [
        (D(2027, 1, 31), ServiceOrderStatus.PLANNED),
        (D(2027, 2, 28), ServiceOrderStatus.PLANNED),
        (D(2027, 3, 31), ServiceOrderStatus.CANCELLED),
        (D(2027, 4, 30), ServiceOrderStatus.CANCELLED),
    ]


async def test_a_visit_is_late_once_its_day_passed_undone(db: Database, company: Company) -> None:
    contract_id = await add_contract(db, company)
    await generate(db, D(2027, 3, 1))
    async with db.writing() as session:
        await session.execute(
            sa.update(ServiceOrder)
            .where(ServiceOrder.visit_due_on == D(2027, 1, 31))
            .values(status=ServiceOrderStatus.DONE)
        )
    now = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)

    async with db.reading() as session:
        detail = await contract_detail(session, manager(company), contract_id, now)

    assert [(visit.due_on, visit.late) for visit in detail.visits] == [
        (D(2027, 1, 31), False),
        (D(2027, 2, 28), True),
        (D(2027, 3, 31), False),
        (D(2027, 4, 30), False),
    ]
    assert detail.contract.flags.late_visits == 1


RECEIVED = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)


async def test_repairs_not_started_within_the_response_time_are_breaches(
    db: Database, company: Company
) -> None:
    contract_id = await add_contract(db, company, response_hours=24)
    equipment_id = await add_equipment(db, company, contract_id)
    hours = dt.timedelta(hours=1)

    def repair(number: str, **state: Any) -> ServiceOrder:
        values: dict[str, Any] = {
            "received_at": RECEIVED,
            "step": RepairStep.INTAKE,
            "status": ServiceOrderStatus.PLANNED,
            **state,
        }
        return ServiceOrder(
            id=uuid7(),
            number=number,
            affair_id=company.affair_id,
            title="Repair",
            kind=ServiceOrderKind.REPAIR,
            equipment_id=equipment_id,
            **values,
        )

    in_time = repair("R-IN-TIME", step=RepairStep.QUALITY_CHECK)
    late_start = repair("R-LATE-START", step=RepairStep.DIAGNOSIS)
    orders = [
        repair("R-WAITING"),
        # Left intake within the hours; its last status change, much later,
        # does not make the start late.
        in_time,
        late_start,
        repair("R-CANCELLED", status=ServiceOrderStatus.CANCELLED),
        repair("R-BEFORE", received_at=dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)),
        repair("R-FRESH", received_at=RECEIVED + 40 * hours),
    ]
    for order in (in_time, late_start):
        order.status = ServiceOrderStatus.IN_PROGRESS
        order.status_changed_at = RECEIVED + 45 * hours
    history = [
        (in_time, RepairStep.INTAKE, RECEIVED),
        (in_time, RepairStep.DIAGNOSIS, RECEIVED + 20 * hours),
        (in_time, RepairStep.REPAIR, RECEIVED + 30 * hours),
        (in_time, RepairStep.QUALITY_CHECK, RECEIVED + 45 * hours),
        (late_start, RepairStep.INTAKE, RECEIVED),
        (late_start, RepairStep.DIAGNOSIS, RECEIVED + 30 * hours),
    ]
    async with db.writing() as session:
        session.add_all(orders)
        await session.flush()
        session.add_all(
            ServiceOrderStep(
                id=uuid7(),
                service_order_id=order.id,
                step=step,
                by_id=company.users["tech"],
                at=at,
            )
            for order, step, at in history
        )
    now = RECEIVED + 48 * hours

    async with db.reading() as session:
        detail = await contract_detail(session, manager(company), contract_id, now)

    breaches = [(breach.number, breach.started_at) for breach in detail.sla_breaches]
    assert breaches == [("R-WAITING", None), ("R-LATE-START", RECEIVED + 30 * hours)]
    assert detail.sla_breaches[0].respond_by == RECEIVED + 24 * hours
    assert detail.contract.flags.sla_breaches == 2


async def test_the_daily_run_plans_the_visits_at_start(db: Database, company: Company) -> None:
    today = company_today(utc_now())
    contract_id = await add_contract(
        db, company, starts_on=today, ends_on=add_months(today, 12), visit_every_months=1
    )

    task = asyncio.create_task(plan_visits_daily(db, Settings(contract_visit_horizon_days=40)))
    try:
        for _ in range(200):
            if await visits(db, contract_id):
                break
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    due = [visit.visit_due_on for visit in await visits(db, contract_id)]
    assert due == visit_days(today, 1, today + dt.timedelta(days=40))
