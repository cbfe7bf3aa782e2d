"""A pull never skips a change, even with writers committing out of order.

Writers take change numbers and commit at random moments, some of them
rolling back, while a reader pulls with its cursor again and again. Every
committed change must reach the reader: the cursor never passes a number
whose transaction may still commit (backend/db/changelog.py).
"""

from __future__ import annotations

import asyncio
import random
import uuid

import sqlalchemy as sa

from backend.access.actors import Actor
from backend.db.engine import Database, open_database
from backend.db.models import Customer, Role
from backend.offline.pull import read_changes

WRITERS = 12
WRITES_EACH = 15
MANAGER = Actor(id=uuid.uuid4(), role=Role.MANAGER, name="Manager")


async def write_slowly(db: Database, seed: int, committed: set[uuid.UUID]) -> None:
    chance = random.Random(seed)
    for n in range(WRITES_EACH):
        customer_id = uuid.uuid4()
        try:
            async with db.writing() as session:
                session.add(Customer(id=customer_id, name=f"writer {seed} #{n}"))
                await session.flush()
                # Hold the number a while, so others try to go past it.
                await asyncio.sleep(chance.uniform(0, 0.03))
                if chance.random() < 0.2:
                    raise LookupError("this one rolls back")
        except LookupError:
            continue
        committed.add(customer_id)


async def pull_until(db: Database, done: asyncio.Event) -> set[uuid.UUID]:
    seen: set[uuid.UUID] = set()
    cursor: str | None = None
    while True:
        finished = done.is_set()
        async with db.reading() as session:
            if not db.is_sqlite:
                await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            page = (
                await read_changes(session, MANAGER, cursor=cursor, limit=1000, last_seq=0)
            ).response
        seen.update(change.id for change in page.changes if change.type == "customer")
        cursor = page.cursor
        if finished and not page.has_more:
            return seen
        await asyncio.sleep(0.001)


async def test_concurrent_writers_never_make_a_pull_skip(db: Database, database_url: str) -> None:
    writers = open_database(database_url)
    committed: set[uuid.UUID] = set()
    done = asyncio.Event()

    reader = asyncio.create_task(pull_until(db, done))
    await asyncio.gather(*(write_slowly(writers, seed, committed) for seed in range(WRITERS)))
    done.set()
    seen = await reader
    await writers.dispose()

    assert committed
    assert seen == committed
    async with db.reading() as session:
        stored = set(await session.scalars(sa.select(Customer.id)))
    assert stored == committed
