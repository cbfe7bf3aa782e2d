"""Quality tracking: answers that find something wrong, their one
follow-up, and the office's list of non-conformities."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

import httpx
import msgspec
import pytest
import sqlalchemy as sa

from backend.aftersales.checklist_rules import missing_required
from backend.aftersales.schemas import ChecklistItem
from backend.aftersales.services import answer_id
from backend.db.engine import Database
from backend.db.models import (
    Action,
    ChecklistAnswer,
    ChecklistRun,
    ChecklistTemplate,
    Customer,
    Equipment,
    Nonconformity,
    Product,
    ProductKind,
    ServiceOrder,
)
from sync.ids import uuid7
from tests.backend.conftest import Device
from tests.factories import Company, photo_bytes

URL = "/api/quality/nonconformities"

QUALITY_ITEMS: list[dict[str, Any]] = [
    {"key": "power_off", "kind": "yes_no", "required": True, "label": "Power off"},
    {"key": "pressure", "kind": "number", "min": 1.0, "max": 2.5, "unit": "bar", "label": "P"},
    {"key": "leak_free", "kind": "yes_no", "quality": True, "label": "No leak"},
    {"key": "cleaned", "kind": "yes_no", "label": "Cleaned"},
    {
        "key": "leak_where",
        "kind": "text",
        "required": True,
        "label": "Where is the leak",
        "visible_if": {"item": "leak_free", "equals": False},
    },
    {"key": "state_photo", "kind": "photo", "label": "Photo"},
    {"key": "customer", "kind": "signature", "label": "Customer's signature"},
]


@pytest.fixture
async def run_id(db: Database, company: Company) -> uuid.UUID:
    """A quality checklist on the technician's order, whose machine is a
    product of the catalogue."""
    async with db.writing() as session:
        product = Product(id=uuid7(), ref="HP-9", label="Heat pump HP9", kind=ProductKind.GOOD)
        template = ChecklistTemplate(id=uuid7(), code="quality", name="Q", items=QUALITY_ITEMS)
        session.add_all([product, template])
        await session.flush()
        machine = Equipment(
            id=uuid7(),
            affair_id=company.affair_id,
            customer_id=company.customer_id,
            product_id=product.id,
            label="HP9 in the cellar",
            serial_number="HP9-001",
        )
        session.add(machine)
        await session.flush()
        order = await session.get(ServiceOrder, company.order_id)
        assert order is not None
        order.equipment_id = machine.id
        run = ChecklistRun(
            id=uuid7(),
            template_id=template.id,
            service_order_id=company.order_id,
            affair_id=company.affair_id,
        )
        session.add(run)
    return run.id


def answer(run_id: uuid.UUID, key: str, value: Any) -> dict[str, Any]:
    return {"run_id": str(run_id), "item_key": key, "value": value}


async def findings(db: Database) -> list[Nonconformity]:
    async with db.reading() as session:
        return list(await session.scalars(sa.select(Nonconformity).order_by(Nonconformity.id)))


async def follow_ups(db: Database) -> list[Action]:
    async with db.reading() as session:
        return list(await session.scalars(sa.select(Action).order_by(Action.id)))


async def test_a_reading_out_of_bounds_is_kept_flagged_and_followed_up_once(
    device_of: Any, company: Company, db: Database, run_id: uuid.UUID
) -> None:
    tech = await device_of("tech")
    now = dt.datetime.now(dt.UTC)

    first = await tech.send("checklist.answer", answer(run_id, "pressure", 3.1), at=now)
    resent = await tech.push(tech.mutation("checklist.answer", answer(run_id, "pressure", 3.1)))
    changed = await tech.send(
        "checklist.answer", answer(run_id, "pressure", 0.4), at=now + dt.timedelta(minutes=1)
    )

    assert first["status"] == changed["status"] == "applied"
    assert resent.status_code == 200
    [found] = await findings(db)
    assert (found.kind.value, found.value, found.cleared_at) == ("out_of_bounds", 0.4, None)
    assert found.item_key == "pressure"
    assert found.technician_id == company.users["tech"]
    assert found.customer_id == company.customer_id
    assert found.affair_id == company.affair_id
    assert found.product_id is not None
    [task] = await follow_ups(db)
    assert task.id == found.action_id
    assert (task.affair_id, task.assignee_id) == (company.affair_id, company.users["manager"])
    assert task.done_at is None
    assert "SO-2026-0001" in task.title


async def test_a_corrected_answer_clears_it_and_a_new_fault_reopens_the_same(
    device_of: Any, db: Database, run_id: uuid.UUID
) -> None:
    tech = await device_of("tech")
    now = dt.datetime.now(dt.UTC)

    await tech.send("checklist.answer", answer(run_id, "leak_free", False), at=now)
    await tech.send(
        "checklist.answer", answer(run_id, "leak_free", True), at=now + dt.timedelta(minutes=1)
    )
    [cleared] = await findings(db)
    [done] = await follow_ups(db)
    await tech.send(
        "checklist.answer", answer(run_id, "leak_free", False), at=now + dt.timedelta(minutes=2)
    )
    [reopened] = await findings(db)
    [again] = await follow_ups(db)

    assert cleared.kind.value == "failed"
    assert cleared.cleared_at is not None
    assert done.done_at is not None and done.progress == 100
    assert reopened.id == cleared.id and reopened.cleared_at is None
    assert again.id == done.id and again.done_at is None and again.progress == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [("pressure", 1.0), ("pressure", 2.5), ("cleaned", False), ("leak_free", True)],
)
async def test_answers_within_bounds_or_on_other_items_find_nothing(
    device_of: Any, db: Database, run_id: uuid.UUID, key: str, value: Any
) -> None:
    tech = await device_of("tech")

    result = await tech.send("checklist.answer", answer(run_id, key, value))

    assert result["status"] == "applied"
    assert await findings(db) == []
    assert await follow_ups(db) == []


async def test_answers_pushed_together_are_followed_up_too(
    device_of: Any, db: Database, run_id: uuid.UUID
) -> None:
    """Several answers in one push take the batch's fast path; those that
    may find something are still followed up."""
    tech = await device_of("tech")

    response = await tech.push(
        tech.mutation("checklist.answer", answer(run_id, "power_off", True)),
        tech.mutation("checklist.answer", answer(run_id, "cleaned", True)),
        tech.mutation("checklist.answer", answer(run_id, "pressure", 4.0)),
        tech.mutation("checklist.answer", answer(run_id, "leak_free", False)),
    )

    assert [r["status"] for r in response.json()["results"]] == ["applied"] * 4
    assert sorted(found.item_key for found in await findings(db)) == ["leak_free", "pressure"]
    assert len(await follow_ups(db)) == 2


async def test_a_hidden_item_may_be_answered_and_is_never_required(
    device_of: Any, db: Database, run_id: uuid.UUID
) -> None:
    tech = await device_of("tech")

    hidden = await tech.send("checklist.answer", answer(run_id, "leak_where", "under the tank"))
    await tech.send("checklist.answer", answer(run_id, "power_off", True))

    assert hidden["status"] == "applied"
    items = msgspec.convert(QUALITY_ITEMS, list[ChecklistItem])
    async with db.reading() as session:
        rows = await session.scalars(
            sa.select(ChecklistAnswer).where(ChecklistAnswer.run_id == run_id)
        )
        answers = {row.item_key: row.value for row in rows}
    assert missing_required(items, answers) == []
    assert missing_required(items, {**answers, "leak_free": False, "leak_where": None}) == [
        "leak_where"
    ]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def put_blob(device: Device, data: bytes) -> None:
    response = await device.client.put(
        f"/api/blobs/{sha(data)}", content=data, headers={"Content-Type": "image/png"}
    )
    assert response.status_code in (200, 201), response.text


async def test_a_signature_is_the_hash_of_its_image_and_waits_for_it(
    device_of: Any, db: Database, run_id: uuid.UUID
) -> None:
    tech = await device_of("tech")
    image = photo_bytes(42)

    held = await tech.send("checklist.answer", answer(run_id, "customer", sha(image)))
    await put_blob(tech, image)

    assert (held["status"], held["code"]) == ("conflict", "missing_blob")
    async with db.reading() as session:
        stored = await session.get(ChecklistAnswer, answer_id(run_id, "customer"))
    assert stored is not None and stored.value == sha(image)


async def test_who_sees_the_checklist_may_fetch_its_signature(
    device_of: Any, run_id: uuid.UUID
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    outsider = await device_of("outsider")
    image = photo_bytes(43)
    await put_blob(tech, image)

    signed = await tech.send("checklist.answer", answer(run_id, "customer", sha(image)))
    seen = await supervisor.client.get(f"/api/blobs/{sha(image)}")
    hidden = await outsider.client.get(f"/api/blobs/{sha(image)}")

    assert signed["status"] == "applied"
    assert seen.status_code == 200 and seen.content == image
    assert hidden.status_code == 404


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("customer", "Jean Dupont"),
        ("customer", True),
        ("state_photo", "a photo"),
        ("state_photo", True),
    ],
)
async def test_photo_and_signature_items_take_no_other_answer(
    device_of: Any, db: Database, run_id: uuid.UUID, key: str, value: Any
) -> None:
    tech = await device_of("tech")

    result = await tech.send("checklist.answer", answer(run_id, key, value))

    assert (result["status"], result["code"]) == ("rejected", "bad_value")
    async with db.reading() as session:
        assert await session.get(ChecklistAnswer, answer_id(run_id, key)) is None


async def test_a_technician_of_another_order_finds_nothing_on_this_one(
    device_of: Any, db: Database, run_id: uuid.UUID
) -> None:
    outsider = await device_of("outsider")

    result = await outsider.send("checklist.answer", answer(run_id, "pressure", 9.0))

    assert result["status"] == "rejected"
    assert await findings(db) == []


async def outsider_run(db: Database, company: Company) -> uuid.UUID:
    """A quality checklist on the outsider's order, for another customer."""
    async with db.writing() as session:
        customer = Customer(id=uuid7(), name="Hotel du Parc", code="C2")
        session.add(customer)
        await session.flush()
        order = await session.get(ServiceOrder, company.other_order_id)
        assert order is not None
        order.customer_id = customer.id
        template = await session.scalar(
            sa.select(ChecklistTemplate).where(ChecklistTemplate.code == "quality")
        )
        assert template is not None
        run = ChecklistRun(
            id=uuid7(),
            template_id=template.id,
            service_order_id=order.id,
            affair_id=company.other_affair_id,
        )
        session.add(run)
    return run.id


