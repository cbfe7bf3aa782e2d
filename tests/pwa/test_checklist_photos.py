"""Photos on a checklist, taken offline: kept on the phone, shown at once,
uploaded before the change that names them."""

from __future__ import annotations

import datetime as dt
import json
import math
import struct
import subprocess
import zlib
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import Blob, BlobHolder
from tests.pwa.conftest import (
    AFFAIRES,
    Server,
    outbox_seq,
    sign_in,
    wait_for_worker,
    wait_synced,
    wait_until,
)
from tests.pwa.test_field_work import open_checklist
from tests.pwa.test_offline_day_on_dolibarr_data import outside_the_browser_loop

pytestmark = pytest.mark.browser


def picture(width: int = 240, height: int = 180, tint: int = 60) -> bytes:
    """A PNG that looks like something: a gauge on a warm background.
    Another ``tint``, another photo (and another hash)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", checksum)

    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            distance = math.hypot(x - width / 2, y - height / 2)
            if distance < height * 0.32:
                pixel = (236, 238, 240) if distance < height * 0.28 else (40, 44, 52)
            else:
                pixel = (180 + x * 60 // width, 110 + y * 60 // height, tint)
            rows.extend(pixel)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


def take_photo(page: Any, key: str, tint: int = 60) -> None:
    """Take a photo for an item, as the camera would hand it over."""
    shown = page.locator(".item .thumb img").count()
    page.locator(f"input[type=file][data-key='{key}']").set_input_files(
        {"name": "camera.png", "mimeType": "image/png", "buffer": picture(tint=tint)}
    )
    page.locator(".item .thumb img").nth(shown).wait_for()


def test_a_photo_taken_offline_is_uploaded_before_its_change(phone: Any, server: Server) -> None:
    context = phone()
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    wait_for_worker(page)
    open_checklist(page, "SO-2026-0101")
    # Uploads that reached the server, and pushes as they leave: offline
    # attempts fail and are retried, only what got through counts.
    sent: list[tuple[str, str]] = []
    results: list[dict[str, Any]] = []

    def watch_upload(request: Any) -> None:
        if "/api/blobs/" in request.url and request.method == "PUT":
            sent.append(("blob", request.url.rsplit("/", 1)[1]))

    def watch_request(request: Any) -> None:
        if request.url.endswith("/api/sync/push"):
            names = [m["name"] for m in json.loads(request.post_data or "{}")["mutations"]]
            sent.append(("push", ",".join(names)))

    def watch_response(response: Any) -> None:
        if response.url.endswith("/api/sync/push") and response.ok:
            results.extend(response.json()["results"])

    page.on("request", watch_request)
    page.on("requestfinished", watch_upload)
    page.on("response", watch_response)

    context.set_offline(True)
    take_photo(page, "power_off")

    wait_until(page, "document.querySelector('.item .thumb img')?.naturalWidth > 0")
    assert page.locator(".item .thumb.pending").count() == 1
    page.locator(".sync-line", has_text="1 photo to upload").wait_for()
    assert sent == []
    # Still there, from the phone, after the app is opened again offline.
    page.reload()
    page.locator(".item .thumb img").first.wait_for()
    wait_until(page, "document.querySelector('.item .thumb img')?.naturalWidth > 0")

    context.set_offline(False)
    wait_synced(page)

    blobs = [value for kind, value in sent if kind == "blob"]
    pushes = [i for i, (kind, names) in enumerate(sent) if "checklist.attach" in names]
    assert len(blobs) == 1
    assert len(pushes) == 1
    assert sent.index(("blob", blobs[0])) < pushes[0]
    # Its result, when the page saw the answer (a reload may hide it);
    # the server's records below say it applied once in any case.
    assert [r["status"] for r in results] in ([], ["applied"])

    session = server.session("supervisor@demo.test")
    photos = list(session.pull_all().get("checklist_photo", {}).values())
    fetched = session.client.get(f"/api/blobs/{blobs[0]}")
    conflicts = session.client.get("/api/conflicts", params={"status": "all"}).json()
    session.close()
    assert [(p["item_key"], p["sha256"]) for p in photos] == [("power_off", blobs[0])]
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "image/jpeg"
    assert [c for c in conflicts if c["mutation_name"] == "checklist.attach"] == []

    # Sent, pulled back: the thumbnail stays, nothing waits any more.
    page.locator(".item .thumb img").first.wait_for()
    assert page.locator(".item .thumb.pending").count() == 0
    assert page.locator(".sync-line.sync-ok").count() == 1
    wait_until(page, "document.querySelector('.item .thumb img')?.naturalWidth > 0")


def test_the_store_upgrade_keeps_what_the_phone_held(phone: Any) -> None:
    """A phone of the first version, with a change waiting, opens the
    version with photos: its outbox and data are all still there."""
    page = phone(service_workers="block").new_page()
    page.goto("/manifest.webmanifest")
    page.evaluate(
        """() => new Promise((resolve, reject) => {
          const open = indexedDB.open("affaires", 1);
          open.onupgradeneeded = () => {
            const db = open.result;
            db.createObjectStore("meta", {keyPath: "k"});
            db.createObjectStore("entities", {keyPath: "key"});
            db.createObjectStore("outbox", {keyPath: "seq"});
            db.createObjectStore("problems", {keyPath: "id"});
          };
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(["meta", "outbox"], "readwrite");
            tx.objectStore("meta").put({k: "client_id", v: "c-1"});
            tx.objectStore("meta").put({k: "next_seq", v: 2});
            tx.objectStore("outbox").put({seq: 1, id: "m-1", name: "timesheet.submit",
              args: {week: "2026-W49"}, at: "2026-12-04T09:00:00+01:00",
              state: "pending"});
            tx.oncomplete = () => { db.close(); resolve(true); };
            tx.onerror = () => reject(tx.error);
          };
          open.onerror = () => reject(open.error);
        })"""
    )

    page.goto("/")
    page.locator("#email").wait_for()
    held = page.evaluate(
        """() => new Promise((resolve) => {
          const open = indexedDB.open("affaires");
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(["meta", "outbox"]);
            const seq = tx.objectStore("meta").get("next_seq");
            const outbox = tx.objectStore("outbox").getAll();
            tx.oncomplete = () => resolve({version: db.version,
              stores: [...db.objectStoreNames].sort(),
              next_seq: seq.result.v, outbox: outbox.result.map((m) => m.name)});
          };
        })"""
    )

    assert held == {
        "version": 2,
        "stores": ["blobs", "entities", "meta", "outbox", "problems"],
        "next_seq": 2,
        "outbox": ["timesheet.submit"],
    }


# Run in the page: the bytes of the one photo this phone holds.
HELD_PHOTO = """async () => {
  const store = await import("/src/store.js");
  const [blob] = [...store.mem.blobs.values()];
  return {sha256: blob.sha256, type: blob.type, state: blob.state,
    bytes: [...new Uint8Array(await blob.bytes.arrayBuffer())]};
}"""


def test_a_change_held_for_its_photo_stops_being_a_problem_once_it_arrives(
    phone: Any, server: Server
) -> None:
    # Routing sees the app's own requests only without a service worker.
    page = phone(service_workers="block").new_page()
    sign_in(page, "tech1@demo.test")
    open_checklist(page, "SO-2026-0104")
    page.route(
        "**/api/blobs/*",
        lambda route: route.fulfill(
            status=413,
            content_type="application/json",
            body='{"code":"too_large","message":"too large","details":{}}',
        ),
    )

    # A photo the server never saw: its change is held for it.
    take_photo(page, "leaks", tint=140)
    page.locator(".sync-line.sync-attention").wait_for()
    # Held on the server, still the person's photo on the phone.
    assert page.locator(".item .thumb.pending img").count() == 1
    page.locator(".sync-line").click()
    problem = page.locator(".problem").inner_text()
    held = page.evaluate(HELD_PHOTO)
    session = server.session("tech1@demo.test")
    arrived = session.client.put(
        f"/api/blobs/{held['sha256']}",
        content=bytes(held["bytes"]),
        headers={"Content-Type": held["type"]},
    )
    page.unroute("**/api/blobs/*")
    page.locator("button[data-action=now]").click()
    page.locator(".problem").wait_for(state="detached")
    wait_synced(page)
    data = session.pull_all()
    session.close()

    assert held["state"] == "refused"
    assert "has not received your photo" in problem
    assert "refused this photo" in problem
    assert arrived.status_code == 201
    assert arrived.json()["released"] == 1
    named = [p for p in data["checklist_photo"].values() if p["sha256"] == held["sha256"]]
    assert [p["item_key"] for p in named] == ["leaks"]
    [conflict] = [c for c in data["conflict"].values() if c["kind"] == "missing_blob"]
    assert (conflict["status"], conflict["resolution"]) == ("resolved", "device")
    assert page.locator(".problem").count() == 0


def test_a_file_only_named_like_a_photo_is_refused_and_nothing_is_saved(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "tech1@demo.test")
    open_checklist(page, "SO-2026-0101")
    before = outbox_seq(page)
    # Other tests may have left photos on this shared checklist.
    shown = page.locator(".item .thumb img").count()

    page.locator("input[type=file][data-key='power_off']").set_input_files(
        {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture at all\n"}
    )

    page.locator(".toast", has_text="cannot be read").wait_for()
    assert page.locator(".item .thumb img").count() == shown
    assert outbox_seq(page) == before


def age_the_photo_past_the_horizon(database_url: str, sha256: str) -> None:
    """The photo's bytes, uploaded 45 days ago, named by nothing yet."""

    async def age() -> None:
        db = open_database(database_url)
        try:
            long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=45)
            async with db.writing() as session:
                await session.execute(
                    sa.update(Blob).where(Blob.sha256 == sha256).values(created_at=long_ago)
                )
                await session.execute(
                    sa.update(BlobHolder).where(BlobHolder.sha256 == sha256).values(since=long_ago)
                )
        finally:
            await db.dispose()

    outside_the_browser_loop(age())


