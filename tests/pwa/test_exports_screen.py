"""Payroll and billing exports on a phone: a file to download for those
who read costs, refusals said in words, and nothing silent offline."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pwa.conftest import Server, sign_in
from tests.pwa.test_screenshots import SHOTS, shoot, use_language

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "fr": "fr-FR"}
TITLE = {"en": "Payroll and billing exports", "fr": "Exports paie et facturation"}


def open_exports(page: Any, language: str = "en") -> None:
    page.goto("/#/me")
    page.locator(".desk-links a", has_text=TITLE[language]).click()
    page.locator("#export-download").wait_for()


def choose(page: Any, name: str, value: str) -> None:
    page.locator(f"input[name={name}][value={value}]").check()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_manager_downloads_last_months_billing_as_xlsx(phone: Any, language: str) -> None:
    page = phone(locale=LOCALES[language], accept_downloads=True).new_page()
    sign_in(page, "manager@demo.test")
    use_language(page, language)
    open_exports(page, language)

    choose(page, "kind", "billing")
    choose(page, "format", "xlsx")
    page.locator("#export-summary").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shoot(page, language, "exports")
    with page.expect_download() as waiting:
        page.locator("#export-download").click()

    download = waiting.value
    assert download.suggested_filename.startswith("billing_")
    assert download.suggested_filename.endswith(".xlsx")
    href = page.locator("#export-download").get_attribute("href")
    assert href.startswith("/api/exports/billing?from=") and "format=xlsx" in href


def test_a_supervisor_downloads_a_custom_period_as_csv(phone: Any) -> None:
    page = phone(accept_downloads=True).new_page()
    sign_in(page, "supervisor@demo.test")
    use_language(page, "en")
    open_exports(page)

    choose(page, "period", "custom")
    page.locator("#export-from").fill("2026-11-01")
    page.locator("#export-to").fill("2026-11-30")
    page.locator("#export-summary", has_text="1 Nov 2026 to 30 Nov 2026").wait_for()
    with page.expect_download() as waiting:
        page.locator("#export-download").click()

    assert waiting.value.suggested_filename == "payroll_2026-11-01_2026-11-30.csv"


def test_a_period_the_server_refuses_is_said_in_words(phone: Any) -> None:
    page = phone(locale="fr-FR").new_page()
    sign_in(page, "manager@demo.test")
    use_language(page, "fr")
    open_exports(page, "fr")
    choose(page, "period", "custom")

    page.locator("#export-from").fill("2025-01-01")
    page.locator("#export-to").fill("2026-11-30")
    page.locator("#export-download").click()
    too_long = page.locator("#export-problem", has_text="au plus 366 jours")
    too_long.wait_for()
    said = too_long.inner_text()
    page.locator("#export-from").fill("2026-12-01")
    page.locator("#export-problem", has_text="Le dernier jour est avant le premier.").wait_for()

    assert "366 jours\u00a0: choisissez-en une plus courte" in said


def test_offline_the_screen_says_exports_need_a_connection(phone: Any) -> None:
    context = phone(accept_downloads=True)
    page = context.new_page()
    sign_in(page, "admin@demo.test")
    open_exports(page)
    downloads: list[Any] = []
    page.on("download", lambda download: downloads.append(download))

    context.set_offline(True)

    page.locator("#exports-offline", has_text="exports need a connection").wait_for()
    assert page.locator("#export-download").get_attribute("aria-disabled") == "true"
    # Dimmed, but a tap still says why nothing comes.
    page.locator("#export-download").click(force=True)
    page.locator("#export-problem", has_text="You are offline").wait_for()
    assert downloads == []
    context.set_offline(False)
    page.locator("#exports-offline").wait_for(state="detached")


@pytest.mark.parametrize("who", ["tech1@demo.test", "employee@demo.test"])
def test_nobody_else_exports(phone: Any, server: Server, who: str) -> None:
    page = phone().new_page()
    sign_in(page, who)

    page.goto("/#/me")
    page.locator("#me-name").wait_for()
    assert page.locator(".desk-links").count() == 0
    page.goto("/#/exports")
    page.wait_for_url("**/#/orders" if who.startswith("tech") else "**/#/time")
    session = server.session(who)
    refused = session.client.get(
        "/api/exports/payroll", params={"from": "2026-11-01", "to": "2026-11-30"}
    )
    session.close()
    assert refused.status_code == 403
