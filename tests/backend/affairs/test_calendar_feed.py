"""Each person's appointments as an iCalendar feed, behind a signed URL."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from litestar import Litestar

from backend.app import create_app
from backend.db.engine import Database
from backend.db.models import Action, ActionKind, Site
from backend.lib.time import utc_now
from backend.settings import Settings
from sync.ids import uuid7
from tests.backend.conftest import api_client
from tests.factories import Company

SECRET = "a test secret, not the server's"


@pytest.fixture
def app(db: Database, database_url: str) -> Litestar:
    """The application with a known secret (never a file in the checkout)."""
    settings = Settings(database_url=database_url, log_level="warning", secret_key=SECRET)
    return create_app(settings, database=db)


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def events(text: str) -> list[dict[str, str]]:
    """Each VEVENT's properties, unfolded, values still escaped."""
    found: list[dict[str, str]] = []
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            found.append({})
        elif found and line != "END:VEVENT" and ":" in line and "END:VEVENT" not in found[-1]:
            name, value = line.split(":", 1)
            found[-1].setdefault(name, value)
    return found


async def add_appointments(db: Database, company: Company) -> dict[str, uuid.UUID]:
    """Tech's appointments (one long, one deleted, one without an end), a
    task of theirs, and somebody else's appointment."""
    start = utc_now().replace(microsecond=0) + dt.timedelta(days=2)
    ids = {name: uuid7() for name in ("visit", "gone", "open_ended", "task", "other", "old")}
    async with db.writing() as session:
        site = await session.get(Site, company.site_id)
        assert site is not None
        site.address = "12, rue de la Paix; bât. B"
        site.postcode = "69001"
        session.add_all(
            [
                Action(
                    id=ids["visit"],
                    affair_id=company.affair_id,
                    kind=ActionKind.APPOINTMENT,
                    title="Révision annuelle, chaudière; brûleur " + "très long " * 8,
                    description="Bring the gasket.\nCall first: 04 72 00 00 00",
                    assignee_id=company.users["tech"],
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=2),
                ),
                Action(
                    id=ids["gone"],
                    affair_id=company.affair_id,
                    kind=ActionKind.APPOINTMENT,
                    title="Called off",
                    assignee_id=company.users["tech"],
                    starts_at=start + dt.timedelta(days=1),
                    ends_at=start + dt.timedelta(days=1, hours=1),
                    deleted_at=utc_now(),
                ),
                Action(
                    id=ids["open_ended"],
                    affair_id=company.other_affair_id,
                    kind=ActionKind.APPOINTMENT,
                    title="Quick look",
                    assignee_id=company.users["tech"],
                    starts_at=start + dt.timedelta(days=3),
                    planned_minutes=30,
                ),
                Action(
                    id=ids["task"],
                    affair_id=company.affair_id,
                    kind=ActionKind.TASK,
                    title="Order parts",
                    assignee_id=company.users["tech"],
                    starts_at=start,
                ),
                Action(
                    id=ids["other"],
                    affair_id=company.affair_id,
                    kind=ActionKind.APPOINTMENT,
                    title="Not tech's",
                    assignee_id=company.users["tech2"],
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=1),
                ),
                Action(
                    id=ids["old"],
                    affair_id=company.affair_id,
                    kind=ActionKind.APPOINTMENT,
                    title="Last year",
                    assignee_id=company.users["tech"],
                    starts_at=start - dt.timedelta(days=400),
                    ends_at=start - dt.timedelta(days=400, hours=-1),
                ),
            ]
        )
    return ids


async def feed_url(device_of: Any, who: str) -> str:
    device = await device_of(who)
    response = await device.client.get("/api/calendar/feed")
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    return url


