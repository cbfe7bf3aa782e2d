"""Case S9: an old app version meets a server that moved on.

The phone queues work offline with the app built for schema 1. Meanwhile
the server is upgraded: it serves a new app (built for schema 2) and
accepts schema 2 only. Back online, the old app is answered 426; it takes
the new version of itself, reloads, and the new version sends the queued
work: each mutation applied exactly once.
"""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen
from typing import Any
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import (
    AppliedMutation,
    ChecklistAnswer,
    ChecklistRun,
    Device,
    ServiceOrder,
    ServiceOrderNote,
)
from tests.pwa.conftest import (
    ROOT,
    Server,
    demo_database,
    outbox_seq,
    sign_in,
    start_server,
    stop_server,
    wait_for_worker,
    wait_saved,
    wait_synced,
    wait_until,
)
from tests.pwa.test_field_work import answer, open_checklist, open_order

pytestmark = pytest.mark.browser

SCHEMA_LINE = "export const SCHEMA = {};"


@dataclass
class UpgradableServer(Server):
    """The server on a copy of the app, which the test can upgrade."""

    pwa_dir: Path = field(default=Path())
    process: Popen[bytes] | None = None
    # The schema of the app it serves, and the one it accepts.
    schema: int = 1
    accepts: int = 1

    def publish(self, schema: int) -> None:
        """Serve the app built for ``schema`` from now on, without a
        restart: the server reads the shell again when a file changes."""
        sync_js = self.pwa_dir / "src" / "sync.js"
        source = sync_js.read_text()
        assert SCHEMA_LINE.format(self.schema) in source
        sync_js.write_text(
            source.replace(SCHEMA_LINE.format(self.schema), SCHEMA_LINE.format(schema))
        )
        self.schema = schema

    def ship(self, schema: int, *, app: int | None = None) -> None:
        """Stop; ship the app built for ``schema`` (or for ``app``: a server
        that went ahead of its app); start again on the same address,
        accepting that schema only."""
        assert self.process is not None
        stop_server(self.process)
        self.publish(schema if app is None else app)
        self.accepts = schema
        self.process, _ = start_server(
            self.database_url,
            pwa_dir=self.pwa_dir,
            port=urlparse(self.url).port,
            env={"AFFAIRES_MIN_SCHEMA": str(schema), "AFFAIRES_MAX_SCHEMA": str(schema)},
        )


@pytest.fixture(scope="module")
def server(databases: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    pwa_dir = tmp_path_factory.mktemp("pwa") / "pwa"
    shutil.copytree(ROOT / "pwa", pwa_dir)
    database_url = demo_database(databases)
    process, url = start_server(database_url, pwa_dir=pwa_dir)
    running = UpgradableServer(url, database_url, pwa_dir=pwa_dir, process=process)
    yield running
    if running.process is not None:
        stop_server(running.process)


def what_the_database_holds(
    database_url: str, client_id: str, notes_like: str = "S9 %"
) -> dict[str, Any]:
    """Outcomes of the device's mutations, its schema, and the notes, read
    in a thread: the browser's event loop runs in this one."""

    async def read() -> dict[str, Any]:
        db = open_database(database_url)
        try:
            async with db.reading() as session:
                outcomes = await session.execute(
                    sa.select(AppliedMutation.seq, AppliedMutation.status).where(
                        AppliedMutation.client_id == uuid.UUID(client_id)
                    )
                )
                device = await session.get(Device, uuid.UUID(client_id))
                notes = await session.scalars(
                    sa.select(ServiceOrderNote.text).where(ServiceOrderNote.text.like(notes_like))
                )
                answers = await session.execute(
                    sa.select(ChecklistAnswer.item_key, ChecklistAnswer.value)
                    .join(ChecklistRun, ChecklistRun.id == ChecklistAnswer.run_id)
                    .join(ServiceOrder, ServiceOrder.id == ChecklistRun.service_order_id)
                    .where(ServiceOrder.number == "SO-2026-0101")
                )
                return {
                    "outcomes": sorted((seq, status) for seq, status in outcomes),
                    "schema": device.schema if device else None,
                    "notes": list(notes),
                    "answers": {key: value for key, value in answers},
                }
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, read()).result()


