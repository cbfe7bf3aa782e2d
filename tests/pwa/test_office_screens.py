"""The office's screens come from the server when they open: the phone in
the field never downloads them, and offline a screen not yet loaded says
plainly that it needs a connection, then opens once the network is back."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pwa.conftest import sign_in, wait_for_worker, wait_until

pytestmark = pytest.mark.browser

# Run in the page: the app files the browser fetched so far.
FETCHED = """performance.getEntriesByType('resource')
  .map((e) => new URL(e.name).pathname)
  .filter((path) => !path.startsWith('/api/'))"""


def office_files(page: Any) -> list[str]:
    return [path for path in page.evaluate(FETCHED) if path.startswith("/src/office/")]


def test_a_technicians_phone_never_fetches_the_office_screens(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "tech1@demo.test")
    wait_for_worker(page)
    page.goto("/#/me")
    page.locator("#me-name").wait_for()

    assert office_files(page) == []
    cached = page.evaluate(
        """caches.keys().then(async (names) => (await Promise.all(names.map(async (name) =>
          (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname))))
          .flat())"""
    )
    assert "/src/views/orders.js" in cached
    assert [path for path in cached if path.startswith("/src/office/")] == []


def test_an_office_screen_loads_with_its_words_when_opened(phone: Any) -> None:
    page = phone(locale="fr-FR").new_page()
    sign_in(page, "manager@demo.test")
    page.goto("/#/me")
    page.locator(".desk-links a", has_text="Calendriers").click()

    page.locator("#title", has_text="Calendriers").wait_for()
    # A word of the office's own catalogue, in French.
    page.locator("main", has_text="Jours fériés").wait_for()
    fetched = office_files(page)
    assert "/src/office/calendars.js" in fetched
    assert {"/src/office/words/en.json", "/src/office/words/fr.json"} <= set(fetched)
    assert "calendars." not in page.locator("main").inner_text()


@pytest.mark.parametrize(
    ("locale", "said", "title"),
    [
        ("en-GB", "needs a connection", "Who is available"),
        ("fr-FR", "a besoin d'une connexion", "Qui est disponible"),
    ],
)
def test_offline_an_office_screen_not_loaded_says_it_needs_a_connection(
    phone: Any, locale: str, said: str, title: str
) -> None:
    context = phone(locale=locale)
    page = context.new_page()
    sign_in(page, "manager@demo.test")
    wait_for_worker(page)
    page.goto("/#/me")
    page.locator("#me-name").wait_for()

    context.set_offline(True)
    wait_until(page, "!navigator.onLine")
    page.locator(".desk-links a[href='#/planning/available']").click()

    page.locator("#office-offline", has_text=said).wait_for()
    assert office_files(page) == []
    assert page.locator("#nav a[aria-current=page]").get_attribute("href") == "#/me"

    # Back online, the screen opens by itself.
    context.set_offline(False)
    page.locator("#title", has_text=title).wait_for()
    assert page.locator("#office-offline").count() == 0
    assert "/src/office/planning.js" in office_files(page)


def test_a_screen_the_server_cannot_give_is_tried_again_then_said(phone: Any) -> None:
    # No service worker in the way: the page's own requests can be cut.
    page = phone(service_workers="block").new_page()
    sign_in(page, "manager@demo.test")
    asked: list[str] = []

    def cut(route: Any) -> None:
        asked.append(route.request.url)
        route.abort()

    page.route("**/src/office/exports.js*", cut)
    page.goto("/#/exports")

    # While it tries again, the screen waits and says it is loading.
    page.locator("#office-loading", has_text="Loading").wait_for(state="attached")
    page.locator("#office-offline", has_text="could not be loaded").wait_for()
    assert len(asked) == 3  # the first try and two more by themselves
    assert len(set(asked)) == 3  # each at its own address

    page.unroute("**/src/office/exports.js*")
    page.locator("[data-action=office-retry]").click()
    page.locator("#title", has_text="Exports").wait_for()
    page.locator("#export-download").wait_for()