async def test_the_office_lists_them_with_counts_and_filters(
    device_of: Any, company: Company, db: Database, run_id: uuid.UUID
) -> None:
    tech = await device_of("tech")
    outsider = await device_of("outsider")
    other_run = await outsider_run(db, company)
    await tech.send("checklist.answer", answer(run_id, "pressure", 3.0))
    await tech.send("checklist.answer", answer(run_id, "leak_free", False))
    await outsider.send("checklist.answer", answer(other_run, "leak_free", False))
    await tech.send("checklist.answer", answer(run_id, "leak_free", True))
    manager = await device_of("manager")

    everything = (await manager.client.get(URL)).json()
    still_open = (await manager.client.get(URL, params={"open": "true"})).json()
    of_tech = (
        await manager.client.get(URL, params={"technician_id": str(company.users["tech"])})
    ).json()
    of_customer = (
        await manager.client.get(URL, params={"customer_id": str(company.customer_id)})
    ).json()

    assert len(everything["nonconformities"]) == 3
    by_technician = {
        row["name"]: (row["count"], row["open"]) for row in everything["by_technician"]
    }
    assert by_technician == {"Tech": (2, 1), "Outsider": (1, 1)}
    by_customer = {row["name"]: row["count"] for row in everything["by_customer"]}
    assert by_customer == {"Bakery Fournier": 2, "Hotel du Parc": 1}
    assert {row["name"]: row["count"] for row in everything["by_product"]} == {
        "Heat pump HP9": 2,
        None: 1,
    }
    assert len(still_open["nonconformities"]) == 2
    assert {row["technician_id"] for row in of_tech["nonconformities"]} == {
        str(company.users["tech"])
    }
    assert len(of_customer["nonconformities"]) == 2
    product_id = of_customer["by_product"][0]["id"]
    of_product = (await manager.client.get(URL, params={"product_id": product_id})).json()
    assert len(of_product["nonconformities"]) == 2