def test_S9_old_app_version_updates_itself_and_sends_its_outbox(
    phone: Any, server: UpgradableServer
) -> None:
    assert server.schema == 1
    context = phone()
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    wait_for_worker(page)
    wait_synced(page)
    client_id = page.evaluate("import('/src/store.js').then((m) => m.getMeta('client_id'))")
    old_build = page.evaluate("fetch('/api/build').then((r) => r.json()).then((b) => b.build)")

    # A morning's work, offline, with last month's app.
    context.set_offline(True)
    open_checklist(page, "SO-2026-0101")
    answer(page, "power_off", "yes")
    answer(page, "pressure", "1,6")
    open_order(page, "SO-2026-0101")
    page.locator("#note-text").fill("S9 brûleur nettoyé")
    page.locator("form[data-submit=note] button[type=submit]").click()
    page.locator(".sync-line", has_text="3 changes").wait_for()

    server.ship(2)
    pushes: list[int] = []
    page.on(
        "response",
        lambda response: (
            pushes.append(response.status) if response.url.endswith("/api/sync/push") else None
        ),
    )

    # Back online: nobody touches the phone.
    with page.expect_event("load", timeout=60000):
        context.set_offline(False)
    wait_synced(page, timeout=60000)

    new_build = page.evaluate("fetch('/api/build').then((r) => r.json()).then((b) => b.build)")
    schema = app_schema(page)
    worker = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    held = what_the_database_holds(server.database_url, client_id)

    assert new_build != old_build and worker.endswith("/sw.js")
    assert schema == 2
    assert pushes[0] == 426 and pushes[-1] == 200
    assert held["outcomes"] == [(1, "applied"), (2, "applied"), (3, "applied")]
    assert held["schema"] == 2
    assert held["notes"] == ["S9 brûleur nettoyé"]
    assert held["answers"] == {"power_off": True, "pressure": 1.6}
    wait_until(page, "document.body.dataset.sync === 'idle'")
    assert page.locator(".sync-line.sync-ok").count() == 1


def app_schema(page: Any) -> int:
    return int(page.evaluate("import('/src/sync.js').then((m) => m.SCHEMA)"))


def test_S9_every_open_tab_of_an_old_app_reloads_into_the_new_one(
    phone: Any, server: UpgradableServer
) -> None:
    if (server.schema, server.accepts) != (1, 1):
        server.ship(1)
    context = phone()
    first = context.new_page()
    sign_in(first, "tech1@demo.test")
    wait_for_worker(first)
    second = context.new_page()
    second.goto("/#/time")
    wait_synced(second)
    assert (app_schema(first), app_schema(second)) == (1, 1)
    loads = {"first": 0, "second": 0}
    first.on("load", lambda _page: loads.__setitem__("first", loads["first"] + 1))
    second.on("load", lambda _page: loads.__setitem__("second", loads["second"] + 1))

    server.ship(2)

    # Nobody touches either tab: their event streams come back after the
    # restart, each asks for a sync, gets 426, and the tabs reload (the
    # one that updates the worker, and the one whose worker was replaced).
    # (Should a stream miss the restart, the app's slow timer still asks.)
    deadline = time.monotonic() + 90
    while min(loads.values()) == 0 and time.monotonic() < deadline:
        first.wait_for_timeout(100)
    assert loads == {"first": 1, "second": 1}
    for page in (first, second):
        wait_synced(page, timeout=60000)
        assert app_schema(page) == 2


# Installed before the app: the sync loop's own timers (its backoff and its
# slow timer, both `requestSync`) are stretched to an hour, so whatever
# sends again came from a wake, not from a timer.
NO_SYNC_TIMERS = """
(() => {
  const realTimeout = window.setTimeout.bind(window);
  window.setTimeout = (fn, ms, ...rest) =>
    realTimeout(fn, fn && fn.name === "requestSync" ? 3600000 : ms, ...rest);
})();
"""
PENDING = "import('/src/store.js').then((m) => m.pendingMutations().length)"


def count_pushes(page: Any) -> list[int]:
    """The statuses of the page's pushes, as they answer (reloads too)."""
    statuses: list[int] = []
    page.on(
        "response",
        lambda response: (
            statuses.append(response.status) if response.url.endswith("/api/sync/push") else None
        ),
    )
    return statuses


def notes_offline(page: Any, context: Any, *texts: str) -> None:
    """Notes on the first visit, written offline: they wait in the outbox."""
    context.set_offline(True)
    open_order(page, "SO-2026-0101")
    for text in texts:
        before = outbox_seq(page)
        page.locator("#note-text").fill(text)
        page.locator("form[data-submit=note] button[type=submit]").click()
        wait_saved(page, before)
    assert page.evaluate(PENDING) == len(texts)


