"""The change feed of one process: woken by commits, or finding what no
signal announced; reading nothing while nobody watches."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.response import ServerSentEventMessage

from backend.db.engine import Database
from backend.db.models import ServiceOrderNote
from backend.notify import feed as feed_module
from backend.notify.feed import ChangeFeed
from backend.notify.hub import PokeHub
from backend.people.services import load_actor
from sync.ids import uuid7
from tests.factories import Company

WITHIN = 5.0


@pytest.fixture
async def feed(db: Database) -> AsyncIterator[ChangeFeed]:
    """A feed running on the test database; commits do not wake it unless
    a test says so."""
    running = ChangeFeed(db, PokeHub())
    task = asyncio.create_task(running.run())
    yield running
    running.hub.close()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def open_stream(
    feed: ChangeFeed, db: Database, user_id: uuid.UUID
) -> AsyncIterator[ServerSentEventMessage]:
    async with db.reading() as session:
        actor = await load_actor(session, user_id)
    stream = feed.hub.stream(await feed.watch(actor), heartbeat=60)
    ready = await anext(stream)
    assert ready.comment == "ready"
    return stream


async def write_note(db: Database, company: Company, order_id: Any) -> None:
    async with db.writing() as session:
        session.add(
            ServiceOrderNote(
                id=uuid7(),
                service_order_id=order_id,
                author_id=company.users["manager"],
                text="called the customer",
            )
        )


async def poked(stream: AsyncIterator[ServerSentEventMessage], within: float = WITHIN) -> bool:
    try:
        message = await asyncio.wait_for(anext(stream), timeout=within)
    except TimeoutError:
        return False
    return message.event == "poke"


async def test_a_commit_in_this_process_pokes_who_it_concerns(
    db: Database, company: Company, feed: ChangeFeed
) -> None:
    db.after_commit.append(feed.changes_committed)
    tech = await open_stream(feed, db, company.users["tech"])
    outsider = await open_stream(feed, db, company.users["outsider"])

    await write_note(db, company, company.order_id)

    assert await poked(tech)
    assert not await poked(outsider, within=0.5)


async def test_a_write_nobody_announced_is_found_by_the_safety_look(
    db: Database, company: Company, feed: ChangeFeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_module, "SAFETY_LOOK_SECONDS", 0.2)
    tech = await open_stream(feed, db, company.users["tech"])
    feed.changes_committed()  # the loop takes the shorter wait from now

    await write_note(db, company, company.order_id)

    assert await poked(tech)


async def test_a_fault_in_sorting_pokes_everyone_watching(
    db: Database, company: Company, feed: ChangeFeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: Any) -> set[uuid.UUID]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(feed_module, "people_to_poke", broken)
    db.after_commit.append(feed.changes_committed)
    tech = await open_stream(feed, db, company.users["tech"])
    outsider = await open_stream(feed, db, company.users["outsider"])

    await write_note(db, company, company.order_id)

    assert await poked(tech)
    assert await poked(outsider)


async def test_nothing_is_read_while_nobody_watches(
    db: Database, company: Company, feed: ChangeFeed
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    await write_note(db, company, company.order_id)
    sa.event.listen(db.reader.sync_engine, "before_cursor_execute", count)
    try:
        await feed.look()
    finally:
        sa.event.remove(db.reader.sync_engine, "before_cursor_execute", count)

    assert statements == []
