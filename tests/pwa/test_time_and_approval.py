"""Hours on a tablet or phone, and a supervisor deciding on them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import TimesheetWeek, User, WeekStatus
from backend.timesheets.services import week_id
from tests.pwa.conftest import (
    ROOT,
    Server,
    outbox_seq,
    phone_today,
    sign_in,
    wait_saved,
    wait_synced,
)
from tests.pwa.test_field_work import add_time
from tests.pwa.test_offline_day_on_dolibarr_data import outside_the_browser_loop

pytestmark = pytest.mark.browser


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


LAST_WEEK = iso_week(phone_today() - dt.timedelta(days=7))


def test_time_entries_add_edit_delete_and_submit_week(phone: Any, server: Server) -> None:
    page = phone().new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "employee@demo.test")
    assert page.locator("#title").inner_text() == "My time"

    add_time(page, "AFF-2026-002", "1:30", "Réglage chaudière")
    add_time(page, "AFF-2026-003", "0,5", "to delete")
    page.locator(".card", has_text="Réglage chaudière").click()
    before = outbox_seq(page)
    page.locator("#entry-hours").fill("2.5")
    page.locator("#entry-hours").press("Tab")
    wait_saved(page, before)
    page.locator(".actionbar a", has_text="Done").click()
    page.locator(".card", has_text="Réglage chaudière").filter(has_text="2 h 30").wait_for()
    page.locator(".card", has_text="to delete").click()
    page.locator("button[data-action=delete]").click()
    page.locator(".day-title").wait_for()
    assert page.locator(".card", has_text="to delete").count() == 0
    page.locator("button[data-action=submit]").click()
    page.locator(".week-title .chip", has_text="Submitted").wait_for()
    wait_synced(page)

    session = server.session("employee@demo.test")
    data = session.pull_all()
    session.close()
    this_week = iso_week(phone_today())
    week = next(w for w in data["timesheet_week"].values() if w["week"] == this_week)
    notes = sorted(
        (e["note"], e["minutes"])
        for e in data["time_entry"].values()
        if e["note"] in ("Réglage chaudière", "to delete")
    )
    assert week["status"] == "submitted"
    assert week["total_minutes"] == 150
    assert notes == [("Réglage chaudière", 150)]


def test_supervisor_approves_and_a_late_edit_is_a_readable_conflict(
    phone: Any, server: Server
) -> None:
    tech = phone().new_page()
    sign_in(tech, "tech1@demo.test")
    tech.goto(f"/#/time/{LAST_WEEK}")
    tech.locator(".week-title .chip", has_text="Submitted").wait_for()
    boss = phone(locale="fr-FR").new_page()
    sign_in(boss, "supervisor@demo.test")

    boss.locator("#nav a[href='#/approvals']").click()
    boss.locator(f".waiting a.card[href$='{LAST_WEEK}']", has_text="Thomas Martin").click()
    boss.locator("button[data-action=approve]").click()
    # The list offers "Undo" once the approval is saved on the phone.
    boss.locator(".decision button[data-action=undo]").wait_for()
    wait_synced(boss)
    tech.reload()
    tech.locator(".week-title .chip", has_text="Approved").wait_for()
    tech.locator(".notice", has_text="Approved by Marie Dubois").wait_for()

    monday = tech.locator(".day-chip").first
    monday.click()
    tech.locator(".cards .card").first.click()
    tech.locator(".notice", has_text="approved and locked").wait_for()
    before = outbox_seq(tech)
    tech.locator("#entry-hours").fill("5")
    tech.locator("#entry-hours").press("Tab")
    wait_saved(tech, before)
    line = tech.locator(".sync-line", has_text="1 change needs your attention")
    line.wait_for()
    line.click()
    problem = tech.locator(".problem").first
    problem.filter(has_text="was approved by Marie Dubois").wait_for()

    text = problem.inner_text()
    assert f"Week {int(LAST_WEEK[-2:])} was approved by Marie Dubois" in text
    assert "your change to Monday's hours was not applied" in text
    assert "Not applied: 5 h on Monday" in text
    assert "Ask Marie Dubois to reopen the week" in text

    # His other device submits the week again, not knowing it approved:
    # his tablet, new, lists both changes of his that did not take.
    other = server.session("tech1@demo.test")
    refused = other.client.post(
        "/api/sync/push",
        json={
            "protocol": 1,
            "schema": 1,
            "client_id": "0b1f5a2e-8f7e-4c36-9d5b-7a9e2c1d4e60",
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
            "mutations": [
                {
                    "seq": 1,
                    "id": "01900000-0000-7000-8000-00000000c0de",
                    "name": "timesheet.submit",
                    "args": {"week": LAST_WEEK},
                    "at": dt.datetime.now(dt.UTC).isoformat(),
                }
            ],
        },
    ).json()["results"][0]
    other.close()
    assert refused["code"] == "locked"
    tablet = phone().new_page()
    sign_in(tablet, "tech1@demo.test")
    tablet.goto("/#/sync")
    submitted = tablet.locator(".problem", has_text=f"week {int(LAST_WEEK[-2:])}")
    submitted.filter(has_text="submit").first.wait_for()
    assert tablet.locator(".problem").count() == 2


def test_language_switch(phone: Any) -> None:
    page = phone().new_page()
    page.goto("/")
    page.locator("#email").wait_for()
    assert page.locator("label[for=email]").inner_text() == "E-mail"

    page.locator("#language").click()
    page.locator("#title", has_text="Connexion").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
    sign_in(page, "manager@demo.test")
    assert page.locator("#title").inner_text() == "Mes visites"
    assert "Tout est envoyé" in page.locator(".sync-line").inner_text()
    page.locator("#language").click()
    page.locator("#title", has_text="My visits").wait_for()
    # (Thomas's conflict of an earlier test is counted on the Approvals tab.)
    labels = page.locator("#nav a > span:last-child").all_inner_texts()
    assert labels == ["Visits", "My time", "Approvals", "Me"]


def test_french_browser_starts_in_french(phone: Any) -> None:
    page = phone(locale="fr-FR").new_page()
    page.goto("/")

    page.locator("#email").wait_for()

    assert page.locator("#title").inner_text() == "Connexion"


TWO_WEEKS_AGO = iso_week(phone_today() - dt.timedelta(days=14))


def week_status(server: Server, email: str, week: str) -> str:
    """The status the server holds for ``email``'s ``week``."""
    session = server.session(email)
    data = session.pull_all()
    session.close()
    user_id = session.me["id"]
    found = [
        w for w in data["timesheet_week"].values() if w["user_id"] == user_id and w["week"] == week
    ]
    return str(found[0]["status"]) if found else "draft"


