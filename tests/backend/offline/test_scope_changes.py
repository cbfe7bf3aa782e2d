"""When what a person may see changes, their devices follow (PROTOCOL.md,
Pull: scope grows with ``put``, shrinks with ``del``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import AffairMember, ScopeSet, ServiceOrder, User
from sync.ids import uuid7
from tests.backend.conftest import Device
from tests.factories import Company


def holding(changes: list[dict[str, Any]]) -> dict[str, set[str]]:
    """What a device holds after applying ``changes`` in order."""
    held: dict[str, set[str]] = {}
    for change in changes:
        bucket = held.setdefault(change["type"], set())
        if change["op"] == "put":
            bucket.add(change["id"])
        else:
            bucket.discard(change["id"])
    return held


async def reassign_order(db: Database, company: Company, to: str) -> None:
    async with db.writing() as session:
        await session.execute(
            sa.update(ServiceOrder)
            .where(ServiceOrder.id == company.order_id)
            .values(technician_id=company.users[to])
        )


async def worked_on_the_order(tech: Device, company: Company) -> None:
    await tech.send(
        "checklist.answer", {"run_id": str(company.run_id), "item_key": "state", "value": "ok"}
    )
    await tech.send(
        "service_order.note", {"id": str(company.order_id), "note_id": str(uuid7()), "text": "seen"}
    )


async def test_an_assigned_order_arrives_with_everything_it_holds(
    device_of: Any, company: Company, db: Database
) -> None:
    await worked_on_the_order(await device_of("tech"), company)
    other = await device_of("tech2")
    before = await other.pull()
    assert str(company.order_id) not in holding(before).get("service_order", set())

    await reassign_order(db, company, "tech2")
    after = await other.pull()

    held = holding(before + after)
    assert held["service_order"] == {str(company.order_id)}
    assert held["checklist_run"] == {str(company.run_id)}
    assert len(held["checklist_answer"]) == 1
    assert len(held["service_order_note"]) == 1
    assert str(company.customer_id) in held["customer"]
    assert str(company.site_id) in held["site"]
    assert str(company.affair_id) in held["affair"]


async def test_an_order_taken_away_leaves_the_device(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    await worked_on_the_order(tech, company)
    before = await tech.pull()
    assert holding(before)["checklist_answer"]

    await reassign_order(db, company, "outsider")
    after = await tech.pull()

    held = holding(before + after)
    assert held["service_order"] == set()
    assert held["checklist_run"] == set()
    assert held["checklist_answer"] == set()
    assert held["service_order_note"] == set()
    assert held["affair"] == set()
    assert held["customer"] == set()


async def test_a_change_waiting_for_an_order_taken_away_is_kept_as_a_conflict(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    await tech.pull()
    stranger = await device_of("tech2")
    await stranger.pull()
    await reassign_order(db, company, "outsider")

    late = await tech.send(
        "checklist.answer", {"run_id": str(company.run_id), "item_key": "state", "value": "worn"}
    )
    never_had_it = await stranger.send(
        "checklist.answer", {"run_id": str(company.run_id), "item_key": "state", "value": "x"}
    )

    assert (late["status"], late["code"]) == ("conflict", "out_of_scope")
    assert (never_had_it["status"], never_had_it["code"]) == ("rejected", "not_found")


async def test_a_member_added_to_an_affair_receives_it(
    device_of: Any, company: Company, db: Database
) -> None:
    tech2 = await device_of("tech2")
    before = await tech2.pull()
    assert str(company.other_affair_id) not in holding(before).get("affair", set())

    async with db.writing() as session:
        session.add(AffairMember(affair_id=company.other_affair_id, user_id=company.users["tech2"]))
    after = await tech2.pull()

    assert str(company.other_affair_id) in holding(before + after)["affair"]


async def test_a_person_leaving_the_team_leaves_the_supervisors_device(
    device_of: Any, company: Company, db: Database
) -> None:
    employee = await device_of("employee")
    await employee.send(
        "time_entry.put",
        {
            "id": str(uuid7()),
            "affair_id": str(company.affair_id),
            "work_date": "2026-11-23",
            "minutes": 60,
        },
    )
    supervisor = await device_of("supervisor")
    before = await supervisor.pull()
    assert holding(before)["time_entry"]

    async with db.writing() as session:
        await session.execute(
            sa.update(User).where(User.id == company.users["employee"]).values(team_id=None)
        )
    after = await supervisor.pull()

    held = holding(before + after)
    assert held["time_entry"] == set()
    assert str(company.users["employee"]) not in held["user"]


async def test_whoever_sees_everything_never_resets_for_new_records(
    device_of: Any, company: Company, db: Database
) -> None:
    manager = await device_of("manager")
    await manager.pull()

    await reassign_order(db, company, "tech2")
    response = await manager.client.post(
        "/api/sync/pull",
        json={
            "protocol": 1,
            "schema": 1,
            "client_id": str(manager.client_id),
            "cursor": manager.cursor,
        },
    )

    assert response.json()["reset"] is False
    assert [c["type"] for c in response.json()["changes"]] == ["service_order"]


async def test_a_forgotten_scope_set_resets_the_device(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    await tech.pull()
    async with db.writing() as session:
        await session.execute(sa.delete(ScopeSet))
    await reassign_order(db, company, "tech2")

    response = await tech.client.post(
        "/api/sync/pull",
        json={
            "protocol": 1,
            "schema": 1,
            "client_id": str(tech.client_id),
            "cursor": tech.cursor,
        },
    )

    assert response.json()["reset"] is True
