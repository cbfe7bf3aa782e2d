"""The week grid shows which cell holds a line sent back, who sent it back
and why, and lets the week be submitted again; a value refused in a cell
stays marked, with its own message, until it is corrected or put back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import (
    Affair,
    LineDecision,
    TimeEntry,
    TimesheetWeek,
    User,
    WeekStatus,
)
from backend.lib.time import parse_week
from backend.timesheets.services import week_id
from sync.ids import uuid7
from tests.pwa.conftest import Server, outbox_seq, sign_in, wait_synced, wait_until
from tests.pwa.test_offline_day_on_dolibarr_data import outside_the_browser_loop
from tests.pwa.test_screenshots import shoot, use_language
from tests.pwa.test_week_grid import TABLET, add_row, cell, open_grid, type_in, week_of

pytestmark = pytest.mark.browser

REASON = {"en": "Not on site that day", "fr": "Pas sur le chantier ce jour-là"}
WEEKS_BACK = {"en": 30, "fr": 31, "submit": 32}


async def _week_sent_back(database_url: str, week: str, reason: str) -> None:
    """Thomas's ``week``, rejected by Marie: Tuesday's 3 h on AFF-2026-001
    for ``reason``; Wednesday's 2 h approved."""
    db = open_database(database_url)
    monday, _ = parse_week(week)
    now = dt.datetime.now(dt.UTC)
    async with db.writing() as session:
        tech = await session.scalar(sa.select(User.id).where(User.email == "tech1@demo.test"))
        boss = await session.scalar(sa.select(User.id).where(User.email == "supervisor@demo.test"))
        affair = await session.scalar(sa.select(Affair.id).where(Affair.code == "AFF-2026-001"))
        assert tech is not None and boss is not None and affair is not None
        rejected = TimeEntry(
            id=uuid7(),
            user_id=tech,
            affair_id=affair,
            work_date=monday + dt.timedelta(days=1),
            minutes=180,
        )
        approved = TimeEntry(
            id=uuid7(),
            user_id=tech,
            affair_id=affair,
            work_date=monday + dt.timedelta(days=2),
            minutes=120,
        )
        session.add_all([rejected, approved])
        await session.flush()
        rejected.decision = LineDecision.REJECTED
        rejected.decision_reason = reason
        rejected.decided_by_id = boss
        rejected.decided_at = now
        approved.decision = LineDecision.APPROVED
        approved.decided_by_id = boss
        approved.decided_at = now
        session.add(
            TimesheetWeek(
                id=week_id(tech, week),
                user_id=tech,
                week=week,
                status=WeekStatus.REJECTED,
                submitted_at=now - dt.timedelta(days=1),
                decided_by_id=boss,
                decided_at=now,
                total_minutes=300,
            )
        )
    await db.dispose()


async def _week_status(database_url: str, week: str) -> str | None:
    db = open_database(database_url)
    async with db.reading() as session:
        tech = await session.scalar(sa.select(User.id).where(User.email == "tech1@demo.test"))
        assert tech is not None
        status = await session.scalar(
            sa.select(TimesheetWeek.status).where(TimesheetWeek.id == week_id(tech, week))
        )
    await db.dispose()
    return status.value if status else None


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_cell_of_a_rejected_line_is_marked_and_says_who_and_why(
    phone: Any, server: Server, language: str
) -> None:
    week = week_of(WEEKS_BACK[language])
    outside_the_browser_loop(_week_sent_back(server.database_url, week, REASON[language]))
    page = phone(locale="en-GB" if language == "en" else "fr-FR").new_page()
    sign_in(page, "tech1@demo.test")
    use_language(page, language)
    open_grid(page, week)
    page.locator(".grid-rejections").wait_for()

    notice = page.locator("p.notice.warn").first.inner_text()
    tuesday = cell(page, "AFF-2026-001", 1)
    wednesday = cell(page, "AFF-2026-001", 2)
    marks = page.locator(".week-grid .grid-rejected")
    mark_words = marks.first.inner_text()
    listed = page.locator(".grid-rejection")
    listed_text = listed.inner_text()

    assert (
        "its cell is marked with a cross" in notice
        if language == "en"
        else "sa case est marquée d'une croix" in notice
    ), notice
    assert "under it" not in notice and "dessous" not in notice
    assert marks.count() == 1
    assert mark_words == ("line rejected" if language == "en" else "ligne refusée")
    assert mark_words in str(tuesday.get_attribute("aria-label"))
    assert mark_words not in str(wednesday.get_attribute("aria-label"))
    assert listed.count() == 1
    assert listed_text.startswith("Tuesday" if language == "en" else "Mardi"), listed_text
    assert "AFF-2026-001" in listed_text and "3:00" in listed_text
    assert "Marie Dubois" in listed_text and REASON[language] in listed_text

    # The list leads to the cell; the panel under the grid says who and why.
    listed.click()
    wait_until(page, "document.activeElement.dataset.c === '1'")
    panel = page.locator(".grid-panel .line-rejected")
    panel.wait_for()
    assert "Marie Dubois" in panel.inner_text() and REASON[language] in panel.inner_text()
    title = page.locator(".grid-panel-title").inner_text()
    assert title.startswith("Tuesday" if language == "en" else "Mardi"), title
    page.evaluate(
        """() => {
        const bars = document.querySelector(".sync-line").getBoundingClientRect();
        const week = document.querySelector(".grid-scroll").getBoundingClientRect();
        window.scrollBy(0, week.top - bars.bottom - 8);
    }"""
    )
    shoot(page, language, "week-grid-rejected")

    # The days view's chips mark the day holding it, in words too.
    page.goto(f"/#/time/{week}")
    chips = page.locator(".day-chip")
    chips.first.wait_for()
    marked = [n for n in range(7) if chips.nth(n).locator(".day-rejected").count()]
    label = str(chips.nth(1).get_attribute("aria-label"))
    other = str(chips.nth(2).get_attribute("aria-label"))
    said = "a line rejected" if language == "en" else "une ligne refusée"
    assert marked == [1]
    assert label.endswith(said), label
    assert said not in other


