"""The demo company: every screen has something to show, right now."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import (
    ChecklistRun,
    Role,
    ServiceOrder,
    TimeEntry,
    TimesheetWeek,
    User,
    WeekStatus,
)
from backend.demo import ACCOUNTS, load_demo
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
