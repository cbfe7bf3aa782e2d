"""Screenshots of the main screens at 360 x 740, in English and French.

They land in docs/screenshots/ (LANG-SCREEN.png) and are refreshed each
time this module runs; docs/pwa.md shows them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.pwa.conftest import ROOT, Server, outbox_seq, sign_in, wait_saved, wait_synced
from tests.pwa.test_checklist_photos import take_photo
from tests.pwa.test_field_work import answer, open_checklist, open_order
from tests.pwa.test_time_and_approval import LAST_WEEK

pytestmark = pytest.mark.browser

SHOTS = ROOT / "docs" / "screenshots"
# Each language has its own technician, so each run has a week to approve.
RUNS = {
    "en": ("en-GB", "tech1@demo.test", "Thomas Martin", "SO-2026-0101"),
    "fr": ("fr-FR", "tech2@demo.test", "Sofia Benali", "SO-2026-0105"),
}


def shoot(page: Any, language: str, name: str) -> Path:
    path = SHOTS / f"{language}-{name}.png"
    # A passing "saved" message would hide what the screen shows.
    page.locator("#toast").wait_for(state="hidden", timeout=5000)
    page.wait_for_timeout(150)
    page.screenshot(path=str(path))
    return path


def week_label(language: str) -> str:
    number = int(LAST_WEEK[-2:])
    return f"Week {number} ·" if language == "en" else f"Semaine {number} ·"


def use_language(page: Any, language: str) -> None:
    if page.locator("html").get_attribute("lang") != language:
        page.locator("#language").click()
        page.locator(f"html[lang={language}]").wait_for(state="attached")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_screenshots(phone: Any, language: str) -> None:
    locale, email, name, number = RUNS[language]
    SHOTS.mkdir(parents=True, exist_ok=True)
    tech = phone(locale=locale).new_page()
    tech.goto("/")
    tech.locator("#email").wait_for()
    use_language(tech, language)
    shoot(tech, language, "sign-in")

    sign_in(tech, email)
    shoot(tech, language, "service-orders")
    open_order(tech, number)
    shoot(tech, language, "service-order")
    open_checklist(tech, number)
    answer(tech, "power_off", "yes")
    answer(tech, "burner_state", "worn")
    tech.locator("#item-pressure").fill("3,1")
    tech.locator("#item-pressure").dispatch_event("input")
    tech.locator("#item-pressure-flag").wait_for()
    tech.locator("#item-pressure-flag").scroll_into_view_if_needed()
    shoot(tech, language, "checklist")
    tech.locator("#item-pressure").press("Tab")
    take_photo(tech, "burner_state")
    wait_synced(tech)
    tech.locator(".item", has=tech.locator(".thumb")).evaluate(
        "(item) => item.scrollIntoView({block: 'start'})"
    )
    shoot(tech, language, "checklist-photo")

    open_order(tech, number)
    tech.locator("a[href^='#/entry/new']").click()
    tech.locator("#entry-hours").fill("1:30")
    tech.locator("form[data-submit=add] button[type=submit]").click()
    tech.locator(".day-title").wait_for()
    wait_synced(tech)
    shoot(tech, language, "my-time")

    boss = phone(locale=locale).new_page()
    sign_in(boss, "supervisor@demo.test")
    use_language(boss, language)
    boss.locator("#nav a[href='#/approvals']").click()
    boss.locator(".waiting a.card", has_text=name).wait_for()
    shoot(boss, language, "approvals")
    boss.locator(f".waiting a.card[href$='{LAST_WEEK}']", has_text=name).click()
    boss.locator("button[data-action=approve]").wait_for()
    shoot(boss, language, "approval")
    boss.locator("button[data-action=approve]").click()
    boss.locator(".decision button[data-action=undo]").wait_for()
    wait_synced(boss)
    shoot(boss, language, "approved-undo")

    tech.goto(f"/#/time/{LAST_WEEK}")
    tech.reload()
    tech.locator(".week-title .chip-week-approved").wait_for()
    tech.locator(".day-chip").first.click()
    tech.locator(".cards .card").first.click()
    before = outbox_seq(tech)
    tech.locator("#entry-hours").fill("5")
    tech.locator("#entry-hours").press("Tab")
    wait_saved(tech, before)
    tech.locator(".sync-line.sync-attention").click()
    tech.locator(".problem", has_text="Marie Dubois").wait_for()
    shoot(tech, language, "conflict")

    # Marie sees it among the conflicts of her team, and keeps the
    # approved hours; Thomas's phone then says so.
    boss.goto("/#/approvals")
    boss.reload()
    boss.locator("#nav a[href='#/approvals'] .badge").wait_for()
    boss.locator("a.card.attention").click()
    card = boss.locator(".conflict", has_text=name)
    card.filter(has_text="Chrome #").wait_for()
    shoot(boss, language, "conflicts")
    card.locator("button[data-action=keep-server]").click()
    # Once the decision is on the phone (the card has moved), it is sent.
    boss.locator(".decided .card", has_text=name).wait_for()
    wait_synced(boss)
    tech.goto("/#/sync")
    tech.reload()
    tech.locator(".problem.resolved").wait_for()
    shoot(tech, language, "conflict-resolved")

    # Marie finds the week among her recent decisions, to reopen it.
    boss.goto("/#/orders")
    boss.locator("#nav a[href='#/approvals']").click()
    boss.locator(".decided").scroll_into_view_if_needed()
    shoot(boss, language, "recently-decided")
    boss.locator(".decided .card", has_text=name).filter(has_text=week_label(language)).click()
    boss.locator("button[data-action=reopen]").click()
    boss.locator("#reopen-q").wait_for()
    shoot(boss, language, "reopen")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_screenshots_of_team_devices(phone: Any, server: Server, language: str) -> None:
    from tests.pwa.test_team_devices import age_device, open_team_devices, wipe_and_come_back

    locale, email, _, _ = RUNS[language]
    # The technician's phone wiped and come back (S10); once, the
    # employee's tablet left idle for days.
    wipe_and_come_back(phone, server, email, locale=locale)
    if language == "en":
        tablet = phone(locale=locale)
        sign_in(tablet.new_page(), "employee@demo.test")
        age_device(server, tablet, dt.timedelta(days=4))

    boss = phone(locale=locale).new_page()
    sign_in(boss, "supervisor@demo.test")
    use_language(boss, language)
    open_team_devices(boss)
    # The list is asked for when the screen opens; on a server shared by
    # many tests, ask again until it holds the wiped phone's new device.
    for _ in range(20):
        if boss.locator(".device-replaced").count():
            break
        boss.locator("button[data-action=refresh]").click()
        boss.wait_for_timeout(500)
    boss.locator(".device-replaced").first.wait_for()
    # Nothing of it is at stake: it comes after the phone in use, calmly.
    boss.locator(".device-replaced").first.evaluate("(card) => card.scrollIntoView({block: 'end'})")
    shoot(boss, language, "devices")
