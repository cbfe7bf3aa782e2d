"""A supervisor resolves the conflicts of their team from a phone.

Two real conflicts of a technician: hours changed in a week already
approved (``locked``), and hours changed on his phone while his tablet
changed the same hours (``concurrent_update``). Each is resolved once
each way (the second pair offline); the database holds the outcome, and
the technician's phone says that it was resolved and how.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import ConflictRecord, TimeEntry, TimesheetWeek
from tests.pwa.conftest import (
    PASSWORD,
    Server,
    outbox_seq,
    phone_today,
    sign_in,
    wait_saved,
    wait_synced,
)
from tests.pwa.test_offline_day_on_dolibarr_data import outside_the_browser_loop
from tests.pwa.test_screenshots import use_language
from tests.pwa.test_time_and_approval import LAST_WEEK, iso_week

pytestmark = pytest.mark.browser

TWO_WEEKS_AGO = iso_week(phone_today() - dt.timedelta(days=14))
TECH = "tech1@demo.test"
SUPERVISOR = "supervisor@demo.test"


class Tablet:
    """The technician's second device, talking to the server directly."""

    def __init__(self, server: Server, email: str) -> None:
        self.client = httpx.Client(base_url=server.url, timeout=10)
        self.client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        self.client_id = str(uuid.uuid4())
        self.seq = 0

    def entries(self) -> dict[str, dict[str, Any]]:
        """The time entries it holds, with the version of each."""
        held: dict[str, dict[str, Any]] = {}
        cursor = None
        while True:
            page = self.client.post(
                "/api/sync/pull",
                json={"protocol": 1, "schema": 1, "client_id": self.client_id, "cursor": cursor},
            ).json()
            for change in page["changes"]:
                if change["type"] == "time_entry" and change["op"] == "put":
                    held[change["id"]] = {**change["data"], "version": change["version"]}
            cursor = page["cursor"]
            if not page["has_more"]:
                return held

    def change_hours(self, entry: dict[str, Any], minutes: int) -> dict[str, Any]:
        self.seq += 1
        now = dt.datetime.now(dt.UTC).isoformat()
        args = {
            "id": entry["id"],
            "affair_id": entry["affair_id"],
            "work_date": entry["work_date"],
            "minutes": minutes,
        }
        answer = self.client.post(
            "/api/sync/push",
            json={
                "protocol": 1,
                "schema": 1,
                "client_id": self.client_id,
                "sent_at": now,
                "mutations": [
                    {
                        "seq": self.seq,
                        "id": str(uuid.uuid4()),
                        "name": "time_entry.put",
                        "args": args,
                        "base": entry["version"],
                        "at": now,
                    }
                ],
            },
        )
        result: dict[str, Any] = answer.json()["results"][0]
        return result

    def close(self) -> None:
        self.client.close()


def entries_of_week(server: Server, week: str) -> list[dict[str, Any]]:
    """Thomas's entries of ``week``, Monday's first, as the server holds them."""
    tablet = Tablet(server, TECH)
    held = tablet.entries()
    tablet.close()
    found = [e for e in held.values() if iso_week(dt.date.fromisoformat(e["work_date"])) == week]
    return sorted(found, key=lambda e: (e["work_date"], -e["minutes"], e["id"]))


async def _stored(database_url: str, entry_ids: list[str]) -> dict[str, Any]:
    db = open_database(database_url)
    ids = [uuid.UUID(i) for i in entry_ids]
    async with db.reading() as session:
        minutes = dict(
            (str(i), m)
            for i, m in await session.execute(
                sa.select(TimeEntry.id, TimeEntry.minutes).where(TimeEntry.id.in_(ids))
            )
        )
        conflicts = {
            str(entity): (str(conflict_id), status.value, resolution)
            for conflict_id, entity, status, resolution in await session.execute(
                sa.select(
                    ConflictRecord.id,
                    ConflictRecord.entity_id,
                    ConflictRecord.status,
                    ConflictRecord.resolution,
                )
                .where(ConflictRecord.entity_id.in_(ids))
                .order_by(ConflictRecord.created_at)
            )
        }
        owners = sa.select(TimeEntry.user_id).where(TimeEntry.id.in_(ids))
        weeks = {
            week: status.value
            for week, status in await session.execute(
                sa.select(TimesheetWeek.week, TimesheetWeek.status).where(
                    TimesheetWeek.user_id.in_(owners)
                )
            )
        }
    await db.dispose()
    return {"minutes": minutes, "conflicts": conflicts, "weeks": weeks}


