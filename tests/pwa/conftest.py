"""Browser tests of the PWA against the real server.

One server per test module, on a fresh database of the suite's kind
(SQLite, or PostgreSQL when DATABASE_URL says so), filled with the demo
company. Pages are phones: 360 x 740, touch, Europe/Paris.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
AFFAIRES = str(Path(sys.executable).with_name("affaires"))
CHROMIUM = "/usr/bin/chromium"
# Keep Chromium from reaching for the internet (STACK-NOTES.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "timezone_id": "Europe/Paris",
}
PASSWORD = "demo"
PHONE_ZONE = zoneinfo.ZoneInfo(str(PHONE["timezone_id"]))


def phone_today() -> dt.date:
    """The day on the phones' clock: in Paris, the day turns an hour or
    two before it does on the server's UTC clock."""
    return dt.datetime.now(PHONE_ZONE).date()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    database_url: str

    def session(self, email: str) -> ServerSession:
        """A signed-in API client, to check what the server holds."""
        return ServerSession(self.url, email)


class ServerSession:
    """A second device of a person, talking to the API directly."""

    def __init__(self, url: str, email: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=10)
        answer = self.client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        answer.raise_for_status()
        self.me: dict[str, Any] = answer.json()

    def pull_all(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Everything this person may see: {type: {id: data}}."""
        import uuid

        found: dict[str, dict[str, dict[str, Any]]] = {}
        cursor = None
        client_id = str(uuid.uuid4())
        while True:
            page = self.client.post(
                "/api/sync/pull",
                json={"protocol": 1, "schema": 1, "client_id": client_id, "cursor": cursor},
            ).json()
            for change in page["changes"]:
                bucket = found.setdefault(change["type"], {})
                if change["op"] == "put":
                    bucket[change["id"]] = change["data"]
                else:
                    bucket.pop(change["id"], None)
            cursor = page["cursor"]
            if not page["has_more"]:
                return found

    def close(self) -> None:
        self.client.close()


def start_server(
    database_url: str,
    pwa_dir: Path | None = None,
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """``affaires serve`` on ``database_url``; ``port``: the same address as
    a server stopped before (its pages keep their origin); ``env``: more
    settings."""
    port = port or _free_port()
    env = dict(os.environ, AFFAIRES_LOG_LEVEL="warning", **(env or {}))
    if pwa_dir is not None:
        env["AFFAIRES_PWA_DIR"] = str(pwa_dir)
    process = subprocess.Popen(
        [AFFAIRES, "serve", "--host", "127.0.0.1", "--port", str(port), "--database", database_url],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"server stopped: {said[-2000:]}")
        try:
            if httpx.get(f"{url}/api/build", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not answer within 30 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def demo_database(databases: Any) -> str:
    database_url = databases.fresh()
    subprocess.run(
        [AFFAIRES, "demo", "--database", database_url],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return database_url


@pytest.fixture(scope="module")
def server(databases: Any) -> Iterator[Server]:
    """The real server on a fresh demo database, for one test module."""
    database_url = demo_database(databases)
    process, url = start_server(database_url)
    yield Server(url, database_url)
    stop_server(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def phone(server: Server, browser: Any) -> Iterator[Callable[..., Any]]:
    """Make phone contexts on ``server``: ``phone(locale="fr-FR", **options)``.

    ``server`` comes first: making a PostgreSQL database runs its own event
    loop, which cannot start once Playwright's is running.
    """
    contexts: list[Any] = []

    def make(locale: str = "en-GB", **options: Any) -> Any:
        context = browser.new_context(base_url=server.url, locale=locale, **{**PHONE, **options})
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    """Sign in from the app's own form and wait for the first screen."""
    page.goto("/")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form[data-submit=signin] button[type=submit]").click()
    page.locator("#nav a").first.wait_for()
    # Problems of earlier work (from another device too) may be listed.
    page.locator(".sync-line.sync-ok, .sync-line.sync-attention").wait_for(timeout=20000)


def wait_synced(page: Any, timeout: float = 20000) -> None:
    """Until the sync line says everything was sent (and pulled)."""
    try:
        page.locator(".sync-line.sync-ok").wait_for(timeout=timeout)
    except Exception as exc:
        line = page.locator(".sync-line").inner_text()
        state = page.evaluate("document.body.dataset.sync + ' ' + document.body.dataset.syncError")
        raise AssertionError(f"not synced: {line!r} ({state})") from exc


def wait_until(page: Any, expression: str, timeout: float = 15.0) -> Any:
    """Poll ``expression`` in the page until it is truthy.

    ``page.wait_for_function`` evaluates strings, which the app's
    Content-Security-Policy forbids; plain ``evaluate`` is not affected.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def wait_for_worker(page: Any) -> None:
    """Until the service worker controls the page (the app shell is cached)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    wait_until(page, "navigator.serviceWorker.controller !== null")


def outbox_seq(page: Any) -> int:
    """The seq the next change will get: it grows with each saved change."""
    return int(page.evaluate("Number(document.body.dataset.seq)"))


def wait_saved(page: Any, before: int) -> None:
    """Until a change made after ``outbox_seq`` gave ``before`` is saved."""
    wait_until(page, f"Number(document.body.dataset.seq) > {before}")
