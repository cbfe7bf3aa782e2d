"""Changes that wait or did not take, said as what they are, in English
and in French: a photo awaited from the device that took it (advice only
there, nothing for a supervisor to decide while it can come), a week submitted once
already approved, a new time entry waiting to be sent."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

import pytest

from tests.pwa.conftest import Server, phone_today, sign_in, wait_synced
from tests.pwa.test_checklist_photos import picture
from tests.pwa.test_field_work import add_time
from tests.pwa.test_screenshots import use_language
from tests.pwa.test_time_and_approval import iso_week

pytestmark = pytest.mark.browser

TECH = "tech1@demo.test"
SUPERVISOR = "supervisor@demo.test"
# Approved in the demo data (backend/demo.py).
TWO_WEEKS_AGO = iso_week(phone_today() - dt.timedelta(days=14))
# A photo taken on Thomas's tablet, not uploaded yet.
PHOTO = picture(tint=30)


def send_from_tablet(server: Server, name: str, args: dict[str, Any]) -> dict[str, Any]:
    """One change pushed from Thomas's tablet (not the phone under test)."""
    tablet = server.session(TECH)
    now = dt.datetime.now(dt.UTC).isoformat()
    answer = tablet.client.post(
        "/api/sync/push",
        json={
            "protocol": 1,
            "schema": 1,
            "client_id": str(uuid.uuid4()),
            "sent_at": now,
            "mutations": [
                {"seq": 1, "id": str(uuid.uuid4()), "name": name, "args": args, "at": now}
            ],
        },
    )
    tablet.close()
    result: dict[str, Any] = answer.json()["results"][0]
    return result


def photo_of_an_open_checklist(server: Server) -> dict[str, Any]:
    """A photo for the first item of one of Thomas's open checklists."""
    tablet = server.session(TECH)
    data = tablet.pull_all()
    tablet.close()
    run = next(r for r in data["checklist_run"].values() if r["status"] == "open")
    template = data["checklist_template"][run["template_id"]]
    return {
        "run_id": run["id"],
        "item_key": template["items"][0]["key"],
        "photo_id": str(uuid.uuid4()),
        "sha256": hashlib.sha256(PHOTO).hexdigest(),
    }


# How many lines each element's text takes on the screen.
LINES = """all => all.map(element => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
})"""


def problem_on_sync_page(page: Any, words: str) -> str:
    page.goto("/#/sync")
    card = page.locator(".problem", has_text=words)
    card.wait_for()
    text: str = card.inner_text()
    return text


def test_a_photo_awaited_from_another_device_is_said_so_where_it_is_not(
    phone: Any, server: Server
) -> None:
    held = send_from_tablet(server, "checklist.attach", photo_of_an_open_checklist(server))
    assert (held["status"], held["code"]) == ("conflict", "missing_blob")

    # Thomas's phone never held the photo: no advice to keep the app open.
    tech = phone().new_page()
    sign_in(tech, TECH)
    use_language(tech, "en")
    said_en = problem_on_sync_page(tech, "other device")
    use_language(tech, "fr")
    said_fr = problem_on_sync_page(tech, "autre appareil")

    # His supervisor has nothing to decide: the photo is on that device.
    boss = phone().new_page()
    sign_in(boss, SUPERVISOR)
    use_language(boss, "en")
    boss.goto("/#/approvals")
    boss.locator("a.card[href='#/conflicts']", has_text="1 change waiting for a photo").click()
    awaited_en = boss.locator("#awaited-title").inner_text()
    card_en = boss.locator(".conflict", has_text="Photo awaited").inner_text()
    # Only the way out for a photo that will never come: no side to keep.
    buttons = boss.locator(".conflict", has_text="Photo awaited").locator("button")
    choices = buttons.evaluate_all("all => all.map(b => b.dataset.action)")
    use_language(boss, "fr")
    card_fr = boss.locator(".conflict", has_text="Photo attendue").inner_text()

    # The photo comes from the tablet: the change applies by itself.
    tablet = server.session(TECH)
    sha256 = hashlib.sha256(PHOTO).hexdigest()
    tablet.client.put(f"/api/blobs/{sha256}", content=PHOTO, headers={"Content-Type": "image/png"})
    tablet.close()
    use_language(boss, "en")
    boss.reload()
    arrived = boss.locator(".decided .card", has_text="Photo arrived, change applied")
    arrived.wait_for()
    arrived_en = arrived.inner_text()

    assert "Taken on your other device" in said_en
    assert "has not arrived from it yet" in said_en
    assert "open the app there" in said_en
    assert "Open the app with a connection: the photo is sent by itself" not in said_en
    assert "Prise sur votre autre appareil" in said_fr
    assert "ouvrez-y l'application" in said_fr
    assert "la photo part d'elle-même" not in said_fr
    assert awaited_en == "1 waiting for a photo"
    assert "The photo has not arrived from Thomas Martin's device yet" in card_en
    assert "Nothing to decide while the photo can still come" in card_en
    assert choices == ["give-up"]
    assert "La photo n'est pas encore arrivée de l'appareil de Thomas Martin" in card_fr
    assert "Rien à décider tant que la photo peut encore venir" in card_fr
    assert boss.locator("#awaited-title").count() == 0
    assert "Photo awaited" not in arrived_en
    assert "taken by" not in arrived_en