def stored(server: Server, *entry_ids: str) -> dict[str, Any]:
    """What the database holds: the entries' minutes, their latest conflict
    (id, status, resolution), and the statuses of their person's weeks."""
    return outside_the_browser_loop(_stored(server.database_url, list(entry_ids)))


def change_hours(page: Any, entry_id: str, hours: str) -> None:
    page.goto(f"/#/entry/{entry_id}")
    page.locator("#entry-hours").wait_for()
    before = outbox_seq(page)
    page.locator("#entry-hours").fill(hours)
    page.locator("#entry-hours").press("Tab")
    wait_saved(page, before)


def open_conflicts(page: Any, count: int) -> None:
    """From the tab's badge to the conflicts screen."""
    tab = page.locator("#nav a[href='#/approvals']")
    tab.locator(".badge", has_text=str(count)).wait_for()
    # The count is said with the tab's name, for screen readers.
    assert f", {count} confl" in (tab.get_attribute("aria-label") or "")
    tab.click()
    page.locator("a.card.attention").click()
    page.locator("#open-title").wait_for()


def resolved_problems_of(page: Any, count: int) -> list[str]:
    """The technician's sync page, once it lists ``count`` resolved conflicts."""
    page.goto("/#/sync")
    page.reload()
    wait_synced(page)
    resolved = page.locator(".problem.resolved")
    deadline = 40
    while resolved.count() < count and deadline:
        page.wait_for_timeout(500)
        page.locator("button[data-action=now]").click()
        deadline -= 1
    return [resolved.nth(i).inner_text() for i in range(resolved.count())]


def test_a_technician_has_no_conflict_or_device_screen(phone: Any) -> None:
    tech = phone().new_page()
    sign_in(tech, TECH)

    for route in ("#/conflicts", "#/devices"):
        tech.goto(f"/{route}")
        tech.locator("#title", has_text="My visits").wait_for()
        assert tech.url.endswith("#/orders")
    tech.locator("#nav a[href='#/me']").click()
    assert tech.locator("#nav a[href='#/approvals']").count() == 0
    assert tech.locator("a[href='#/devices']").count() == 0


def test_a_locked_conflict_is_resolved_each_way(phone: Any, server: Server) -> None:
    # Thomas changes Monday's and Tuesday's hours of a week Marie approved.
    monday, tuesday = [e for e in entries_of_week(server, TWO_WEEKS_AGO) if e["minutes"] == 240][:2]
    tech = phone().new_page()
    sign_in(tech, TECH)
    change_hours(tech, monday["id"], "5")
    change_hours(tech, tuesday["id"], "6")
    tech.locator(".sync-line", has_text="2 changes need your attention").wait_for()
    before = stored(server, monday["id"], tuesday["id"])
    kept_id, taken_id = (before["conflicts"][e["id"]][0] for e in (monday, tuesday))

    # Marie sees both in words, side by side.
    boss = phone().new_page()
    sign_in(boss, SUPERVISOR)
    use_language(boss, "en")
    # The list of devices, asked for by the approvals screen, is still on
    # its way when the conflicts open: they are named when it comes.
    asked: list[Any] = []
    boss.route("**/api/devices", lambda request: asked.append(request))
    open_conflicts(boss, 2)
    kept, taken = boss.locator(f"#conflict-{kept_id}"), boss.locator(f"#conflict-{taken_id}")
    kept.filter(has_text="Device #").wait_for()
    for request in asked:
        request.continue_()
    boss.unroute("**/api/devices")
    # Which device: its name comes with the list of devices.
    kept.filter(has_text="Chrome #").wait_for()
    text = kept.inner_text()
    assert "Locked" in text
    assert f"Thomas Martin changed hours of week {int(TWO_WEEKS_AGO[-2:])}" in text
    assert "after Marie Dubois approved it on" in text
    assert "Sent by Thomas Martin ·" in text and "\nLinux · Chrome #" in text
    assert boss.locator(f"#conflict-{kept_id} .sides tbody tr").count() == 1
    row = kept.locator(".sides tbody tr").inner_text().split("\t")
    assert [cell.strip() for cell in row] == ["Hours", "4 h", "5 h"]

    # Keep the server's value: nothing changes but the conflict.
    kept.locator("button[data-action=keep-server]").click()
    boss.locator(".decided .card", has_text="Server's value kept by Marie Dubois").wait_for()
    assert kept.count() == 0
    wait_synced(boss)
    after_kept = stored(server, monday["id"])
    assert after_kept["minutes"][monday["id"]] == 240
    assert after_kept["conflicts"][monday["id"]][1:] == ("resolved", "server")

    # Take the device's value: the week must be reopened, the screen asks.
    taken.locator("button[data-action=take-device]").click()
    question = taken.locator(".confirm")
    question.filter(has_text="reopens it as a draft").wait_for()
    assert stored(server, tuesday["id"])["conflicts"][tuesday["id"]][1] == "open"
    question.locator("button[data-action=reopen-take]").click()
    boss.locator(".decided .card", has_text="Device's value taken by Marie Dubois").wait_for()
    wait_synced(boss)
    after_taken = stored(server, tuesday["id"])
    assert after_taken["minutes"][tuesday["id"]] == 360
    assert after_taken["conflicts"][tuesday["id"]][1:] == ("resolved", "device")
    assert after_taken["weeks"][TWO_WEEKS_AGO] == "draft"
    boss.locator("#nav a[href='#/approvals'] .badge").wait_for(state="detached")

    # Thomas's phone says it, in words.
    said = resolved_problems_of(tech, 2)
    assert any("Resolved by Marie Dubois" in s and "your change was applied" in s for s in said), (
        said
    )
    # Once applied, the card does not also say why it had been held back.
    applied = next(s for s in said if "your change was applied" in s)
    assert "not applied" not in applied and "This was your change to" in applied, applied
    assert any("the value already there was kept" in s for s in said), said
    assert tech.locator(".sync-line.sync-attention").count() == 0


