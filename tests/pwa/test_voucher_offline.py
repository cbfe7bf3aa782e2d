"""A technician redeems vouchers on a visit while offline: kept on the
phone, sent when the connection is back; the one over its limit comes
back refused, saying in words what is left on it."""

from __future__ import annotations

from typing import Any

import pytest

from backend.aftersales.demo_vouchers import NEARLY_SPENT, WITH_BALANCE
from tests.pwa.conftest import Server, outbox_seq, sign_in, wait_for_worker, wait_saved
from tests.pwa.test_field_work import open_order
from tests.pwa.test_screenshots import SHOTS, use_language

pytestmark = pytest.mark.browser

# Per language: locale, technician, visit, the amounts as typed there.
RUNS = {
    "en": ("en-GB", "tech1@demo.test", "SO-2026-0104", "10.00", "25"),
    "fr": ("fr-FR", "tech2@demo.test", "SO-2026-0105", "10,00", "25"),
}
REFUSED = {
    "en": "Over the limit: only €5.00 left on this voucher.",
    "fr": "Limite dépassée\u00a0: il ne reste que 5,00\u00a0€ sur ce bon.",
}


def redeem(page: Any, code: str, amount: str) -> None:
    before = outbox_seq(page)
    page.locator("#voucher-code").fill(code.lower().replace("-", " "))
    page.locator("#voucher-amount").fill(amount)
    page.locator("form[data-submit=voucher] button[type=submit]").click()
    wait_saved(page, before)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_vouchers_redeemed_offline_are_decided_by_the_server(
    phone: Any, server: Server, language: str
) -> None:
    locale, email, number, over, within = RUNS[language]
    context = phone(locale=locale)
    page = context.new_page()
    sign_in(page, email)
    use_language(page, language)
    wait_for_worker(page)
    open_order(page, number)

    context.set_offline(True)
    page.wait_for_function("!navigator.onLine")
    redeem(page, NEARLY_SPENT, over)
    redeem(page, WITH_BALANCE, within)
    page.reload()
    page.locator("#voucher-code").wait_for()
    # Kept over a reload. (The browser's offline mode may still let a push
    # through: what counts is that each is kept and decided once.)
    kept = page.locator("ul.voucher-list > li").count()

    context.set_offline(False)
    refused = page.locator("li.voucher-refused")
    refused.wait_for(timeout=20000)
    page.locator("li.voucher-taken").wait_for()
    page.locator("#toast").wait_for(state="hidden", timeout=5000)
    page.locator("#vouchers").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{language}-voucher-refused.png"))

    assert kept == 2
    assert page.locator("ul.voucher-list > li").count() == 2
    assert REFUSED[language] in refused.inner_text()
    office = server.session("manager@demo.test")
    try:
        nearly = office.client.get(f"/api/vouchers/{NEARLY_SPENT}").json()
        spent = office.client.get(f"/api/vouchers/{WITH_BALANCE}").json()
    finally:
        office.close()
    assert nearly["balance_cents"] == 500
    assert [r["amount_cents"] for r in spent["redemptions"] if r["amount_cents"] == 2500]