def test_the_week_is_submitted_again_from_the_grid(phone: Any, server: Server) -> None:
    week = week_of(WEEKS_BACK["submit"])
    outside_the_browser_loop(_week_sent_back(server.database_url, week, REASON["en"]))
    page = phone(**TABLET).new_page()
    sign_in(page, "tech1@demo.test")
    open_grid(page, week)
    submit = page.locator(".actionbar button[data-action=submit]")
    submit.wait_for()
    number = int(week[-2:])
    assert submit.inner_text() == f"Submit week {number}"

    # A value refused keeps the week from going with it.
    type_in(page, "AFF-2026-001", 1, "abc")
    submit.click()
    wait_until(page, "document.activeElement.dataset.c === '1'")
    assert outside_the_browser_loop(_week_status(server.database_url, week)) == "rejected"

    # Corrected, then submitted: the button goes, the server has the week.
    type_in(page, "AFF-2026-001", 1, "2")
    wait_until(page, "!document.querySelector('.grid-refusal')")
    submit.click()
    page.locator(".notice", has_text="Submitted").wait_for()
    wait_synced(page)

    assert page.locator("button[data-action=submit]").count() == 0
    assert outside_the_browser_loop(_week_status(server.database_url, week)) == "submitted"


def refusal_of(page: Any, affair_code: str, day: int) -> str:
    """The message a cell's value refused points at, or "" if none."""
    described = cell(page, affair_code, day).get_attribute("aria-describedby")
    if not described:
        return ""
    return str(page.locator(f".grid-refusal:has(#{described})").inner_text())


DAYS = {
    "en": ("Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("Jeudi", "Vendredi", "Samedi", "Dimanche"),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_refused_cell_keeps_its_own_message_until_fixed(
    phone: Any, server: Server, language: str
) -> None:
    thursday, friday, saturday, sunday = DAYS[language]
    page = phone(locale="en-GB" if language == "en" else "fr-FR").new_page()
    sign_in(page, "employee@demo.test")
    use_language(page, language)
    open_grid(page, week_of(33 if language == "en" else 34))
    add_row(page, "AFF-2026-001")
    before = outbox_seq(page)

    type_in(page, "AFF-2026-001", 3, "abc")
    type_in(page, "AFF-2026-001", 4, "25")
    wait_until(page, "document.querySelectorAll('.grid-refusal').length === 2")
    said_thursday = refusal_of(page, "AFF-2026-001", 3)
    said_friday = refusal_of(page, "AFF-2026-001", 4)

    assert cell(page, "AFF-2026-001", 3).get_attribute("aria-invalid") == "true"
    assert cell(page, "AFF-2026-001", 4).get_attribute("aria-invalid") == "true"
    assert said_thursday.startswith(thursday) and "abc" in said_thursday, said_thursday
    assert (
        "write 1:30 or 1.5" in said_thursday
        if language == "en"
        else "écrivez 1:30 ou 1,5" in said_thursday
    )
    assert said_friday.startswith(friday) and "25" in said_friday, said_friday
    assert outbox_seq(page) == before

    # Nothing typed is lost on a reload: it is still there, still marked.
    page.reload()
    page.locator(".week-grid").wait_for()
    assert cell(page, "AFF-2026-001", 3).input_value() == "abc"
    assert refusal_of(page, "AFF-2026-001", 3).startswith(thursday)

    # Put back, Thursday is as saved (empty); corrected, Friday is saved.
    page.locator(".grid-refusal", has_text=thursday).locator("[data-action=put-back]").click()
    wait_until(page, "document.querySelectorAll('.grid-refusal').length === 1")
    assert cell(page, "AFF-2026-001", 3).input_value() == ""
    assert cell(page, "AFF-2026-001", 3).get_attribute("aria-invalid") is None
    type_in(page, "AFF-2026-001", 4, "8")
    wait_until(page, "!document.querySelector('.grid-refusal')")
    assert cell(page, "AFF-2026-001", 4).get_attribute("aria-invalid") is None

    # A bad Saturday, then a good Sunday: the message stays Saturday's.
    type_in(page, "AFF-2026-001", 5, "x")
    type_in(page, "AFF-2026-001", 6, "2")
    wait_until(page, "document.querySelector('.grid-week-total').textContent.trim() === '10:00'")
    cell(page, "AFF-2026-001", 6).focus()
    page.locator(".grid-panel-title", has_text=sunday).wait_for()
    notices = page.locator(".grid-refusal").all_inner_texts()
    assert len(notices) == 1 and notices[0].startswith(saturday), notices
    assert refusal_of(page, "AFF-2026-001", 6) == ""
    type_in(page, "AFF-2026-001", 5, "1")
    wait_until(page, "!document.querySelector('.grid-refusal')")
    wait_until(page, "document.querySelector('.grid-week-total').textContent.trim() === '11:00'")
