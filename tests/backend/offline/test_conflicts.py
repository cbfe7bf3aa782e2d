"""Conflict review: listing, and resolving by the people who oversee."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import ConflictRecord, TimeEntry
from backend.lib.time import week_of
from sync.ids import uuid7
from tests.backend.conftest import Device
from tests.factories import Company

MONDAY = dt.date(2026, 11, 23)
WEEK = week_of(MONDAY)


def entry(company: Company, **changes: Any) -> dict[str, Any]:
    return {
        "id": str(uuid7()),
        "affair_id": str(company.affair_id),
        "work_date": MONDAY.isoformat(),
        "minutes": 120,
        **changes,
    }


async def minutes_of(db: Database, entry_id: str) -> int:
    async with db.reading() as session:
        minutes = await session.scalar(
            sa.select(TimeEntry.minutes).where(TimeEntry.id == uuid.UUID(entry_id))
        )
    assert minutes is not None
    return minutes


async def locked_conflict(device_of: Any, company: Company) -> tuple[Device, Device, str, str]:
    """The technician's edit of an approved week: a ``locked`` conflict."""
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    values = entry(company)
    await tech.send("time_entry.put", values)
    await tech.send("timesheet.submit", {"week": WEEK})
    await supervisor.send(
        "timesheet.approve", {"user_id": str(company.users["tech"]), "week": WEEK}
    )
    result = await tech.send("time_entry.put", {**values, "minutes": 45})
    assert result["code"] == "locked"
    return tech, supervisor, values["id"], result["conflict_id"]


async def resolve(device: Device, conflict_id: str, keep: str) -> Any:
    return await device.client.post(f"/api/conflicts/{conflict_id}/resolve", json={"keep": keep})


async def test_each_person_lists_the_conflicts_they_may_see(
    device_of: Any, company: Company
) -> None:
    await locked_conflict(device_of, company)

    def listed(device: Device) -> Any:
        return device.client.get("/api/conflicts")

    seen = {
        key: (await listed(await device_of(key))).json()
        for key in ("tech", "supervisor", "manager", "tech2", "outsider")
    }

    assert [c["kind"] for c in seen["tech"]] == ["locked"]
    assert seen["supervisor"] == seen["manager"] == seen["tech"]
    assert seen["tech2"] == seen["outsider"] == []
    conflict = seen["supervisor"][0]
    assert conflict["author_name"] == "Tech"
    assert conflict["device_value"]["minutes"] == 45
    assert "approved" in conflict["message"]


@pytest.mark.parametrize(
    ("language", "week"),
    [("en", "The week of 23 November 2026 was approved by"), ("fr", "La semaine du 23 novembre")],
)
async def test_a_locked_week_reads_as_its_monday_in_the_person_s_language(
    device_of: Any, company: Company, language: str, week: str
) -> None:
    _, supervisor, _, _ = await locked_conflict(device_of, company)
    supervisor.client.headers["accept-language"] = language

    [conflict] = (await supervisor.client.get("/api/conflicts")).json()

    assert conflict["message"].startswith(week)
    assert WEEK not in conflict["message"]
    assert dt.date.today().isoformat() not in conflict["message"]
    assert conflict["server_value"]["week"] == WEEK


async def test_keeping_the_device_side_needs_the_reason_gone(
    device_of: Any, company: Company, db: Database
) -> None:
    _, supervisor, entry_id, conflict_id = await locked_conflict(device_of, company)

    still_locked = await resolve(supervisor, conflict_id, "device")
    await supervisor.send("timesheet.reopen", {"user_id": str(company.users["tech"]), "week": WEEK})
    resolved = await resolve(supervisor, conflict_id, "device")

    assert still_locked.status_code == 409
    assert still_locked.json()["code"] == "week_locked"
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolution"] == "device"
    assert await minutes_of(db, entry_id) == 45


async def test_keeping_the_server_side_changes_nothing(
    device_of: Any, company: Company, db: Database
) -> None:
    _, supervisor, entry_id, conflict_id = await locked_conflict(device_of, company)

    response = await resolve(supervisor, conflict_id, "server")

    assert response.status_code == 200
    assert await minutes_of(db, entry_id) == 120


async def test_a_resolution_reaches_the_authors_device(device_of: Any, company: Company) -> None:
    tech, supervisor, _, conflict_id = await locked_conflict(device_of, company)
    await tech.pull()

    await resolve(supervisor, conflict_id, "server")
    changes = await tech.pull()

    [conflict] = [c for c in changes if c["type"] == "conflict"]
    assert conflict["data"]["status"] == "resolved"
    assert conflict["data"]["resolution"] == "server"


async def test_concurrent_update_either_side_can_stand(
    device_of: Any, company: Company, db: Database
) -> None:
    phone = await device_of("tech")
    tablet = await device_of("tech")
    supervisor = await device_of("supervisor")
    values = entry(company)
    await phone.send("time_entry.put", values)
    async with db.reading() as session:
        base = await session.scalar(
            sa.select(TimeEntry.version).where(TimeEntry.id == uuid.UUID(values["id"]))
        )
    now = dt.datetime.now(dt.UTC)
    await phone.send("time_entry.put", {**values, "minutes": 60}, base=base, at=now)
    lost = await tablet.send(
        "time_entry.put", {**values, "minutes": 30}, base=base, at=now - dt.timedelta(hours=1)
    )

    taken = await resolve(supervisor, lost["conflict_id"], "device")

    assert taken.status_code == 200
    assert await minutes_of(db, values["id"]) == 30


