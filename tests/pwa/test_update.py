"""A new version of the app: the banner, and the outbox kept across it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.pwa.conftest import (
    ROOT,
    Server,
    demo_database,
    sign_in,
    start_server,
    stop_server,
    wait_for_worker,
    wait_synced,
)
from tests.pwa.test_field_work import answer, open_checklist

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pwa_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("pwa") / "pwa"
    shutil.copytree(ROOT / "pwa", copy)
    return copy


@pytest.fixture(scope="module")
def server(databases: Any, pwa_copy: Path) -> Iterator[Server]:
    """The server on a copy of the app, so the test can ship a new version."""
    database_url = demo_database(databases)
    process, url = start_server(database_url, pwa_dir=pwa_copy)
    yield Server(url, database_url)
    stop_server(process)


def test_update_banner_keeps_the_outbox(phone: Any, pwa_copy: Path) -> None:
    context = phone()
    page = context.new_page()
    sign_in(page, "tech1@demo.test")
    wait_for_worker(page)
    busy = '{"code":"unavailable","message":"busy","details":{}}'
    context.route(
        "**/api/sync/push",
        lambda route: route.fulfill(status=503, content_type="application/json", body=busy),
    )
    open_checklist(page, "SO-2026-0102")
    answer(page, "filters_changed", "yes")
    page.locator(".sync-line", has_text="1 change to send").wait_for()

    styles = pwa_copy / "styles.css"
    styles.write_text(styles.read_text() + "\n/* next version */\n")
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    page.locator("#update-now").wait_for(timeout=20000)
    with page.expect_event("load"):
        page.locator("#update-now").click()
    page.locator(".sync-line", has_text="1 change to send").wait_for()
    assert page.locator("#update").is_hidden()
    context.unroute("**/api/sync/push")
    page.evaluate("window.dispatchEvent(new Event('online'))")

    wait_synced(page, timeout=60000)
    assert page.locator("button[data-key=filters_changed][aria-pressed=true]").count() == 1
