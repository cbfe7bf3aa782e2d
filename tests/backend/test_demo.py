"""The demo company: every screen has something to show, right now."""

from __future__ import annotations

import datetime as dt

import httpx
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import (
    Absence,
    ChecklistRun,
    PublicHoliday,
    Role,
    ServiceOrder,
    TimeEntry,
    TimesheetWeek,
    User,
    WeekStatus,
    WorkingHours,
)
from backend.demo import ACCOUNTS, WORK_TO_PLAN, load_demo
from backend.lib.passwords import verify_password


async def test_demo_fills_an_empty_database_once(db: Database) -> None:
    today = dt.date(2026, 12, 4)

    first = await load_demo(db, today)
    second = await load_demo(db, today)

    assert (first, second) == (True, False)
    async with db.reading() as session:
        users = {u.email: u for u in await session.scalars(sa.select(User))}
        orders = list(await session.scalars(sa.select(ServiceOrder)))
        runs = await session.scalar(sa.select(sa.func.count()).select_from(ChecklistRun))
        weeks = list(await session.scalars(sa.select(TimesheetWeek)))
        on_orders = await session.scalar(
            sa.select(sa.func.count()).where(TimeEntry.service_order_id.is_not(None))
        )
    for account in ACCOUNTS:
        assert users[account.email].role == account.role
        assert verify_password(users[account.email].password_hash, "demo")
    today_orders = [o for o in orders if o.scheduled_start and o.scheduled_start.date() == today]
    assert len(today_orders) >= 3
    assert runs and runs >= 5
    assert {w.status for w in weeks} == {WeekStatus.APPROVED, WeekStatus.SUBMITTED}
    assert on_orders == 1
    assert users["supervisor@demo.test"].role == Role.SUPERVISOR


async def test_the_demo_has_calendars_skills_and_work_to_plan(
    db: Database, app_client: httpx.AsyncClient
) -> None:
    today = dt.date(2026, 12, 4)
    await load_demo(db, today)
    async with db.reading() as session:
        hours = await session.scalar(sa.select(sa.func.count()).select_from(WorkingHours))
        holidays = set(await session.scalars(sa.select(PublicHoliday.day)))
        absences = await session.scalar(sa.select(sa.func.count()).select_from(Absence))
    signed_in = await app_client.post(
        "/api/auth/login", json={"email": "manager@demo.test", "password": "demo"}
    )
    assert signed_in.status_code == 200, signed_in.text

    listed = (await app_client.get("/api/planning/actions")).json()
    proposal = await app_client.post(
        "/api/planning/proposals",
        json={
            "first_day": today.isoformat(),
            "actions": [{"action_id": action["id"]} for action in listed["actions"]],
        },
    )
    available = await app_client.post(
        "/api/planning/availability",
        json={
            "affair_id": listed["actions"][0]["affair_id"],
            "days": 2,
            "first_day": today.isoformat(),
            "last_day": (today + dt.timedelta(days=14)).isoformat(),
            "skills": ["heating"],
        },
    )

    assert hours == 10
    assert {dt.date(2026, 12, 25), dt.date(2027, 1, 1), dt.date(2027, 3, 29)} <= holidays
    assert absences == 2
    assert len(listed["actions"]) == len(WORK_TO_PLAN)
    assert "electrical" in listed["skills"]
    assert proposal.status_code == 201, proposal.text
    items = proposal.json()["items"]
    assert [item["reason"] for item in items if not item["met"]] == ["planning_no_skilled_person"]
    assert len(available.json()["people"]) >= 2