def test_supervisor_reopens_an_approved_week_and_the_technicians_edit_then_applies(
    phone: Any, server: Server
) -> None:
    # Thomas changes hours of a week Marie approved: not applied, he is
    # told to ask her to reopen it.
    tech = phone().new_page()
    sign_in(tech, "tech1@demo.test")
    tech.goto(f"/#/time/{TWO_WEEKS_AGO}")
    tech.locator(".week-title .chip-week-approved").wait_for()
    # New time in a locked week is not offered: he is told whom to ask.
    assert tech.locator("a[href^='#/entry/new']").count() == 0
    reason = tech.locator(".add-locked").inner_text()
    assert "Week approved: ask Marie Dubois to reopen it" in reason, reason
    tech.locator(".day-chip").first.click()
    tech.locator(".cards .card").first.click()
    tech.locator(".notice", has_text="approved and locked").wait_for()
    entry_id = tech.url.rsplit("/", 1)[1]
    before = outbox_seq(tech)
    tech.locator("#entry-hours").fill("5")
    tech.locator("#entry-hours").press("Tab")
    wait_saved(tech, before)
    # (An earlier test's conflict of Thomas may be listed too.)
    tech.locator(".sync-line.sync-attention").click()
    # (The week submitted again from his tablet, earlier, too.)
    problems = tech.locator(".problem", has_text=re.compile("ask Marie Dubois to reopen", re.I))
    problems.first.wait_for()
    while problems.count():
        problems.first.locator("button[data-action=dismiss]").click()
        tech.wait_for_timeout(100)
    wait_synced(tech)

    # Marie finds the week among her recent decisions and reopens it.
    boss = phone().new_page()
    sign_in(boss, "supervisor@demo.test")
    thomas = server.session("tech1@demo.test")
    thomas_id = thomas.me["id"]
    thomas.close()
    boss.locator("#nav a[href='#/approvals']").click()
    boss.locator(f".decided a[href='#/approvals/{thomas_id}/{TWO_WEEKS_AGO}']").click()
    boss.locator(".week-title .chip-week-approved").wait_for()
    boss.locator("button[data-action=reopen]").click()
    # One tap more: only Thomas can submit the week again.
    boss.locator("#reopen-q").wait_for()
    assert week_status(server, "tech1@demo.test", TWO_WEEKS_AGO) == "approved"
    boss.locator("button[data-action=confirm-reopen]").click()
    boss.locator(".week-title .chip-week-draft").wait_for()
    wait_synced(boss)
    assert week_status(server, "tech1@demo.test", TWO_WEEKS_AGO) == "draft"
    boss.locator("#nav a[href='#/approvals']").click()
    boss.locator(".decided .card", has_text="Thomas Martin").filter(
        has_text="Rouverte par Marie Dubois"
    ).wait_for()

    # Thomas's phone learns it at its next sync: the week is a draft, and
    # the same change now applies.
    tech.goto(f"/#/time/{TWO_WEEKS_AGO}")
    tech.reload()
    tech.locator(".week-title .chip-week-draft").wait_for()
    tech.locator(".notice", has_text="Reopened by Marie Dubois").wait_for()
    tech.locator("a[href^='#/entry/new']").wait_for()
    assert tech.locator(".add-locked").count() == 0
    tech.goto(f"/#/entry/{entry_id}")
    tech.locator("#entry-hours").wait_for()
    assert tech.locator(".notice", has_text="approved and locked").count() == 0
    before = outbox_seq(tech)
    tech.locator("#entry-hours").fill("5")
    tech.locator("#entry-hours").press("Tab")
    wait_saved(tech, before)
    wait_synced(tech)

    session = server.session("tech1@demo.test")
    minutes = session.pull_all()["time_entry"][entry_id]["minutes"]
    session.close()
    assert minutes == 300


