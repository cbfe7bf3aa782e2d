"""The supervisor's list of devices: whose, last heard from, still in use."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import Device
from backend.lib.time import week_of
from backend.offline.devices import SEEN_EVERY, describe_agent
from tests.backend.conftest import Device as App
from tests.factories import Company

MONDAY = dt.date(2026, 11, 23)
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)


def hours(company: Company, minutes: int = 60) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "affair_id": str(company.affair_id),
        "work_date": MONDAY.isoformat(),
        "minutes": minutes,
    }


async def listed(app: App) -> dict[str, Any]:
    response = await app.client.get("/api/devices")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {device["client_id"]: device for device in body["devices"]}


async def seen_earlier(db: Database, app: App, back: dt.timedelta) -> None:
    """Move every contact of ``app``'s device back in time."""
    async with db.writing() as session:
        device = await session.get(Device, app.client_id)
        assert device is not None
        device.first_seen_at -= back
        device.last_seen_at -= back
        if device.last_push_at is not None:
            device.last_push_at -= back
        if device.last_pull_at is not None:
            device.last_pull_at -= back


async def test_a_supervisor_sees_the_devices_of_their_team_only(
    device_of: Any, company: Company
) -> None:
    apps = {key: await device_of(key) for key in ("tech", "tech2", "outsider", "manager")}
    for app in apps.values():
        await app.pull()
    supervisor = await device_of("supervisor")

    body = await listed(supervisor)

    seen = {device["client_id"] for device in body["devices"]}
    assert seen == {str(apps["tech"].client_id), str(apps["tech2"].client_id)}
    assert body["silent_after_days"] == 3
    assert {device["user_name"] for device in body["devices"]} == {"Tech", "Tech2"}


async def test_an_administrator_sees_every_device(device_of: Any, company: Company) -> None:
    apps = [await device_of(key) for key in ("tech", "outsider", "sales")]
    for app in apps:
        await app.pull()

    body = await listed(await device_of("admin"))

    assert {str(app.client_id) for app in apps} <= set(by_id(body))


@pytest.mark.parametrize("someone", ["tech", "employee", "sales"])
async def test_people_who_look_after_nobody_may_not_list_devices(
    device_of: Any, company: Company, someone: str
) -> None:
    app = await device_of(someone)
    await app.pull()

    response = await app.client.get("/api/devices")

    assert response.status_code == 403
    assert set(response.json()) == {"code", "message", "details"}


async def test_listing_devices_needs_a_session(device_of: Any, company: Company) -> None:
    app = await device_of("supervisor")
    app.client.cookies.clear()

    response = await app.client.get("/api/devices")

    assert response.status_code == 401


async def test_S10_a_wiped_phone_comes_back_as_a_new_device_and_the_old_one_is_replaced(
    device_of: Any, company: Company, db: Database
) -> None:
    # The phone sends hours, pulls, then sends more and is wiped before it
    # pulls again: the browser emptied its store, the app starts with a
    # new client id.
    old = await device_of("tech")
    await old.send("time_entry.put", hours(company))
    await old.pull()
    await old.send("time_entry.put", hours(company, 30))
    await seen_earlier(db, old, dt.timedelta(hours=1))
    new = App(client=old.client)
    await new.pull()
    supervisor = await device_of("supervisor")

    devices = by_id(await listed(supervisor))

    gone, current = devices[str(old.client_id)], devices[str(new.client_id)]
    assert gone["status"] == "replaced"
    assert gone["replaced_by"] == str(new.client_id)
    assert gone["replaced_at"] == current["first_seen_at"]
    assert gone["last_seq"] == 2
    assert gone["unconfirmed"] is True
    assert (current["status"], current["last_seq"], current["unconfirmed"]) == ("active", 0, False)


async def test_a_device_not_heard_from_for_days_has_gone_silent(
    device_of: Any, company: Company, db: Database
) -> None:
    quiet, busy = await device_of("tech"), await device_of("tech2")
    await quiet.send("time_entry.put", hours(company))
    await quiet.pull()
    await busy.pull()
    await seen_earlier(db, quiet, dt.timedelta(days=4))
    await seen_earlier(db, busy, dt.timedelta(days=2))

    devices = by_id(await listed(await device_of("supervisor")))

    assert devices[str(quiet.client_id)]["status"] == "silent"
    assert devices[str(quiet.client_id)]["unconfirmed"] is False
    assert devices[str(busy.client_id)]["status"] == "active"


async def test_two_devices_used_in_turn_are_both_active(
    device_of: Any, company: Company, db: Database
) -> None:
    phone = await device_of("tech")
    await phone.pull()
    await seen_earlier(db, phone, dt.timedelta(hours=1))
    tablet = await device_of("tech")
    await tablet.pull()
    await phone.pull()

    devices = by_id(await listed(await device_of("supervisor")))

    assert devices[str(phone.client_id)]["status"] == "active"
    assert devices[str(tablet.client_id)]["status"] == "active"


async def test_open_conflicts_are_counted_on_the_device_that_sent_them(
    device_of: Any, company: Company
) -> None:
    phone, tablet = await device_of("tech"), await device_of("tech")
    supervisor = await device_of("supervisor")
    values = hours(company)
    await phone.send("time_entry.put", values)
    await phone.send("timesheet.submit", {"week": week_of(MONDAY)})
    await supervisor.send(
        "timesheet.approve", {"user_id": str(company.users["tech"]), "week": week_of(MONDAY)}
    )
    # The tablet changes hours of the week approved meanwhile.
    result = await tablet.send("time_entry.put", {**values, "minutes": 90})

    devices = by_id(await listed(supervisor))

    assert result["status"] == "conflict"
    assert devices[str(tablet.client_id)]["open_conflicts"] == 1
    assert devices[str(phone.client_id)]["open_conflicts"] == 0


async def test_a_pull_is_noted_once_a_minute_and_always_after_a_push(
    device_of: Any, company: Company, db: Database
) -> None:
    async def contacts() -> tuple[Any, Any]:
        async with db.reading() as session:
            device = await session.get(Device, app.client_id, populate_existing=True)
        assert device is not None
        return device.last_pull_at, device.last_push_at

    app = await device_of("tech")
    await app.pull()
    first_pull, _ = await contacts()
    await app.pull()
    unchanged, _ = await contacts()
    await app.send("time_entry.put", hours(company))
    await app.pull()
    after_push, pushed = await contacts()
    async with db.writing() as session:
        await session.execute(
            sa.update(Device)
            .where(Device.client_id == app.client_id)
            .values(last_pull_at=after_push - SEEN_EVERY, last_push_at=pushed - SEEN_EVERY)
        )
    await app.pull()
    a_minute_later, _ = await contacts()

    assert unchanged == first_pull
    assert after_push > pushed
    assert a_minute_later > after_push


async def test_the_device_says_what_it_runs_on(device_of: Any, company: Company) -> None:
    app = await device_of("tech")
    app.client.headers["user-agent"] = PHONE_AGENT
    await app.pull()

    devices = by_id(await listed(await device_of("supervisor")))

    assert devices[str(app.client_id)]["agent"] == "Android · Chrome"


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (PHONE_AGENT, "Android · Chrome"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "iPhone · Safari",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Windows · Edge",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Linux · Firefox",
        ),
        ("python-httpx/0.28", None),
        ("", None),
        (None, None),
    ],
)
def test_what_a_browser_runs_on_in_two_words(header: str | None, words: str | None) -> None:
    assert describe_agent(header) == words