def test_a_photo_the_server_removed_before_its_change_came_goes_up_again(
    phone: Any, server: Server
) -> None:
    """The photo went up, its change did not (the network dropped between
    the two); the phone stayed away past the horizon and the server
    removed the unused bytes. The change comes, is held for its photo, and
    the phone sends the photo again: the change applies, once."""
    page = phone(service_workers="block").new_page()
    sign_in(page, "tech1@demo.test")
    open_checklist(page, "SO-2026-0102")
    uploads: list[str] = []
    page.on(
        "requestfinished",
        lambda request: (
            uploads.append(request.url.rsplit("/", 1)[1])
            if "/api/blobs/" in request.url and request.method == "PUT"
            else None
        ),
    )
    page.route("**/api/sync/push", lambda route: route.abort("internetdisconnected"))

    take_photo(page, "filters_changed", tint=200)
    wait_until(page, "document.body.dataset.sync === 'offline'")
    held = page.evaluate(HELD_PHOTO)
    assert held["state"] == "uploaded" and uploads == [held["sha256"]]
    age_the_photo_past_the_horizon(server.database_url, held["sha256"])
    purged = subprocess.run(
        [AFFAIRES, "purge", "--database", server.database_url],
        check=True,
        capture_output=True,
        text=True,
    )
    page.unroute("**/api/sync/push")
    page.locator("button[data-key='filters_changed'][data-value='yes']").click()
    wait_synced(page)

    session = server.session("supervisor@demo.test")
    data = session.pull_all()
    fetched = session.client.get(f"/api/blobs/{held['sha256']}")
    session.close()
    assert "1 unused photos removed" in purged.stdout
    assert uploads == [held["sha256"], held["sha256"]]
    named = [p for p in data["checklist_photo"].values() if p["sha256"] == held["sha256"]]
    assert [p["item_key"] for p in named] == ["filters_changed"]
    assert fetched.status_code == 200
    [conflict] = [
        c
        for c in data["conflict"].values()
        if c["kind"] == "missing_blob" and c["mutation_args"]["sha256"] == held["sha256"]
    ]
    assert (conflict["status"], conflict["resolution"]) == ("resolved", "device")
    assert page.locator(".problem, .item .thumb.pending").count() == 0
