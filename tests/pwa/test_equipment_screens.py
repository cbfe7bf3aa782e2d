"""The equipment desk on a phone: the list with its filters, a machine's
page with its warranties, what it was made of on a past day, and who
fitted what; loaded only when opened, and said plainly offline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.pwa.conftest import Server, phone_today, sign_in
from tests.pwa.test_screenshots import SHOTS, shoot, use_language

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "fr": "fr-FR"}
WORDS = {
    "en": {"ended": "Ended on", "running": "Running until", "fitted": "Fitted on"},
    "fr": {"ended": "Terminée le", "running": "En cours jusqu'au", "fitted": "Montée le"},
}


def open_desk(page: Any) -> None:
    page.goto("/#/me")
    page.locator("#equipment-link").click()
    page.locator("#equipment-list").wait_for()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_manager_finds_a_boiler_and_reads_its_history(phone: Any, language: str) -> None:
    page = phone(locale=LOCALES[language]).new_page()
    sign_in(page, "manager@demo.test")
    use_language(page, language)
    open_desk(page)

    page.locator("#equipment-serial").fill("VIT")
    page.locator("form[data-submit=search] button[type=submit]").click()
    page.locator("#equipment-count", has_text="1").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    shoot(page, language, "equipment-list")
    page.locator("#equipment-list a").first.click()
    page.locator("#warranties").wait_for()

    words = WORDS[language]
    customer = page.locator("[data-warranty=customer]").inner_text()
    maker = page.locator("[data-warranty=manufacturer]").inner_text()
    assert words["ended"] in customer
    assert words["running"] in maker
    now = page.locator("#composition").inner_text()
    assert "BR-2291" in now and "CB-5531" in now and "BR-1187" not in now
    history = page.locator("#history").inner_text()
    assert "BR-1187" in history and "Thomas Martin" in history and words["fitted"] in history
    assert page.locator("#equipment-orders-list li").count() >= 2
    shoot(page, language, "equipment-page")

    months_ago = (phone_today() - dt.timedelta(days=150)).isoformat()
    page.locator("#composition-day").fill(months_ago)
    page.locator("#composition-day").dispatch_event("change")
    page.locator(f"#composition[data-on='{months_ago}'] [data-serial='BR-1187']").wait_for()
    back_then = page.locator("#composition").inner_text()
    assert "BR-2291" not in back_then and "CB-5531" in back_then
    page.locator("#composition-day").blur()
    page.evaluate("document.getElementById('equipment-composition').scrollIntoView()")
    shoot(page, language, "equipment-history")


def test_the_text_filter_finds_by_customer(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "supervisor@demo.test")
    use_language(page, "en")
    open_desk(page)

    page.locator("#equipment-text").fill("clinique")
    page.locator("form[data-submit=search] button[type=submit]").click()

    page.locator("#equipment-count", has_text="1 piece of equipment").wait_for()
    assert "De Dietrich" in page.locator("#equipment-list").inner_text()


def test_the_list_filters_by_customer_and_affair(phone: Any, server: Server) -> None:
    session = server.session("manager@demo.test")
    try:
        bakery = next(
            c["id"]
            for c in session.pull_all()["customer"].values()
            if c["name"] == "Boulangerie Fournier"
        )
        total = session.client.get("/api/equipment", params={"customer": bakery}).json()["total"]
    finally:
        session.close()
    page = phone().new_page()
    sign_in(page, "manager@demo.test")
    use_language(page, "en")
    open_desk(page)

    page.locator("#equipment-affair").select_option(
        label="AFF-2026-001 · Remplacement chaufferie Clinique du Parc"
    )
    page.locator("form[data-submit=search] button[type=submit]").click()
    page.locator("#equipment-count", has_text="1 piece of equipment").wait_for()
    clinics = page.locator("#equipment-list").inner_text()
    assert "De Dietrich" in clinics
    page.locator("#equipment-affair").select_option(value="")
    page.locator("#equipment-customer").select_option(label="Boulangerie Fournier")
    page.locator("form[data-submit=search] button[type=submit]").click()

    page.locator("#equipment-count", has_text=f"{total} pieces of equipment").wait_for()
    assert total > 1
    assert clinics not in page.locator("#equipment-list").inner_text()


def test_a_technician_has_no_equipment_desk(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "tech1@demo.test")

    page.goto("/#/me")
    page.locator(".actionbar [data-action=signout]").wait_for()

    assert page.locator("#equipment-link").count() == 0


def test_offline_the_desk_says_it_needs_a_connection(phone: Any) -> None:
    context = phone()
    page = context.new_page()
    sign_in(page, "manager@demo.test")
    use_language(page, "en")
    page.goto("/#/me")
    page.locator("#equipment-link").wait_for()

    context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    page.locator("#equipment-link").click()

    page.locator("#office-offline", has_text="needs a connection").wait_for()