def test_approving_is_one_tap_with_an_undo_that_reopens_the_week(
    phone: Any, server: Server
) -> None:
    boss = phone().new_page()
    sign_in(boss, "supervisor@demo.test")
    boss.locator("#nav a[href='#/approvals']").click()
    boss.locator(f".waiting a.card[href$='{LAST_WEEK}']", has_text="Julien Petit").click()
    boss.locator("button[data-action=approve]").wait_for()

    boss.locator("button[data-action=approve]").click()
    decision = boss.locator(".decision", has_text="Julien Petit")
    decision.filter(has_text="validée").wait_for()
    wait_synced(boss)
    assert week_status(server, "employee@demo.test", LAST_WEEK) == "approved"

    decision.locator("button[data-action=undo]").click()
    decision.filter(has_text="rouverte").wait_for()
    assert decision.locator("button[data-action=undo]").count() == 0
    wait_synced(boss)
    assert week_status(server, "employee@demo.test", LAST_WEEK) == "draft"


async def _approved_by_the_manager(database_url: str, email: str, week: str) -> None:
    db = open_database(database_url)
    async with db.writing() as session:
        people = dict(
            (mail, user_id)
            for mail, user_id in await session.execute(
                sa.select(User.email, User.id).where(User.email.in_([email, "manager@demo.test"]))
            )
        )
        owner = people[email]
        session.add(
            TimesheetWeek(
                id=week_id(owner, week), user_id=owner, week=week,
                status=WeekStatus.APPROVED, decided_by_id=people["manager@demo.test"],
                decided_at=dt.datetime.now(dt.UTC),
            )
        )  # fmt: skip
    await db.dispose()


