"""The proof: a technician's offline day, end to end, on real data.

The database holds the Dolibarr demo company (data nobody on this team
wrote), imported with the real command. One imported person gets a
technician's login, another a supervisor's; a checklist is put on one of
the imported interventions. Then, in a real browser: the technician works
offline, closes the app, reopens it offline, comes back online; the
outbox drains by itself; the supervisor approves the week from a second
phone; the affair's summary shows the labour cost; the technician's phone
shows the week approved; a late edit comes back as a readable conflict.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import (
    ChecklistAnswer,
    ChecklistRun,
    ChecklistTemplate,
    ServiceOrder,
    Team,
    TimeEntry,
    User,
)
from backend.demo import BOILER_ITEMS
from tests.conftest import SHARED_DATA
from tests.pwa.conftest import (
    AFFAIRES,
    ROOT,
    Server,
    phone_today,
    sign_in,
    start_server,
    stop_server,
    wait_for_worker,
    wait_synced,
)
from tests.pwa.test_field_work import BOILER_ANSWERS, add_time, answer, open_checklist

pytestmark = pytest.mark.browser

T = TypeVar("T")

TECHNICIAN = ("aboston", "alex.boston@dolibarr.test")  # the one with an hourly cost (25 EUR)
SUPERVISOR = ("mcurie", "marie.curie@dolibarr.test")
INTERVENTION = "FI1007-0001"
AFFAIR = "PROJ1"
RATE_CENTS = 2500


def outside_the_browser_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` on a thread of its own: Playwright's loop owns this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


def run(*arguments: str) -> None:
    subprocess.run([AFFAIRES, *arguments], cwd=ROOT, check=True, capture_output=True)


async def prepare_the_field(database_url: str) -> None:
    """The team, and a checklist on the technician's intervention today."""
    db = open_database(database_url)
    today_nine = dt.datetime.combine(phone_today(), dt.time(8, 0), dt.UTC)
    async with db.writing() as session:
        users = {
            login: user_id
            for login, user_id in await session.execute(
                sa.select(User.login, User.id).where(User.login.in_([TECHNICIAN[0], SUPERVISOR[0]]))
            )
        }
        team = Team(id=uuid.uuid4(), name="Field team", supervisor_id=users[SUPERVISOR[0]])
        session.add(team)
        await session.flush()
        await session.execute(
            sa.update(User).where(User.id == users[TECHNICIAN[0]]).values(team_id=team.id)
        )
        order = await session.scalar(
            sa.select(ServiceOrder).where(ServiceOrder.number == INTERVENTION)
        )
        assert order is not None
        order.technician_id = users[TECHNICIAN[0]]
        order.scheduled_start = today_nine
        order.scheduled_end = today_nine + dt.timedelta(hours=2)
        template = ChecklistTemplate(
            id=uuid.uuid4(), code="boiler-annual", revision=1, name="Boiler", items=BOILER_ITEMS
        )
        session.add(template)
        await session.flush()
        session.add(
            ChecklistRun(
                id=uuid.uuid4(),
                template_id=template.id,
                service_order_id=order.id,
                affair_id=order.affair_id,
            )
        )
    await db.dispose()


async def what_the_database_holds(database_url: str) -> dict[str, Any]:
    db = open_database(database_url)
    async with db.reading() as session:
        technician = await session.scalar(sa.select(User.id).where(User.login == TECHNICIAN[0]))
        answers = list(
            await session.execute(sa.select(ChecklistAnswer.item_key, ChecklistAnswer.value))
        )
        entries = list(
            await session.execute(
                sa.select(TimeEntry.note, TimeEntry.minutes).where(
                    TimeEntry.user_id == technician, TimeEntry.work_date == phone_today()
                )
            )
        )
    await db.dispose()
    return {"answers": answers, "entries": entries}


def labour_of(server: Server, code: str) -> dict[str, Any]:
    """The affair's labour figures, as its summary shows them to the supervisor."""
    with httpx.Client(base_url=server.url) as office:
        office.post("/api/auth/login", json={"email": SUPERVISOR[1], "password": "demo"})
        affairs = office.get("/api/affairs").json()
        affair_id = next(a["id"] for a in affairs if a["code"] == code)
        labour: dict[str, Any] = office.get(f"/api/affairs/{affair_id}/summary").json()["labour"]
    return labour


