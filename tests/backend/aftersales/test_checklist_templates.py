"""Checklist templates over HTTP: written by administrators, one revision at a time."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import ChecklistRun, ChecklistTemplate
from sync.ids import uuid7
from tests.factories import Company

URL = "/api/checklist-templates/"

ITEMS: list[dict[str, Any]] = [
    {"key": "power_off", "kind": "yes_no", "required": True, "label": "Power off"},
    {"key": "state", "kind": "choice", "choices": ["ok", "worn"], "label": {"en": "State"}},
    {"key": "pressure", "kind": "number", "min": 1.0, "max": 2.5, "unit": "bar", "label": "P"},
    {
        "key": "wear",
        "kind": "text",
        "label": "Wear seen",
        "visible_if": {"item": "state", "equals": "worn"},
    },
    {"key": "leak_free", "kind": "yes_no", "quality": True, "label": "No leak"},
    {"key": "customer", "kind": "signature", "label": "Customer's signature"},
]


def template(**changes: Any) -> dict[str, Any]:
    return {"code": "heat-pump", "name": "Heat pump check", "items": ITEMS, **changes}


async def template_count(db: Database) -> int:
    async with db.reading() as session:
        return int(
            await session.scalar(sa.select(sa.func.count()).select_from(ChecklistTemplate)) or 0
        )


async def test_an_administrator_writes_a_checklist_everyone_reads(device_of: Any) -> None:
    admin = await device_of("admin")
    tech = await device_of("tech")

    created = await admin.client.post(URL, json=template(guards_step="ready"))
    listed = await tech.client.get(URL)
    one = await tech.client.get(URL + "heat-pump")

    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["code"], body["revision"], body["runs"], body["revisions"]) == (
        "heat-pump",
        1,
        0,
        [1],
    )
    assert body["guards_step"] == "ready"
    assert [item["key"] for item in body["items"]] == [item["key"] for item in ITEMS]
    assert {row["code"] for row in listed.json()} == {"boiler", "heat-pump"}
    assert one.json() == body


async def test_a_new_revision_leaves_the_runs_on_the_old_one(
    device_of: Any, company: Company, db: Database
) -> None:
    admin = await device_of("admin")
    tech = await device_of("tech")
    boiler = (await admin.client.get(URL + "boiler")).json()
    # The next revision drops "remarks" and adds a quality item.
    items = [item for item in boiler["items"] if item["key"] != "remarks"]
    items.append({"key": "sealed", "kind": "yes_no", "quality": True, "label": "Sealed"})

    revised = await admin.client.put(URL + "boiler", json={"name": "Boiler v2", "items": items})
    old_run = await tech.send(
        "checklist.answer",
        {"run_id": str(company.run_id), "item_key": "remarks", "value": "still asked"},
    )
    unknown_on_old = await tech.send(
        "checklist.answer", {"run_id": str(company.run_id), "item_key": "sealed", "value": True}
    )
    first = await tech.client.get(URL + "boiler", params={"revision": 1})

    assert revised.status_code == 200, revised.text
    assert (revised.json()["revision"], revised.json()["revisions"]) == (2, [1, 2])
    assert revised.json()["runs"] == 0
    assert old_run["status"] == "applied"
    assert (unknown_on_old["status"], unknown_on_old["code"]) == ("rejected", "unknown_item")
    assert first.json()["runs"] == 1
    assert "remarks" in [item["key"] for item in first.json()["items"]]
    async with db.reading() as session:
        run = await session.get(ChecklistRun, company.run_id)
        assert run is not None and run.template_id == company.template_id
        old = await session.get(ChecklistTemplate, company.template_id)
        assert old is not None and old.name == "Boiler" and len(old.items) == 4


async def test_an_unchanged_checklist_makes_no_revision(device_of: Any, db: Database) -> None:
    admin = await device_of("admin")
    await admin.client.post(URL, json=template())

    again = await admin.client.put(
        URL + "heat-pump", json={"name": "Heat pump check", "items": ITEMS}
    )

    assert again.status_code == 200
    assert again.json()["revisions"] == [1]
    assert await template_count(db) == 2


async def test_a_revision_written_elsewhere_compares_by_its_items(
    device_of: Any, db: Database
) -> None:
    """The company's first checklist was written without the defaults
    (required, quality): sent back unchanged, it makes no revision."""
    admin = await device_of("admin")
    boiler = (await admin.client.get(URL + "boiler")).json()

    again = await admin.client.put(
        URL + "boiler", json={"name": boiler["name"], "items": boiler["items"]}
    )

    assert again.json()["revisions"] == [1]
    assert await template_count(db) == 1


def with_item(index: int, **changes: Any) -> list[dict[str, Any]]:
    items = copy.deepcopy(ITEMS)
    items[index].update(changes)
    return [{k: v for k, v in item.items() if v is not None} for item in items]


@pytest.mark.parametrize(
    ("items", "field"),
    [
        (with_item(1, key="power_off"), "items[1].key"),
        (with_item(1, choices=None), "items[1].choices"),
        (with_item(1, choices=["ok"]), "items[1].choices"),
        (with_item(1, choices=["ok", "ok"]), "items[1].choices"),
        (with_item(0, choices=["yes", "no"]), "items[0].choices"),
        (with_item(2, min=3.0, max=2.0), "items[2].max"),
        (with_item(0, min=1.0), "items[0].min"),
        (
            with_item(3, visible_if={"item": "leak_free", "equals": True}),
            "items[3].visible_if.item",
        ),
        (with_item(3, visible_if={"item": "nowhere", "equals": True}), "items[3].visible_if.item"),
        (
            with_item(3, visible_if={"item": "state", "equals": "gone"}),
            "items[3].visible_if.equals",
        ),
        (with_item(3, visible_if={"item": "state", "equals": True}), "items[3].visible_if.equals"),
        (
            with_item(3, visible_if={"item": "pressure", "equals": True}),
            "items[3].visible_if.equals",
        ),
        (
            with_item(4, visible_if={"item": "power_off", "equals": 1}),
            "items[4].visible_if.equals",
        ),
        (
            # A signature has no answer to compare: the signature first.
            [ITEMS[5], *with_item(4, visible_if={"item": "customer", "equals": "x"})[:5]],
            "items[5].visible_if.item",
        ),
        (with_item(2, quality=True), "items[2].quality"),
        (with_item(0, label=""), "items[0].label"),
        (with_item(0, label={"de": "Aus"}), "items[0].label"),
    ],
)
async def test_items_that_cannot_be_are_refused_and_nothing_written(
    device_of: Any, db: Database, items: list[dict[str, Any]], field: str
) -> None:
    admin = await device_of("admin")

    refused = await admin.client.post(URL, json=template(items=items))

    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "invalid_input"
    assert refused.json()["details"]["field"] == field
    assert await template_count(db) == 1


@pytest.mark.parametrize(
    "body",
    [
        template(code="Has Spaces"),
        template(name=" "),
        template(items=[]),
        template(guards_step="intake"),
        template(extra=True),
        template(items=[{"key": "a", "kind": "colour", "label": "A"}]),
    ],
)
async def test_bodies_that_do_not_fit_are_refused(
    device_of: Any, db: Database, body: dict[str, Any]
) -> None:
    admin = await device_of("admin")

    refused = await admin.client.post(URL, json=body)

    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "invalid_input"
    assert await template_count(db) == 1


async def test_a_code_is_taken_once_and_an_unknown_one_is_not_found(device_of: Any) -> None:
    admin = await device_of("admin")

    again = await admin.client.post(URL, json=template(code="boiler"))
    missing = await admin.client.put(URL + "nothing", json={"name": "N", "items": ITEMS})
    missing_revision = await admin.client.get(URL + "boiler", params={"revision": 9})

    assert again.status_code == 409
    assert again.json()["code"] == "template_exists"
    assert missing.status_code == 404
    assert missing_revision.status_code == 404
    assert missing.json()["code"] == missing_revision.json()["code"] == "not_found"
    assert missing_revision.json()["details"] == {"template": "boiler", "revision": 9}


@pytest.mark.parametrize("someone", ["manager", "supervisor", "tech", "employee", "sales"])
async def test_only_administrators_write_checklists(
    device_of: Any, db: Database, someone: str
) -> None:
    person = await device_of(someone)

    created = await person.client.post(URL, json=template())
    revised = await person.client.put(URL + "boiler", json={"name": "Mine", "items": ITEMS})
    read = await person.client.get(URL + "boiler")

    assert (created.status_code, revised.status_code) == (403, 403)
    assert created.json()["code"] == "forbidden"
    assert read.status_code == 200
    assert await template_count(db) == 1


async def test_checklists_need_a_session(app_client: httpx.AsyncClient) -> None:
    assert (await app_client.get(URL)).status_code == 401
    assert (await app_client.get(URL + "boiler")).status_code == 401
    assert (await app_client.post(URL, json=template())).status_code == 401
    put = await app_client.put(URL + "boiler", json={"name": "N", "items": ITEMS})
    assert put.status_code == 401


async def test_a_run_counts_on_its_revision(device_of: Any, company: Company, db: Database) -> None:
    admin = await device_of("admin")
    created = (await admin.client.post(URL, json=template())).json()
    async with db.writing() as session:
        session.add(
            ChecklistRun(
                id=uuid7(),
                template_id=uuid.UUID(created["id"]),
                service_order_id=company.order_id,
                affair_id=company.affair_id,
            )
        )

    read = await admin.client.get(URL + "heat-pump")

    assert read.json()["runs"] == 1
