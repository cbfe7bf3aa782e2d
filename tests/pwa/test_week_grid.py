"""The week as a grid, for an employee on a tablet on Friday afternoon (and
on a phone): a row per affair, a cell per day, hours saved as a cell is
left, through the same changes as the entry form, offline too."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import Action, ActionKind, Affair, User
from tests.pwa.conftest import (
    ROOT,
    Server,
    outbox_seq,
    phone_today,
    sign_in,
    wait_for_worker,
    wait_saved,
    wait_synced,
    wait_until,
)
from tests.pwa.test_offline_day_on_dolibarr_data import outside_the_browser_loop
from tests.pwa.test_screenshots import use_language
from tests.pwa.test_time_and_approval import iso_week

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 1024, "height": 768}, "is_mobile": False, "has_touch": True}
THIS_MONDAY = phone_today() - dt.timedelta(days=phone_today().weekday())


def monday(weeks_back: int) -> dt.date:
    return THIS_MONDAY - dt.timedelta(weeks=weeks_back)


def week_of(weeks_back: int) -> str:
    return iso_week(monday(weeks_back))


def open_grid(page: Any, week: str) -> None:
    page.goto(f"/#/time/grid/{week}")
    page.locator(".week-title h2").wait_for()


def add_row(page: Any, affair_code: str) -> None:
    page.locator("button[data-action=add]").click()
    option = page.locator("#grid-affair option", has_text=affair_code)
    page.locator("#grid-affair").select_option(option.get_attribute("value"))
    page.locator("form[data-submit=add-row] button[type=submit]").click()
    page.locator(".grid-row-head", has_text=affair_code).wait_for()


def cell(page: Any, affair_code: str, day: int) -> Any:
    """The field of a row's cell; ``day``: 0 for Monday."""
    row = page.locator(".week-grid tbody tr", has=page.locator(".grid-code", has_text=affair_code))
    return row.locator(f"[data-cell][data-c='{day}']")


def type_in(page: Any, affair_code: str, day: int, hours: str, key: str = "Tab") -> None:
    field = cell(page, affair_code, day)
    field.click()
    field.fill(hours)
    field.press(key)


def entries_on_server(server: Server, email: str, weeks_back: int) -> list[dict[str, Any]]:
    session = server.session(email)
    mine = session.me["id"]
    first = monday(weeks_back)
    days = {(first + dt.timedelta(days=n)).isoformat() for n in range(7)}
    held = session.pull_all().get("time_entry", {})
    session.close()
    return sorted(
        (
            {"id": key, **e}
            for key, e in held.items()
            if e["user_id"] == mine and e["work_date"] in days
        ),
        key=lambda e: (e["work_date"], e["minutes"]),
    )


def test_hours_typed_in_cells_are_entries_on_the_server(phone: Any, server: Server) -> None:
    page = phone(**TABLET).new_page()
    sign_in(page, "employee@demo.test")
    week = week_of(4)
    page.goto(f"/#/time/{week}")
    page.locator(".time-views a[data-time-view=grid]").click()
    page.locator(".week-grid, .grid-tools").first.wait_for()
    add_row(page, "AFF-2026-001")

    type_in(page, "AFF-2026-001", 0, "1:30")
    focused_after_tab = page.evaluate("document.activeElement.dataset.c")
    page.keyboard.type("2.5")
    page.keyboard.press("Enter")
    cell(page, "AFF-2026-001", 1).wait_for()
    wait_until(page, "document.querySelector('.grid-week-total').textContent.trim() === '4:00'")
    cell(page, "AFF-2026-001", 1).focus()
    page.keyboard.press("End")
    page.keyboard.press("ArrowRight")
    focused_after_arrow = page.evaluate("document.activeElement.dataset.c")
    wait_synced(page)
    made = entries_on_server(server, "employee@demo.test", 4)

    assert focused_after_tab == "1"
    assert focused_after_arrow == "2"
    assert [(e["work_date"], e["minutes"]) for e in made] == [
        (monday(4).isoformat(), 90),
        ((monday(4) + dt.timedelta(days=1)).isoformat(), 150),
    ]

    # Changed, then cleared: the same entry changes, the other is deleted.
    type_in(page, "AFF-2026-001", 0, "2")
    type_in(page, "AFF-2026-001", 1, "")
    wait_until(page, "document.querySelector('.grid-week-total').textContent.trim() === '2:00'")
    wait_synced(page)
    after = entries_on_server(server, "employee@demo.test", 4)

    assert [(e["id"], e["minutes"]) for e in after] == [(made[0]["id"], 120)]

    # The grid is what My time opens with on this device from now on.
    page.reload()
    page.locator("#nav a[href='#/time']").click()
    page.locator(".time-views a[data-time-view=grid][aria-current=page]").wait_for()