def test_a_week_submitted_once_approved_is_not_called_changed_hours(
    phone: Any, server: Server
) -> None:
    late = send_from_tablet(server, "timesheet.submit", {"week": TWO_WEEKS_AGO})
    assert (late["status"], late["code"]) == ("conflict", "locked")
    week = TWO_WEEKS_AGO.split("-W")[1].lstrip("0")

    tech = phone().new_page()
    sign_in(tech, TECH)
    use_language(tech, "en")
    said_en = problem_on_sync_page(tech, f"submitted week {week}")
    use_language(tech, "fr")
    said_fr = problem_on_sync_page(tech, f"envoyé la semaine {week}")

    boss = phone().new_page()
    sign_in(boss, SUPERVISOR)
    use_language(boss, "en")
    boss.goto("/#/conflicts")
    card = boss.locator(".conflict", has_text=f"Week {week} submitted")
    why_en = card.locator(".why").inner_text()
    sides_en = card.locator(".sides tbody").inner_text()
    lines_en = card.locator(".sides th, .sides tbody td").evaluate_all(LINES)
    use_language(boss, "fr")
    card = boss.locator(".conflict", has_text=f"Semaine {week}")
    why_fr = card.locator(".why").inner_text()
    lines_fr = card.locator(".sides th, .sides tbody td").evaluate_all(LINES)

    assert f"You submitted week {week}, but" in said_en
    assert "had already approved it" in said_en
    assert "Nothing to do: the week is approved" in said_en
    assert "hours" not in said_en.lower()
    assert f"Vous avez envoyé la semaine {week}, mais" in said_fr
    assert "heures" not in said_fr
    assert why_en.startswith(f"Thomas Martin submitted week {week}, but")
    assert "changed hours" not in why_en
    assert why_fr.startswith(f"Thomas Martin a envoyé la semaine {week}, mais")
    assert "modifié des heures" not in why_fr
    # At 360 px, "Submitted" is read whole, beside "Approved".
    assert sides_en.split() == ["Week", "Approved", "Submitted"]
    assert set(lines_en) == set(lines_fr) == {1}


def test_a_new_time_entry_waiting_to_be_sent_is_named_as_one(phone: Any, server: Server) -> None:
    context = phone()
    page = context.new_page()
    # Another technician: Thomas's problems above would hold the sync line.
    sign_in(page, "tech2@demo.test")
    use_language(page, "en")
    wait_synced(page)
    context.set_offline(True)

    add_time(page, "AFF-2026-003", "1:15", "Purge radiateurs")
    page.goto("/#/sync")
    waiting_en = page.locator("#outbox-title + ul li").inner_text()
    code_lines_en = page.locator(".outbox .whole").evaluate_all(LINES)
    use_language(page, "fr")
    waiting_fr = page.locator("#outbox-title + ul li").inner_text()
    code_lines_fr = page.locator(".outbox .whole").evaluate_all(LINES)
    context.set_offline(False)

    assert waiting_en.startswith("new time entry, 1 h 15 on AFF-2026-003, ")
    assert "your change" not in waiting_en
    assert waiting_fr.startswith("nouvelle saisie d'heures, 1 h 15 sur AFF-2026-003, ")
    # The affair's code is never broken at its hyphens.
    assert code_lines_en == code_lines_fr == [1]