def test_a_same_field_conflict_is_resolved_each_way(phone: Any, server: Server) -> None:
    first, second = [e for e in entries_of_week(server, LAST_WEEK) if e["minutes"] == 210][:2]
    context = phone()
    tech = context.new_page()
    sign_in(tech, TECH)

    # Offline, his phone changes both; meanwhile his tablet changes the
    # same hours and sends them first. The phone's changes are older: the
    # tablet's values stand, the phone's are kept as conflicts.
    context.set_offline(True)
    change_hours(tech, first["id"], "5")
    change_hours(tech, second["id"], "6")
    tablet = Tablet(server, TECH)
    held = tablet.entries()
    assert tablet.change_hours(held[first["id"]], 120)["status"] == "applied"
    assert tablet.change_hours(held[second["id"]], 180)["status"] == "applied"
    tablet.close()
    context.set_offline(False)
    tech.evaluate("window.dispatchEvent(new Event('online'))")
    tech.locator(".sync-line", has_text="2 changes need your attention").wait_for()
    before = stored(server, first["id"], second["id"])
    assert before["minutes"] == {first["id"]: 120, second["id"]: 180}
    kept_id, taken_id = (before["conflicts"][e["id"]][0] for e in (first, second))

    office = phone(locale="fr-FR")
    boss = office.new_page()
    sign_in(boss, SUPERVISOR)
    use_language(boss, "fr")
    open_conflicts(boss, 2)
    # Grouped by person, or by affair.
    assert boss.locator(".conflict-group h3", has_text="Thomas Martin · 2").count() == 1
    boss.locator(".segmented a[href='#/conflicts?by=affair']").click()
    boss.locator(".segmented a[aria-current][href='#/conflicts?by=affair']").wait_for()
    assert boss.locator(".conflict-group h3", has_text="AFF-2026-").count() >= 1
    kept, taken = boss.locator(f"#conflict-{kept_id}"), boss.locator(f"#conflict-{taken_id}")
    text = kept.inner_text()
    assert "Modifié deux fois" in text
    assert "Thomas Martin a modifié la même valeur sur deux appareils" in text
    row = kept.locator(".sides tbody tr").inner_text().split("\t")
    assert [cell.strip() for cell in row] == ["Heures", "2 h", "5 h"]

    # Marie decides offline: it shows at once, and waits in her outbox.
    office.set_offline(True)
    kept.locator("button[data-action=keep-server]").click()
    taken.locator("button[data-action=take-device]").click()
    boss.locator(".decided .card .pending-mark").nth(1).wait_for()
    assert stored(server, first["id"])["conflicts"][first["id"]][1] == "open"
    office.set_offline(False)
    boss.evaluate("window.dispatchEvent(new Event('online'))")
    boss.locator(".decided .card", has_text="Valeur de l'appareil prise par Marie Dubois").filter(
        has_text="Modifié deux fois"
    ).wait_for()
    wait_synced(boss)

    after = stored(server, first["id"], second["id"])
    assert after["minutes"] == {first["id"]: 120, second["id"]: 360}
    assert after["conflicts"][first["id"]][1:] == ("resolved", "server")
    assert after["conflicts"][second["id"]][1:] == ("resolved", "device")
    said = resolved_problems_of(tech, 2)
    assert any("your change was applied" in s for s in said), said
    assert any("the value already there was kept" in s for s in said), said