async def test_a_supervisor_follows_their_team_only(
    device_of: Any, company: Company, db: Database, run_id: uuid.UUID
) -> None:
    tech = await device_of("tech")
    outsider = await device_of("outsider")
    other_run = await outsider_run(db, company)
    await tech.send("checklist.answer", answer(run_id, "pressure", 3.0))
    await outsider.send("checklist.answer", answer(other_run, "pressure", 3.0))
    supervisor = await device_of("supervisor")

    seen = (await supervisor.client.get(URL)).json()

    assert [row["technician_id"] for row in seen["nonconformities"]] == [str(company.users["tech"])]
    assert [row["name"] for row in seen["by_technician"]] == ["Tech"]


@pytest.mark.parametrize("someone", ["tech", "employee", "sales"])
async def test_only_the_office_follows_quality(device_of: Any, someone: str) -> None:
    person = await device_of(someone)

    refused = await person.client.get(URL)

    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"


async def test_quality_needs_a_session(app_client: httpx.AsyncClient) -> None:
    assert (await app_client.get(URL)).status_code == 401


async def test_a_filter_that_is_not_an_id_is_refused(device_of: Any) -> None:
    manager = await device_of("manager")

    refused = await manager.client.get(URL, params={"customer_id": "bakery"})

    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_input"
    assert refused.json()["details"]["field"] == "customer_id"


async def test_a_checklist_of_the_affair_itself_names_who_answered(
    device_of: Any, company: Company, db: Database, run_id: uuid.UUID
) -> None:
    """A run on the affair, without a service order: no product, the
    affair's customer, and the person who answered as the technician."""
    async with db.writing() as session:
        quality = await session.get(ChecklistRun, run_id)
        assert quality is not None
        on_affair = ChecklistRun(
            id=uuid7(), template_id=quality.template_id, affair_id=company.affair_id
        )
        session.add(on_affair)
    tech = await device_of("tech")

    result = await tech.send("checklist.answer", answer(on_affair.id, "pressure", 0.2))

    assert result["status"] == "applied"
    [found] = await findings(db)
    assert (found.service_order_id, found.product_id) == (None, None)
    assert found.customer_id == company.customer_id
    assert found.technician_id == company.users["tech"]
    [task] = await follow_ups(db)
    assert task.title.startswith("P: 0.2 out of bounds")