def error_of(page: Any, affair_code: str, day: int) -> str:
    """Why a cell's value was refused: the message it is described by."""
    described = cell(page, affair_code, day).get_attribute("aria-describedby")
    return str(page.locator(f"#{described}").inner_text())


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_day_over_24_hours_is_refused(phone: Any, server: Server, language: str) -> None:
    page = phone(locale="en-GB" if language == "en" else "fr-FR").new_page()
    sign_in(page, "tech1@demo.test")
    use_language(page, language)
    open_grid(page, week_of(5 if language == "en" else 6))
    add_row(page, "AFF-2026-001")
    add_row(page, "AFF-2026-002")
    type_in(page, "AFF-2026-001", 0, "20")
    wait_until(page, "document.querySelector('.grid-week-total').textContent.trim() === '20:00'")
    before = outbox_seq(page)

    type_in(page, "AFF-2026-002", 0, "5")
    page.locator(".grid-refusal").wait_for()
    said = error_of(page, "AFF-2026-002", 0)
    invalid = cell(page, "AFF-2026-002", 0).get_attribute("aria-invalid")
    type_in(page, "AFF-2026-002", 2, "25")
    wait_until(page, "document.querySelectorAll('.grid-refusal').length === 2")
    out_of_range = error_of(page, "AFF-2026-002", 2)

    assert said.endswith(
        "More than 24 hours in the day: 20 h already entered, at most 4 h left."
        if language == "en"
        else "Plus de 24 heures dans la journée\u00a0: 20 h déjà saisies, il reste au plus 4 h."
    )
    assert invalid == "true"
    assert out_of_range.endswith(
        "Between 1 minute and 24 hours." if language == "en" else "Entre 1 minute et 24 heures."
    )
    assert outbox_seq(page) == before

    # What fits is taken.
    type_in(page, "AFF-2026-002", 0, "4")
    wait_until(page, "document.querySelector('.grid-week-total').textContent.trim() === '24:00'")
    assert outbox_seq(page) > before


def test_copy_last_week_fills_only_the_empty_cells(phone: Any, server: Server) -> None:
    page = phone(**TABLET).new_page()
    sign_in(page, "tech2@demo.test")
    use_language(page, "en")
    open_grid(page, week_of(0))
    add_row(page, "AFF-2026-001")
    type_in(page, "AFF-2026-001", 0, "1")
    last_week = entries_on_server(server, "tech2@demo.test", 1)

    page.locator("button[data-action=copy]").click()
    question = page.locator(".grid-copy").inner_text()
    page.locator("button[data-action=copy-hours]").click()
    page.locator("#toast", has_text="9 entries created").wait_for()
    wait_synced(page)
    this_week = entries_on_server(server, "tech2@demo.test", 0)

    assert len(last_week) == 10
    assert "9 entries are created, in empty cells only" in question
    assert "Copy rows and hours (9 entries)" in question
    moved = sorted(
        (
            (dt.date.fromisoformat(e["work_date"]) + dt.timedelta(days=7)).isoformat(),
            e["affair_id"],
            e["minutes"],
        )
        for e in last_week
    )
    held = sorted((e["work_date"], e["affair_id"], e["minutes"]) for e in this_week)
    typed = next(e for e in this_week if e["minutes"] == 60)
    mine = (THIS_MONDAY.isoformat(), typed["affair_id"])
    expected = sorted([m for m in moved if m[:2] != mine] + [(*mine, 60)])
    assert held == expected


# Run in the page: the running timer, as if started at `at` (a Date's
# milliseconds, or "HH:MM" today).
TIMER_STARTED_AT = """async (at) => {
  const { nowWithOffset } = await import("/src/dates.js");
  const start = new Date(typeof at === "number" ? at : Date.now());
  if (typeof at === "string") start.setHours(...at.split(":").map(Number), 0, 0);
  const db = await new Promise((ok, ko) => {
    const opening = indexedDB.open("affaires");
    opening.onsuccess = () => ok(opening.result);
    opening.onerror = ko;
  });
  const tx = db.transaction("meta", "readwrite");
  const meta = tx.objectStore("meta");
  const row = await new Promise((ok) => {
    const got = meta.get("running_timer");
    got.onsuccess = () => ok(got.result);
  });
  row.v.started_at = nowWithOffset(start);
  meta.put(row);
  await new Promise((ok) => { tx.oncomplete = ok; });
  db.close();
  return row.v.started_at;
}"""


