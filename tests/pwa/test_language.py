"""French and English: counted texts, the language of every part of the
screen, and the person's language kept with their account."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from tests.pwa.conftest import ROOT, Server, sign_in, wait_synced

pytestmark = pytest.mark.browser

# The app's words and those of the office's screens (loaded with them).
CATALOGUES = {
    lang: {
        **json.loads((ROOT / "pwa" / "i18n" / f"{lang}.json").read_text()),
        **json.loads((ROOT / "pwa" / "src" / "office" / "words" / f"{lang}.json").read_text()),
    }
    for lang in ("en", "fr")
}


def counted_keys() -> list[str]:
    return sorted(
        {key.rsplit(".", 1)[0] for key in CATALOGUES["en"] if key.endswith((".one", ".other"))}
    )


def test_every_counted_text_says_its_number() -> None:
    # French says "0 modification" with the `.one` form: a `.one` text
    # that wrote "1" would say one when there are none.
    assert counted_keys(), "no counted text found"
    for lang, catalogue in CATALOGUES.items():
        for key, text in catalogue.items():
            if key.endswith((".one", ".other")):
                assert "{count}" in text, f"{lang} {key}: {text!r}"
                assert not re.search(r"(?<![\d{])1(?![\d}])", text), f"{lang} {key}: {text!r}"


# Run in the page: t() with 0, 1 and 2 of every counted text, in both languages.
COUNTED = """async (keys) => {
  const i18n = await import("/src/i18n.js");
  await i18n.loadCatalogues();
  await i18n.loadOfficeWords();
  const out = {};
  for (const lang of ["en", "fr"]) {
    i18n.setLanguage(lang);
    for (const key of keys) {
      for (const count of [0, 1, 2]) {
        out[`${lang} ${key} ${count}`] = i18n.t(key, {count, name: "N", at: "10:42"});
      }
    }
  }
  return out;
}"""


def test_counted_texts_for_0_1_and_2_in_both_languages(phone: Any) -> None:
    page = phone(service_workers="block").new_page()
    page.goto("/")
    page.locator("#email").wait_for()

    said = page.evaluate(COUNTED, counted_keys())

    for name, text in said.items():
        count = name.rsplit(" ", 1)[1]
        assert re.search(rf"(?<!\d){count}(?!\d)", text), f"{name}: {text!r}"
        assert "{" not in text, f"{name}: {text!r}"
    assert said["fr outbox.title 0"] == "0 modification en attente d'envoi"
    assert said["fr outbox.title 1"] == "1 modification en attente d'envoi"
    assert said["fr outbox.title 2"] == "2 modifications en attente d'envoi"
    assert said["en outbox.title 0"] == "0 changes waiting to be sent"
    assert said["en outbox.title 1"] == "1 change waiting to be sent"
    assert said["en outbox.title 2"] == "2 changes waiting to be sent"


def test_the_french_sync_page_with_nothing_waiting_says_zero(phone: Any) -> None:
    page = phone(locale="fr-FR").new_page()
    sign_in(page, "employee@demo.test")
    page.goto("/#/sync")

    page.locator("#outbox-title").wait_for()

    assert page.locator("#outbox-title").inner_text() == "0 modification en attente d'envoi"
    assert "Rien n'attend sur ce téléphone" in page.locator("main").inner_text()


def account_language(server: Server, email: str) -> str | None:
    session = server.session(email)
    language = session.me["language"]
    session.close()
    return None if language is None else str(language)


def wait_account_language(server: Server, email: str, wanted: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while account_language(server, email) != wanted:
        if time.monotonic() > deadline:
            raise AssertionError(f"{email}'s language is not {wanted!r}")
        time.sleep(0.2)


def test_S10_notice_speaks_the_language_of_the_screen(phone: Any, server: Server) -> None:
    session = server.session("tech1@demo.test")
    cookie = session.client.cookies["affaires_session"]
    session.close()
    context = phone(locale="fr-FR")
    context.add_cookies([{"name": "affaires_session", "value": cookie, "url": server.url}])
    page = context.new_page()

    page.goto("/#/time")

    notice = page.locator("#notice")
    notice.filter(has_text="Le navigateur a vidé le stockage").wait_for()
    assert page.locator("#title").inner_text() == "Mes heures"
    assert notice.locator("button").inner_text() == "J'ai compris"
    page.locator("#language").click()
    notice.filter(has_text="storage was emptied").wait_for()
    assert notice.locator("button").inner_text() == "OK, understood"
    assert page.locator("#title").inner_text() == "My time"
    page.locator("#language").click()
    notice.filter(has_text="Le navigateur a vidé le stockage").wait_for()


def test_the_account_language_wins_over_the_browser_at_sign_in(phone: Any) -> None:
    # Sofia's account says French; her phone's browser says English.
    sofia = phone(locale="en-GB").new_page()
    sofia.goto("/")
    sofia.locator("#title", has_text="Sign in").wait_for()
    sign_in(sofia, "tech2@demo.test")
    assert sofia.locator("#title").inner_text() == "Mes visites"
    assert sofia.locator("html").get_attribute("lang") == "fr"
    # No language on the account: the browser's.
    julien = phone(locale="fr-FR").new_page()
    sign_in(julien, "employee@demo.test")
    assert julien.locator("#title").inner_text() == "Mes heures"


def test_a_switch_is_kept_with_the_account_and_follows_the_person(
    phone: Any, server: Server
) -> None:
    page = phone(locale="en-GB").new_page()
    sign_in(page, "manager@demo.test")
    assert page.locator("#title").inner_text() == "My visits"
    assert account_language(server, "manager@demo.test") is None

    page.locator("#language").click()
    page.locator("#title", has_text="Mes visites").wait_for()
    wait_account_language(server, "manager@demo.test", "fr")

    # Another phone, an English browser: the person's French comes along.
    other = phone(locale="en-GB").new_page()
    sign_in(other, "manager@demo.test")
    assert other.locator("#title").inner_text() == "Mes visites"


# Run in the page: what the device's store holds under `key` of meta, read
# in a transaction of its own (it waits for the writes begun before it).
STORED = """(key) => new Promise((resolve, reject) => {
  const opening = indexedDB.open("affaires");
  opening.onerror = () => reject(opening.error);
  opening.onsuccess = () => {
    const db = opening.result;
    const read = db.transaction("meta").objectStore("meta").get(key);
    read.onsuccess = () => { db.close(); resolve(read.result ? read.result.v : null); };
    read.onerror = () => reject(read.error);
  };
})"""


def test_a_switch_offline_is_immediate_and_sent_later(phone: Any, server: Server) -> None:
    context = phone(locale="en-GB")
    page = context.new_page()
    sign_in(page, "supervisor@demo.test")
    assert page.locator("#title").inner_text() == "Mes visites"
    wait_synced(page)

    # Offline, closed before it could send: sent at the next start.
    context.set_offline(True)
    page.locator("#language").click()
    page.locator("#title", has_text="My visits").wait_for()
    assert page.evaluate(STORED, "lang_unsent") is True
    page.close()
    assert account_language(server, "supervisor@demo.test") == "fr"
    context.set_offline(False)
    page = context.new_page()
    page.goto("/#/orders")
    page.locator("#title", has_text="My visits").wait_for()
    wait_account_language(server, "supervisor@demo.test", "en")

    # Offline again, the app left open: sent when the network is back.
    context.set_offline(True)
    page.locator("#language").click()
    page.locator("#title", has_text="Mes visites").wait_for()
    page.wait_for_timeout(300)
    assert account_language(server, "supervisor@demo.test") == "en"
    context.set_offline(False)
    wait_account_language(server, "supervisor@demo.test", "fr")