async def test_server_side_restored_when_the_device_had_won(
    device_of: Any, company: Company, db: Database
) -> None:
    first = await device_of("tech")
    later = await device_of("supervisor")
    supervisor = await device_of("manager")
    answer = {"run_id": str(company.run_id), "item_key": "state"}
    now = dt.datetime.now(dt.UTC)
    await first.send("checklist.answer", {**answer, "value": "ok"}, at=now)
    await later.send(
        "checklist.answer", {**answer, "value": "worn"}, at=now + dt.timedelta(minutes=1)
    )
    async with db.reading() as session:
        conflict_id = await session.scalar(sa.select(ConflictRecord.id))

    response = await resolve(supervisor, str(conflict_id), "server")

    assert response.status_code == 200
    from backend.aftersales.services import answer_id
    from backend.db.models import ChecklistAnswer

    async with db.reading() as session:
        stored = await session.get(ChecklistAnswer, answer_id(company.run_id, "state"))
    assert stored is not None and stored.value == "ok"


@pytest.mark.parametrize(
    ("someone", "status"),
    [
        ("tech", 403),
        ("tech2", 404),
        ("outsider", 404),
        ("employee", 404),
        ("sales", 404),
    ],
)
async def test_who_may_not_resolve(
    device_of: Any, company: Company, someone: str, status: int
) -> None:
    _, _, _, conflict_id = await locked_conflict(device_of, company)
    device = await device_of(someone)

    response = await resolve(device, conflict_id, "server")

    assert response.status_code == status
    assert set(response.json()) == {"code", "message", "details"}


async def test_resolving_twice_or_badly_is_refused(device_of: Any, company: Company) -> None:
    _, supervisor, _, conflict_id = await locked_conflict(device_of, company)
    await resolve(supervisor, conflict_id, "server")

    twice = await resolve(supervisor, conflict_id, "server")
    unknown = await resolve(supervisor, str(uuid7()), "server")
    bad = await supervisor.client.post(
        f"/api/conflicts/{conflict_id}/resolve", json={"keep": "both"}
    )
    supervisor.client.cookies.clear()
    no_session = await supervisor.client.get("/api/conflicts")

    assert (twice.status_code, twice.json()["code"]) == (409, "conflict_resolved")
    assert unknown.status_code == 404
    assert bad.status_code == 400
    assert no_session.status_code == 401


async def test_a_supervisor_resolves_offline_through_the_mutator(
    device_of: Any, company: Company
) -> None:
    tech, supervisor, _, conflict_id = await locked_conflict(device_of, company)

    refused = await tech.send("conflict.resolve", {"conflict_id": conflict_id, "keep": "server"})
    result = await supervisor.send(
        "conflict.resolve", {"conflict_id": conflict_id, "keep": "server"}
    )

    assert (refused["status"], refused["code"]) == ("rejected", "forbidden")
    assert result["status"] == "applied"


async def test_a_resolution_from_a_device_that_cannot_apply_is_refused_with_its_reason(
    device_of: Any, company: Company, db: Database
) -> None:
    _, supervisor, entry_id, conflict_id = await locked_conflict(device_of, company)
    other_supervisor = await device_of("manager")
    args = {"conflict_id": conflict_id, "keep": "device"}

    still_locked = await supervisor.send("conflict.resolve", args)
    await other_supervisor.send("conflict.resolve", {**args, "keep": "server"})
    too_late = await supervisor.send("conflict.resolve", args)
    unknown = await supervisor.send("conflict.resolve", {**args, "conflict_id": str(uuid7())})

    assert (still_locked["status"], still_locked["code"]) == ("rejected", "week_locked")
    assert (too_late["status"], too_late["code"]) == ("rejected", "conflict_resolved")
    assert (unknown["status"], unknown["code"]) == ("rejected", "not_found")
    assert await minutes_of(db, entry_id) == 120


async def test_reopening_then_taking_the_device_side_in_one_push_applies_it(
    device_of: Any, company: Company, db: Database
) -> None:
    _, supervisor, entry_id, conflict_id = await locked_conflict(device_of, company)
    tech_id = str(company.users["tech"])

    response = await supervisor.push(
        supervisor.mutation("timesheet.reopen", {"user_id": tech_id, "week": WEEK}),
        supervisor.mutation("conflict.resolve", {"conflict_id": conflict_id, "keep": "device"}),
    )

    assert [r["status"] for r in response.json()["results"]] == ["applied", "applied"]
    assert await minutes_of(db, entry_id) == 45
    async with db.reading() as session:
        conflict = await session.get(ConflictRecord, uuid.UUID(conflict_id))
    assert conflict is not None
    assert (conflict.status.value, conflict.resolution) == ("resolved", "device")
