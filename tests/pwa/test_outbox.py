"""The outbox in the browser: no change slips between two writes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pwa.conftest import sign_in, wait_synced

pytestmark = pytest.mark.browser

# Run in the page: a change is saved while the answers to a push are being
# recorded, and while the outbox is renumbered. Both must keep it.
RACE = """async () => {
  const store = await import("/src/store.js");
  const first = await store.enqueue("timesheet.submit", {week: "2020-W01"});
  const saving = store.enqueue("timesheet.submit", {week: "2020-W02"});
  const recording = store.recordResults(
    [{seq: first.seq, status: "rejected", code: "test"}]);
  const second = await saving;
  await recording;
  const renumbering = store.renumberOutbox(second.seq + 100);
  const third = store.enqueue("timesheet.submit", {week: "2020-W03"});
  await Promise.all([renumbering, third]);
  return store.pendingMutations().map((m) => m.args.week);
}"""


def test_a_change_saved_during_bookkeeping_is_kept(phone: Any) -> None:
    page = phone(service_workers="block").new_page()
    sign_in(page, "employee@demo.test")
    wait_synced(page)
    page.route("**/api/sync/push", lambda route: route.abort())

    weeks = page.evaluate(RACE)

    assert weeks[:1] == ["2020-W02"]
    assert "2020-W03" in weeks