def test_a_week_approved_by_someone_the_device_does_not_know_names_them(
    phone: Any, server: Server
) -> None:
    # Marc, a manager outside Julien's team, approved one of his weeks:
    # Julien's tablet does not hold Marc, the week names him.
    week = iso_week(phone_today() - dt.timedelta(days=70))
    outside_the_browser_loop(
        _approved_by_the_manager(server.database_url, "employee@demo.test", week)
    )
    tablet = phone().new_page()
    sign_in(tablet, "employee@demo.test")
    tablet.goto(f"/#/time/{week}")
    tablet.locator(".week-title .chip-week-approved").wait_for()
    notice = tablet.locator(".notice", has_text="Approved by").inner_text()
    assert "Approved by Marc Lefèvre on" in notice, notice
    assert "ask Marc Lefèvre to reopen it" in tablet.locator(".add-locked").inner_text()
    tablet.screenshot(path=str(ROOT / "docs" / "screenshots" / "en-week-approved-by-manager.png"))


def test_an_empty_reject_reason_is_said_in_the_apps_language(phone: Any) -> None:
    boss = phone(locale="en-US").new_page()
    sign_in(boss, "supervisor@demo.test")
    # The browser speaks English; the app is set to French.
    if boss.locator("html").get_attribute("lang") != "fr":
        boss.locator("#language").click()
        boss.locator("html[lang=fr]").wait_for(state="attached")
    boss.locator("#nav a[href='#/approvals']").click()
    boss.locator(".waiting a.card").first.click()
    boss.locator("button[data-action=reject]").click()
    box = boss.locator("#reject-reason")
    box.wait_for()
    boss.locator("form[data-submit=reject] button[type=submit]").click()

    needed = boss.locator("#reject-needed")
    needed.wait_for()
    assert needed.inner_text().strip() == "Écrivez la raison pour la personne."
    assert box.get_attribute("aria-invalid") == "true"
    assert box.evaluate("(el) => el === document.activeElement")
    # No bubble of the browser's own: nothing it would say is set.
    assert box.evaluate("(el) => el.validationMessage") == ""
    boss.screenshot(path=str(ROOT / "docs" / "screenshots" / "fr-reject-reason-needed.png"))
    boss.locator("button[data-action=cancel]").click()
    box.wait_for(state="detached")


# Per language: the phone's locale, the words of the buttons.
DECIDING = {
    "en": ("en-GB", ("Reject", "Approve"), "Reopen the week"),
    "fr": ("fr-FR", ("Refuser", "Valider"), "Rouvrir la semaine"),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_only_a_decided_week_offers_to_reopen(phone: Any, server: Server, language: str) -> None:
    from tests.pwa.test_screenshots import use_language

    locale, decide, reopen = DECIDING[language]
    # Sofia's weeks as the demo has them: no other test here decides on them.
    person = server.session("tech2@demo.test")
    person_id = person.me["id"]
    person.close()
    boss = phone(locale=locale).new_page()
    sign_in(boss, "supervisor@demo.test")
    use_language(boss, language)

    boss.goto(f"/#/approvals/{person_id}/{LAST_WEEK}")
    boss.locator("button[data-action=approve]").wait_for()
    submitted = boss.locator("main .actionbar button").all_inner_texts()
    # Each line of it too, one by one.
    lines = {
        button.get_attribute("data-action")
        for button in boss.locator("main .line-actions button").all()
    }
    boss.goto(f"/#/approvals/{person_id}/{TWO_WEEKS_AGO}")
    boss.locator("button[data-action=reopen]").wait_for()
    approved = boss.locator("main button").all_inner_texts()

    # A submitted week has no decision to undo: approve or reject it.
    assert [said.strip() for said in submitted] == list(decide)
    assert lines == {"reject-line", "approve-line"}
    assert [said.strip() for said in approved] == [reopen]
