"""The supervisor's list of team devices, on a phone (case S10)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import Device, TimeEntry
from tests.pwa.conftest import PHONE, Server, sign_in, wait_synced
from tests.pwa.test_conflict_review import TWO_WEEKS_AGO, change_hours, entries_of_week
from tests.pwa.test_field_work import add_time
from tests.pwa.test_offline_day_on_dolibarr_data import outside_the_browser_loop
from tests.pwa.test_screenshots import shoot, use_language

pytestmark = pytest.mark.browser


async def _age_device(
    database_url: str, client_id: str, back: dt.timedelta, *, unconfirmed: bool = False
) -> None:
    db = open_database(database_url)
    await _until_settled(db, uuid.UUID(client_id))
    async with db.writing() as session:
        device = await session.get(Device, uuid.UUID(client_id))
        assert device is not None
        device.first_seen_at -= back
        device.last_seen_at -= back
        if device.last_push_at is not None:
            device.last_push_at -= back
        if device.last_pull_at is not None:
            device.last_pull_at -= back
        if unconfirmed:
            # The answer to its last push never came back: no pull since.
            assert device.last_push_at is not None
            device.last_pull_at = device.last_push_at - dt.timedelta(minutes=1)
    await db.dispose()


async def _until_settled(db: Any, client_id: uuid.UUID) -> None:
    """Until the server has stopped writing the device's row: a request
    the browser sent just before its page closed may still be noted, and
    would note the device as seen now, undoing the ageing."""
    contacts = (Device.last_seen_at, Device.last_pull_at, Device.last_push_at, Device.last_seq)
    read = sa.select(*contacts).where(Device.client_id == client_id)
    before = None
    for _ in range(50):
        async with db.reading() as session:
            now = tuple((await session.execute(read)).one())
        if now == before:
            return
        before = now
        await asyncio.sleep(0.3)
    raise AssertionError("the device's row kept changing")


def age_device(
    server: Server, context: Any, back: dt.timedelta, *, unconfirmed: bool = False
) -> None:
    """Close the browser ``context`` and move every contact of its device
    back in time: it was last used that long ago. ``unconfirmed``: its
    last push was never followed by a pull."""
    client_id = client_id_of(context.pages[0])
    context.close()
    outside_the_browser_loop(
        _age_device(server.database_url, client_id, back, unconfirmed=unconfirmed)
    )


CLIENT_ID = """new Promise((found) => {
  const opened = indexedDB.open("affaires");
  opened.onsuccess = () => {
    const read = opened.result.transaction("meta").objectStore("meta").get("client_id");
    read.onsuccess = () => found(read.result.v);
  };
})"""


def short_id(client_id: str) -> str:
    """How the list names a device: the end of its client id."""
    return "#" + client_id.replace("-", "")[-4:]


def client_id_of(page: Any) -> str:
    """The client id of the app's install in this page's browser."""
    return str(page.evaluate(CLIENT_ID))


async def _notes_stored(database_url: str, note: str) -> int:
    db = open_database(database_url)
    async with db.reading() as session:
        count = await session.scalar(
            sa.select(sa.func.count()).select_from(TimeEntry).where(TimeEntry.note == note)
        )
    await db.dispose()
    return int(count or 0)


def wipe_and_come_back(phone: Any, server: Server, email: str, *, locale: str = "en-GB") -> Any:
    """A phone of ``email`` that worked offline, sat idle two days, then
    had its storage wiped by the browser: the session cookie still works,
    the app starts again with a new client id. Answers the new page."""
    # Without a service worker, and with every request refused besides:
    # the browser's offline mode alone has let a request through, rarely,
    # and this phone's change must never arrive.
    context = phone(locale=locale, service_workers="block")
    page = context.new_page()
    sign_in(page, email)
    context.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    page.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    # The app sends nothing while the browser says it is offline: wait
    # until it does, so that no push races the emulated outage.
    page.wait_for_function("!navigator.onLine")
    add_time(page, "AFF-2026-003", "1:15", "S10 lost with the phone's storage")
    page.locator(".sync-line.sync-offline").wait_for()
    assert page.evaluate("document.body.dataset.seq") == "2"
    cookies = [c for c in context.cookies() if c["name"] == "affaires_session"]
    age_device(server, context, dt.timedelta(days=2))

    wiped = phone(locale=locale)
    wiped.add_cookies([{**cookies[0], "expires": -1}])
    page = wiped.new_page()
    page.goto("/")
    page.locator("#notice").wait_for()
    wait_synced(page)
    return page


def open_team_devices(page: Any) -> None:
    page.locator("#nav a[href='#/me']").click()
    page.locator("a[href='#/devices']").click()
    page.locator(".device-group").first.wait_for()


def test_S10_the_supervisors_list_shows_the_old_device_as_gone_silent(
    phone: Any, server: Server
) -> None:
    wipe_and_come_back(phone, server, "tech2@demo.test")
    boss = phone().new_page()
    sign_in(boss, "supervisor@demo.test")
    use_language(boss, "en")

    open_team_devices(boss)

    sofia = boss.locator(".device-group", has_text="Sofia Benali")
    old, new = sofia.locator(".device-replaced"), sofia.locator(".device-active")
    assert (old.count(), new.count()) == (1, 1)
    said = old.inner_text()
    assert "Replaced" in said
    assert "Gone silent since" in said
    assert "a newer device of Sofia Benali has been in use since" in said
    assert "In use" in new.inner_text()
    assert "Linux · Chrome" in new.inner_text()
    # What the old phone kept offline never reached the server: nothing
    # the server holds of it is unconfirmed or in conflict, so the list
    # tells it calmly, after the phone in use, and raises no alarm.
    assert "It never sent a change, and no conflict of it is open" in said
    # The server cannot know what the phone held unsent: it never says none.
    assert "never sent cannot be seen from here: if in doubt, ask Sofia Benali" in said
    assert "Ask Sofia Benali" not in said
    assert old.locator(".notice.warn").count() == 0
    assert sofia.locator(".device").last.get_attribute("class") == old.get_attribute("class")
    assert boss.locator(".device-at-stake").count() == 0
    assert boss.locator("p", has_text="Nothing needs your attention").count() == 1
    # The change queued on the wiped phone never reached the server.
    lost = outside_the_browser_loop(
        _notes_stored(server.database_url, "S10 lost with the phone's storage")
    )
    assert lost == 0


# Per language: the phone's locale and what the list says.
AT_STAKE = {
    "en": (
        "en-GB",
        "1 silent device may hold unsent work",
        "Unknown device",
        "were never confirmed back to it",
        "Ask Julien Petit whether work done on this device was never sent.",
    ),
    "fr": (
        "fr-FR",
        "1 appareil silencieux peut garder du travail non envoyé",
        "Appareil inconnu",
        "ne lui ont jamais été confirmées",
        "Demandez à Julien Petit si du travail fait sur cet appareil n'a jamais été envoyé.",
    ),
}


@pytest.fixture(scope="module")
def unconfirmed_tablet(server: Server, browser: Any) -> str:
    """Julien's tablet, whose browser names itself in words the server does
    not know, sent an hour; the answer never came back to it, then he took
    a new tablet. Answers the old one's short id."""
    old = browser.new_context(base_url=server.url, user_agent="Mozilla/5.0 (compatible)", **PHONE)
    page = old.new_page()
    sign_in(page, "employee@demo.test")
    add_time(page, "AFF-2026-003", "1", "sent, never confirmed back")
    wait_synced(page)
    short = short_id(client_id_of(page))
    age_device(server, old, dt.timedelta(days=2), unconfirmed=True)

    new = browser.new_context(base_url=server.url, **PHONE)
    sign_in(new.new_page(), "employee@demo.test")
    new.close()
    return short


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_silent_device_that_may_hold_unsent_work_asks_for_attention(
    phone: Any, unconfirmed_tablet: str, language: str
) -> None:
    locale, header, unknown, unconfirmed, ask = AT_STAKE[language]
    boss = phone(locale=locale).new_page()
    sign_in(boss, "supervisor@demo.test")
    use_language(boss, language)

    open_team_devices(boss)

    julien = boss.locator(".device-group", has_text="Julien Petit")
    old = julien.locator(".device", has_text=unconfirmed_tablet)
    said = old.inner_text()
    assert "device-at-stake" in (old.get_attribute("class") or "")
    assert boss.locator(".device-group").first.get_attribute("aria-labelledby") == (
        julien.get_attribute("aria-labelledby")
    )
    assert julien.locator(".device").first.inner_text() == said
    assert said.startswith(f"{unknown} {unconfirmed_tablet}"), said
    assert unconfirmed in said
    assert ask in said
    assert boss.locator("p.strong", has_text=header).count() == 1
    title = old.locator(".card-title").bounding_box()
    chip = old.locator(".chip").bounding_box()
    assert title["y"] + title["height"] <= chip["y"] or title["x"] + title["width"] <= chip["x"]
    julien.evaluate("(group) => group.scrollIntoView({block: 'start'})")
    shoot(boss, language, "devices-at-stake")


