"""The affair summary: labour counted once, orders and conflicts open."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import (
    Equipment,
    MaintenanceContract,
    Product,
    ProductKind,
    RepairStep,
    ServiceOrder,
    ServiceOrderKind,
)
from backend.lib.time import week_of
from backend.people.services import set_rate
from sync.ids import uuid7
from tests.backend.conftest import Device
from tests.factories import Company

MONDAY = dt.date(2026, 11, 23)


async def summary(device: Device, company: Company) -> dict[str, Any]:
    response = await device.client.get(f"/api/affairs/{company.affair_id}/summary")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_S12_service_order_time_counted_once(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    await tech.send(
        "time_entry.put",
        {
            "id": str(uuid7()),
            "affair_id": str(company.affair_id),
            "work_date": MONDAY.isoformat(),
            "minutes": 180,
            "service_order_id": str(company.order_id),
        },
    )

    before = await summary(supervisor, company)
    await tech.send("timesheet.submit", {"week": week_of(MONDAY)})
    await supervisor.send(
        "timesheet.approve", {"user_id": str(company.users["tech"]), "week": week_of(MONDAY)}
    )
    after = await summary(supervisor, company)

    assert before["labour"]["not_approved"] == {"minutes": 180, "cost_cents": 12000}
    assert before["labour"]["approved"] == {"minutes": 0, "cost_cents": 0}
    assert after["labour"]["approved"] == {"minutes": 180, "cost_cents": 12000}
    assert after["labour"]["not_approved"] == {"minutes": 0, "cost_cents": 0}
    changes = await tech.pull()
    entries = [c for c in changes if c["type"] == "time_entry"]
    assert len(entries) == 1
    assert entries[0]["data"]["service_order_id"] == str(company.order_id)


async def test_labour_uses_the_rate_valid_on_the_work_date(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    manager = await device_of("manager")
    async with db.writing() as session:
        await set_rate(session, company.users["tech"], dt.date(2026, 11, 25), 6000)
    for day, minutes in ((MONDAY, 60), (MONDAY + dt.timedelta(days=3), 60)):
        await tech.send(
            "time_entry.put",
            {
                "id": str(uuid7()),
                "affair_id": str(company.affair_id),
                "work_date": day.isoformat(),
                "minutes": minutes,
            },
        )

    body = await summary(manager, company)

    assert body["labour"]["not_approved"] == {"minutes": 120, "cost_cents": 4000 + 6000}


async def test_summary_lists_open_orders_and_conflicts(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    await supervisor.send(
        "service_order.set_status", {"id": str(company.order_id), "status": "cancelled"}
    )
    await tech.send(
        "checklist.answer", {"run_id": str(company.run_id), "item_key": "state", "value": "ok"}
    )

    body = await summary(supervisor, company)

    assert body["open_service_orders"] == []
    assert [c["kind"] for c in body["open_conflicts"]] == ["locked"]
    assert body["open_conflicts"][0]["message"]
    assert body["affair"]["code"] == "AFF-1"


@pytest.mark.parametrize(
    ("someone", "status"),
    [
        ("tech", 403),
        ("employee", 403),
        ("outsider", 404),
        ("sales", 404),
    ],
)
async def test_summary_refuses_who_may_not_read_costs(
    device_of: Any, company: Company, someone: str, status: int
) -> None:
    device = await device_of(someone)

    response = await device.client.get(f"/api/affairs/{company.affair_id}/summary")

    assert response.status_code == status
    assert set(response.json()) == {"code", "message", "details"}


async def test_summary_needs_a_session(app_client: Any, company: Company) -> None:
    response = await app_client.get(f"/api/affairs/{company.affair_id}/summary")

    assert response.status_code == 401


async def test_summary_of_a_bad_id_is_the_error_shape(device_of: Any, company: Company) -> None:
    manager = await device_of("manager")

    bad = await manager.client.get("/api/affairs/not-a-uuid/summary")
    unknown = await manager.client.get(f"/api/affairs/{uuid7()}/summary")

    assert bad.status_code in (400, 404)
    assert set(bad.json()) == {"code", "message", "details"}
    assert unknown.status_code == 404


async def test_affair_list_is_scoped(device_of: Any, company: Company) -> None:
    employee = await device_of("employee")
    manager = await device_of("manager")

    mine = (await employee.client.get("/api/affairs")).json()
    everything = (await manager.client.get("/api/affairs")).json()

    assert [a["code"] for a in mine] == ["AFF-1"]
    assert [a["code"] for a in everything] == ["AFF-1", "AFF-2"]


async def test_summary_shows_the_affairs_equipment_contracts_and_repairs(
    device_of: Any, company: Company, db: Database
) -> None:
    manager = await device_of("manager")
    async with db.writing() as session:
        boiler = Equipment(
            id=uuid7(),
            affair_id=company.affair_id,
            customer_id=company.customer_id,
            label="Boiler",
            serial_number="B-100",
            manufacturer_warranty_ends_on=dt.date(2027, 6, 30),
        )
        elsewhere = Equipment(id=uuid7(), affair_id=company.other_affair_id, label="Pump")
        contract = MaintenanceContract(
            id=uuid7(),
            number="CT-1",
            customer_id=company.customer_id,
            affair_id=company.affair_id,
            starts_on=dt.date(2026, 1, 1),
        )
        session.add_all([boiler, elsewhere, contract])
        await session.flush()
        await session.execute(
            sa.update(ServiceOrder)
            .where(ServiceOrder.id == company.order_id)
            .values(kind=ServiceOrderKind.REPAIR, step=RepairStep.DIAGNOSIS, equipment_id=boiler.id)
        )

    body = await summary(manager, company)

    assert [(e["label"], e["serial_number"]) for e in body["equipment"]] == [("Boiler", "B-100")]
    assert body["equipment"][0]["manufacturer_warranty_ends_on"] == "2027-06-30"
    assert [(c["number"], c["status"]) for c in body["contracts"]] == [("CT-1", "draft")]
    repair = next(o for o in body["open_service_orders"] if o["id"] == str(company.order_id))
    assert (repair["kind"], repair["step"]) == ("repair", "diagnosis")


async def test_parts_used_count_once_on_the_affair_of_the_order(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    manager = await device_of("manager")
    async with db.writing() as session:
        burner = Product(id=uuid7(), ref="BURN-1", label="Burner", kind=ProductKind.GOOD)
        gasket = Product(
            id=uuid7(), ref="GASK-1", label="Gasket", kind=ProductKind.GOOD, cost_cents=250
        )
        # The machine was delivered by another affair: the repair's parts
        # still belong to the affair of the repair.
        boiler = Equipment(
            id=uuid7(), affair_id=company.other_affair_id, label="Boiler", serial_number="B-9"
        )
        session.add_all([burner, gasket, boiler])
        await session.flush()
        await session.execute(
            sa.update(ServiceOrder)
            .where(ServiceOrder.id == company.order_id)
            .values(equipment_id=boiler.id)
        )
    order = str(company.order_id)
    gaskets = {"id": order, "use_id": str(uuid7()), "action": "use"}
    gaskets |= {"product_id": str(gasket.id), "label": "Gasket", "quantity": 4}
    for args in (
        gaskets,
        gaskets,  # sent twice by a phone that lost the answer
        {"id": order, "use_id": str(uuid7()), "action": "fit", "serial_number": "BR-1"},
        {"id": order, "use_id": str(uuid7()), "action": "remove", "serial_number": "BR-1"},
    ):
        await tech.send("service_order.use_part", args)

    mine = await summary(manager, company)
    other = await manager.client.get(f"/api/affairs/{company.other_affair_id}/summary")

    assert mine["parts"] == {"lines": 2, "quantity": 5, "cost_cents": 1000, "uncosted_lines": 1}
    assert other.json()["parts"] == {
        "lines": 0,
        "quantity": 0,
        "cost_cents": 0,
        "uncosted_lines": 0,
    }
