"""The technician's day on a phone: offline work, the outbox, sign in/out."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.pwa.conftest import (
    Server,
    outbox_seq,
    sign_in,
    wait_for_worker,
    wait_saved,
    wait_synced,
)

pytestmark = pytest.mark.browser

BOILER_ANSWERS = [
    ("power_off", "yes", True),
    ("burner_state", "worn", "worn"),
    ("pressure", "1,8", 1.8),
    ("flue_co", "12", 12),
    ("leaks", "yes", True),
]


def open_order(page: Any, number: str) -> None:
    page.goto("/#/orders")
    page.locator(".order-card", has_text=number).click()
    page.locator(".order-head", has_text=number).wait_for()


def open_checklist(page: Any, number: str) -> None:
    open_order(page, number)
    page.locator("a.card[href^='#/checklist/']").first.click()
    page.locator(".items").wait_for()


def answer(page: Any, key: str, given: str) -> None:
    """Answer an item; returns once the answer is in the outbox."""
    before = outbox_seq(page)
    field = page.locator(f"#item-{key}")
    if field.count():
        field.fill(given)
        field.press("Tab")
    else:
        page.locator(f"button[data-key='{key}'][data-value='{given}']").click()
    wait_saved(page, before)


def add_time(page: Any, affair_code: str, hours: str, note: str) -> None:
    page.goto("/#/time")
    page.locator(".actionbar a[href^='#/entry/new']").click()
    affair = page.locator("#entry-affair option", has_text=affair_code).get_attribute("value")
    page.locator("#entry-affair").select_option(affair)
    page.locator("#entry-hours").fill(hours)
    page.locator("#entry-note").fill(note)
    page.locator("form[data-submit=add] button[type=submit]").click()
    page.locator(".day-title").wait_for()


def answers_of(session: Any, number: str) -> dict[str, Any]:
    data = session.pull_all()
    order = next(o for o in data["service_order"].values() if o["number"] == number)
    run = next(r for r in data["checklist_run"].values() if r["service_order_id"] == order["id"])
    return {
        a["item_key"]: a["value"]
        for a in data.get("checklist_answer", {}).values()
        if a["run_id"] == run["id"]
    }


def test_sign_in_and_out(phone: Any) -> None:
    page = phone().new_page()

    sign_in(page, "tech1@demo.test")

    assert page.locator(".order-card").count() >= 4
    assert page.locator("#title").inner_text() == "My visits"
    page.locator("#nav a[href='#/me']").click()
    page.locator("button[data-action=signout]").click()
    page.locator("#email").wait_for()
    assert page.locator("#nav").is_hidden()
    page.reload()
    page.locator("#email").wait_for()


def test_wrong_password_is_said_in_words(phone: Any) -> None:
    page = phone().new_page()
    page.goto("/")

    page.locator("#email").fill("tech1@demo.test")
    page.locator("#password").fill("not-this-one")
    page.locator("form[data-submit=signin] button[type=submit]").click()

    assert "E-mail or password is wrong." in page.locator("[role=alert]").inner_text()


def test_app_starts_offline_from_cache(phone: Any) -> None:
    context = phone()
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    wait_for_worker(page)

    context.set_offline(True)
    page.reload()
    page.locator(".order-card").first.wait_for()
    started_ms = page.evaluate("performance.now()")

    assert page.locator(".order-card").count() >= 4
    # DESIGN.md asks < 500 ms; a loaded CI machine gets some slack here.
    assert started_ms < 2000, f"offline start took {started_ms:.0f} ms"
    page.locator(".sync-line").filter(has_text="Offline since").wait_for()


# Injected by the browser tools before the app runs (the CSP does not apply).
WATCH_THE_START = """
window.__signInShown = false;
window.__shifts = 0;
new MutationObserver(() => {
  if (document.getElementById('email')) window.__signInShown = true;
}).observe(document, {childList: true, subtree: true});
new PerformanceObserver((list) => {
  for (const shift of list.getEntries()) {
    if (!shift.hadRecentInput) window.__shifts += shift.value;
  }
}).observe({type: 'layout-shift', buffered: true});
"""


def test_S10_emptied_store_with_a_live_session(phone: Any, server: Server) -> None:
    """The browser emptied the store, the session cookie still works: the
    person's screen comes with the notice, in one piece (no sign-in form
    in between, nothing jumps), and the notice is shown once."""
    session = server.session("tech1@demo.test")
    cookie = session.client.cookies["affaires_session"]
    session.close()
    context = phone()
    context.add_cookies([{"name": "affaires_session", "value": cookie, "url": server.url}])
    context.add_init_script(WATCH_THE_START)
    page = context.new_page()

    page.goto("/#/time")
    page.locator("#notice", has_text="storage was emptied").wait_for()
    wait_synced(page)
    page.wait_for_timeout(300)

    assert page.locator(".day-chip").count() == 7
    assert page.evaluate("window.__signInShown") is False
    assert page.evaluate("window.__shifts") == 0
    # Every file came once: the preloads in index.html were used.
    fetched = page.evaluate(
        "performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)"
    )
    shell = [path for path in fetched if not path.startswith("/api/")]
    assert "/i18n/en.json" in shell and "/src/views/time.js" in shell
    assert len(shell) == len(set(shell)), sorted(shell)

    page.locator("#notice-ok").click()
    page.locator("#notice").wait_for(state="hidden")
    page.reload()
    page.locator(".day-chip").first.wait_for()
    wait_synced(page)
    assert page.locator("#notice").is_hidden()


def test_a_first_start_with_no_answer_still_offers_the_sign_in_form(phone: Any) -> None:
    page = phone().new_page()
    # The server never answers "who is this?" (a network that hangs).
    page.route("**/api/auth/me", lambda route: None)

    page.goto("/")

    page.locator("#email").wait_for(timeout=5000)
    assert page.locator("#nav").is_hidden()


def test_S6_work_queued_offline_tab_closed(phone: Any, server: Server) -> None:
    context = phone()
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    wait_for_worker(page)
    context.set_offline(True)

    open_checklist(page, "SO-2026-0101")
    for key, given, _ in BOILER_ANSWERS:
        answer(page, key, given)
    add_time(page, "AFF-2026-003", "1:30", "S6 first")
    add_time(page, "AFF-2026-006", "0.75", "S6 second")
    page.locator(".sync-line", has_text="7 changes").wait_for()
    page.close()

    page = context.new_page()
    page.goto("/#/orders")
    page.locator(".sync-line", has_text="7 changes saved on this phone").wait_for()
    open_checklist(page, "SO-2026-0101")
    assert page.locator(".progress-line").inner_text().startswith("5 / 6")
    assert page.locator("#item-pressure").input_value() == "1.8"
    context.set_offline(False)
    wait_synced(page)

    session = server.session("tech1@demo.test")
    got = answers_of(session, "SO-2026-0101")
    entries = [
        e for e in session.pull_all()["time_entry"].values() if (e["note"] or "").startswith("S6")
    ]
    session.close()
    assert got == {key: value for key, _, value in BOILER_ANSWERS}
    assert sorted((e["note"], e["minutes"]) for e in entries) == [
        ("S6 first", 90),
        ("S6 second", 45),
    ]


def test_S5_edit_while_push_in_flight(phone: Any, server: Server) -> None:
    # Routing sees the app's own requests only without a service worker.
    context = phone(service_workers="block")
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    open_checklist(page, "SO-2026-0104")
    held: list[Any] = []

    def hold_first(route: Any) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/sync/push", hold_first)

    answer(page, "burner_state", "ok")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    answer(page, "burner_state", "damaged")
    held[0].continue_()
    wait_synced(page)

    session = server.session("tech1@demo.test")
    assert answers_of(session, "SO-2026-0104")["burner_state"] == "damaged"
    session.close()
    pressed = page.locator("button[data-key=burner_state][aria-pressed=true]")
    assert pressed.get_attribute("data-value") == "damaged"


def test_S7_queue_drains_by_itself_after_503(phone: Any, server: Server) -> None:
    context = phone(service_workers="block")
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    open_checklist(page, "SO-2026-0104")
    refused: list[int] = []

    def busy_once(route: Any) -> None:
        if refused:
            route.continue_()
            return
        refused.append(1)
        route.fulfill(
            status=503,
            content_type="application/json",
            body='{"code":"unavailable","message":"busy","details":{}}',
        )

    page.route("**/api/sync/push", busy_once)
    answer(page, "flue_co", "20")
    wait_synced(page, timeout=60000)

    session = server.session("tech1@demo.test")
    assert answers_of(session, "SO-2026-0104")["flue_co"] == 20
    session.close()
    assert refused == [1]


def test_order_steps_and_notes(phone: Any, server: Server) -> None:
    page = phone().new_page()
    sign_in(page, "tech1@demo.test")
    open_order(page, "SO-2026-0103")

    page.locator("button[data-action=step]").click()
    page.locator(".order-head .chip", has_text="In progress").wait_for()
    page.locator("#note-text").fill("Vanne remplacée, fuite stoppée.")
    page.locator("form[data-submit=note] button[type=submit]").click()
    page.locator(".notes", has_text="Vanne remplacée").wait_for()
    wait_synced(page)

    session = server.session("tech1@demo.test")
    data = session.pull_all()
    session.close()
    order = next(o for o in data["service_order"].values() if o["number"] == "SO-2026-0103")
    notes = [n for n in data["service_order_note"].values() if n["service_order_id"] == order["id"]]
    assert order["status"] == "in_progress"
    assert [n["text"] for n in notes] == ["Vanne remplacée, fuite stoppée."]
    assert page.locator("a[href^='geo:']").count() == 1
    assert page.locator("a[href^='tel:']").count() == 1


def test_a_note_of_only_spaces_is_refused_with_a_message(phone: Any, server: Server) -> None:
    page = phone().new_page()
    sign_in(page, "tech1@demo.test")
    open_order(page, "SO-2026-0102")
    before = outbox_seq(page)

    page.locator("#note-text").fill("   \n  \t ")
    page.locator("form[data-submit=note] button[type=submit]").click()

    page.locator("#note-error", has_text="The note is empty").wait_for()
    assert page.locator("#note-text").get_attribute("aria-invalid") == "true"
    assert outbox_seq(page) == before
    assert page.locator(".notes li").count() == 0
    # Typing again clears the message; the note is sent without its spaces.
    page.locator("#note-text").fill("  Joint de vanne changé  \n")
    page.locator("#note-error").wait_for(state="detached")
    page.locator("form[data-submit=note] button[type=submit]").click()
    page.locator(".notes .note-text", has_text="Joint de vanne changé").wait_for()
    wait_synced(page)

    session = server.session("tech1@demo.test")
    data = session.pull_all()
    session.close()
    order = next(o for o in data["service_order"].values() if o["number"] == "SO-2026-0102")
    texts = [
        n["text"]
        for n in data.get("service_order_note", {}).values()
        if n["service_order_id"] == order["id"]
    ]
    assert texts == ["Joint de vanne changé"]


# Per language: the phone's locale, the technician and a planned visit.
STEPS = {
    "en": ("en-GB", "tech1@demo.test", "SO-2026-0101"),
    "fr": ("fr-FR", "tech2@demo.test", "SO-2026-0106"),
}
STEP_TOASTS = {
    "en": ("Visit started · saved on this phone", "Visit marked done · saved on this phone"),
    "fr": (
        "Visite commencée · enregistré sur ce téléphone",
        "Visite terminée · enregistré sur ce téléphone",
    ),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_visit_step_toast_names_the_step_taken(phone: Any, language: str) -> None:
    """The button is redrawn for the next step as soon as the status is
    saved: the toast still names the step the person took."""
    # The screenshots' module reads this one's helpers: imported here.
    from tests.pwa.test_screenshots import SHOTS, use_language

    locale, email, number = STEPS[language]
    started, finished = STEP_TOASTS[language]
    page = phone(locale=locale).new_page()
    sign_in(page, email)
    use_language(page, language)
    open_order(page, number)
    toast = page.locator("#toast")

    page.locator("button[data-action=step]").click()
    toast.wait_for()
    page.screenshot(path=str(SHOTS / f"{language}-visit-started.png"))
    said_started = toast.inner_text()
    page.locator("button[data-action=step]").click()
    expect(toast).not_to_have_text(said_started)
    said_finished = toast.inner_text()

    assert said_started == started
    assert said_finished == finished