@pytest.fixture(scope="module")
def dolibarr_server(databases: Any) -> Iterator[Server]:
    folder = SHARED_DATA / "dolibarr"
    if not folder.is_dir():
        pytest.skip("the Dolibarr demo data (../shared/data/dolibarr) is not on this machine")
    database_url = databases.fresh()
    run(
        "import",
        "dolibarr",
        str(folder / "affairs-subset-24.0.0.sql"),
        str(folder / "dictionaries-24.0.0.sql"),
        "--database",
        database_url,
    )
    for (login, email), role in ((TECHNICIAN, "technician"), (SUPERVISOR, "supervisor")):
        run(
            "user",
            "grant",
            login,
            "--email",
            email,
            "--role",
            role,
            "--password",
            "demo",
            "--database",
            database_url,
        )
    asyncio.run(prepare_the_field(database_url))
    process, url = start_server(database_url)
    yield Server(url, database_url)
    stop_server(process)


@pytest.fixture
def dolibarr_phone(dolibarr_server: Server, browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(locale: str = "en-GB") -> Any:
        from tests.pwa.conftest import PHONE

        context = browser.new_context(base_url=dolibarr_server.url, locale=locale, **PHONE)
        context.set_default_timeout(20000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def test_offline_day_end_to_end_on_dolibarr_data(
    dolibarr_server: Server, dolibarr_phone: Any
) -> None:
    phone = dolibarr_phone()
    page = phone.new_page()
    sign_in(page, TECHNICIAN[1])
    wait_synced(page)
    wait_for_worker(page)

    # At the customer's, without a network.
    phone.set_offline(True)
    open_checklist(page, INTERVENTION)
    for key, given, _ in BOILER_ANSWERS:
        answer(page, key, given)
    add_time(page, AFFAIR, "2:30", "Boiler service")
    add_time(page, AFFAIR, "0.5", "Travel back")
    page.locator(".sync-line", has_text="7 changes").wait_for()
    page.close()

    # The phone killed the app; it is opened again, still offline.
    page = phone.new_page()
    page.goto("/#/orders")
    page.locator(".order-card", has_text=INTERVENTION).wait_for()
    page.locator(".sync-line", has_text="7 changes saved on this phone").wait_for()

    # Back in the van: the network returns, nobody touches anything.
    phone.set_offline(False)
    wait_synced(page, timeout=60000)

    held = outside_the_browser_loop(what_the_database_holds(dolibarr_server.database_url))
    assert sorted(held["answers"]) == sorted((key, value) for key, _, value in BOILER_ANSWERS)
    assert sorted(held["entries"]) == [("Boiler service", 150), ("Travel back", 30)]

    before = labour_of(dolibarr_server, AFFAIR)

    # The week is submitted, and approved by the supervisor from her phone.
    page.goto("/#/time")
    page.locator("button[data-action=submit]").click()
    page.locator(".week-title .chip", has_text="Submitted").wait_for()
    wait_synced(page)
    boss = dolibarr_phone(locale="fr-FR").new_page()
    sign_in(boss, SUPERVISOR[1])
    boss.locator("#nav a[href='#/approvals']").click()
    year, number, _ = phone_today().isocalendar()
    this_week = f"{year}-W{number:02d}"
    boss.locator(f".waiting a.card[href$='{this_week}']", has_text="Alex Boston").click()
    boss.locator("button[data-action=approve]").click()
    # The list offers "Undo" once the approval is saved on the phone.
    boss.locator(".decision button[data-action=undo]").wait_for()
    wait_synced(boss)

    # The affair's labour actuals show it, costed at the person's rate.
    after = labour_of(dolibarr_server, AFFAIR)
    assert after["approved"] == {"minutes": 180, "cost_cents": 180 * RATE_CENTS // 60}
    # Imported Dolibarr time on the affair stays where it was: not approved.
    assert after["not_approved"]["minutes"] == before["not_approved"]["minutes"] - 180

    # The technician's phone shows the week approved...
    page.reload()
    page.goto("/#/time")
    page.locator(".week-title .chip", has_text="Approved").wait_for()

    # ...and a late edit comes back as a conflict the technician can read.
    page.locator(".cards .card", has_text="Travel back").click()
    page.locator("#entry-hours").fill("1")
    page.locator("#entry-hours").press("Tab")
    line = page.locator(".sync-line", has_text="1 change needs your attention")
    line.wait_for(timeout=30000)
    line.click()
    problem = page.locator(".problem").first
    problem.filter(has_text="was approved by Marie Curie").wait_for()
    assert "reopen the week" in problem.inner_text()
