"""A supervisor decides line by line, from a phone, offline too; the
person reads a rejected line and its reason on My time."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import (
    Affair,
    AffairKind,
    AffairMember,
    LineDecision,
    TimeEntry,
    TimesheetWeek,
    User,
    WeekStatus,
)
from backend.lib.time import parse_week
from backend.timesheets.approval import approvable_values
from backend.timesheets.services import week_id
from sync.ids import uuid7
from tests.pwa.conftest import Server, phone_today, sign_in, wait_synced
from tests.pwa.test_offline_day_on_dolibarr_data import outside_the_browser_loop
from tests.pwa.test_screenshots import shoot, use_language
from tests.pwa.test_time_and_approval import iso_week

pytestmark = pytest.mark.browser

REASON = {"en": "Not on site that day", "fr": "Pas sur le chantier ce jour-là"}


async def _week_with_a_changed_line(database_url: str, week: str) -> tuple[str, str, str]:
    """Thomas's submitted ``week``: Monday's line approved at 3 h and now
    4 h (changed since), Tuesday's 2 h never decided. Thomas's id and
    the lines'."""
    db = open_database(database_url)
    monday, _ = parse_week(week)
    async with db.writing() as session:
        tech = await session.scalar(sa.select(User.id).where(User.email == "tech1@demo.test"))
        boss = await session.scalar(sa.select(User.id).where(User.email == "supervisor@demo.test"))
        assert tech is not None and boss is not None
        known = await session.scalar(sa.select(Affair).where(Affair.code == "AFF-2026-001"))
        assert known is not None
        # An affair of its own, so its group holds these two lines only.
        affair = Affair(
            id=uuid7(),
            code=f"AFF-{week}",
            title="Pompe à chaleur / Heat pump",
            kind=AffairKind.SERVICE,
            customer_id=known.customer_id,
        )
        session.add(affair)
        await session.flush()
        session.add(AffairMember(affair_id=affair.id, user_id=tech))
        affair_id = affair.id
        changed = TimeEntry(
            id=uuid7(), user_id=tech, affair_id=affair_id, work_date=monday, minutes=180
        )
        pending = TimeEntry(
            id=uuid7(),
            user_id=tech,
            affair_id=affair_id,
            work_date=monday + dt.timedelta(days=1),
            minutes=120,
        )
        session.add_all([changed, pending])
        await session.flush()
        changed.decision = LineDecision.APPROVED
        changed.decided_by_id = boss
        changed.decided_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        changed.approved_values = approvable_values(changed)
        changed.minutes = 240
        session.add(
            TimesheetWeek(
                id=week_id(tech, week),
                user_id=tech,
                week=week,
                status=WeekStatus.SUBMITTED,
                submitted_at=dt.datetime.now(dt.UTC),
                total_minutes=360,
            )
        )
    await db.dispose()
    return str(tech), str(changed.id), str(pending.id)


async def _decisions(database_url: str, ids: list[str], week: str) -> dict[str, Any]:
    db = open_database(database_url)
    async with db.reading() as session:
        rows = await session.scalars(
            sa.select(TimeEntry).where(TimeEntry.id.in_([uuid.UUID(i) for i in ids]))
        )
        found: dict[str, Any] = {
            str(row.id): (
                row.decision.value if row.decision else None,
                row.decision_reason,
                (row.approved_values or {}).get("minutes"),
            )
            for row in rows
        }
        tech = await session.scalar(sa.select(User.id).where(User.email == "tech1@demo.test"))
        assert tech is not None
        status = await session.scalar(
            sa.select(TimesheetWeek.status).where(TimesheetWeek.id == week_id(tech, week))
        )
        found["week"] = status.value if status else None
    await db.dispose()
    return found


@pytest.mark.parametrize("language", ["en", "fr"])
def test_lines_are_decided_one_by_one_offline_too(
    phone: Any, server: Server, language: str
) -> None:
    week = iso_week(phone_today() - dt.timedelta(weeks=20 if language == "en" else 21))
    person, changed, pending = outside_the_browser_loop(
        _week_with_a_changed_line(server.database_url, week)
    )
    context = phone()
    boss = context.new_page()
    sign_in(boss, "supervisor@demo.test")
    use_language(boss, language)

    # The queue by affair: the two lines, with their total.
    boss.goto("/#/approvals?by=affair")
    group = boss.locator(".affair-lines").filter(
        has=boss.locator(f"[data-action=approve-line][data-id='{pending}']")
    )
    group.wait_for()
    assert "6 h" in group.locator("h3").inner_text()
    shoot(boss, language, "line-approval-by-affair")

    # The week: the changed line says what moved; the week waits for it.
    boss.goto(f"/#/approvals/{person}/{week}")
    said = "Approved 3 h, now 4 h." if language == "en" else "Validée pour 3 h, maintenant 4 h."
    boss.locator(".line-state", has_text=said).wait_for()
    assert boss.locator("button[data-action=approve]").count() == 0
    boss.locator(".actionbar.notice.warn").wait_for()
    shoot(boss, language, "line-approval")

    boss.locator(f"button[data-action=approve-line][data-id='{changed}']").click()
    boss.locator(f"button[data-action=approve-line][data-id='{changed}']").wait_for(
        state="detached"
    )
    wait_synced(boss)

    # Offline, the rejection is kept in the outbox and shows at once.
    context.set_offline(True)
    boss.locator(f"button[data-action=reject-line][data-id='{pending}']").click()
    boss.locator(f"#reason-{pending}").fill(REASON[language])
    boss.locator(f"form[data-id='{pending}'] button[type=submit]").click()
    boss.locator(".line-state", has_text=REASON[language]).wait_for()
    boss.locator(".week-title .chip-week-rejected, .week-title .chip").first.wait_for()
    context.set_offline(False)
    boss.evaluate("window.dispatchEvent(new Event('online'))")
    wait_synced(boss)

    decisions = outside_the_browser_loop(_decisions(server.database_url, [changed, pending], week))
    assert decisions[changed] == ("approved", None, 240)
    assert decisions[pending] == ("rejected", REASON[language], None)
    assert decisions["week"] == "rejected"

    # Thomas reads it on My time, with the reason.
    tech = phone().new_page()
    sign_in(tech, "tech1@demo.test")
    use_language(tech, language)
    tuesday = parse_week(week)[0] + dt.timedelta(days=1)
    tech.goto(f"/#/time/{week}/{tuesday.isoformat()}")
    note = tech.locator(".line-rejected")
    note.wait_for()
    assert REASON[language] in note.inner_text()
    assert "Marie Dubois" in note.inner_text()
    shoot(tech, language, "line-rejected")