def test_a_timer_survives_a_reload_and_stopping_it_makes_an_interval(
    phone: Any, server: Server
) -> None:
    page = phone(**TABLET).new_page()
    sign_in(page, "employee@demo.test")
    open_grid(page, week_of(0))
    add_row(page, "AFF-2026-002")

    page.locator("button[data-action=start-timer]").click()
    page.locator("button[data-action=stop-timer]").first.wait_for()
    started = page.evaluate(TIMER_STARTED_AT, int(time.time() * 1000) - 90 * 60000)
    page.reload()
    page.locator("button[data-action=stop-timer]").first.click()
    page.locator("#toast", has_text="Timer stopped: 1 h 30").wait_for()
    wait_synced(page)
    held = [
        e
        for weeks_back in (0, 1)
        for e in entries_on_server(server, "employee@demo.test", weeks_back)
        if e.get("starts_at")
    ]

    assert len(held) == 1
    assert held[0]["minutes"] == 90
    assert dt.datetime.fromisoformat(held[0]["starts_at"]) == dt.datetime.fromisoformat(started)
    assert page.locator("button[data-action=stop-timer]").count() == 0


def test_a_note_is_saved_with_the_entry(phone: Any, server: Server) -> None:
    page = phone().new_page()
    sign_in(page, "tech1@demo.test")
    open_grid(page, week_of(3))
    add_row(page, "AFF-2026-003")
    type_in(page, "AFF-2026-003", 2, "3")
    cell(page, "AFF-2026-003", 2).click()

    page.locator("button[data-action=open-note]").click()
    page.locator("#grid-note").fill("Pump replaced")
    page.locator("#grid-note").press("Tab")
    page.locator(".grid-cell .grid-noted").wait_for()
    wait_synced(page)
    held = entries_on_server(server, "tech1@demo.test", 3)

    assert [(e["minutes"], e["note"]) for e in held] == [(180, "Pump replaced")]


def test_a_cell_of_several_entries_opens_the_day(phone: Any, server: Server) -> None:
    page = phone().new_page()
    sign_in(page, "tech2@demo.test")
    use_language(page, "en")
    week = week_of(5)
    open_grid(page, week)
    add_row(page, "AFF-2026-002")
    type_in(page, "AFF-2026-002", 0, "2")
    page.goto(f"/#/entry/new?day={monday(5).isoformat()}")
    option = page.locator("#entry-affair option", has_text="AFF-2026-002")
    page.locator("#entry-affair").select_option(option.get_attribute("value"))
    page.locator("#entry-hours").fill("1")
    page.locator("form[data-submit=add] button[type=submit]").click()
    page.locator(".day-title").wait_for()

    open_grid(page, week)
    many = cell(page, "AFF-2026-002", 0)
    said = many.get_attribute("aria-label")
    shown = many.inner_text()
    many.click()
    page.locator(".day-title").wait_for()

    assert page.url.endswith(f"#/time/{week}/{monday(5).isoformat()}")
    assert "3 h, 2 entries" in str(said), said
    assert shown.replace("\n", "") == "3:00×2"


async def _an_action_for(database_url: str, email: str, affair_code: str, title: str) -> str:
    db = open_database(database_url)
    async with db.writing() as session:
        person = await session.scalar(sa.select(User.id).where(User.email == email))
        affair = await session.scalar(sa.select(Affair.id).where(Affair.code == affair_code))
        action = Action(affair_id=affair, kind=ActionKind.TASK, title=title, assignee_id=person)
        session.add(action)
        await session.flush()
        made = str(action.id)
    await db.dispose()
    return made


def test_a_row_on_an_action_sends_its_time_with_the_action(phone: Any, server: Server) -> None:
    action = outside_the_browser_loop(
        _an_action_for(server.database_url, "employee@demo.test", "AFF-2026-001", "Meter readings")
    )
    page = phone(**TABLET).new_page()
    sign_in(page, "employee@demo.test")
    open_grid(page, week_of(6))

    page.locator("button[data-action=add]").click()
    affair = page.locator("#grid-affair option", has_text="AFF-2026-001")
    page.locator("#grid-affair").select_option(affair.get_attribute("value"))
    page.locator("#grid-what option", has_text="Meter readings").wait_for(state="attached")
    page.locator("#grid-what").select_option(label="Meter readings")
    page.locator("form[data-submit=add-row] button[type=submit]").click()
    page.locator(".grid-detail", has_text="Meter readings").wait_for()
    type_in(page, "AFF-2026-001", 4, "1:15")
    wait_synced(page)
    held = entries_on_server(server, "employee@demo.test", 6)

    assert [(e["action_id"], e["service_order_id"], e["minutes"]) for e in held] == [
        (action, None, 75)
    ]