def test_the_list_shows_offline_as_it_was_last_seen(phone: Any, server: Server) -> None:
    context = phone()
    boss = context.new_page()
    sign_in(boss, "supervisor@demo.test")
    use_language(boss, "en")
    open_team_devices(boss)
    count = boss.locator(".device").count()

    context.set_offline(True)
    boss.locator("button[data-action=refresh]").click()

    boss.locator(".notice", has_text="Offline: the list as of").wait_for()
    assert boss.locator(".device").count() == count


def test_the_device_in_hand_is_this_device_and_a_resolution_shows_at_once(
    phone: Any, server: Server
) -> None:
    # Thomas changes hours of a week Marie approved: a conflict of his phone.
    monday = next(e for e in entries_of_week(server, TWO_WEEKS_AGO) if e["minutes"] == 240)
    tech = phone().new_page()
    sign_in(tech, "tech1@demo.test")
    change_hours(tech, monday["id"], "5")
    tech.locator(".sync-line", has_text="1 change needs your attention").wait_for()
    thomas_phone = short_id(client_id_of(tech))

    boss = phone().new_page()
    sign_in(boss, "supervisor@demo.test")
    use_language(boss, "en")
    own = client_id_of(boss)

    # The list was made before this phone's pull was recorded: it takes
    # the phone for one that went silent.
    def made_too_early(route: Any) -> None:
        answer = route.fetch()
        body = answer.json()
        for device in body["devices"]:
            if device["client_id"] == own:
                device.update(status="replaced", replaced_at=device["first_seen_at"])
        route.fulfill(response=answer, json=body)

    boss.route("**/api/devices", made_too_early)
    open_team_devices(boss)

    mine = boss.locator(".device", has_text=short_id(own))
    said = mine.inner_text()
    assert "This device" in said, said
    assert "Replaced" not in said and "Ask Marie Dubois" not in said, said
    mine.scroll_into_view_if_needed()
    shoot(boss, "en", "devices-this-device")

    # Marie resolves the conflict from the device's card; back on the
    # list, the phone has none open any more.
    his = boss.locator(".device", has_text=thomas_phone)
    his.locator("a[href='#/conflicts']", has_text="1 open conflict").click()
    boss.locator("#open-title").wait_for()
    boss.locator("button[data-action=keep-server]").first.click()
    boss.locator(".decided .card", has_text="Server's value kept by Marie Dubois").wait_for()
    open_team_devices(boss)
    his.wait_for()
    his.locator("a[href='#/conflicts']").wait_for(state="detached")
