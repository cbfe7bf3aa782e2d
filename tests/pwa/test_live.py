"""Liveness: what a supervisor decides shows on the technician's phone by
itself, carried by a poke from the server (no touch, no timer)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.pwa.conftest import Server, sign_in, wait_synced, wait_until
from tests.pwa.test_time_and_approval import LAST_WEEK

pytestmark = pytest.mark.browser

# Installed in the technician's page before the app: the app's slow timer
# (60 s) is stretched to an hour, and every wake the app listens to is
# counted, so whatever shows up during the test came from a poke.
QUIET_PHONE = """
(() => {
  const realTimeout = window.setTimeout.bind(window);
  window.setTimeout = (fn, ms, ...rest) =>
    realTimeout(fn, ms >= 50000 ? 3600000 : ms, ...rest);
  window.wakes = 0;
  for (const name of ["focus", "online"]) {
    window.addEventListener(name, () => { window.wakes += 1; }, true);
  }
  document.addEventListener("visibilitychange", () => {
    window.wakes += 1;
  }, true);
})();
"""
# The supervisor's push is seen on the phone within this long.
SHOWN_WITHIN_S = 3.0


def test_an_approval_shows_on_the_technicians_phone_without_a_touch(
    phone: Any, server: Server
) -> None:
    context = phone()
    context.add_init_script(QUIET_PHONE)
    tech = context.new_page()
    sign_in(tech, "tech1@demo.test")
    tech.goto(f"/#/time/{LAST_WEEK}")
    tech.locator(".week-title .chip", has_text="Submitted").wait_for()
    wait_until(tech, "document.body.dataset.live === 'true'")
    wait_synced(tech)
    pulls: list[float] = []
    tech.on(
        "request",
        lambda request: (
            pulls.append(time.monotonic()) if request.url.endswith("/api/sync/pull") else None
        ),
    )
    pokes = int(tech.evaluate("Number(document.body.dataset.pokes)"))
    wakes = int(tech.evaluate("window.wakes"))

    boss = phone().new_page()
    sign_in(boss, "supervisor@demo.test")
    boss.locator("#nav a[href='#/approvals']").click()
    boss.locator(f".waiting a.card[href$='{LAST_WEEK}']", has_text="Thomas Martin").click()
    boss.locator("button[data-action=approve]").click()
    boss.locator(".decision button[data-action=undo]").wait_for()
    wait_synced(boss)
    approved_at = time.monotonic()
    tech.locator(".week-title .chip", has_text="Approved").wait_for(
        timeout=SHOWN_WITHIN_S * 1000 * 3
    )
    shown_after = time.monotonic() - approved_at

    assert shown_after < SHOWN_WITHIN_S
    assert int(tech.evaluate("Number(document.body.dataset.pokes)")) > pokes
    assert pulls, "the phone did not pull"
    assert int(tech.evaluate("window.wakes")) == wakes
    assert tech.locator(".notice", has_text="Approved by Marie Dubois").count() == 1


def test_a_refused_event_stream_leaves_the_sync_working(phone: Any, server: Server) -> None:
    """Without its stream (a proxy that refuses it), the phone still sends
    and receives: on each change, on wakes and on its timers."""
    from tests.pwa.test_field_work import answer, answers_of, open_checklist

    context = phone(service_workers="block")
    refused: list[int] = []

    def refuse(route: Any) -> None:
        refused.append(1)
        route.fulfill(status=502, content_type="text/plain", body="bad gateway")

    context.route("**/api/sync/events", refuse)
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    open_checklist(page, "SO-2026-0101")

    answer(page, "flue_co", "15")
    wait_synced(page)

    session = server.session("tech1@demo.test")
    assert answers_of(session, "SO-2026-0101")["flue_co"] == 15
    session.close()
    assert refused
    assert page.evaluate("document.body.dataset.live") == "false"
