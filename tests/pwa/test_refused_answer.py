"""An answer the server refused because the visit was locked meanwhile:
the checklist shows the server's value again, and says that the change
did not take, in both languages."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.pwa.conftest import (
    Server,
    ServerSession,
    outbox_seq,
    sign_in,
    wait_saved,
    wait_synced,
    wait_until,
)
from tests.pwa.test_field_work import answer, open_checklist
from tests.pwa.test_screenshots import SHOTS, use_language

pytestmark = pytest.mark.browser

# Each language has its own technician and visit (planned, a boiler checklist).
RUNS = {
    "en": ("en-GB", "tech1@demo.test", "SO-2026-0104"),
    "fr": ("fr-FR", "tech2@demo.test", "SO-2026-0105"),
}


PENDING = "import('/src/store.js').then((m) => m.pendingMutations().length)"


def order_id(page: Any, number: str) -> str:
    return str(
        page.evaluate(
            f"""import('/src/store.js').then((m) => m.pulledAll('service_order')
              .find((order) => order.data.number === '{number}').id)"""
        )
    )


def cancel_visit(office: ServerSession, order: str) -> None:
    """The office cancels the visit, from its own device."""
    now = dt.datetime.now(dt.UTC).isoformat()
    answer = office.client.post(
        "/api/sync/push",
        json={
            "protocol": 1,
            "schema": 1,
            "client_id": str(uuid.uuid4()),
            "sent_at": now,
            "mutations": [
                {
                    "seq": 1,
                    "id": str(uuid.uuid4()),
                    "name": "service_order.set_status",
                    "args": {"id": order, "status": "cancelled"},
                    "at": now,
                }
            ],
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["status"] == "applied", answer.text


def shoot(page: Any, language: str, name: str) -> Path:
    path = SHOTS / f"{language}-{name}.png"
    page.locator("#toast").wait_for(state="hidden", timeout=5000)
    page.wait_for_timeout(150)
    page.screenshot(path=str(path), full_page=False)
    return path


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_answer_refused_on_a_cancelled_visit_shows_the_servers_value(
    phone: Any, server: Server, language: str
) -> None:
    locale, email, number = RUNS[language]
    context = phone(locale=locale)
    page = context.new_page()
    sign_in(page, email)
    use_language(page, language)
    open_checklist(page, number)
    answer(page, "pressure", "1,5")
    answer(page, "power_off", "no")
    wait_synced(page)

    # Offline at the visit, two answers changed; the reading is saved with
    # Enter, which leaves the person in the field. The office cancels the
    # visit meanwhile.
    context.set_offline(True)
    answer(page, "power_off", "yes")
    pressure = page.locator("#item-pressure")
    before = outbox_seq(page)
    pressure.fill("2,4")
    pressure.press("Enter")
    wait_saved(page, before)
    assert pressure.evaluate("(field) => field === document.activeElement")
    office = server.session("supervisor@demo.test")
    try:
        cancel_visit(office, order_id(page, number))
    finally:
        office.close()
    context.set_offline(False)
    page.locator(".sync-line.sync-attention").wait_for(timeout=20000)
    page.locator(".item:has(#item-pressure) .refused").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, language, "checklist-refused")

    # The server's values, and beside each, what did not take.
    reading = pressure.input_value()
    yes = page.locator("button[data-key='power_off'][data-value='yes']")
    no = page.locator("button[data-key='power_off'][data-value='no']")
    notes = {
        key: page.locator(f".item:has(#item-{key}-label) .refused").inner_text()
        for key in ("power_off", "pressure")
    }
    locked = page.locator("p.locked").inner_text()

    assert reading == ("1.5" if language == "en" else "1,5")
    assert (yes.get_attribute("aria-pressed"), no.get_attribute("aria-pressed")) == (
        "false",
        "true",
    )
    not_applied = "Not applied:" if language == "en" else "Non appliqué\u00a0:"
    assert not_applied in notes["power_off"] and not_applied in notes["pressure"]
    assert "2.4" in notes["pressure"]
    assert ("was not applied" if language == "en" else "n'a pas été appliquée") in notes["pressure"]
    assert page.locator(".refused").count() == 2
    assert locked == (
        "This visit is cancelled: its checklist takes no more answers."
        if language == "en"
        else "Cette visite est annulée\u00a0: sa liste de contrôle ne prend plus de réponses."
    )
    assert pressure.is_disabled() and yes.is_disabled()

    # The link goes to the sync page, which lists both; read there, the
    # checklist no longer repeats them.
    page.locator(".item:has(#item-pressure) .refused a").click()
    page.locator(".card.problem").first.wait_for()
    assert page.locator(".card.problem").count() == 2
    for _ in range(2):
        page.locator(".card.problem button[data-action=dismiss]").first.click()
    page.locator(".card.problem").first.wait_for(state="detached")
    open_checklist(page, number)
    assert page.locator(".refused").count() == 0
    assert pressure.input_value() == reading


# Per language: the item, the phone's two answers, the tablet's between.
WON = {
    "en": ("pressure", "1,5", "1,8", 1.7),
    "fr": ("flue_co", "12", "15", 13),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_answer_that_won_a_same_field_conflict_is_not_said_refused(
    phone: Any, server: Server, language: str
) -> None:
    """The phone's later answer stands over the tablet's earlier one: the
    server keeps the loser as a conflict (listed on the sync page, which
    says the phone's answer was applied and the tablet's replaced), but
    the checklist has nothing to take back."""
    key, first, second, tablet_value = WON[language]
    context = phone(locale=RUNS[language][0])
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    use_language(page, language)
    open_checklist(page, "SO-2026-0101")
    answer(page, key, first)
    wait_until(page, f"{PENDING} .then((n) => n === 0)")
    run_id = page.evaluate("location.hash.split('/').pop()")

    # The tablet's answer is made between the phone's two answers, and
    # sent before the phone's second.
    page.wait_for_timeout(1500)
    earlier = dt.datetime.now(dt.UTC)
    page.wait_for_timeout(1500)
    context.set_offline(True)
    answer(page, key, second)
    tablet = server.session("tech1@demo.test")
    try:
        pushed = tablet.client.post(
            "/api/sync/push",
            json={
                "protocol": 1,
                "schema": 1,
                "client_id": str(uuid.uuid4()),
                "sent_at": dt.datetime.now(dt.UTC).isoformat(),
                "mutations": [
                    {
                        "seq": 1,
                        "id": str(uuid.uuid4()),
                        "name": "checklist.answer",
                        "args": {"run_id": run_id, "item_key": key, "value": tablet_value},
                        "at": earlier.isoformat(),
                    }
                ],
            },
        )
        assert pushed.json()["results"][0]["status"] == "applied", pushed.text
    finally:
        tablet.close()
    context.set_offline(False)
    wait_until(page, f"{PENDING} .then((n) => n === 0)")
    wait_until(
        page,
        """import('/src/store.js').then((m) => m.pulledAll('conflict')
          .some((c) => c.data.kind === 'concurrent_update'))""",
    )

    assert page.locator(f"#item-{key}").input_value() == second.replace(
        ",", "." if language == "en" else ","
    )
    assert page.locator(".refused").count() == 0

    page.goto("/#/sync")
    cards = page.locator(".card.problem")
    cards.nth(1).wait_for()
    shoot(page, language, "sync-answer-won")
    # Newest first: the phone's own answer, then the tablet's, which had
    # replaced the phone's first answer (both of this person's). Those of
    # the other language's run come after.
    phones, tablets = cards.all_inner_texts()[:2]

    if language == "en":
        assert phones.startswith("Your other device changed the same value")
        assert "came later and was applied" in phones
        assert "Replaced, kept for review: 1.7" in phones
        assert "from your other device came later and was applied" in tablets
        assert "Replaced, kept for review: 1.5" in tablets
    else:
        assert phones.startswith("Votre autre appareil a modifié la même valeur")
        assert "plus tardive, a été appliquée" in phones
        assert "Remplacé, gardé pour revue\u00a0: 13" in phones
        assert "depuis votre autre appareil, plus tardive, a été appliquée" in tablets
        assert "Remplacé, gardé pour revue\u00a0: 12" in tablets
    for said in (phones, tablets):
        assert "someone" not in said.lower() and "quelqu'un" not in said.lower()
        assert "not applied" not in said.lower() and "non appliqué" not in said.lower()
    # Nor does the section's heading say these changes did not take.
    heading = page.locator("#problems-title").inner_text()
    assert heading == {"en": "Changes to look at", "fr": "Modifications à vérifier"}[language]
