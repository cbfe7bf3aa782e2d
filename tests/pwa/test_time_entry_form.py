"""The time entry form at 360 x 740: every field shows above the sticky
bar, and its back link goes back where the person came from. It refuses,
before anything is saved, what the server would refuse: hours out of
range, or a day that would pass 24 hours. Each error is said under the
Hours field, in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pwa.conftest import Server, outbox_seq, sign_in
from tests.pwa.test_field_work import add_time, open_order
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
        "Plus de 24 heures dans la journée\u00a0: 2 h 15 déjà saisies, il reste au plus 21 h 45.",
        "Entre 1 minute et 24 heures.",
    ),
}


# Per language: a visit of the person, the back link to My time.
VISITS = {"en": ("SO-2026-0101", "My time"), "fr": ("SO-2026-0105", "Mes heures")}
ENTRY_OF_VISIT = "#visit-time ~ ul a[href^='#/entry/']"
FIELDS = ("#entry-affair", "#entry-order", "#entry-hours", "#entry-note")

# Run in the page: how far the field and what describes it (hint, error)
# reach below the top of the sticky bar (<= 0: all of it shows above),
# and how far its top is under the sticky header (<= 0: clear of it).
UNDER_THE_BARS = """(selector) => {
  const field = document.querySelector(selector);
  const described = (field.getAttribute("aria-describedby") || "")
    .split(" ").filter(Boolean).map((id) => document.getElementById(id));
  const bottom = Math.max(...[field, ...described]
    .map((el) => el.getBoundingClientRect().bottom));
  const bar = document.querySelector("form .actionbar").getBoundingClientRect();
  const header = document.querySelector(".sync-line").getBoundingClientRect();
  return [bottom - bar.top, header.bottom - field.getBoundingClientRect().top];
}"""


def under_the_bars(page: Any, selector: str) -> list[float]:
    return [round(side) for side in page.evaluate(UNDER_THE_BARS, selector)]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_field_shows_above_the_sticky_bar_and_back_goes_to_the_visit(
    phone: Any, server: Server, language: str
) -> None:
    locale, email = PEOPLE[language]
    number, my_time = VISITS[language]
    page = phone(locale=locale).new_page()
    sign_in(page, email)
    use_language(page, language)
    open_order(page, number)

    page.locator("a[href^='#/entry/new']").click()
    page.locator("#entry-hours").wait_for()
    # Opened from the visit: the visit and its affair are chosen, the
    # hours are what is left to type, in sight at once.
    at_open = under_the_bars(page, "#entry-hours")[0] - page.evaluate(
        "document.getElementById('entry-hours-hint').getBoundingClientRect().height"
    )
    focused = {}
    for field in FIELDS:
        page.locator(field).focus()
        page.wait_for_timeout(100)
        focused[field] = under_the_bars(page, field)
    back = page.locator("a.back")
    said_back = back.inner_text()
    back.click()
    page.locator(".order-head", has_text=number).wait_for()

    assert at_open <= 0
    assert all(below <= 0 and under <= 0 for below, under in focused.values()), focused
    assert said_back == number

    # Added, then opened again from the visit: Done and Delete come back to it.
    page.locator("a[href^='#/entry/new']").click()
    page.locator("#entry-hours").fill("1")
    page.locator("form[data-submit=add] button[type=submit]").click()
    page.locator(".day-title").wait_for()
    open_order(page, number)
    page.locator(ENTRY_OF_VISIT).first.click()
    page.locator(".actionbar a", has_text="Done" if language == "en" else "Terminé").click()
    page.locator(".order-head", has_text=number).wait_for()
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(ENTRY_OF_VISIT).first.click()
    page.locator("button[data-action=delete]").click()
    page.locator(".order-head", has_text=number).wait_for()
    page.locator(ENTRY_OF_VISIT).wait_for(state="detached")

    # Opened from My time, it goes back to My time.
    page.goto("/#/time")
    page.locator(".actionbar a[href^='#/entry/new']").click()
    assert page.locator("a.back").inner_text() == my_time


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
