"""A returned repair leads to its printable report, signed, in the reader's
language, and fit for a phone's screen as well as for paper."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pwa.conftest import ROOT, Server, sign_in, wait_synced

pytestmark = pytest.mark.browser

SHOTS = ROOT / "docs" / "screenshots"
RETURNED = "SO-2026-0206"


def returned_repair(server: Server) -> str:
    session = server.session("tech1@demo.test")
    try:
        orders = session.pull_all()["service_order"]
    finally:
        session.close()
    return next(i for i, order in orders.items() if order["number"] == RETURNED)


@pytest.mark.parametrize(
    ("language", "locale", "signed"),
    [("en", "en-GB", "Signed by M. Vidal"), ("fr", "fr-FR", "Signé par M. Vidal")],
)
def test_a_returned_repair_opens_its_signed_report(
    phone: Any, server: Server, language: str, locale: str, signed: str
) -> None:
    order_id = returned_repair(server)
    page = phone(locale=locale).new_page()
    sign_in(page, "tech1@demo.test")
    wait_synced(page)
    if page.locator("html").get_attribute("lang") != language:
        page.goto("/#/me")
        page.locator("#language").click()
        page.locator(f"html[lang={language}]").wait_for(state="attached")

    page.goto(f"/#/order/{order_id}")
    link = page.locator("#service-report")
    link.wait_for()
    assert link.get_attribute("target") == "_blank"
    page.goto(str(link.get_attribute("href")))

    page.locator("h1").wait_for()
    body = page.locator("body").inner_text()
    assert RETURNED in body
    assert signed in body
    assert page.locator(".signature img").evaluate("(img) => img.naturalWidth") > 0
    # Nothing wider than the phone: the report reads without scrolling sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{language}-service-report.png"), full_page=True)
