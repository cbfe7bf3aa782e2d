"""What a supervisor looks at twice before approving a week: weekend days
worked, hours that overlap, time on an affair closed since (and days over
10 h, in test_time_and_approval)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import (
    Affair,
    AffairMember,
    AffairStatus,
    TimeEntry,
    TimesheetWeek,
    User,
    WeekStatus,
)
from backend.timesheets.services import week_id
from sync.ids import uuid7
from tests.pwa.conftest import Server, phone_today, sign_in
from tests.pwa.test_offline_day_on_dolibarr_data import outside_the_browser_loop
from tests.pwa.test_screenshots import shoot, use_language
from tests.pwa.test_time_and_approval import iso_week

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")


def paris(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), PARIS).astimezone(dt.UTC)


async def _odd_week(database_url: str, email: str, week: str, monday: dt.date, code: str) -> None:
    """Julien's week: a Saturday worked, two entries of a Tuesday whose
    hours overlap, and a Wednesday on an affair closed since; submitted."""
    db = open_database(database_url)
    async with db.writing() as session:
        person = await session.scalar(sa.select(User.id).where(User.email == email))
        affair_id = await session.scalar(
            sa.select(TimeEntry.affair_id).where(TimeEntry.user_id == person).limit(1)
        )
        assert person is not None and affair_id is not None
        tuesday, wednesday, saturday = (monday + dt.timedelta(days=n) for n in (1, 2, 5))

        def entry(day: dt.date, minutes: int, **more: Any) -> TimeEntry:
            return TimeEntry(
                id=uuid7(), user_id=person, affair_id=more.pop("affair_id", affair_id),
                work_date=day, minutes=minutes, time_zone="Europe/Paris", **more,
            )  # fmt: skip

        closed = Affair(
            id=uuid.uuid4(), code=code, title="Ended since", kind="project",
            status=AffairStatus.CLOSED,
        )  # fmt: skip
        session.add(closed)
        await session.flush()
        session.add(AffairMember(affair_id=closed.id, user_id=person))
        session.add_all(
            [
                entry(saturday, 120),
                entry(tuesday, 180, starts_at=paris(tuesday, 9), ends_at=paris(tuesday, 12)),
                entry(tuesday, 120, starts_at=paris(tuesday, 11), ends_at=paris(tuesday, 13)),
                entry(wednesday, 60, affair_id=closed.id),
            ]
        )
        # The demo may have made the week already: submitted now, either way.
        row = await session.get(TimesheetWeek, week_id(person, week))
        if row is None:
            row = TimesheetWeek(id=week_id(person, week), user_id=person, week=week)
            session.add(row)
        row.status = WeekStatus.SUBMITTED
        row.submitted_at = dt.datetime.now(dt.UTC)
    await db.dispose()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_week_to_approve_shows_what_to_look_at_twice(
    phone: Any, server: Server, language: str
) -> None:
    # A week of its own for each language, some weeks back.
    monday = phone_today() - dt.timedelta(days=phone_today().weekday())
    monday -= dt.timedelta(weeks=5 if language == "en" else 6)
    week = iso_week(monday)
    outside_the_browser_loop(
        _odd_week(server.database_url, "employee@demo.test", week, monday, f"AFF-ENDED-{language}")
    )

    boss = phone().new_page()
    sign_in(boss, "supervisor@demo.test")
    use_language(boss, language)
    boss.locator("#nav a[href='#/approvals']").click()
    card = boss.locator(f".waiting a.card[href$='{week}']")
    said = card.inner_text()
    if language == "en":
        assert "1 weekend day worked" in said
        assert "2 entries overlap another's hours" in said
        assert "1 entry on an affair now closed" in said
    else:
        assert "1 jour de week-end travaillé" in said
        assert "2 saisies chevauchent les heures d'autres" in said
        assert "1 saisie sur une affaire close depuis" in said
    # Flagged weeks come first.
    assert boss.locator(".waiting a.card").first.get_attribute("href") == card.get_attribute("href")

    card.click()
    boss.locator("button[data-action=approve]").wait_for()
    assert boss.locator(".entry-flag").count() == 3
    saturday = boss.locator(".day-block").last
    assert ("weekend" if language == "en" else "week-end") in saturday.locator("h3").inner_text()
    shoot(boss, language, "week-to-look-at-twice")