def test_hours_typed_offline_are_sent_once_back_online(phone: Any, server: Server) -> None:
    context = phone()
    page = context.new_page()
    sign_in(page, "tech2@demo.test")
    use_language(page, "en")
    wait_for_worker(page)
    open_grid(page, week_of(4))

    context.set_offline(True)
    page.wait_for_function("!navigator.onLine")
    add_row(page, "AFF-2026-006")
    before = outbox_seq(page)
    type_in(page, "AFF-2026-006", 3, "7:45")
    wait_saved(page, before)
    # The line says so once the page has heard it went offline.
    page.locator(".sync-line", has_text="Offline").wait_for()
    said_offline = page.locator(".sync-line").inner_text()
    page.reload()
    page.locator(".grid-week-total", has_text="7:45").wait_for()
    kept = cell(page, "AFF-2026-006", 3).input_value()
    context.set_offline(False)
    wait_synced(page)
    held = entries_on_server(server, "tech2@demo.test", 4)

    assert kept == "7:45"
    assert "Offline" in said_offline, said_offline
    # Nothing is asserted of the server while offline: the browser's
    # offline mode may rarely let through a request the page makes under
    # its service worker. What counts: kept over a reload, sent once.
    assert [(e["work_date"], e["minutes"]) for e in held] == [
        ((monday(4) + dt.timedelta(days=3)).isoformat(), 465)
    ]


def test_an_approved_week_is_read_only_and_a_submitted_one_warns(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "employee@demo.test")

    open_grid(page, week_of(2))
    page.locator(".week-grid").wait_for()
    notice = page.locator(".notice", has_text="Approved by").inner_text()
    fields = page.locator(".week-grid input").count()
    tools = page.locator(".grid-tools").count()
    timers = page.locator(".grid-timer").count()
    open_grid(page, week_of(1))
    submitted = page.locator(".notice", has_text="Submitted").inner_text()

    assert "Approved by Marie Dubois on" in notice, notice
    assert (fields, tools, timers) == (0, 0, 0)
    assert "A change sends it back to draft" in submitted
    assert page.locator(".week-grid input").count() == 3 * 7


SHOTS = ROOT / "docs" / "screenshots"
SIZES = {"phone": {}, "tablet": TABLET}


def a_week_to_show(page: Any) -> None:
    """Marie's week: a long Monday, a note, a timer running on this device."""
    open_grid(page, week_of(0))
    if not page.locator(".week-grid").count():
        for code in ("AFF-2026-001", "AFF-2026-002", "AFF-2026-003"):
            add_row(page, code)
        for code, day, hours in (
            ("AFF-2026-001", 0, "8"),
            ("AFF-2026-002", 0, "3:30"),
            ("AFF-2026-001", 1, "7:30"),
            ("AFF-2026-003", 1, "1"),
        ):
            type_in(page, code, day, hours)
        cell(page, "AFF-2026-003", 1).click()
        page.locator("button[data-action=open-note]").click()
        page.locator("#grid-note").fill("Réglage du brûleur")
        page.locator("#grid-note").press("Tab")
        page.locator(".grid-noted").wait_for()
    row = page.locator(".week-grid tbody tr", has_text="AFF-2026-003")
    row.locator("button[data-action=start-timer]").click()
    row.locator("button[data-action=stop-timer]").wait_for()
    # The same picture at every run: the timer started at 8:00.
    page.evaluate(TIMER_STARTED_AT, "08:00")
    page.reload()
    page.locator(".grid-since").wait_for()


@pytest.mark.parametrize("size", ["phone", "tablet"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_screenshots(phone: Any, language: str, size: str) -> None:
    page = phone(locale="en-GB" if language == "en" else "fr-FR", **SIZES[size]).new_page()
    sign_in(page, "supervisor@demo.test")
    use_language(page, language)
    a_week_to_show(page)
    cell(page, "AFF-2026-003", 1).click()
    page.locator(".grid-panel #grid-note").wait_for()
    page.locator("#toast").wait_for(state="hidden", timeout=5000)
    # What the person sees: the week from its top, under the sticky bars.
    page.evaluate(
        """() => {
        const bars = document.querySelector(".sync-line").getBoundingClientRect();
        const week = document.querySelector(".time-views").getBoundingClientRect();
        window.scrollBy(0, week.top - bars.bottom - 8);
    }"""
    )
    suffix = "" if size == "tablet" else "-phone"
    page.screenshot(path=str(SHOTS / f"{language}-week-grid{suffix}.png"))
    if size == "phone":
        # Below the grid on a phone: the day totals and the cell's note.
        page.locator(".grid-panel").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{language}-week-grid-phone-note.png"))
