"""A change waiting for a photo that will never come (the phone that took
it was lost): its supervisor drops it, after a yes; the technician reads
that it was dropped, and by whom; the photo turning up later applies
nothing."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import pytest

from tests.pwa.conftest import Server, sign_in
from tests.pwa.test_checklist_photos import picture
from tests.pwa.test_plain_words import (
    photo_of_an_open_checklist,
    problem_on_sync_page,
    send_from_tablet,
)
from tests.pwa.test_screenshots import use_language

pytestmark = pytest.mark.browser

TECH = "tech1@demo.test"
SUPERVISOR = "supervisor@demo.test"
# Taken on Thomas's tablet, which was lost before it could upload it.
LOST = picture(tint=90)
LOST_SHA256 = hashlib.sha256(LOST).hexdigest()
SHOTS = Path("/tmp/affaires-lost-photo")


def resolved_on_server(server: Server, conflict_id: str) -> dict[str, Any]:
    """The conflict as the server lists it, once resolved."""
    supervisor = server.session(SUPERVISOR)
    try:
        for _ in range(100):
            listed = supervisor.client.get("/api/conflicts", params={"status": "resolved"})
            found = [c for c in listed.json() if c["id"] == conflict_id]
            if found:
                return found[0]
            time.sleep(0.1)
    finally:
        supervisor.close()
    raise AssertionError("the supervisor's decision never reached the server")


def test_a_supervisor_drops_a_change_whose_photo_will_never_come(
    phone: Any, server: Server
) -> None:
    photo = {**photo_of_an_open_checklist(server), "sha256": LOST_SHA256}
    held = send_from_tablet(server, "checklist.attach", photo)
    assert (held["status"], held["code"]) == ("conflict", "missing_blob")
    SHOTS.mkdir(exist_ok=True)

    tech = phone().new_page()
    sign_in(tech, TECH)
    use_language(tech, "en")
    waiting_en = problem_on_sync_page(tech, "other device")

    boss = phone().new_page()
    sign_in(boss, SUPERVISOR)
    use_language(boss, "fr")
    boss.goto("/#/conflicts")
    card = boss.locator(".conflict", has_text="Photo attendue")
    button_fr = card.locator("[data-action=give-up]").inner_text()
    card.locator("[data-action=give-up]").scroll_into_view_if_needed()
    boss.screenshot(path=str(SHOTS / "fr-give-up-button.png"))
    card.locator("[data-action=give-up]").click()
    question_fr = card.locator(".confirm").inner_text()
    card.scroll_into_view_if_needed()
    boss.screenshot(path=str(SHOTS / "fr-give-up-question.png"))
    card.locator("[data-action=cancel]").click()
    use_language(boss, "en")
    card = boss.locator(".conflict", has_text="Photo awaited")
    card.locator("[data-action=give-up]").scroll_into_view_if_needed()
    boss.screenshot(path=str(SHOTS / "en-give-up-button.png"))
    button_en = card.locator("[data-action=give-up]").inner_text()
    card.locator("[data-action=give-up]").click()
    question_en = card.locator(".confirm").inner_text()
    boss.screenshot(path=str(SHOTS / "en-give-up-question.png"))
    card.locator("[data-action=give-up-confirm]").click()
    toast = boss.locator("#toast", has_text="Change dropped")
    toast.wait_for()
    toast_en = toast.inner_text()
    dropped_en = boss.locator(".decided .card", has_text="Photo given up by").inner_text()
    on_server = resolved_on_server(server, held["conflict_id"])
    boss.screenshot(path=str(SHOTS / "en-given-up.png"))

    tech.reload()
    told_en = problem_on_sync_page(tech, "gave up waiting for the photo")
    tech.screenshot(path=str(SHOTS / "en-told.png"))
    use_language(tech, "fr")
    told_fr = problem_on_sync_page(tech, "a renoncé à attendre la photo")
    tech.screenshot(path=str(SHOTS / "fr-told.png"))

    # The tablet turns up after all and sends the photo: too late.
    tablet = server.session(TECH)
    late = tablet.client.put(
        f"/api/blobs/{LOST_SHA256}", content=LOST, headers={"Content-Type": "image/png"}
    )
    photos = tablet.pull_all().get("checklist_photo", {})
    tablet.close()

    assert "open the app there" in waiting_en
    assert button_en == "The photo will never come: drop the change"
    assert button_fr == "La photo ne viendra jamais\u00a0: abandonner la modification"
    assert "It will not apply, even if the photo turns up later" in question_en
    assert "Thomas Martin's device will be told" in question_en
    assert "Elle ne s'appliquera pas, même si la photo arrive plus tard" in question_fr
    assert toast_en.startswith("Change dropped")
    assert "Photo given up by Marie" in dropped_en
    assert "Photo awaited" not in dropped_en
    assert boss.locator("#awaited-title").count() == 0
    assert (on_server["resolution"], on_server["resolved_by_name"]) == (
        "server",
        "Marie Dubois",
    )
    assert on_server["resolved_at"]
    assert "Marie Dubois gave up waiting for the photo on" in told_en
    assert "your change was dropped and will not apply" in told_en
    assert "open the app" not in told_en.lower()
    assert "Resolved by" not in told_en
    assert "Marie Dubois a renoncé à attendre la photo" in told_fr
    assert "ouvrez" not in told_fr
    assert tech.locator(".sync-line.sync-attention").count() == 0
    assert late.status_code == 201
    assert late.json()["released"] == 0
    assert photo["photo_id"] not in photos