async def test_a_calendar_app_reads_the_appointments_without_a_cookie(
    app: Litestar, device_of: Any, company: Company, db: Database
) -> None:
    ids = await add_appointments(db, company)
    url = await feed_url(device_of, "tech")

    async with api_client(app) as calendar_app:
        response = await calendar_app.get(url)

    assert url.startswith("http://testserver.local/api/calendar/")
    assert url.endswith(".ics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "appointments.ics" in response.headers["content-disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    found = {event["UID"]: event for event in events(text)}
    assert set(found) == {f"{ids[name]}@affaires" for name in ("visit", "gone", "open_ended")}

    visit = found[f"{ids['visit']}@affaires"]
    assert visit["SUMMARY"] == (
        "AFF-1 Révision annuelle\\, chaudière\\; brûleur " + "très long " * 8
    )
    assert visit["LOCATION"] == "Main\\, 12\\, rue de la Paix\\; bât. B\\, 69001 Lyon"
    assert visit["DESCRIPTION"] == "Bring the gasket.\\nCall first: 04 72 00 00 00"
    assert visit["STATUS"] == "CONFIRMED"
    assert visit["DTSTAMP"].endswith("Z")
    start = dt.datetime.strptime(visit["DTSTART"], "%Y%m%dT%H%M%SZ")
    end = dt.datetime.strptime(visit["DTEND"], "%Y%m%dT%H%M%SZ")
    assert end - start == dt.timedelta(hours=2)
    assert "\r\n " in text  # the long summary was folded

    assert found[f"{ids['gone']}@affaires"]["STATUS"] == "CANCELLED"
    open_ended = found[f"{ids['open_ended']}@affaires"]
    assert open_ended["SUMMARY"] == "AFF-2 Quick look"
    assert "LOCATION" not in open_ended
    start = dt.datetime.strptime(open_ended["DTSTART"], "%Y%m%dT%H%M%SZ")
    end = dt.datetime.strptime(open_ended["DTEND"], "%Y%m%dT%H%M%SZ")
    assert end - start == dt.timedelta(minutes=30)


async def test_the_uid_stays_and_the_sequence_grows_when_an_appointment_moves(
    app: Litestar, device_of: Any, company: Company, db: Database
) -> None:
    ids = await add_appointments(db, company)
    url = await feed_url(device_of, "tech")
    async with api_client(app) as calendar_app:
        before = events((await calendar_app.get(url)).text)
        async with db.writing() as session:
            visit = await session.get(Action, ids["visit"])
            assert visit is not None and visit.starts_at is not None
            visit.starts_at += dt.timedelta(hours=1)
        after = events((await calendar_app.get(url)).text)

    uid = f"{ids['visit']}@affaires"
    [old] = [event for event in before if event["UID"] == uid]
    [new] = [event for event in after if event["UID"] == uid]
    assert int(new["SEQUENCE"]) > int(old["SEQUENCE"])
    assert new["DTSTART"] != old["DTSTART"]


async def test_each_person_has_their_own_url(device_of: Any, company: Company) -> None:
    assert await feed_url(device_of, "tech") != await feed_url(device_of, "tech2")
    assert await feed_url(device_of, "tech") == await feed_url(device_of, "tech")


@pytest.mark.parametrize(
    "spoil",
    [
        lambda url, other: url.replace(".ics", "x.ics"),
        lambda url, other: url.removesuffix(".ics"),
        lambda url, other: url.replace(url.split("/")[-2], other),
        lambda url, other: url.rsplit("/", 1)[0] + "/" + "A" * 32 + ".ics",
        lambda url, other: url.replace(url.split("/")[-2], "not-a-uuid"),
    ],
)
async def test_a_wrong_token_is_not_found(
    app: Litestar, device_of: Any, company: Company, spoil: Any
) -> None:
    url = await feed_url(device_of, "tech")
    spoiled = spoil(url, str(company.users["tech2"]))

    async with api_client(app) as calendar_app:
        response = await calendar_app.get(spoiled)

    assert response.status_code == 404, spoiled
    assert set(response.json()) == {"code", "message", "details"}


async def test_the_feed_of_someone_who_left_is_not_found(
    app: Litestar, device_of: Any, company: Company, db: Database
) -> None:
    from backend.db.models import User

    url = await feed_url(device_of, "tech")
    async with db.writing() as session:
        tech = await session.get(User, company.users["tech"])
        assert tech is not None
        tech.active = False

    async with api_client(app) as calendar_app:
        response = await calendar_app.get(url)

    assert response.status_code == 404


async def test_the_feed_url_needs_a_session(app_client: Any, company: Company) -> None:
    response = await app_client.get("/api/calendar/feed")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


async def test_a_person_renews_their_address_and_the_old_one_stops_answering(
    app: Litestar, device_of: Any, company: Company, db: Database
) -> None:
    await add_appointments(db, company)
    old = await feed_url(device_of, "tech")
    other = await feed_url(device_of, "tech2")
    tech = await device_of("tech")

    renewed = await tech.client.post(f"/api/calendar/{company.users['tech']}/renew", json={})
    new = await feed_url(device_of, "tech")

    assert renewed.status_code == 204, renewed.text
    assert new != old
    async with api_client(app) as calendar_app:
        assert (await calendar_app.get(old)).status_code == 404
        assert (await calendar_app.get(new)).status_code == 200
        # Somebody else's address is not touched.
        assert (await calendar_app.get(other)).status_code == 200
    assert await feed_url(device_of, "tech2") == other


async def test_an_administrator_renews_anybody_s_address(
    app: Litestar, device_of: Any, company: Company
) -> None:
    old = await feed_url(device_of, "tech")
    admin = await device_of("admin")

    renewed = await admin.client.post(f"/api/calendar/{company.users['tech']}/renew", json={})

    assert renewed.status_code == 204, renewed.text
    async with api_client(app) as calendar_app:
        assert (await calendar_app.get(old)).status_code == 404


@pytest.mark.parametrize("who", ["tech2", "supervisor", "manager"])
async def test_nobody_else_renews_a_person_s_address(
    app: Litestar, device_of: Any, company: Company, who: str
) -> None:
    url = await feed_url(device_of, "tech")
    someone = await device_of(who)

    refused = await someone.client.post(f"/api/calendar/{company.users['tech']}/renew", json={})

    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    async with api_client(app) as calendar_app:
        assert (await calendar_app.get(url)).status_code == 200


async def test_renewing_needs_a_session_and_a_known_person(
    app_client: Any, device_of: Any, company: Company
) -> None:
    signed_out = await app_client.post(f"/api/calendar/{company.users['tech']}/renew", json={})
    admin = await device_of("admin")
    unknown = await admin.client.post(f"/api/calendar/{uuid.uuid4()}/renew", json={})

    assert signed_out.status_code == 401
    assert unknown.status_code == 404
    assert set(unknown.json()) == {"code", "message", "details"}
