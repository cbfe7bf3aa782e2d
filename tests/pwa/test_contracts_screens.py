"""Maintenance contracts on the office's phone: the list with what needs
attention first, a contract's terms and visits, the new contract's form
with its refusals beside the field, and the buttons only those who write
contracts see."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from tests.pwa.conftest import ROOT, phone_today, sign_in
from tests.pwa.test_screenshots import SHOTS, shoot, use_language

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "fr": "fr-FR"}
WORDS = {
    "en": {"late": "1 late visit", "running": "Running", "done": "Done", "coming": "Coming"},
    "fr": {
        "late": "1 visite en retard",
        "running": "En cours",
        "done": "Faite",
        "coming": "À venir",
    },
}


def open_contracts(page: Any) -> None:
    page.goto("/#/me")
    page.locator("#contracts-link").click()
    page.locator("#contracts-list").wait_for()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_manager_sees_the_late_visit_of_the_bakerys_contract(phone: Any, language: str) -> None:
    page = phone(locale=LOCALES[language]).new_page()
    sign_in(page, "manager@demo.test")
    use_language(page, language)
    open_contracts(page)
    words = WORDS[language]

    first = page.locator("#contracts-list li").first
    assert "Boulangerie Fournier" in first.inner_text()
    assert words["late"] in first.locator("[data-flag=late]").inner_text()
    assert page.locator("#contract-new").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    shoot(page, language, "contracts")

    first.locator("a").click()
    page.locator("#visits").wait_for()
    states = page.locator("#visits li").evaluate_all("(items) => items.map((i) => i.dataset.state)")
    assert states == ["done", "late", "coming"]
    assert words["done"] in page.locator("#visits li").first.inner_text()
    assert "DEMO-CH-2021-0042" in page.locator("#contract-equipment-panel").inner_text()
    assert words["running"] in page.locator(".contract-flags").inner_text()
    assert page.locator("#contract-actions [data-action=plan]").is_visible()
    assert page.locator("#contract-actions [data-action=activate]").count() == 0
    page.evaluate("document.getElementById('contract-actions').scrollIntoView()")
    shoot(page, language, "contract")


def test_the_list_filters_by_status(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "manager@demo.test")
    use_language(page, "en")
    open_contracts(page)

    page.locator("#contracts-status").select_option(value="closed")
    page.locator("form[data-submit=filter] button[type=submit]").click()

    page.locator("#contracts-empty").wait_for()
    page.locator("#contracts-status").select_option(value="active")
    page.locator("form[data-submit=filter] button[type=submit]").click()
    page.locator("#contracts-list li").first.wait_for()
    assert page.locator("#contracts-list li").count() == 1


def test_a_manager_writes_a_contract_runs_it_and_closes_it(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "manager@demo.test")
    use_language(page, "en")
    open_contracts(page)
    page.locator("#contract-new").click()
    today = phone_today()

    page.locator("#contract-customer_id").select_option(label="Boulangerie Fournier")
    # The clinic's affair is not the bakery's: said under the affair.
    page.locator("#contract-affair_id").select_option(
        label="AFF-2026-001 · Remplacement chaufferie Clinique du Parc"
    )
    page.locator("#contract-starts_on").fill(today.isoformat())
    page.locator("#contract-ends_on").fill((today - dt.timedelta(days=1)).isoformat())
    page.locator("#contract-visit_every_months").fill("6")
    page.locator("#contract-response_hours").fill("24")
    page.locator("form[data-submit=create] button[type=submit]").click()
    page.locator("#contract-affair_id-error").wait_for()
    assert page.locator("#contract-affair_id").get_attribute("aria-invalid") == "true"

    page.locator("#contract-affair_id").select_option(
        label="AFF-2026-003 · Maintenance Boulangerie Fournier"
    )
    page.locator("form[data-submit=create] button[type=submit]").click()

    # Refused beside the field at fault, nothing made, what was typed kept.
    error = page.locator("#contract-ends_on-error")
    error.wait_for()
    assert "after the start" in error.inner_text()
    assert page.locator("#contract-ends_on").get_attribute("aria-invalid") == "true"
    assert page.locator("#contract-visit_every_months").input_value() == "6"

    page.locator("#contract-ends_on").fill((today + dt.timedelta(days=365)).isoformat())
    page.locator("form[data-submit=create] button[type=submit]").click()
    page.locator("#contract-actions [data-action=activate]").wait_for()
    assert "Draft" in page.locator(".contract-flags").inner_text()
    assert "every 6 months" in page.locator("#contract-terms").inner_text()

    page.locator("#contract-actions [data-action=activate]").click()
    page.locator("#visits li[data-state=coming]").first.wait_for()
    assert page.locator("#visits li").first.get_attribute("data-due") == today.isoformat()

    # Asked first: saying no leaves it running.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#contract-actions [data-action=close]").click()
    page.wait_for_timeout(300)
    assert "Running" in page.locator(".contract-flags").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#contract-actions [data-action=close]").click()
    page.locator(".contract-flags", has_text="Closed").wait_for()
    assert page.locator("#contract-actions button").count() == 0


def test_a_supervisor_reads_contracts_without_writing(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "supervisor@demo.test")
    use_language(page, "en")
    open_contracts(page)

    assert page.locator("#contract-new").count() == 0
    page.locator("#contracts-list li a").first.click()
    page.locator("#visits").wait_for()
    assert page.locator("#contract-actions").count() == 0
    page.goto("/#/contracts/new")
    # Not the form: the route is for those who write contracts.
    page.locator("#contracts-problem, #contracts-offline").wait_for()
    assert page.locator("form[data-submit=create]").count() == 0


def test_a_technician_has_no_contracts_link(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "tech1@demo.test")

    page.goto("/#/me")
    page.locator(".actionbar [data-action=signout]").wait_for()

    assert page.locator("#contracts-link").count() == 0


def test_the_contracts_words_exist_in_both_languages() -> None:
    words = ROOT / "pwa" / "src" / "office" / "words"
    en = {
        k: v
        for k, v in json.loads((words / "en.json").read_text()).items()
        if k.startswith("contracts.")
    }
    fr = {
        k: v
        for k, v in json.loads((words / "fr.json").read_text()).items()
        if k.startswith("contracts.")
    }

    assert en and set(en) == set(fr)
    assert not [text for text in fr.values() if re.search(r" [:;?!»]|« ", text)]


def test_offline_a_contract_says_it_needs_a_connection(phone: Any) -> None:
    context = phone()
    page = context.new_page()
    sign_in(page, "manager@demo.test")
    use_language(page, "en")
    open_contracts(page)

    context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    page.locator("#contracts-list li a").first.click()

    page.locator("#contracts-offline", has_text="need a connection").wait_for()
