"""My time reminds of the weeks that want something: time entered and
never submitted, a week sent back with its reason; offline too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import TimeEntry, TimesheetWeek, User, WeekStatus
from backend.timesheets.services import week_id
from tests.pwa.conftest import Server, phone_today, sign_in, wait_synced
from tests.pwa.test_offline_day_on_dolibarr_data import outside_the_browser_loop
from tests.pwa.test_screenshots import shoot, use_language
from tests.pwa.test_time_and_approval import iso_week

pytestmark = pytest.mark.browser

REASON = "Friday is missing"


async def _weeks_of(database_url: str, email: str, sent_back: str, open_weeks: list[str]) -> None:
    """``sent_back`` rejected by the manager; ``open_weeks`` in draft."""
    db = open_database(database_url)
    async with db.writing() as session:
        person = await session.scalar(sa.select(User.id).where(User.email == email))
        manager = await session.scalar(sa.select(User.id).where(User.email == "manager@demo.test"))
        assert person is not None

        async def week_row(week: str) -> TimesheetWeek:
            row = await session.get(TimesheetWeek, week_id(person, week))
            if row is None:
                row = TimesheetWeek(id=week_id(person, week), user_id=person, week=week)
                session.add(row)
            return row

        rejected = await week_row(sent_back)
        rejected.status, rejected.reason = WeekStatus.REJECTED, REASON
        rejected.decided_by_id, rejected.decided_at = manager, dt.datetime.now(dt.UTC)
        for week in open_weeks:
            (await week_row(week)).status = WeekStatus.DRAFT
    await db.dispose()


async def _time_in(database_url: str, email: str, week: str) -> int:
    db = open_database(database_url)
    async with db.reading() as session:
        person = await session.scalar(sa.select(User.id).where(User.email == email))
        monday = dt.date.fromisoformat(week_monday(week))
        minutes = await session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(TimeEntry.minutes), 0)).where(
                TimeEntry.user_id == person,
                TimeEntry.work_date.between(monday, monday + dt.timedelta(days=6)),
                TimeEntry.deleted_at.is_(None),
            )
        )
    await db.dispose()
    return int(minutes or 0)


def week_monday(week: str) -> str:
    return dt.date.fromisocalendar(int(week[:4]), int(week[6:]), 1).isoformat()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_my_time_reminds_of_weeks_to_submit_and_sent_back(
    phone: Any, server: Server, language: str
) -> None:
    today = phone_today()
    weeks = [iso_week(today - dt.timedelta(weeks=n)) for n in range(1, 9)]
    sent_back, open_weeks = weeks[2], [w for w in weeks if w != weeks[2]]
    outside_the_browser_loop(
        _weeks_of(server.database_url, "employee@demo.test", sent_back, open_weeks)
    )
    with_time = [
        w
        for w in open_weeks
        if outside_the_browser_loop(_time_in(server.database_url, "employee@demo.test", w))
    ]

    context = phone()
    tablet = context.new_page()
    sign_in(tablet, "employee@demo.test")
    use_language(tablet, language)
    tablet.locator("#nav a[href='#/time']").click()
    cards = tablet.locator(".reminders a")
    cards.first.wait_for()

    said = [cards.nth(n).inner_text() for n in range(cards.count())]
    assert len(said) == len(with_time) + 1
    back = next(text for text in said if REASON in text)
    n = int(sent_back[6:])
    if language == "en":
        assert f"Week {n} sent back by Marc Lefèvre" in back
    else:
        assert f"Semaine {n} renvoyée par Marc Lefèvre" in back
    shoot(tablet, language, "time-reminders")

    # Offline, the same: they come from what the tablet holds.
    wait_synced(tablet)
    context.set_offline(True)
    tablet.reload()
    tablet.locator(".reminders a").first.wait_for()
    assert tablet.locator(".reminders a").count() == len(said)
    tablet.locator(".reminders a", has_text=REASON).click()
    tablet.locator(".week-title", has_text=str(n)).wait_for()
    assert tablet.url.endswith(f"#/time/{sent_back}")
