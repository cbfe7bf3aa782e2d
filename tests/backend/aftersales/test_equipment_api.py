"""The office's equipment: list, page, warranties, composition on a day,
records and files, and who may do what."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.aftersales.equipment import warranty_state
from backend.db.engine import Database
from backend.db.models import Customer, Equipment, EquipmentFile, Product, ProductKind, Site
from sync.ids import uuid7
from tests.backend.aftersales.test_use_part import order_on, use
from tests.factories import Company, photo_bytes


async def client_of(device_of: Any, key: str) -> httpx.AsyncClient:
    client: httpx.AsyncClient = (await device_of(key)).client
    return client


@pytest.fixture
async def boiler(db: Database, company: Company) -> uuid.UUID:
    async with db.writing() as session:
        machine = Equipment(
            id=uuid7(),
            affair_id=company.affair_id,
            customer_id=company.customer_id,
            site_id=company.site_id,
            label="Boiler Vitodens",
            serial_number="VD-100",
            installed_on=dt.date(2024, 3, 1),
            customer_warranty_ends_on=dt.date(2026, 3, 1),
            manufacturer_warranty_ends_on=dt.date(2029, 3, 1),
        )
        elsewhere = Equipment(
            id=uuid7(),
            affair_id=company.other_affair_id,
            customer_id=company.customer_id,
            label="Heat pump",
            serial_number="HP-7",
        )
        session.add_all([machine, elsewhere])
    return machine.id


@pytest.mark.parametrize(
    ("ends_on", "day", "state"),
    [
        (dt.date(2026, 3, 1), dt.date(2026, 2, 28), "running"),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 1), "running"),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 2), "ended"),
        (None, dt.date(2026, 3, 2), "unknown"),
    ],
)
def test_a_warranty_runs_through_its_last_day(
    ends_on: dt.date | None, day: dt.date, state: str
) -> None:
    assert warranty_state(ends_on, day) == state


async def test_the_page_says_which_warranty_runs_on_a_day(
    device_of: Any, boiler: uuid.UUID
) -> None:
    manager = await client_of(device_of, "manager")

    response = await manager.get(f"/api/equipment/{boiler}", params={"on": "2026-06-01"})

    assert response.status_code == 200, response.text
    page = response.json()
    assert page["warranties"] == [
        {"kind": "customer", "state": "ended", "ends_on": "2026-03-01"},
        {"kind": "manufacturer", "state": "running", "ends_on": "2029-03-01"},
    ]
    assert page["equipment"]["serial_number"] == "VD-100"


async def test_the_page_shows_composition_history_orders_and_who(
    device_of: Any, db: Database, company: Company, boiler: uuid.UUID
) -> None:
    order = await order_on(db, company, boiler)
    tech = await device_of("tech")
    start = dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC)
    await tech.send(
        "service_order.use_part", use(order, "fit", serial_number="FAN-1", label="Fan"), at=start
    )
    await tech.send(
        "service_order.use_part",
        use(order, "remove", serial_number="FAN-1"),
        at=start + dt.timedelta(days=60),
    )
    await tech.send(
        "service_order.use_part",
        use(order, "fit", serial_number="FAN-2", label="Fan"),
        at=start + dt.timedelta(days=60),
    )
    manager = await client_of(device_of, "manager")

    page = (await manager.get(f"/api/equipment/{boiler}")).json()
    back_then = await manager.get(
        f"/api/equipment/{boiler}/composition", params={"on": "2026-02-01"}
    )
    before = await manager.get(f"/api/equipment/{boiler}/composition", params={"on": "2026-01-09"})

    assert [part["serial_number"] for part in page["composition"]] == ["FAN-2"]
    assert [
        (f["serial_number"], f["fitted_by"], f["fitted_order_number"], f["removed_by"])
        for f in page["history"]
    ] == [("FAN-1", "Tech", "SO-2026-102", "Tech"), ("FAN-2", "Tech", "SO-2026-102", None)]
    assert [o["id"] for o in page["orders"]] == [str(order)]
    assert [part["serial_number"] for part in back_then.json()["parts"]] == ["FAN-1"]
    assert before.json()["parts"] == []


async def test_a_part_shows_the_machines_it_was_in(
    device_of: Any, db: Database, company: Company, boiler: uuid.UUID
) -> None:
    order = await order_on(db, company, boiler)
    tech = await device_of("tech")
    await tech.send("service_order.use_part", use(order, "fit", serial_number="PCB-3"))
    manager = await client_of(device_of, "manager")
    listed = (await manager.get("/api/equipment", params={"serial": "PCB"})).json()

    [part] = listed["items"]
    page = (await manager.get(f"/api/equipment/{part['id']}")).json()

    assert [f["equipment_label"] for f in page["fitted_in"]] == ["Boiler Vitodens"]


async def test_a_bad_day_is_named_in_the_error(device_of: Any, boiler: uuid.UUID) -> None:
    manager = await client_of(device_of, "manager")

    response = await manager.get(f"/api/equipment/{boiler}/composition", params={"on": "soon"})

    assert response.status_code == 400
    assert response.json()["details"]["field"] == "on"


@pytest.mark.parametrize(
    ("params", "labels"),
    [
        ({}, ["Boiler Vitodens", "Heat pump"]),
        ({"serial": "VD"}, ["Boiler Vitodens"]),
        ({"text": "pump"}, ["Heat pump"]),
        ({"text": "fournier"}, ["Boiler Vitodens", "Heat pump"]),
        ({"limit": "1"}, ["Boiler Vitodens"]),
        ({"limit": "1", "offset": "1"}, ["Heat pump"]),
    ],
)
async def test_the_list_filters_and_pages(
    device_of: Any, boiler: uuid.UUID, params: dict[str, str], labels: list[str]
) -> None:
    manager = await client_of(device_of, "manager")

    response = await manager.get("/api/equipment", params=params)

    assert response.status_code == 200, response.text
    assert [item["label"] for item in response.json()["items"]] == labels
    assert response.json()["total"] == (len(labels) if "limit" not in params else 2)


async def test_the_list_filters_by_affair_and_customer(
    device_of: Any, company: Company, boiler: uuid.UUID
) -> None:
    manager = await client_of(device_of, "manager")

    by_affair = await manager.get("/api/equipment", params={"affair": str(company.affair_id)})
    by_customer = await manager.get("/api/equipment", params={"customer": str(uuid7())})

    assert [item["id"] for item in by_affair.json()["items"]] == [str(boiler)]
    assert by_customer.json()["items"] == []


async def test_a_technician_sees_the_equipment_of_their_affairs_only(
    device_of: Any, company: Company, boiler: uuid.UUID
) -> None:
    tech = await client_of(device_of, "tech")
    outsider = await client_of(device_of, "outsider")

    mine = await tech.get("/api/equipment")
    not_theirs = await outsider.get(f"/api/equipment/{boiler}")
    not_theirs_either = await outsider.get(f"/api/equipment/{boiler}/composition")

    assert [item["label"] for item in mine.json()["items"]] == ["Boiler Vitodens"]
    assert not_theirs.status_code == 404
    assert not_theirs_either.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/equipment"),
        ("GET", "/api/equipment/{id}"),
        ("GET", "/api/equipment/{id}/composition"),
        ("POST", "/api/equipment"),
        ("PATCH", "/api/equipment/{id}"),
        ("POST", "/api/equipment/{id}/files"),
    ],
)
async def test_signed_out_clients_are_refused(
    app_client: httpx.AsyncClient, boiler: uuid.UUID, method: str, path: str
) -> None:
    body = {} if method != "GET" else None

    response = await app_client.request(method, path.format(id=boiler), json=body)

    assert response.status_code == 401


async def test_the_office_records_equipment(device_of: Any, db: Database, company: Company) -> None:
    manager = await client_of(device_of, "manager")

    response = await manager.post(
        "/api/equipment",
        json={
            "affair_id": str(company.affair_id),
            "label": "Water softener",
            "serial_number": "WS-1",
            "customer_warranty_ends_on": "2027-01-31",
        },
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["customer_id"], created["site_id"]) == (
        str(company.customer_id),
        str(company.site_id),
    )
    async with db.reading() as session:
        stored = await session.get(Equipment, uuid.UUID(created["id"]))
    assert stored is not None and stored.customer_warranty_ends_on == dt.date(2027, 1, 31)


@pytest.mark.parametrize("key", ["tech", "employee", "sales"])
async def test_field_and_sales_people_may_not_record_equipment(
    device_of: Any, db: Database, company: Company, boiler: uuid.UUID, key: str
) -> None:
    client = await client_of(device_of, key)

    created = await client.post(
        "/api/equipment", json={"affair_id": str(company.affair_id), "label": "X"}
    )
    changed = await client.patch(f"/api/equipment/{boiler}", json={"installed_on": "2020-01-01"})
    filed = await client.post(
        f"/api/equipment/{boiler}/files",
        json={"sha256": "0" * 64, "kind": "document", "title": "Manual"},
    )

    assert [created.status_code, changed.status_code, filed.status_code] == [403, 403, 403]
    async with db.reading() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(Equipment)) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": "No affair"}, "affair_id"),
        ({"affair_id": "{affair}", "label": ""}, "label"),
        ({"affair_id": "{affair}", "label": "X", "colour": "red"}, "colour"),
        ({"affair_id": "{affair}", "label": "X", "installed_on": "soon"}, "installed_on"),
        ({"affair_id": "{affair}", "label": "X", "serial_number": "s" * 81}, "serial_number"),
        ({"affair_id": str(uuid.UUID(int=1)), "label": "X"}, "affair_id"),
    ],
)
async def test_bad_equipment_input_is_refused_and_writes_nothing(
    device_of: Any, db: Database, company: Company, body: dict[str, str], field: str
) -> None:
    manager = await client_of(device_of, "manager")
    sent = {key: value.format(affair=company.affair_id) for key, value in body.items()}

    response = await manager.post("/api/equipment", json=sent)

    assert response.status_code == 400, response.text
    assert field in str(response.json()["details"])
    async with db.reading() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(Equipment)) == 0


async def test_a_serial_is_recorded_once_per_product(
    device_of: Any, db: Database, company: Company, boiler: uuid.UUID
) -> None:
    async with db.writing() as session:
        product = Product(id=uuid7(), ref="MTR", label="Meter", kind=ProductKind.GOOD)
        session.add(product)
    manager = await client_of(device_of, "manager")
    body = {
        "affair_id": str(company.affair_id),
        "label": "Meter",
        "serial_number": "M-1",
        "product_id": str(product.id),
    }

    first = await manager.post("/api/equipment", json=body)
    second = await manager.post("/api/equipment", json=body)

    assert first.status_code == 201, first.text
    assert (second.status_code, second.json()["code"]) == (409, "serial_taken")


async def test_the_office_corrects_warranties_and_install_date(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    supervisor = await client_of(device_of, "supervisor")

    response = await supervisor.patch(
        f"/api/equipment/{boiler}",
        json={"manufacturer_warranty_ends_on": None, "installed_on": "2024-04-02"},
    )

    assert response.status_code == 200, response.text
    async with db.reading() as session:
        stored = await session.get(Equipment, boiler)
    assert stored is not None
    assert (stored.manufacturer_warranty_ends_on, stored.installed_on) == (
        None,
        dt.date(2024, 4, 2),
    )
    assert stored.customer_warranty_ends_on == dt.date(2026, 3, 1)


async def test_a_patch_with_an_unknown_field_changes_nothing(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    manager = await client_of(device_of, "manager")

    response = await manager.patch(
        f"/api/equipment/{boiler}", json={"installed_on": "2020-01-01", "serial_number": "X"}
    )

    assert response.status_code == 400
    async with db.reading() as session:
        stored = await session.get(Equipment, boiler)
    assert stored is not None and stored.installed_on == dt.date(2024, 3, 1)


async def test_the_office_attaches_an_uploaded_document(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    manager = await client_of(device_of, "manager")
    content = photo_bytes(40)
    sha256 = hashlib.sha256(content).hexdigest()
    uploaded = await manager.put(
        f"/api/blobs/{sha256}", content=content, headers={"content-type": "image/png"}
    )
    assert uploaded.status_code in (200, 201), uploaded.text

    response = await manager.post(
        f"/api/equipment/{boiler}/files",
        json={"sha256": sha256, "kind": "photo", "title": "Nameplate"},
    )

    assert response.status_code == 201, response.text
    page = (await manager.get(f"/api/equipment/{boiler}")).json()
    assert [(f["title"], f["added_by"]) for f in page["files"]] == [("Nameplate", "Manager")]
    tech = await client_of(device_of, "tech")
    assert (await tech.get(f"/api/blobs/{sha256}")).status_code == 200


async def test_a_file_not_uploaded_is_refused(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    manager = await client_of(device_of, "manager")

    response = await manager.post(
        f"/api/equipment/{boiler}/files",
        json={"sha256": "a" * 64, "kind": "document", "title": "Manual"},
    )

    assert (response.status_code, response.json()["code"]) == (409, "file_not_uploaded")
    async with db.reading() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(EquipmentFile)) == 0


async def test_the_supervisor_may_not_reach_equipment_outside_their_affairs(
    device_of: Any, db: Database, company: Company, boiler: uuid.UUID
) -> None:
    supervisor = await client_of(device_of, "supervisor")
    async with db.reading() as session:
        elsewhere = await session.scalar(
            sa.select(Equipment.id).where(Equipment.affair_id == company.other_affair_id)
        )

    response = await supervisor.patch(
        f"/api/equipment/{elsewhere}", json={"installed_on": "2020-01-01"}
    )

    assert response.status_code == 404


async def test_a_site_of_another_customer_is_refused(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    async with db.writing() as session:
        other = Customer(id=uuid7(), name="Other Ltd", code="C9")
        session.add(other)
        await session.flush()
        site = Site(id=uuid7(), customer_id=other.id, name="Far", town="Nice")
        session.add(site)
    manager = await client_of(device_of, "manager")

    response = await manager.patch(f"/api/equipment/{boiler}", json={"site_id": str(site.id)})

    assert (response.status_code, response.json()["details"]["field"]) == (400, "site_id")


@pytest.mark.parametrize(("key", "count"), [("employee", 1), ("sales", 0), ("outsider", 1)])
async def test_the_list_holds_what_each_person_sees(
    device_of: Any, boiler: uuid.UUID, key: str, count: int
) -> None:
    client = await client_of(device_of, key)

    response = await client.get("/api/equipment")

    assert response.status_code == 200
    assert response.json()["total"] == count


@pytest.mark.parametrize("query", ["limit=0", "limit=500", "offset=-1", "customer=nope"])
async def test_a_bad_list_query_is_refused(device_of: Any, boiler: uuid.UUID, query: str) -> None:
    manager = await client_of(device_of, "manager")

    response = await manager.get(f"/api/equipment?{query}")

    assert response.status_code == 400
