"""Approval line by line: who decides, what an approval keeps, and when it
stops standing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.app import create_app
from backend.db.engine import Database
from backend.db.models import (
    Affair,
    AffairKind,
    AffairMember,
    ApprovedCost,
    LineDecision,
    Role,
    TimeEntry,
    TimesheetWeek,
    User,
    WeekStatus,
)
from backend.people.auth import SESSION_COOKIE
from backend.settings import Settings
from backend.timesheets.approval import LineState, line_state
from backend.timesheets.costing import labour_of_affair
from backend.timesheets.services import week_id
from sync.ids import uuid7
from tests.backend.conftest import Device, api_client, session_token
from tests.backend.timesheets.test_time_mutators import MONDAY, WEEK, entry
from tests.factories import PASSWORD_HASH, Company


async def stored(db: Database, entry_id: str) -> TimeEntry:
    async with db.reading() as session:
        found = await session.get(TimeEntry, uuid.UUID(entry_id))
        assert found is not None
        return found


async def week_row(db: Database, company: Company, person: str = "tech") -> TimesheetWeek:
    async with db.reading() as session:
        found = await session.get(TimesheetWeek, week_id(company.users[person], WEEK))
        assert found is not None
        return found


async def cost_of(db: Database, entry_id: str) -> ApprovedCost | None:
    async with db.reading() as session:
        return await session.get(ApprovedCost, uuid.UUID(entry_id))


async def submitted_lines(device: Device, company: Company, *minutes: int) -> list[str]:
    """Lines of ``minutes`` on successive days of the week, submitted."""
    ids = []
    for day, amount in enumerate(minutes):
        work_date = MONDAY + dt.timedelta(days=day)
        values = entry(company, minutes=amount, work_date=work_date.isoformat())
        assert (await device.send("time_entry.put", values))["status"] == "applied"
        ids.append(values["id"])
    assert (await device.send("timesheet.submit", {"week": WEEK}))["status"] == "applied"
    return ids


async def test_approving_a_line_keeps_its_values_and_its_cost(
    device_of: Any, company: Company, db: Database
) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    [line] = await submitted_lines(tech, company, 100)

    result = await supervisor.send("time_entry.approve", {"id": line})

    assert result["status"] == "applied"
    approved = await stored(db, line)
    assert approved.decision == LineDecision.APPROVED
    assert approved.decided_by_id == company.users["supervisor"]
    assert approved.approved_values is not None
    assert approved.approved_values["minutes"] == 100
    assert approved.approved_values["work_date"] == MONDAY.isoformat()
    assert line_state(approved) is LineState.APPROVED
    cost = await cost_of(db, line)
    assert cost is not None
    # 100 minutes at 40.00 EUR an hour: 66.666... rounded half up.
    assert (cost.cents, cost.cents_per_hour) == (6667, 4000)
    # Its only line approved: the week is approved with it.
    assert (await week_row(db, company)).status == WeekStatus.APPROVED


async def test_approving_the_week_approves_each_line(
    device_of: Any, company: Company, db: Database
) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    lines = await submitted_lines(tech, company, 60, 90)

    result = await supervisor.send(
        "timesheet.approve", {"user_id": str(company.users["tech"]), "week": WEEK}
    )

    assert result["status"] == "applied"
    for line in lines:
        assert line_state(await stored(db, line)) is LineState.APPROVED
        assert await cost_of(db, line) is not None
    assert (await week_row(db, company)).status == WeekStatus.APPROVED


async def test_one_line_approved_leaves_the_week_waiting(
    device_of: Any, company: Company, db: Database
) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    first, second = await submitted_lines(tech, company, 60, 90)

    await supervisor.send("time_entry.approve", {"id": first})

    assert (await week_row(db, company)).status == WeekStatus.SUBMITTED
    assert line_state(await stored(db, second)) is LineState.PENDING
    await supervisor.send("time_entry.approve", {"id": second})
    assert (await week_row(db, company)).status == WeekStatus.APPROVED


async def test_rejecting_a_line_rejects_the_week_naming_the_line(
    device_of: Any, company: Company, db: Database
) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    first, _ = await submitted_lines(tech, company, 60, 90)

    result = await supervisor.send("time_entry.reject", {"id": first, "reason": "not on site"})

    assert result["status"] == "applied"
    rejected = await stored(db, first)
    assert (rejected.decision, rejected.decision_reason) == (LineDecision.REJECTED, "not on site")
    assert rejected.decided_by_id == company.users["supervisor"]
    week = await week_row(db, company)
    assert week.status == WeekStatus.REJECTED
    assert week.reason == f"AFF-1 {MONDAY.isoformat()} — not on site"
    # Corrected and sent again, the week waits for a decision again.
    fixed = {**entry(company, minutes=30), "id": first}
    assert (await tech.send("time_entry.put", fixed))["status"] == "applied"
    assert (await tech.send("timesheet.submit", {"week": WEEK}))["status"] == "applied"
    assert (await week_row(db, company)).status == WeekStatus.SUBMITTED


@pytest.mark.parametrize("reason", ["", "x" * 501])
async def test_a_line_is_rejected_with_a_short_reason(
    device_of: Any, company: Company, db: Database, reason: str
) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    [line] = await submitted_lines(tech, company, 60)

    result = await supervisor.send("time_entry.reject", {"id": line, "reason": reason})

    assert (result["status"], result["code"]) == ("rejected", "invalid_input")
    assert (await stored(db, line)).decision is None
    assert (await week_row(db, company)).status == WeekStatus.SUBMITTED


@pytest.mark.parametrize(
    "args", [{}, {"id": "nope"}, {"id": str(uuid7()), "extra": 1}, {"id": str(uuid7())}]
)
async def test_bad_or_unknown_lines_are_refused(device_of: Any, args: dict[str, Any]) -> None:
    supervisor = await device_of("supervisor")

    result = await supervisor.send("time_entry.approve", args)

    assert result["status"] == "rejected"
    assert result["code"] in ("invalid_input", "not_found")


async def test_nobody_decides_on_their_own_line(device_of: Any, company: Company) -> None:
    supervisor = await device_of("supervisor")
    [line] = await submitted_lines(supervisor, company, 60)

    results = [
        await supervisor.send("time_entry.approve", {"id": line}),
        await supervisor.send("time_entry.reject", {"id": line, "reason": "no"}),
    ]

    assert [r["code"] for r in results] == ["own_week", "own_week"]


@pytest.mark.parametrize("decider", ["tech2", "employee", "sales", "outsider"])
async def test_only_who_decides_approves_or_rejects_a_line(
    device_of: Any, company: Company, db: Database, decider: str
) -> None:
    tech, someone = await device_of("tech"), await device_of(decider)
    [line] = await submitted_lines(tech, company, 60)

    results = [
        await someone.send("time_entry.approve", {"id": line}),
        await someone.send("time_entry.reject", {"id": line, "reason": "no"}),
    ]

    assert [r["code"] for r in results] == ["forbidden", "forbidden"]
    assert (await stored(db, line)).decision is None


async def test_a_line_of_a_week_not_submitted_waits(device_of: Any, company: Company) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    values = entry(company)
    await tech.send("time_entry.put", values)

    result = await supervisor.send("time_entry.approve", {"id": values["id"]})

    assert (result["status"], result["code"]) == ("rejected", "week_not_submitted")


async def test_a_change_after_approval_waits_for_another_look(
    device_of: Any, company: Company, db: Database
) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    person = {"user_id": str(company.users["tech"]), "week": WEEK}
    first, second = await submitted_lines(tech, company, 180, 60)
    await supervisor.send("timesheet.approve", person)
    await supervisor.send("timesheet.reopen", person)

    changed = {**entry(company, minutes=240), "id": first}
    assert (await tech.send("time_entry.put", changed))["status"] == "applied"
    await tech.send("timesheet.submit", {"week": WEEK})

    line = await stored(db, first)
    assert line_state(line) is LineState.CHANGED
    assert line.approved_values is not None
    # "approved 3 h, now 4 h": both are there to say.
    assert (line.approved_values["minutes"], line.minutes) == (180, 240)
    assert line_state(await stored(db, second)) is LineState.APPROVED
    refused = await supervisor.send("timesheet.approve", person)
    assert (refused["status"], refused["code"]) == ("rejected", "changed_since_approved")
    assert (await week_row(db, company)).status == WeekStatus.SUBMITTED

    looked = await supervisor.send("time_entry.approve", {"id": first})

    assert looked["status"] == "applied"
    assert (await week_row(db, company)).status == WeekStatus.APPROVED
    cost = await cost_of(db, first)
    assert cost is not None and cost.cents == 16000


async def test_a_week_approved_before_lines_were_keeps_its_version_when_reopened(
    device_of: Any, company: Company, db: Database
) -> None:
    """Weeks approved before lines had decisions (or imported approved):
    the reopen records the week's approval on its lines, so a change made
    then is seen as one."""
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    person = {"user_id": str(company.users["tech"]), "week": WEEK}
    [line] = await submitted_lines(tech, company, 180)
    async with db.writing() as session:
        week = await session.get(TimesheetWeek, week_id(company.users["tech"], WEEK))
        assert week is not None
        week.status = WeekStatus.APPROVED
        week.decided_by_id = company.users["manager"]
        week.decided_at = dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)

    await supervisor.send("timesheet.reopen", person)
    kept = await stored(db, line)
    changed = {**entry(company, minutes=240), "id": line}
    assert (await tech.send("time_entry.put", changed))["status"] == "applied"
    await tech.send("timesheet.submit", {"week": WEEK})
    refused = await supervisor.send("timesheet.approve", person)

    assert (kept.decision, kept.decided_by_id) == (LineDecision.APPROVED, company.users["manager"])
    assert kept.approved_values is not None and kept.approved_values["minutes"] == 180
    assert line_state(await stored(db, line)) is LineState.CHANGED
    assert (refused["status"], refused["code"]) == ("rejected", "changed_since_approved")


@pytest.mark.parametrize("what", ["time_entry.reject", "timesheet.reject"])
async def test_a_rejection_of_spaces_alone_is_refused(
    device_of: Any, company: Company, db: Database, what: str
) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    [line] = await submitted_lines(tech, company, 60)
    args = (
        {"id": line, "reason": "   "}
        if what == "time_entry.reject"
        else {"user_id": str(company.users["tech"]), "week": WEEK, "reason": " \n "}
    )

    refused = await supervisor.send(what, args)

    assert (refused["status"], refused["code"]) == ("rejected", "invalid_input")
    assert (await week_row(db, company)).status == WeekStatus.SUBMITTED


async def test_a_direct_sql_edit_unsettles_the_approval(
    device_of: Any, company: Company, db: Database
) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    person = {"user_id": str(company.users["tech"]), "week": WEEK}
    [line] = await submitted_lines(tech, company, 60)
    await supervisor.send("timesheet.approve", person)
    await supervisor.send("timesheet.reopen", person)

    async with db.writing() as session:
        await session.execute(
            sa.update(TimeEntry).where(TimeEntry.id == uuid.UUID(line)).values(minutes=75)
        )

    assert line_state(await stored(db, line)) is LineState.CHANGED
    async with db.reading() as session:
        labour = await labour_of_affair(session, company.affair_id)  # type: ignore[arg-type]
    assert (labour.approved_minutes, labour.pending_minutes) == (0, 75)


async def test_the_database_still_refuses_an_edit_of_an_approved_week(
    device_of: Any, company: Company, db: Database
) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    [line] = await submitted_lines(tech, company, 60)
    await supervisor.send("time_entry.approve", {"id": line})

    with pytest.raises(sa.exc.DBAPIError, match="week_locked"):
        async with db.writing() as session:
            await session.execute(
                sa.update(TimeEntry).where(TimeEntry.id == uuid.UUID(line)).values(minutes=75)
            )


# -- Who decides: the person's approver, the route ---------------------------------


async def test_a_manager_with_nobody_above_is_approved_by_an_admin(
    device_of: Any, company: Company, db: Database
) -> None:
    manager, supervisor, admin = (
        await device_of("manager"),
        await device_of("supervisor"),
        await device_of("admin"),
    )
    [line] = await submitted_lines(manager, company, 60)

    refused = await supervisor.send("time_entry.approve", {"id": line})
    approved = await admin.send("time_entry.approve", {"id": line})

    assert refused["code"] == "forbidden"
    assert approved["status"] == "applied"
    assert (await week_row(db, company, "manager")).status == WeekStatus.APPROVED


async def test_a_person_s_named_approver_decides_on_their_time(
    device_of: Any, company: Company, db: Database
) -> None:
    async with db.writing() as session:
        await session.execute(
            sa.update(User)
            .where(User.id == company.users["manager"])
            .values(time_approver_id=company.users["supervisor"])
        )
    manager, supervisor = await device_of("manager"), await device_of("supervisor")
    await submitted_lines(manager, company, 60)

    result = await supervisor.send(
        "timesheet.approve", {"user_id": str(company.users["manager"]), "week": WEEK}
    )

    assert result["status"] == "applied"
    assert (await week_row(db, company, "manager")).status == WeekStatus.APPROVED


@pytest.fixture
async def affair_route(
    db: Database, database_url: str, company: Company
) -> AsyncIterator[tuple[Any, uuid.UUID]]:
    """Devices of a company whose lines go to each affair's manager; and a
    second affair, managed by ``manager2``, that ``tech`` works on too."""
    async with db.writing() as session:
        manager2 = User(
            id=uuid7(),
            email="manager2@test.example",
            name="Manager 2",
            role=Role.MANAGER,
            password_hash=PASSWORD_HASH,
        )
        session.add(manager2)
        await session.flush()
        second = Affair(
            id=uuid7(),
            code="AFF-3",
            title="Chiller",
            kind=AffairKind.SERVICE,
            customer_id=company.customer_id,
            manager_id=manager2.id,
        )
        session.add(second)
        await session.flush()
        session.add(AffairMember(affair_id=second.id, user_id=company.users["tech"]))
    company.users["manager2"] = manager2.id
    settings = Settings(database_url=database_url, log_level="warning", time_approval="affair")
    app = create_app(settings, database=db)
    opened: list[httpx.AsyncClient] = []

    async def make(key: str) -> Device:
        client = api_client(app)
        opened.append(client)
        client.cookies.set(SESSION_COOKIE, await session_token(db, company.users[key]))
        return Device(client=client)

    yield make, second.id
    for client in opened:
        await client.aclose()


async def test_by_affair_each_manager_approves_their_lines_and_the_last_completes_the_week(
    affair_route: tuple[Any, uuid.UUID], company: Company, db: Database
) -> None:
    device_of, second_affair = affair_route
    tech = await device_of("tech")
    mine = entry(company, minutes=60)
    theirs = entry(company, minutes=90, affair_id=str(second_affair))
    for values in (mine, theirs):
        assert (await tech.send("time_entry.put", values))["status"] == "applied"
    await tech.send("timesheet.submit", {"week": WEEK})
    person = {"user_id": str(company.users["tech"]), "week": WEEK}
    supervisor, manager = await device_of("supervisor"), await device_of("manager")
    manager2 = await device_of("manager2")

    by_supervisor = await supervisor.send("timesheet.approve", person)
    not_his = await manager.send("time_entry.approve", {"id": theirs["id"]})
    by_manager = await manager.send("timesheet.approve", person)

    assert by_supervisor["code"] == "forbidden"
    assert not_his["code"] == "forbidden"
    assert by_manager["status"] == "applied"
    assert line_state(await stored(db, mine["id"])) is LineState.APPROVED
    assert line_state(await stored(db, theirs["id"])) is LineState.PENDING
    assert (await week_row(db, company)).status == WeekStatus.SUBMITTED

    last = await manager2.send("time_entry.approve", {"id": theirs["id"]})

    assert last["status"] == "applied"
    week = await week_row(db, company)
    assert (week.status, week.decided_by_id) == (WeekStatus.APPROVED, company.users["manager2"])


async def test_by_affair_an_affair_without_manager_goes_to_the_team(
    affair_route: tuple[Any, uuid.UUID], company: Company, db: Database
) -> None:
    device_of, _ = affair_route
    async with db.writing() as session:
        await session.execute(
            sa.update(Affair).where(Affair.id == company.affair_id).values(manager_id=None)
        )
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    [line] = await submitted_lines(tech, company, 60)

    result = await supervisor.send("time_entry.approve", {"id": line})

    assert result["status"] == "applied"


def test_the_route_is_a_setting_checked_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFFAIRES_TIME_APPROVAL", "affair")
    assert Settings.from_env().time_approval == "affair"
    monkeypatch.delenv("AFFAIRES_TIME_APPROVAL")
    assert Settings.from_env().time_approval == "team"

    with pytest.raises(ValueError, match="AFFAIRES_TIME_APPROVAL"):
        Settings(time_approval="anyone")
