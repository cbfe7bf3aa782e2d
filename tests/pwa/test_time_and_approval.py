"""Hours on a tablet or phone, and a supervisor deciding on them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.pwa.conftest import Server, outbox_seq, sign_in, wait_saved, wait_synced
from tests.pwa.test_field_work import add_time

pytestmark = pytest.mark.browser


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


LAST_WEEK = iso_week(dt.date.today() - dt.timedelta(days=7))


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
    this_week = iso_week(dt.date.today())
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
    boss.locator("section", has_text="Thomas Martin").locator(f"a[href$='{LAST_WEEK}']").click()
    boss.locator("button[data-action=approve]").click()
    boss.locator("#title", has_text="Validations").wait_for()
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
    assert page.locator("#nav").inner_text().split() == ["Visits", "My", "time", "Approvals", "Me"]


def test_french_browser_starts_in_french(phone: Any) -> None:
    page = phone(locale="fr-FR").new_page()
    page.goto("/")

    page.locator("#email").wait_for()

    assert page.locator("#title").inner_text() == "Connexion"
