"""The time entry form refuses, before anything is saved, what the server
would refuse: hours out of range, or a day that would pass 24 hours. Each
error is said under the Hours field, in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pwa.conftest import Server, outbox_seq, sign_in
from tests.pwa.test_field_work import add_time
from tests.pwa.test_screenshots import SHOTS, use_language

pytestmark = pytest.mark.browser

# Per language: the phone's locale, a person with no hours yet today.
PEOPLE = {"en": ("en-GB", "tech1@demo.test"), "fr": ("fr-FR", "tech2@demo.test")}
SAID = {
    "en": (
        "More than 24 hours in the day: 2 h 15 already entered, at most 21 h 45 left.",
        "Between 1 minute and 24 hours.",
    ),
    "fr": (
        "Plus de 24 heures dans la journée : 2 h 15 déjà saisies, il reste au plus 21 h 45.",
        "Entre 1 minute et 24 heures.",
    ),
}


def submit_hours(page: Any, hours: str) -> None:
    page.locator("#entry-hours").fill(hours)
    page.locator("form[data-submit=add] button[type=submit]").click()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_day_over_24_hours_is_refused_in_the_form(
    phone: Any, server: Server, language: str
) -> None:
    locale, email = PEOPLE[language]
    over_the_day, out_of_range = SAID[language]
    page = phone(locale=locale).new_page()
    sign_in(page, email)
    use_language(page, language)
    add_time(page, "AFF-2026-002", "2:15", "Réglage chaudière")
    page.locator(".actionbar a[href^='#/entry/new']").click()
    affair = page.locator("#entry-affair option", has_text="AFF-2026-003")
    page.locator("#entry-affair").select_option(affair.get_attribute("value"))
    before = outbox_seq(page)

    submit_hours(page, "23:59")
    error = page.locator("#entry-hours-hint + #entry-error")
    error.wait_for()
    page.locator("#entry-hours").scroll_into_view_if_needed()
    page.locator("#toast").wait_for(state="hidden", timeout=5000)
    page.screenshot(path=str(SHOTS / f"{language}-entry-day-over-24h.png"))
    said_over = error.inner_text()
    invalid = page.locator("#entry-hours").get_attribute("aria-invalid")
    described = page.locator("#entry-hours").get_attribute("aria-describedby")

    submit_hours(page, "25")
    page.locator("#entry-hours-hint + #entry-error", has_text=out_of_range).wait_for()

    assert said_over == over_the_day
    assert invalid == "true"
    assert described == "entry-hours-hint entry-error"
    assert page.locator(".error").count() == 1
    assert outbox_seq(page) == before

    # What fits in the day is added.
    submit_hours(page, "21:45")
    page.locator(".day-title").wait_for()
    assert outbox_seq(page) > before
