"""A repair walked on the phone offline, from intake to the signed return;
the server then holds every step once, the signature and the history."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.pwa.conftest import (
    ROOT,
    Server,
    outbox_seq,
    sign_in,
    wait_for_worker,
    wait_saved,
    wait_synced,
    wait_until,
)
from tests.pwa.test_checklist_photos import picture

pytestmark = pytest.mark.browser

SHOTS = ROOT / "docs" / "screenshots"
# Each language has its own technician and machine (both on the demo's
# bakery affair), so the two runs share one server.
RUNS = {
    "en": ("en-GB", "tech1@demo.test", "DD-MCR3-4471", "Water under the boiler", "customer"),
    "fr": ("fr-FR", "tech2@demo.test", "RI-40-2231", "Fumées noires au démarrage", "manufacturer"),
}
STEPS = ["intake", "diagnosis", "repair", "quality_check", "ready", "returned"]


def shoot(page: Any, language: str, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#toast").wait_for(state="hidden", timeout=5000)
    page.wait_for_timeout(150)
    page.screenshot(path=str(SHOTS / f"{language}-{name}.png"))


def use_language(page: Any, language: str) -> None:
    if page.locator("html").get_attribute("lang") != language:
        page.locator("#language").click()
        page.locator(f"html[lang={language}]").wait_for(state="attached")


def go_offline(page: Any, context: Any) -> None:
    page.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    # The app sends nothing while the browser says it is offline: wait
    # until it does, so that no push races the emulated outage.
    wait_until(page, "!navigator.onLine")


def check_before_return(page: Any) -> None:
    """Answer the repair's guarding checklist: both checks passed."""
    repair = page.url
    page.locator("a.card[href^='#/checklist/']").click()
    for key in ("runs_an_hour", "leak_free"):
        before = outbox_seq(page)
        page.locator(f"button[data-action=answer][data-key={key}][data-value=yes]").click()
        wait_saved(page, before)
    page.goto(repair)
    page.locator("button[data-to=ready]:not([disabled])").wait_for()


def move_to(page: Any, step: str) -> None:
    before = outbox_seq(page)
    page.locator(f"button[data-action=step][data-to={step}]").click()
    wait_saved(page, before)
    page.locator(".steps li[aria-current].done").nth(0).wait_for()
    assert page.locator(".steps li[aria-current]").count() == 1
    assert STEPS.index(step) == page.evaluate(
        "[...document.querySelectorAll('.steps li')].findIndex((li) => li.ariaCurrent)"
    )


def write(page: Any, field: str, text: str) -> None:
    before = outbox_seq(page)
    page.locator(f"#repair-{field}").fill(text)
    page.locator(f"#repair-{field}").press("Tab")
    wait_saved(page, before)


