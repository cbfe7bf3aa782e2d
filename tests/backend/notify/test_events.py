"""GET /api/sync/events against the real server (``affaires serve``): a
poke for a change in the person's scope, none for a change outside it,
401 without a session, streams ended at once when the server stops; on
PostgreSQL, a write to one server process pokes a stream of another."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import signal
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa

from backend.db.engine import Database, open_database
from backend.db.models import Blob
from backend.people.auth import SESSION_COOKIE
from backend.settings import normalise_database_url
from sync.ids import uuid7
from tests.backend.conftest import session_token
from tests.conftest import ON_POSTGRES, DatabaseFactory
from tests.factories import Company, make_company, photo_bytes
from tests.pwa.conftest import start_server, stop_server

# Long enough for a loaded machine; a poke usually takes milliseconds.
POKE_WITHIN = 10.0
# How long a stream that must stay quiet is watched after the poke that
# was decided in the same look.
QUIET_FOR = 1.5


@pytest.fixture(scope="module")
def server_url(database_url: str) -> Iterator[str]:
    """One server for the module, on the suite's database; each test fills
    it afresh (``db``, ``company``). Its daily tasks are off: planning
    contract visits as it starts would write while a test empties the
    tables (a deadlock on PostgreSQL)."""
    process, url = start_server(
        normalise_database_url(database_url), env={"AFFAIRES_DAILY_TASKS": "0"}
    )
    yield url
    stop_server(process)


class EventStream:
    """An open event stream, its messages read as they come."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        # The reconnection delay the server asked for.
        self.retry = 0
        self.messages: asyncio.Queue[dict[str, str] | None] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            async for line in self.response.aiter_lines():
                if line:
                    name, _, value = line.partition(":")
                    fields[name or "comment"] = value.removeprefix(" ")
                    continue
                await self.messages.put(fields)
                fields = {}
        except httpx.HTTPError:
            pass
        await self.messages.put(None)

    async def next(self, timeout: float = POKE_WITHIN) -> dict[str, str] | None:
        """The next message; None when the stream ended."""
        return await asyncio.wait_for(self.messages.get(), timeout=timeout)

    async def next_poke(self, timeout: float = POKE_WITHIN) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while True:
            message = await self.next(max(0.01, deadline - time.monotonic()))
            assert message is not None, "the stream ended before a poke"
            if message.get("event") == "poke":
                return message

    def pokes_so_far(self) -> int:
        pending: list[dict[str, str] | None] = []
        while not self.messages.empty():
            pending.append(self.messages.get_nowait())
        return sum(1 for message in pending if message and message.get("event") == "poke")

    async def close(self) -> None:
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)


@asynccontextmanager
async def events_of(url: str, token: str) -> AsyncIterator[EventStream]:
    """The person's stream, once the server has said it is ready."""
    async with (
        httpx.AsyncClient(
            base_url=url, cookies={SESSION_COOKIE: token}, timeout=httpx.Timeout(10, read=None)
        ) as client,
        client.stream("GET", "/api/sync/events") as response,
    ):
        assert response.status_code == 200
        stream = EventStream(response)
        ready = await stream.next()
        assert ready is not None and ready.get("comment") == "ready"
        stream.retry = int(ready["retry"])
        try:
            yield stream
        finally:
            await stream.close()