def wait_pushes(page: Any, pushes: list[int], more_than: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while len(pushes) <= more_than:
        assert time.monotonic() < deadline, f"no push after {more_than}: {pushes}"
        page.wait_for_timeout(50)


def test_S9_a_server_ahead_of_its_app_is_asked_again_with_backoff(
    phone: Any, server: UpgradableServer
) -> None:
    """The server took schema 2 before it served an app built for it: the
    phone keeps asking, as after any failure (not every two minutes), and
    takes the new app as soon as it is there. Nobody touches the phone."""
    if (server.schema, server.accepts) != (1, 1):
        server.ship(1)
    context = phone()
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    wait_for_worker(page)
    wait_synced(page)
    client_id = page.evaluate("import('/src/store.js').then((m) => m.getMeta('client_id'))")
    notes_offline(page, context, "Backoff 1", "Backoff 2")
    server.ship(2, app=1)
    pushes = count_pushes(page)
    loads: list[float] = []
    page.on("load", lambda _page: loads.append(time.monotonic()))

    context.set_offline(False)
    deadline = time.monotonic() + 20
    while len(pushes) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    asked_again = list(pushes)
    state = page.evaluate("document.body.dataset.sync")
    pending = page.evaluate(PENDING)
    server.publish(2)
    with page.expect_event("load", timeout=45000):
        pass
    wait_synced(page, timeout=30000)

    assert len(asked_again) >= 3 and set(asked_again) == {426}
    assert state == "upgrading" and pending == 2
    assert len(loads) == 1
    assert app_schema(page) == 2
    assert pushes.count(200) == 1 and set(pushes) == {426, 200}
    held = what_the_database_holds(server.database_url, client_id, "Backoff %")
    assert held["outcomes"] == [(1, "applied"), (2, "applied")]
    assert sorted(held["notes"]) == ["Backoff 1", "Backoff 2"]


def test_S9_waiting_for_a_newer_app_the_phone_asks_again_on_each_wake(
    phone: Any, server: UpgradableServer
) -> None:
    """With the sync timers out of the way: the network coming back, the
    page shown again, a poke from the server each ask at once; a newer
    worker found by the browser is taken at once, and the outbox goes out
    once, with the new app."""
    if (server.schema, server.accepts) != (1, 1):
        server.ship(1)
    context = phone()
    context.add_init_script(NO_SYNC_TIMERS)
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    wait_for_worker(page)
    wait_synced(page)
    client_id = page.evaluate("import('/src/store.js').then((m) => m.getMeta('client_id'))")
    order_id = page.evaluate(
        """import('/src/store.js').then((m) => m.pulledAll('service_order')
          .find((order) => order.data.number === 'SO-2026-0101').id)"""
    )
    notes_offline(page, context, "Wake 1")
    server.ship(2, app=1)
    pushes = count_pushes(page)

    # The network comes back: asked at once, refused; the event stream opens.
    context.set_offline(False)
    wait_pushes(page, pushes, 0)
    wait_until(page, "document.body.dataset.live === 'true'")
    wait_until(page, "document.body.dataset.sync === 'upgrading'")
    page.wait_for_timeout(3000)
    quiet = len(pushes)
    page.wait_for_timeout(3000)
    assert len(pushes) == quiet, "no timer asks in this test"

    # The page is shown again.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    wait_pushes(page, pushes, quiet)

    # Another device of the same person, already updated, adds a note: the
    # server pokes every stream of the person.
    shown = len(pushes)
    tablet = server.session("tech1@demo.test")
    try:
        answer = tablet.client.post(
            "/api/sync/push",
            json={
                "protocol": 1,
                "schema": 2,
                "client_id": str(uuid.uuid4()),
                "sent_at": "2026-12-04T10:00:00+01:00",
                "mutations": [
                    {
                        "seq": 1,
                        "id": str(uuid.uuid4()),
                        "name": "service_order.note",
                        "args": {"id": order_id, "note_id": str(uuid.uuid4()), "text": "Tablet"},
                        "at": "2026-12-04T10:00:00+01:00",
                    }
                ],
            },
        )
        assert answer.status_code == 200, answer.text
    finally:
        tablet.close()
    wait_pushes(page, pushes, shown)
    assert int(page.evaluate("Number(document.body.dataset.pokes)")) >= 1

    # The browser finds the newer app (as it does on a navigation): taken
    # at once, with nobody's word and no timer.
    server.publish(2)
    with page.expect_event("load", timeout=20000):
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => { r.update(); })")
    wait_synced(page)

    assert app_schema(page) == 2
    assert set(pushes[:-1]) == {426} and pushes[-1] == 200
    held = what_the_database_holds(server.database_url, client_id, "Wake %")
    assert held["outcomes"] == [(1, "applied")]
    assert held["notes"] == ["Wake 1"]
