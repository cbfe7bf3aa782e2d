"""The calendar link on the Me screen: the person's feed URL to paste in
their phone's calendar app, copied in one tap, kept for offline."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pwa.conftest import Server, sign_in, wait_for_worker
from tests.pwa.test_screenshots import SHOTS, shoot, use_language

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "fr": "fr-FR"}
COPIED = {"en": "Copied", "fr": "Copié"}


def feed_url(server: Server, email: str) -> str:
    session = server.session(email)
    url = str(session.client.get("/api/calendar/feed").json()["url"])
    session.close()
    return url


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_technician_copies_their_calendar_link(phone: Any, server: Server, language: str) -> None:
    context = phone(locale=LOCALES[language])
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    use_language(page, language)

    page.goto("/#/me")
    field = page.locator("#calendar-url")
    field.wait_for()
    page.locator("#calendar-copy").click()

    page.locator("#calendar-copy", has_text=COPIED[language]).wait_for()
    assert field.input_value() == feed_url(server, "tech1@demo.test")
    assert field.input_value().endswith(".ics")
    assert page.evaluate("navigator.clipboard.readText()") == field.input_value()
    page.locator(".calendar-link").scroll_into_view_if_needed()
    # The picture shows a company's address, not the test server's port
    # (which changes with every run), once the screen has settled.
    page.locator("#toast").wait_for(state="hidden", timeout=5000)
    page.wait_for_timeout(300)
    field.evaluate(
        "input => { input.value = input.value.replace(location.origin, "
        "'https://affaires.example.com') }"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    shoot(page, language, "calendar-link")


def test_offline_the_kept_link_shows_and_a_first_one_waits_for_a_connection(
    phone: Any, server: Server
) -> None:
    context = phone()
    page = context.new_page()
    sign_in(page, "tech2@demo.test")
    use_language(page, "en")

    context.set_offline(True)
    page.goto("/#/me")
    panel = page.locator(".calendar-link")
    panel.filter(has_text="needs a connection the first time").wait_for()
    context.set_offline(False)
    page.locator("#calendar-url").wait_for()
    wait_for_worker(page)
    context.set_offline(True)
    page.reload()

    page.locator("#calendar-url").wait_for()
    assert page.locator("#calendar-url").input_value() == feed_url(server, "tech2@demo.test")


def test_a_new_link_replaces_the_old_one(phone: Any, server: Server) -> None:
    page = phone().new_page()
    sign_in(page, "employee@demo.test")
    page.goto("/#/me")
    field = page.locator("#calendar-url")
    field.wait_for()
    old = field.input_value()

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#calendar-renew").click()

    page.locator(f"#calendar-url:not([value='{old}'])").wait_for()
    new = field.input_value()
    assert new == feed_url(server, "employee@demo.test")
    session = server.session("employee@demo.test")
    gone = session.client.get(old.removeprefix(server.url))
    session.close()
    assert gone.status_code == 404