async def push_note(url: str, token: str, order_id: uuid.UUID, text: str) -> None:
    """A device of the person sends one note on the order."""
    async with httpx.AsyncClient(base_url=url, cookies={SESSION_COOKIE: token}) as client:
        answer = await client.post(
            "/api/sync/push",
            json={
                "protocol": 1,
                "schema": 1,
                "client_id": str(uuid.uuid4()),
                "sent_at": dt.datetime.now(dt.UTC).isoformat(),
                "mutations": [
                    {
                        "seq": 1,
                        "id": str(uuid7()),
                        "name": "service_order.note",
                        "args": {"id": str(order_id), "note_id": str(uuid7()), "text": text},
                        "at": dt.datetime.now(dt.UTC).isoformat(),
                    }
                ],
            },
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["status"] == "applied"


async def test_events_need_a_session(server_url: str) -> None:
    async with httpx.AsyncClient(base_url=server_url) as client:
        anonymous = await client.get("/api/sync/events")
        client.cookies.set(SESSION_COOKIE, "not-a-session")
        unknown = await client.get("/api/sync/events")

    for answer in (anonymous, unknown):
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.json()["code"] == "unauthenticated"
        assert set(answer.json()) == {"code", "message", "details"}


async def test_a_change_in_scope_pokes_and_one_outside_does_not(
    server_url: str, db: Database, company: Company
) -> None:
    users = company.users
    tech, supervisor, outsider = [
        await session_token(db, users[key]) for key in ("tech", "supervisor", "outsider")
    ]

    async with (
        events_of(server_url, supervisor) as boss_stream,
        events_of(server_url, outsider) as outsider_stream,
    ):
        await push_note(server_url, tech, company.order_id, "pressure valve replaced")
        poke = await boss_stream.next_poke()
        await asyncio.sleep(QUIET_FOR)
        quiet = outsider_stream.pokes_so_far()

        await push_note(server_url, outsider, company.other_order_id, "on site")
        outsiders_own = await outsider_stream.next_poke()
        await asyncio.sleep(QUIET_FOR)
        boss_quiet = boss_stream.pokes_so_far()

    assert poke == {"event": "poke", "data": ""}
    assert quiet == 0
    assert outsiders_own["event"] == "poke"
    assert boss_quiet == 0


async def test_the_stream_says_when_to_reconnect_and_is_not_compressed(
    server_url: str, db: Database, company: Company
) -> None:
    token = await session_token(db, company.users["tech"])

    async with events_of(server_url, token) as stream:
        headers = stream.response.headers

    assert 2000 <= stream.retry <= 6000
    assert headers["content-type"].startswith("text/event-stream")
    assert "content-encoding" not in headers
    assert headers["cache-control"] == "no-store"


async def test_pokes_coalesce_while_the_stream_is_busy(
    server_url: str, db: Database, company: Company
) -> None:
    tech, supervisor = [await session_token(db, company.users[k]) for k in ("tech", "supervisor")]

    async with events_of(server_url, supervisor) as stream:
        await asyncio.gather(
            *(push_note(server_url, tech, company.order_id, f"note {n}") for n in range(10))
        )
        await stream.next_poke()
        await asyncio.sleep(QUIET_FOR)
        more = stream.pokes_so_far()

    # Ten writes, a handful of looks at the change log at most.
    assert more < 10


@dataclass
class Elsewhere:
    """The test company on a database of its own, with sessions."""

    database_url: str
    company: Company
    tokens: dict[str, str]


async def company_on(database_url: str) -> Elsewhere:
    db = open_database(database_url)
    try:
        company = await make_company(db)
        people = ("tech", "supervisor")
        tokens = {key: await session_token(db, company.users[key]) for key in people}
    finally:
        await db.dispose()
    return Elsewhere(database_url, company, tokens)


async def test_a_stopping_server_ends_its_streams_at_once(databases: DatabaseFactory) -> None:
    there = await company_on(await asyncio.to_thread(databases.fresh))
    process, url = await asyncio.to_thread(start_server, there.database_url)

    try:
        async with events_of(url, there.tokens["supervisor"]) as stream:
            asked = time.monotonic()
            process.send_signal(signal.SIGTERM)
            ended = await stream.next(timeout=5)
            while ended is not None:
                ended = await stream.next(timeout=5)
            stream_ended = time.monotonic() - asked
        await asyncio.to_thread(process.wait, 10)
        stopped = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()

    assert stream_ended < 2
    # Well before the 5 s given to requests under way: nothing waited for
    # the stream.
    assert stopped < 4.5


@pytest.mark.skipif(not ON_POSTGRES, reason="several server processes need PostgreSQL")
async def test_a_push_to_one_process_pokes_a_stream_of_another(
    databases: DatabaseFactory,
) -> None:
    there = await company_on(await asyncio.to_thread(databases.fresh))
    first, first_url = await asyncio.to_thread(start_server, there.database_url)
    second, second_url = await asyncio.to_thread(start_server, there.database_url)

    try:
        async with events_of(second_url, there.tokens["supervisor"]) as stream:
            order = there.company.order_id
            await push_note(first_url, there.tokens["tech"], order, "from the first process")
            poke = await stream.next_poke()
    finally:
        for process in (first, second):
            await asyncio.to_thread(stop_server, process)

    assert poke["event"] == "poke"


async def test_a_stopping_server_does_not_wait_on_a_slow_upload(
    databases: DatabaseFactory,
) -> None:
    """A phone on a bad network is sending a photo when the server is told
    to stop: the server stops within its grace period, and keeps nothing
    of the half-sent photo."""
    there = await company_on(await asyncio.to_thread(databases.fresh))
    process, url = await asyncio.to_thread(start_server, there.database_url)
    photo = photo_bytes()
    sha256 = hashlib.sha256(photo).hexdigest()
    sending = asyncio.Event()

    async def trickle() -> AsyncIterator[bytes]:
        # Four bytes a second: the photo would take far longer than the
        # server gives requests under way when it stops.
        for at in range(0, len(photo), 4):
            yield photo[at : at + 4]
            sending.set()
            await asyncio.sleep(1)

    async def upload() -> None:
        async with httpx.AsyncClient(
            base_url=url, cookies={SESSION_COOKIE: there.tokens["tech"]}, timeout=30
        ) as client:
            # The server goes away under it: as expected.
            with contextlib.suppress(httpx.HTTPError):
                await client.put(
                    f"/api/blobs/{sha256}",
                    content=trickle(),
                    headers={"content-type": "image/png", "content-length": str(len(photo))},
                )

    try:
        sending_photo = asyncio.create_task(upload())
        await asyncio.wait_for(sending.wait(), 10)
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(process.wait, 15)
        stopped = time.monotonic() - asked
        sending_photo.cancel()
    finally:
        if process.poll() is None:
            process.kill()

    # The 5 s given to requests under way, and no more.
    assert stopped < 7
    db = open_database(there.database_url)
    try:
        async with db.reading() as session:
            assert await session.scalar(sa.select(sa.func.count()).select_from(Blob)) == 0
    finally:
        await db.dispose()
