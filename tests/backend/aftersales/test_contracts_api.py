"""Maintenance contracts over HTTP: managers and admins write, supervisors
read, nobody else; bad input is refused whole."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.aftersales.contracts import add_months, company_today, visit_days
from backend.db.engine import Database
from backend.db.models import Customer, Equipment, MaintenanceContract, ServiceOrder
from backend.lib.time import utc_now
from sync.ids import uuid7
from tests.factories import Company

TODAY = company_today(utc_now())
SOME_ID = "00000000-0000-0000-0000-000000000001"


def new_contract(company: Company, **terms: Any) -> dict[str, Any]:
    return {
        "customer_id": str(company.customer_id),
        "affair_id": str(company.affair_id),
        "starts_on": add_months(TODAY, -2).isoformat(),
        "ends_on": add_months(TODAY, 10).isoformat(),
        "visit_every_months": 1,
        "response_hours": 24,
        "amount_cents": 120_000,
        **terms,
    }


async def count(db: Database, model: Any) -> int:
    async with db.reading() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


async def add_equipment(db: Database, company: Company, customer_id: uuid.UUID | None) -> str:
    equipment = Equipment(
        id=uuid7(),
        affair_id=company.affair_id,
        customer_id=customer_id,
        label="Boiler",
        serial_number=str(uuid7())[:12],
    )
    async with db.writing() as session:
        session.add(equipment)
    return str(equipment.id)


@pytest.fixture
async def manager(device_of: Any) -> httpx.AsyncClient:
    client: httpx.AsyncClient = (await device_of("manager")).client
    return client


async def created(client: httpx.AsyncClient, company: Company, **terms: Any) -> dict[str, Any]:
    response = await client.post("/api/contracts", json=new_contract(company, **terms))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_manager_sets_up_a_contract_and_its_visits_follow(
    db: Database, company: Company, manager: httpx.AsyncClient
) -> None:
    draft = await created(manager, company)
    contract_id = draft["contract"]["id"]
    equipment_id = await add_equipment(db, company, company.customer_id)

    covered = await manager.post(
        f"/api/contracts/{contract_id}/equipment", json={"equipment_id": equipment_id}
    )
    again = await manager.post(
        f"/api/contracts/{contract_id}/equipment", json={"equipment_id": equipment_id}
    )
    active = await manager.post(f"/api/contracts/{contract_id}/activate", json={})
    shown = await manager.get(f"/api/contracts/{contract_id}")
    listed = await manager.get("/api/contracts")

    assert draft["contract"]["status"] == "draft"
    assert draft["contract"]["number"] == f"MC-{TODAY.year}-0001"
    assert draft["visits"] == []
    assert covered.status_code == 200 and again.status_code == 200, again.text
    assert [item["id"] for item in again.json()["equipment"]] == [equipment_id]
    assert active.status_code == 200, active.text
    due = visit_days(add_months(TODAY, -2), 1, TODAY + dt.timedelta(days=90))
    body = shown.json()
    assert body["contract"]["status"] == "active"
    assert [visit["due_on"] for visit in body["visits"]] == [day.isoformat() for day in due]
    late = [day for day in due if day < TODAY]
    assert [visit["late"] for visit in body["visits"]] == [day < TODAY for day in due]
    assert listed.status_code == 200
    [row] = listed.json()
    assert row["flags"] == {"late_visits": len(late), "sla_breaches": 0}
    assert row["customer_name"] == "Bakery Fournier"


async def test_contracts_made_at_once_get_numbers_of_their_own(
    company: Company, manager: httpx.AsyncClient
) -> None:
    answers = await asyncio.gather(
        *(manager.post("/api/contracts", json=new_contract(company)) for _ in range(3))
    )

    assert [answer.status_code for answer in answers] == [201, 201, 201]
    numbers = {answer.json()["contract"]["number"] for answer in answers}
    assert numbers == {f"MC-{TODAY.year}-000{index}" for index in (1, 2, 3)}


async def test_the_list_is_filtered_by_status_and_customer(
    company: Company, manager: httpx.AsyncClient
) -> None:
    running = (await created(manager, company))["contract"]["id"]
    await created(manager, company)
    await manager.post(f"/api/contracts/{running}/activate", json={})

    active = await manager.get("/api/contracts", params={"status": "active"})
    theirs = await manager.get("/api/contracts", params={"customer_id": str(company.customer_id)})
    nobody = await manager.get("/api/contracts", params={"customer_id": SOME_ID})
    bad = await manager.get("/api/contracts", params={"status": "sleeping"})

    assert [row["id"] for row in active.json()] == [running]
    assert len(theirs.json()) == 2 and nobody.json() == []
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "status"


async def test_visits_are_generated_on_demand_once(
    db: Database, company: Company, manager: httpx.AsyncClient
) -> None:
    contract_id = (await created(manager, company))["contract"]["id"]
    await manager.post(f"/api/contracts/{contract_id}/activate", json={})
    async with db.writing() as session:
        await session.execute(sa.delete(ServiceOrder).where(ServiceOrder.contract_id.is_not(None)))

    first = await manager.post("/api/contracts/generate-visits", json={})
    second = await manager.post("/api/contracts/generate-visits", json={})

    due = visit_days(add_months(TODAY, -2), 1, TODAY + dt.timedelta(days=90))
    assert first.status_code == 200, first.text
    assert first.json() == {"visits_created": len(due), "contracts_renewed": 0}
    assert second.json() == {"visits_created": 0, "contracts_renewed": 0}


async def test_changed_terms_move_the_planned_visits(
    company: Company, manager: httpx.AsyncClient
) -> None:
    contract_id = (await created(manager, company))["contract"]["id"]
    await manager.post(f"/api/contracts/{contract_id}/activate", json={})

    changed = await manager.patch(
        f"/api/contracts/{contract_id}", json={"visit_every_months": 2, "response_hours": None}
    )

    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["contract"]["visit_every_months"] == 2
    assert body["contract"]["response_hours"] is None
    wanted = set(visit_days(add_months(TODAY, -2), 2, TODAY + dt.timedelta(days=90)))
    for visit in body["visits"]:
        day = dt.date.fromisoformat(visit["due_on"])
        if day >= TODAY and day not in wanted:
            assert visit["status"] == "cancelled"
        else:
            assert visit["status"] == "planned"


async def test_a_closed_contract_keeps_its_terms(
    company: Company, manager: httpx.AsyncClient
) -> None:
    contract_id = (await created(manager, company))["contract"]["id"]

    closed = await manager.post(f"/api/contracts/{contract_id}/close", json={})
    changed = await manager.patch(f"/api/contracts/{contract_id}", json={"amount_cents": 1})
    activated = await manager.post(f"/api/contracts/{contract_id}/activate", json={})

    assert closed.status_code == 200, closed.text
    assert closed.json()["contract"]["closed_on"] == TODAY.isoformat()
    assert changed.status_code == 409 and changed.json()["code"] == "contract_closed"
    assert activated.status_code == 409


async def test_only_a_draft_is_activated_and_with_a_visit_frequency(
    company: Company, manager: httpx.AsyncClient
) -> None:
    incomplete = (await created(manager, company, visit_every_months=None))["contract"]["id"]
    complete = (await created(manager, company))["contract"]["id"]

    refused = await manager.post(f"/api/contracts/{incomplete}/activate", json={})
    await manager.post(f"/api/contracts/{complete}/activate", json={})
    twice = await manager.post(f"/api/contracts/{complete}/activate", json={})

    assert refused.status_code == 422
    assert refused.json()["code"] == "contract_incomplete"
    assert refused.json()["details"]["field"] == "visit_every_months"
    assert twice.status_code == 409 and twice.json()["code"] == "contract_not_draft"


async def test_equipment_of_another_customer_is_not_covered(
    db: Database, company: Company, manager: httpx.AsyncClient
) -> None:
    contract_id = (await created(manager, company))["contract"]["id"]
    other = Customer(id=uuid7(), name="Elsewhere Ltd")
    async with db.writing() as session:
        session.add(other)
    equipment_id = await add_equipment(db, company, other.id)

    refused = await manager.post(
        f"/api/contracts/{contract_id}/equipment", json={"equipment_id": equipment_id}
    )
    unknown = await manager.post(
        f"/api/contracts/{contract_id}/equipment", json={"equipment_id": SOME_ID}
    )

    assert refused.status_code == 422
    assert refused.json()["code"] == "equipment_of_another_customer"
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"surprise": 1}, "surprise"),
        ({"visit_every_months": 0}, "visit_every_months"),
        ({"visit_every_months": 121}, "visit_every_months"),
        ({"response_hours": -1}, "response_hours"),
        ({"amount_cents": -5}, "amount_cents"),
        ({"starts_on": "2027-02-30"}, "starts_on"),
        ({"ends_on": "2020-01-01"}, "ends_on"),
        ({"renews": True, "renewal_months": None}, "renewal_months"),
        ({"renews": True, "renewal_months": 12, "ends_on": None}, "ends_on"),
        ({"customer_id": "nope"}, "customer_id"),
        # Year one would plan eight thousand visits, all late.
        ({"starts_on": "0001-01-01"}, "starts_on"),
        ({"ends_on": "9999-12-31"}, "ends_on"),
    ],
)
async def test_bad_terms_are_refused_and_nothing_is_written(
    db: Database,
    company: Company,
    manager: httpx.AsyncClient,
    change: dict[str, Any],
    field: str,
) -> None:
    response = await manager.post("/api/contracts", json=new_contract(company, **change))

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_input"
    assert field in str(response.json()["details"])
    assert await count(db, MaintenanceContract) == 0


async def test_bad_changes_are_refused_and_nothing_is_written(
    company: Company, manager: httpx.AsyncClient
) -> None:
    contract_id = (await created(manager, company))["contract"]["id"]

    unknown = await manager.patch(f"/api/contracts/{contract_id}", json={"number": "X"})
    backwards = await manager.patch(
        f"/api/contracts/{contract_id}", json={"ends_on": "2000-01-01", "amount_cents": 7}
    )
    no_start = await manager.patch(f"/api/contracts/{contract_id}", json={"starts_on": None})
    shown = await manager.get(f"/api/contracts/{contract_id}")

    assert unknown.status_code == 400
    assert backwards.status_code == 400
    assert backwards.json()["details"]["field"] == "ends_on"
    assert no_start.status_code == 400
    assert shown.json()["contract"]["amount_cents"] == 120_000


async def test_an_unknown_affair_or_contract_is_not_found(
    company: Company, manager: httpx.AsyncClient
) -> None:
    no_affair = await manager.post("/api/contracts", json=new_contract(company, affair_id=SOME_ID))
    no_contract = await manager.get(f"/api/contracts/{SOME_ID}")

    assert no_affair.status_code == 404
    assert no_contract.status_code == 404


async def test_visits_go_to_the_contracts_technician_and_can_be_given_to_another(
    company: Company, manager: httpx.AsyncClient, device_of: Any
) -> None:
    tech, tech2 = company.users["tech"], company.users["tech2"]
    contract_id = (await created(manager, company, technician_id=str(tech)))["contract"]["id"]
    visits = (await manager.post(f"/api/contracts/{contract_id}/activate", json={})).json()[
        "visits"
    ]
    coming = [visit for visit in visits if visit["due_on"] >= TODAY.isoformat()]
    first, second = coming[0]["id"], coming[1]["id"]

    given = await manager.post(
        f"/api/contracts/{contract_id}/visits/{first}/assign",
        json={"technician_id": str(company.users["supervisor"])},
    )
    handed = await manager.patch(
        f"/api/contracts/{contract_id}", json={"technician_id": str(tech2)}
    )
    phone = await device_of("tech2")
    pulled = await phone.pull()

    assert {visit["technician_id"] for visit in visits} == {str(tech)}
    assert given.status_code == 200, given.text
    after = {visit["id"]: visit["technician_id"] for visit in handed.json()["visits"]}
    assert after[first] == str(company.users["supervisor"])
    assert after[second] == str(tech2)
    assert all(
        after[visit["id"]] == str(tech) for visit in visits if visit["due_on"] < TODAY.isoformat()
    )
    on_phone = {change["id"] for change in pulled if change["type"] == "service_order"}
    assert second in on_phone and first not in on_phone


@pytest.mark.parametrize("person", ["employee", "sales", "admin"])
async def test_visits_go_only_to_people_in_the_field(
    company: Company, manager: httpx.AsyncClient, person: str
) -> None:
    refused = await manager.post(
        "/api/contracts", json=new_contract(company, technician_id=str(company.users[person]))
    )

    assert refused.status_code == 422
    assert refused.json()["code"] == "not_a_technician"
    assert refused.json()["details"]["field"] == "technician_id"


async def test_a_visit_begun_stays_with_its_technician(
    db: Database, company: Company, manager: httpx.AsyncClient
) -> None:
    contract_id = (await created(manager, company))["contract"]["id"]
    visits = (await manager.post(f"/api/contracts/{contract_id}/activate", json={})).json()[
        "visits"
    ]
    async with db.writing() as session:
        await session.execute(
            sa.update(ServiceOrder)
            .where(ServiceOrder.id == uuid.UUID(visits[0]["id"]))
            .values(status="in_progress")
        )

    refused = await manager.post(
        f"/api/contracts/{contract_id}/visits/{visits[0]['id']}/assign",
        json={"technician_id": str(company.users["tech"])},
    )
    elsewhere = await manager.post(
        f"/api/contracts/{contract_id}/visits/{company.order_id}/assign",
        json={"technician_id": str(company.users["tech"])},
    )

    assert refused.status_code == 409 and refused.json()["code"] == "visit_not_planned"
    assert elsewhere.status_code == 404


WRITES = [
    ("post", "/api/contracts", "create"),
    ("patch", "/api/contracts/{id}", {"amount_cents": 1}),
    ("post", "/api/contracts/{id}/equipment", {"equipment_id": SOME_ID}),
    ("post", "/api/contracts/{id}/activate", {}),
    ("post", "/api/contracts/{id}/visits/" + SOME_ID + "/assign", {"technician_id": None}),
    ("post", "/api/contracts/{id}/close", {}),
    ("post", "/api/contracts/generate-visits", {}),
]
READS = [("get", "/api/contracts", None), ("get", "/api/contracts/{id}", None)]


async def call(
    client: httpx.AsyncClient, company: Company, contract_id: str, endpoint: tuple[str, str, Any]
) -> httpx.Response:
    method, path, body = endpoint
    if body == "create":
        body = new_contract(company)
    url = path.format(id=contract_id)
    if body is None:
        return await client.request(method.upper(), url)
    return await client.request(method.upper(), url, json=body)


@pytest.mark.parametrize("endpoint", WRITES + READS)
@pytest.mark.parametrize("person", ["tech", "employee", "sales", "outsider", None])
async def test_people_outside_the_office_may_not_use_contracts(
    db: Database,
    company: Company,
    manager: httpx.AsyncClient,
    device_of: Any,
    app_client: httpx.AsyncClient,
    person: str | None,
    endpoint: tuple[str, str, Any],
) -> None:
    contract_id = (await created(manager, company))["contract"]["id"]
    client = (await device_of(person)).client if person else app_client

    response = await call(client, company, contract_id, endpoint)

    assert response.status_code == (403 if person else 401), response.text
    assert await count(db, MaintenanceContract) == 1
    assert await count(db, ServiceOrder) == 2


@pytest.mark.parametrize("endpoint", WRITES)
async def test_supervisors_read_contracts_but_do_not_write_them(
    db: Database,
    company: Company,
    manager: httpx.AsyncClient,
    device_of: Any,
    endpoint: tuple[str, str, Any],
) -> None:
    contract_id = (await created(manager, company))["contract"]["id"]
    supervisor = (await device_of("supervisor")).client

    refused = await call(supervisor, company, contract_id, endpoint)
    listed = await supervisor.get("/api/contracts")
    shown = await supervisor.get(f"/api/contracts/{contract_id}")

    assert refused.status_code == 403, refused.text
    assert listed.status_code == 200 and shown.status_code == 200
    assert await count(db, MaintenanceContract) == 1


async def test_an_admin_writes_contracts_too(device_of: Any, company: Company) -> None:
    admin = (await device_of("admin")).client

    draft = await created(admin, company)
    activated = await admin.post(f"/api/contracts/{draft['contract']['id']}/activate", json={})

    assert activated.status_code == 200, activated.text
