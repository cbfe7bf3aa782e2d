"""A technician named approver of the manager, who has nobody above him:
their phone learns it at its next start, holds the manager's time, and
approves his submitted week."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import Affair, TimeEntry, TimesheetWeek, User, WeekStatus
from backend.lib.time import parse_week
from backend.timesheets.services import week_id
from sync.ids import uuid7
from tests.pwa.conftest import Server, phone_today, sign_in, wait_synced
from tests.pwa.test_offline_day_on_dolibarr_data import outside_the_browser_loop
from tests.pwa.test_screenshots import shoot, use_language
from tests.pwa.test_time_and_approval import iso_week

pytestmark = pytest.mark.browser

MANAGER = "manager@demo.test"
APPROVER = "tech1@demo.test"


async def _submitted_week_of_the_manager(database_url: str, week: str) -> None:
    """Marc's ``week``: two days on the boiler replacement, submitted."""
    db = open_database(database_url)
    monday, _ = parse_week(week)
    async with db.writing() as session:
        manager = await session.scalar(sa.select(User.id).where(User.email == MANAGER))
        affair = await session.scalar(sa.select(Affair.id).where(Affair.code == "AFF-2026-001"))
        assert manager is not None and affair is not None
        for day, minutes in ((0, 180), (1, 240)):
            session.add(
                TimeEntry(
                    id=uuid7(),
                    user_id=manager,
                    affair_id=affair,
                    work_date=monday + dt.timedelta(days=day),
                    minutes=minutes,
                )
            )
        session.add(
            TimesheetWeek(
                id=week_id(manager, week),
                user_id=manager,
                week=week,
                status=WeekStatus.SUBMITTED,
                submitted_at=dt.datetime.now(dt.UTC),
                total_minutes=420,
            )
        )
    await db.dispose()


async def _name_approver(database_url: str) -> str:
    """Thomas approves Marc's time; Marc's id."""
    db = open_database(database_url)
    async with db.writing() as session:
        approver = await session.scalar(sa.select(User.id).where(User.email == APPROVER))
        manager = await session.scalar(sa.select(User).where(User.email == MANAGER))
        assert approver is not None and manager is not None
        manager.time_approver_id = approver
        manager_id = str(manager.id)
    await db.dispose()
    return manager_id


async def _week_status(database_url: str, manager: str, week: str) -> str:
    db = open_database(database_url)
    async with db.reading() as session:
        status = await session.scalar(
            sa.select(TimesheetWeek.status).where(
                TimesheetWeek.id == week_id(uuid.UUID(manager), week)
            )
        )
    await db.dispose()
    return status.value if status else ""


def test_a_technician_named_approver_approves_the_managers_week(phone: Any, server: Server) -> None:
    week = iso_week(phone_today() - dt.timedelta(weeks=3))
    outside_the_browser_loop(_submitted_week_of_the_manager(server.database_url, week))
    page = phone().new_page()
    sign_in(page, APPROVER)
    approvals = page.locator("#nav a[href='#/approvals']")
    assert approvals.count() == 0

    # Named while the app runs: it shows at the app's next start.
    manager = outside_the_browser_loop(_name_approver(server.database_url))
    page.reload()
    approvals.wait_for()
    wait_synced(page)
    approvals.click()
    card = page.locator(f".waiting a.card[href$='{week}']", has_text="Marc Lefèvre")
    card.wait_for()
    assert "7 h" in card.inner_text()
    for language in ("fr", "en"):
        use_language(page, language)
        shoot(page, language, "named-approver")

    card.click()
    page.locator("button[data-action=approve]").click()
    page.locator(".decision button[data-action=undo]").wait_for()
    wait_synced(page)

    assert outside_the_browser_loop(_week_status(server.database_url, manager, week)) == "approved"
    # Nothing of the office came with it: the team's devices are not theirs.
    page.goto("/#/me")
    page.locator("#me-name").wait_for()
    assert page.locator("a[href='#/devices']").count() == 0
