"""A person's named approver (``users.time_approver_id``) who oversees them
in no other way: their phone holds the person's time, they find it in
their queue and reminders, and decide on it."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import Affair, TimeEntry, User, WeekStatus
from backend.lib.time import week_of
from backend.timesheets.approval import LineState, line_state
from backend.timesheets.services import week_id
from tests.backend.offline.test_scope_changes import holding
from tests.backend.timesheets import test_line_approval
from tests.backend.timesheets.test_line_approval import stored, submitted_lines, week_row
from tests.backend.timesheets.test_reminders import paris_monday, reminders, worked
from tests.backend.timesheets.test_time_mutators import WEEK, entry
from tests.factories import Company

affair_route = test_line_approval.affair_route


async def name_approver(db: Database, company: Company, person: str, approver: str | None) -> None:
    approver_id = company.users[approver] if approver else None
    async with db.writing() as session:
        await session.execute(
            sa.update(User)
            .where(User.id == company.users[person])
            .values(time_approver_id=approver_id)
        )


async def time_of(db: Database, company: Company, person: str) -> set[str]:
    async with db.reading() as session:
        ids = await session.scalars(
            sa.select(TimeEntry.id).where(TimeEntry.user_id == company.users[person])
        )
        return {str(entry_id) for entry_id in ids}


def weeks_of(held: dict[str, set[str]], company: Company, person: str) -> set[str]:
    """The person's week of ``WEEK``, if the device holds it."""
    return held.get("timesheet_week", set()) & {str(week_id(company.users[person], WEEK))}


async def test_a_technician_named_approver_pulls_and_approves_the_managers_time(
    device_of: Any, company: Company, db: Database
) -> None:
    await name_approver(db, company, "manager", "tech2")
    manager = await device_of("manager")
    first, second = await submitted_lines(manager, company, 60, 90)
    approver, stranger = await device_of("tech2"), await device_of("tech")

    held = holding(await approver.pull())
    waiting = (await approver.client.get("/api/timesheets/queue")).json()
    not_theirs = await stranger.send("time_entry.approve", {"id": first})
    by_line = await approver.send("time_entry.approve", {"id": first})
    by_week = await approver.send(
        "timesheet.approve", {"user_id": str(company.users["manager"]), "week": WEEK}
    )

    assert str(company.users["manager"]) in held["user"]
    assert held["time_entry"] == {first, second}
    assert weeks_of(held, company, "manager")
    (group,) = waiting["groups"]
    assert {line["id"] for line in group["lines"]} == {first, second}
    assert (not_theirs["status"], not_theirs["code"]) == ("rejected", "forbidden")
    assert by_line["status"] == by_week["status"] == "applied"
    assert line_state(await stored(db, second)) is LineState.APPROVED
    assert (await week_row(db, company, "manager")).status == WeekStatus.APPROVED
    # Somebody else still holds nothing of it, and decides on nothing.
    elsewhere = holding(await stranger.pull())
    assert str(company.users["manager"]) not in elsewhere["user"]
    assert not elsewhere.get("time_entry", set()) & {first, second}
    assert not weeks_of(elsewhere, company, "manager")
    assert (await stranger.client.get("/api/timesheets/queue")).status_code == 403


async def test_naming_an_approver_later_brings_the_time_and_unnaming_takes_it_away(
    device_of: Any, company: Company, db: Database
) -> None:
    manager = await device_of("manager")
    lines = set(await submitted_lines(manager, company, 60, 90))
    approver = await device_of("employee")
    before = await approver.pull()
    assert not holding(before).get("time_entry", set()) & lines

    await name_approver(db, company, "manager", "employee")
    named = await approver.pull()

    held = holding(before + named)
    assert held["time_entry"] >= lines
    assert weeks_of(held, company, "manager")

    await name_approver(db, company, "manager", None)
    unnamed = await approver.pull()

    held = holding(before + named + unnamed)
    assert not held["time_entry"] & lines
    assert not weeks_of(held, company, "manager")
    assert str(company.users["manager"]) not in held["user"]


async def test_an_approver_who_already_sees_the_person_receives_their_time_when_named(
    device_of: Any, company: Company, db: Database
) -> None:
    # A team mate: the person's row is on the phone already, not their time.
    tech = await device_of("tech")
    lines = set(await submitted_lines(tech, company, 60))
    approver = await device_of("tech2")
    before = await approver.pull()
    assert str(company.users["tech"]) in holding(before)["user"]
    assert not holding(before).get("time_entry", set()) & lines

    await name_approver(db, company, "tech", "tech2")
    named = await approver.pull()
    await name_approver(db, company, "tech", None)
    unnamed = await approver.pull()

    assert holding(before + named)["time_entry"] >= lines
    assert not holding(before + named + unnamed)["time_entry"] & lines
    assert lines == await time_of(db, company, "tech")


async def test_a_named_approver_is_told_so_and_reminded_of_the_persons_weeks(
    device_of: Any, company: Company, db: Database
) -> None:
    await name_approver(db, company, "manager", "tech2")
    await worked(await device_of("manager"), company, paris_monday(1))
    approver, stranger = await device_of("tech2"), await device_of("tech")

    said = await reminders(approver, "team")
    me = (await approver.client.get("/api/auth/me")).json()
    not_me = (await stranger.client.get("/api/auth/me")).json()
    refused = await stranger.client.get("/api/timesheets/reminders/team")

    assert [(r["kind"], r["user_id"], r["week"]) for r in said] == [
        ("week_not_submitted", str(company.users["manager"]), week_of(paris_monday(1)))
    ]
    assert (me["supervises"], not_me["supervises"]) == (True, False)
    assert refused.status_code == 403


async def test_an_approver_who_is_nobody_s_any_more_is_refused_the_reminders(
    device_of: Any, company: Company, db: Database
) -> None:
    await name_approver(db, company, "manager", "tech2")
    await name_approver(db, company, "manager", None)
    approver = await device_of("tech2")

    response = await approver.client.get("/api/timesheets/reminders/team")
    me = (await approver.client.get("/api/auth/me")).json()

    assert response.status_code == 403
    assert me["supervises"] is False


async def test_by_affair_a_manager_who_looks_after_nobody_has_a_queue_but_no_reminders(
    affair_route: tuple[Any, uuid.UUID], company: Company, db: Database
) -> None:
    device_of, affair = affair_route
    async with db.writing() as session:
        await session.execute(
            sa.update(Affair).where(Affair.id == affair).values(manager_id=company.users["tech2"])
        )
    tech = await device_of("tech")
    line = entry(company, minutes=60, affair_id=str(affair))
    assert (await tech.send("time_entry.put", line))["status"] == "applied"
    await tech.send("timesheet.submit", {"week": WEEK})
    affair_manager = await device_of("tech2")

    waiting = (await affair_manager.client.get("/api/timesheets/queue")).json()
    reminded = await affair_manager.client.get("/api/timesheets/reminders/team")

    assert [item["id"] for group in waiting["groups"] for item in group["lines"]] == [line["id"]]
    assert reminded.status_code == 403