def sign(page: Any) -> None:
    """The customer's finger on the pad: a stroke, as the mouse draws it."""
    pad = page.locator("svg.pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y = box["x"], box["y"] + box["height"] / 2
    page.mouse.move(x + 20, y)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(x + 20 + i * 22, y + (18 if i % 2 else -18), steps=2)
    page.mouse.up()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_repair_walks_from_intake_to_signed_return_offline(
    phone: Any, server: Server, language: str
) -> None:
    locale, email, serial, symptoms, warranty_of = RUNS[language]
    context = phone(locale=locale)
    page = context.new_page()
    sign_in(page, email)
    use_language(page, language)
    wait_for_worker(page)
    wait_synced(page)
    go_offline(page, context)

    # Intake: the machine typed by its serial, the symptoms, a photo.
    page.goto("/#/orders")
    page.locator("a[href='#/intake']").click()
    page.locator("#intake-machine").fill(serial.lower())
    page.locator("#intake-symptoms").fill(symptoms)
    shoot(page, language, "repair-intake")
    page.locator("form[data-submit=intake] button[type=submit]").click()
    if language == "en":
        # Thomas's boiler is at its quality check already: the phone says
        # so, keeps what was typed, and a second press opens another repair.
        page.locator("#intake-error", has_text="SO-2026-0204").wait_for()
        assert page.locator("#intake-symptoms").input_value() == symptoms
        page.locator("form[data-submit=intake] button[type=submit]").click()
    page.locator(".steps li[aria-current]").wait_for()
    page.locator("p.warranty").wait_for()
    warranty = page.locator("p.warranty").inner_text()
    page.locator("input[type=file][data-change=photo]").set_input_files(
        {"name": "camera.png", "mimeType": "image/png", "buffer": picture(tint=90)}
    )
    page.locator(".thumb img").wait_for()

    # The steps, the diagnosis and the report.
    move_to(page, "diagnosis")
    write(page, "diagnosis", "Seal worn")
    move_to(page, "repair")
    write(page, "repair_report", "Seal replaced, tested")
    move_to(page, "quality_check")
    # The check before return guards "ready": started on the phone at
    # intake, it holds the step back until it is answered, offline too.
    assert page.locator("button[data-to=ready][disabled]").count() == 1
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, language, "repair-steps")
    check_before_return(page)
    move_to(page, "ready")

    # The return, signed on the screen.
    page.locator("#signer").fill("Mme Fournier")
    page.locator("form[data-submit=return] button[type=submit]").click()
    page.locator(".error[role=alert]").wait_for()
    sign(page)
    shoot(page, language, "repair-signature")
    before = outbox_seq(page)
    page.locator("form[data-submit=return] button[type=submit]").click()
    wait_saved(page, before)
    page.locator("#returned").wait_for()
    # Still there after the app is opened again, offline.
    page.reload()
    page.locator("#returned").wait_for()
    assert page.locator("button[data-action=step]").count() == 0

    page.unroute("**/api/**")
    context.set_offline(False)
    wait_synced(page)

    session = server.session(email)
    data = session.pull_all()
    order = next(
        o
        for o in data["service_order"].values()
        if o["kind"] == "repair" and o["symptoms"] == symptoms
    )
    steps = sorted(
        (
            s
            for s in data.get("service_order_step", {}).values()
            if s["service_order_id"] == order["id"]
        ),
        key=lambda s: s["at"],
    )
    photos = [
        p
        for p in data.get("service_order_photo", {}).values()
        if p["service_order_id"] == order["id"]
    ]
    signature = session.client.get(f"/api/blobs/{order['signature_sha256']}")
    conflicts = session.client.get("/api/conflicts", params={"status": "all"}).json()
    session.close()

    assert [s["step"] for s in steps] == STEPS
    assert {s["by_id"] for s in steps} == {order["technician_id"]}
    assert (order["step"], order["status"], order["signed_by"]) == (
        "returned",
        "done",
        "Mme Fournier",
    )
    assert (order["diagnosis"], order["repair_report"]) == ("Seal worn", "Seal replaced, tested")
    assert order["number"].startswith("SO-")
    assert len(photos) == 1
    assert signature.status_code == 200
    assert signature.headers["content-type"] == "image/png"
    assert [c for c in conflicts if c["mutation_name"].startswith("service_order.")] == []
    # The decision shown offline was the server's own.
    assert order["warranty_reason"] == f"{warranty_of}_warranty_running"
    assert warranty
    # The phone shows the number the server gave.
    page.locator(".order-head", has_text=order["number"]).wait_for()


def test_a_step_waits_for_the_checklist_guarding_it(phone: Any, server: Server) -> None:
    page = phone().new_page()
    sign_in(page, "tech1@demo.test")
    wait_synced(page)

    page.goto("/#/orders")
    page.locator(".order-card", has_text="SO-2026-0204").click()
    ready = page.locator("button[data-action=step][data-to=ready]")
    ready.wait_for()

    blocked = page.locator(".error[role=alert]").first.inner_text()
    assert "Ran an hour without fault" in blocked and "No leak at the joints" in blocked
    assert ready.is_disabled()
    assert page.locator("button[data-action=step][data-to=repair]").is_enabled()

    page.locator("a.card[href^='#/checklist/']").first.click()
    for key in ("runs_an_hour", "leak_free"):
        before = outbox_seq(page)
        page.locator(f"button[data-key='{key}'][data-value='yes']").click()
        wait_saved(page, before)
    page.go_back()
    ready.wait_for()
    assert ready.is_enabled()


def office_steps(office: Any, order: str, *steps: tuple[str, str]) -> None:
    """The supervisor moves the repair on from their own device."""
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
                    "seq": n,
                    "id": str(uuid.uuid4()),
                    "name": "service_order.step",
                    "args": {"id": order, "step": step, "from_step": seen},
                    "at": now,
                }
                for n, (seen, step) in enumerate(steps, start=1)
            ],
        },
    )
    assert answer.status_code == 200, answer.text
    assert {r["status"] for r in answer.json()["results"]} == {"applied"}, answer.text


def test_a_step_made_apart_after_another_is_said_in_words(phone: Any, server: Server) -> None:
    context = phone()
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    wait_for_worker(page)
    wait_synced(page)
    page.goto("/#/orders")
    page.locator(".order-card", has_text="SO-2026-0203").click()
    page.locator("button[data-action=step][data-to=quality_check]").wait_for()
    order = page.evaluate("location.hash.split('/').pop()")
    go_offline(page, context)

    move_to(page, "quality_check")
    office = server.session("supervisor@demo.test")
    office_steps(office, order, ("repair", "quality_check"), ("quality_check", "ready"))
    office.close()
    page.unroute("**/api/**")
    context.set_offline(False)

    page.locator(".sync-line.sync-attention").wait_for(timeout=20000)
    page.goto("/#/sync")
    page.locator(
        ".card.problem", has_text="Someone moved this repair to another step meanwhile"
    ).wait_for()
    assert "SO-2026-0203" in page.locator(".card.problem").first.inner_text()
