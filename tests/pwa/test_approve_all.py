"""A supervisor approves every week waiting in two taps, and can undo it."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import TimesheetWeek, User, WeekStatus
from backend.timesheets.services import week_id
from tests.pwa.conftest import Server, phone_today, sign_in, wait_synced
from tests.pwa.test_offline_day_on_dolibarr_data import outside_the_browser_loop
from tests.pwa.test_screenshots import shoot, use_language
from tests.pwa.test_time_and_approval import iso_week

pytestmark = pytest.mark.browser


async def _submitted(database_url: str, emails: list[str], week: str) -> None:
    db = open_database(database_url)
    async with db.writing() as session:
        for email in emails:
            person = await session.scalar(sa.select(User.id).where(User.email == email))
            assert person is not None
            row = await session.get(TimesheetWeek, week_id(person, week))
            if row is None:
                row = TimesheetWeek(id=week_id(person, week), user_id=person, week=week)
                session.add(row)
            row.status = WeekStatus.SUBMITTED
            row.submitted_at = dt.datetime.now(dt.UTC)
    await db.dispose()


async def _statuses(database_url: str) -> dict[tuple[str, str], str]:
    db = open_database(database_url)
    async with db.reading() as session:
        rows = await session.execute(
            sa.select(User.email, TimesheetWeek.week, TimesheetWeek.status).join(
                User, User.id == TimesheetWeek.user_id
            )
        )
        found = {(email, week): status.value for email, week, status in rows}
    await db.dispose()
    return found


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_week_waiting_is_approved_in_two_taps(
    phone: Any, server: Server, language: str
) -> None:
    week = iso_week(phone_today() - dt.timedelta(weeks=12 if language == "en" else 13))
    team = ["employee@demo.test", "tech1@demo.test", "tech2@demo.test"]
    outside_the_browser_loop(_submitted(server.database_url, team, week))

    boss = phone().new_page()
    sign_in(boss, "supervisor@demo.test")
    use_language(boss, language)
    boss.locator("#nav a[href='#/approvals']").click()
    boss.locator(f".waiting a.card[href$='{week}']").first.wait_for()
    waiting = boss.locator(".waiting a.card").count()
    assert waiting >= 3

    boss.locator("button[data-action=approve-all]").click()
    question = boss.locator("#approve-all-q")
    expected = (
        f"Approve the {waiting} weeks waiting?"
        if language == "en"
        else f"Valider les {waiting} semaines en attente\u00a0?"
    )
    assert question.inner_text() == expected
    shoot(boss, language, "approve-all")
    boss.locator("button[data-action=confirm-all]").click()

    done = f"{waiting} weeks approved." if language == "en" else f"{waiting} semaines validées."
    boss.locator(".decision", has_text=done).wait_for()
    assert boss.locator(".waiting a.card").count() == 0
    wait_synced(boss)
    statuses = outside_the_browser_loop(_statuses(server.database_url))
    assert {statuses[(email, week)] for email in team} == {"approved"}
    assert "submitted" not in statuses.values()

    # One tap undoes it all: every week back to draft.
    boss.locator(".decision button[data-action=undo]").click()
    reopened = "weeks reopened" if language == "en" else "semaines rouvertes"
    boss.locator(".decision", has_text=reopened).wait_for()
    assert {status_of(server, email, week) for email in team} == {"draft"}


def status_of(server: Server, email: str, week: str, timeout: float = 15) -> str:
    """The week's status once the device's last changes have arrived:
    asked again until it is no longer approved, or ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        status = outside_the_browser_loop(_statuses(server.database_url))[(email, week)]
        if status != "approved" or time.monotonic() > deadline:
            return status
        time.sleep(0.2)
