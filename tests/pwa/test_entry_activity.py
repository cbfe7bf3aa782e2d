"""An activity on the phone: picked among those the company uses, stored
on the server, costed at its own rate; the week grid keeps it when hours
change, and clearing it sends null."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from backend.db.engine import open_database
from backend.db.models import TimeEntry
from backend.timesheets.costing import costed_entries
from tests.pwa.conftest import Server, phone_today, sign_in, wait_synced, wait_until
from tests.pwa.test_offline_day_on_dolibarr_data import outside_the_browser_loop
from tests.pwa.test_screenshots import SHOTS, use_language
from tests.pwa.test_time_and_approval import iso_week
from tests.pwa.test_week_grid import cell

pytestmark = pytest.mark.browser

ACTIVITY = "Welding"
WELDING_CENTS_PER_HOUR = 9900
# A Monday of a week the demo leaves empty (it fills the last two).
DAY = phone_today() - dt.timedelta(days=phone_today().weekday(), weeks=4)
WEEK = iso_week(DAY)
# Run in the page: the arguments of the changes waiting in the outbox.
OUTBOX = """() => new Promise((resolve) => {
  const open = indexedDB.open("affaires");
  open.onsuccess = () => {
    const all = open.result.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => resolve(all.result.map((m) => [m.name, m.args]));
  };
})"""


def rate_welding(server: Server, email: str) -> None:
    person = server.session(email)
    admin = server.session("admin@demo.test")
    answer = admin.client.post(
        f"/api/people/{person.me['id']}/rates/",
        json={
            "valid_from": "2020-01-01",
            "cents_per_hour": WELDING_CENTS_PER_HOUR,
            "activity": ACTIVITY,
        },
    )
    person.close()
    admin.close()
    assert answer.status_code == 201, answer.text


def stored(server: Server, entry_id: str) -> tuple[str | None, int, int]:
    """The entry's activity, minutes and cost as the server holds them."""

    async def read() -> tuple[str | None, int, int]:
        db = open_database(server.database_url)
        async with db.reading() as session:
            found = await session.get(TimeEntry, uuid.UUID(entry_id))
            (costed,) = await costed_entries(session, TimeEntry.id == uuid.UUID(entry_id))
        await db.dispose()
        assert found is not None
        return found.activity, found.minutes, costed.cost_cents

    return outside_the_browser_loop(read())


def waiting_changes(page: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(name, args) for name, args in page.evaluate(OUTBOX)]


def open_new_entry(page: Any) -> None:
    page.goto(f"/#/entry/new?day={DAY.isoformat()}")
    page.locator("#entry-activity").wait_for()


def test_an_activity_picked_on_the_phone_is_costed_and_kept_by_the_grid(
    phone: Any, server: Server
) -> None:
    rate_welding(server, "tech1@demo.test")
    context = phone(locale="en-GB")
    page = context.new_page()
    sign_in(page, "tech1@demo.test")

    # The form asks which activities are in use; one tap picks one.
    open_new_entry(page)
    chip = page.locator(f".activity-chip[data-activity='{ACTIVITY}']")
    chip.wait_for()
    affair = page.locator("#entry-affair option", has_text="AFF-2026-001")
    page.locator("#entry-affair").select_option(affair.get_attribute("value"))
    page.locator("#entry-hours").fill("2")
    chip.click()
    page.locator(".activity-chip[aria-pressed=true]", has_text=ACTIVITY).wait_for()
    chip_box = chip.bounding_box()
    page.locator("form[data-submit=add] button[type=submit]").click()
    card = page.locator(".card-activity", has_text=f"Activity: {ACTIVITY}")
    card.wait_for()
    wait_synced(page)
    entry_id = str(page.locator("a.card", has=card).get_attribute("href")).removeprefix("#/entry/")

    assert chip_box is not None and chip_box["height"] >= 48
    assert stored(server, entry_id) == (ACTIVITY, 120, 2 * WELDING_CENTS_PER_HOUR)

    # Hours changed in the grid, offline: the change leaves the activity
    # out, and the server keeps it.
    page.goto(f"/#/time/grid/{WEEK}")
    page.locator(".week-title h2").wait_for()
    context.set_offline(True)
    field = cell(page, "AFF-2026-001", DAY.weekday())
    field.click()
    field.fill("3")
    field.press("Tab")
    wait_until(page, "document.querySelector('.grid-week-total').textContent.includes('3')")
    sent_by_grid = waiting_changes(page)
    context.set_offline(False)
    wait_synced(page)

    assert [name for name, _ in sent_by_grid] == ["time_entry.put"]
    assert "activity" not in sent_by_grid[0][1]
    assert stored(server, entry_id) == (ACTIVITY, 180, 3 * WELDING_CENTS_PER_HOUR)

    # Cleared on the form, offline: null goes, and the general rate applies.
    page.goto(f"/#/entry/{entry_id}")
    context.set_offline(True)
    page.locator(".activity-chip[aria-pressed=true]").click()
    wait_until(page, "!document.querySelector('.activity-chip[aria-pressed=true]')")
    wait_until(page, "document.querySelector('#entry-activity').value === ''")
    cleared = waiting_changes(page)
    context.set_offline(False)
    wait_synced(page)
    activity, minutes, cents = stored(server, entry_id)

    assert cleared[-1][0] == "time_entry.put" and cleared[-1][1]["activity"] is None
    assert (activity, minutes) == (None, 180)
    assert cents != 3 * WELDING_CENTS_PER_HOUR


@pytest.mark.parametrize("language", ["en", "fr"])
def test_free_words_go_as_the_activity_and_the_form_shows_it(
    phone: Any, server: Server, language: str
) -> None:
    rate_welding(server, "tech2@demo.test")
    page = phone(locale="en-GB" if language == "en" else "fr-FR").new_page()
    sign_in(page, "tech2@demo.test")
    use_language(page, language)
    open_new_entry(page)
    chip = page.locator(f".activity-chip[data-activity='{ACTIVITY}']")
    affair = page.locator("#entry-affair option", has_text="AFF-2026-001")
    page.locator("#entry-affair").select_option(affair.get_attribute("value"))
    page.locator("#entry-hours").fill("1:30")
    chip.click()
    page.locator(".activity-chip[aria-pressed=true]").wait_for()
    page.evaluate("document.activeElement.blur()")
    page.locator("label[for=entry-hours]").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 180)")
    page.screenshot(path=str(SHOTS / f"{language}-entry-activity.png"))

    # Words of one's own instead of the one picked.
    words = "Trajet" if language == "fr" else "Travel"
    page.locator("#entry-activity").fill(words)
    page.locator("#entry-activity").evaluate("(el) => el.blur()")
    page.locator("form[data-submit=add] button[type=submit]").click()
    said = "Activity: " if language == "en" else "Activité\u00a0: "
    card = page.locator(".card-activity", has_text=f"{said}{words}")
    card.wait_for()
    wait_synced(page)
    entry_id = str(page.locator("a.card", has=card).get_attribute("href")).removeprefix("#/entry/")

    assert stored(server, entry_id)[0] == words
