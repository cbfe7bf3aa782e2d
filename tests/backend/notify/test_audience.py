"""Who is poked by a batch of changes: the people whose next pull would
bring something, and nobody else."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import AffairMember, ServiceOrder
from backend.notify.services import (
    Followed,
    follow,
    newest_change,
    people_to_poke,
    read_batch,
)
from backend.people.services import load_actor
from sync.ids import uuid7
from tests.factories import Company

EVERYONE = ("admin", "manager", "supervisor", "tech", "tech2", "outsider", "employee", "sales")


@pytest.fixture
async def watching(db: Database, company: Company) -> dict[uuid.UUID, Followed]:
    """Every person of the company with a stream open."""
    async with db.reading() as session:
        return {
            company.users[key]: await follow(session, await load_actor(session, company.users[key]))
            for key in EVERYONE
        }


async def poked_by(
    db: Database,
    company: Company,
    watching: dict[uuid.UUID, Followed],
    write: Callable[[], Awaitable[Any]],
) -> set[str]:
    """The people poked for what ``write`` committed, by their short name."""
    async with db.reading() as session:
        before = await newest_change(session)
    await write()
    async with db.reading() as session:
        batch = await read_batch(session, before, await newest_change(session))
        people = await people_to_poke(session, batch, watching)
    names = {user_id: key for key, user_id in company.users.items()}
    return {names[person] for person in people}


async def test_a_note_on_an_order_pokes_who_sees_the_order_and_nobody_else(
    db: Database, company: Company, device_of: Any, watching: dict[uuid.UUID, Followed]
) -> None:
    tech = await device_of("tech")

    async def write_note() -> None:
        note = {"id": str(company.order_id), "note_id": str(uuid7()), "text": "gasket changed"}
        assert (await tech.send("service_order.note", note))["status"] == "applied"

    poked = await poked_by(db, company, watching, write_note)

    assert poked == {"tech", "supervisor", "manager", "admin"}


async def test_a_change_outside_the_team_does_not_poke_the_team(
    db: Database, company: Company, device_of: Any, watching: dict[uuid.UUID, Followed]
) -> None:
    outsider = await device_of("outsider")

    async def write_note() -> None:
        note = {"id": str(company.other_order_id), "note_id": str(uuid7()), "text": "done"}
        assert (await outsider.send("service_order.note", note))["status"] == "applied"

    poked = await poked_by(db, company, watching, write_note)

    assert poked == {"outsider", "manager", "admin"}


async def test_an_order_given_to_another_technician_pokes_the_one_who_loses_it(
    db: Database, company: Company, watching: dict[uuid.UUID, Followed]
) -> None:
    async def reassign() -> None:
        async with db.writing() as session:
            await session.execute(
                sa.update(ServiceOrder)
                .where(ServiceOrder.id == company.order_id)
                .values(technician_id=company.users["tech2"])
            )

    async def retitle() -> None:
        async with db.writing() as session:
            await session.execute(
                sa.update(ServiceOrder)
                .where(ServiceOrder.id == company.order_id)
                .values(title="Annual service, second visit")
            )

    given = await poked_by(db, company, watching, reassign)
    later = await poked_by(db, company, watching, retitle)

    assert given == {"tech", "tech2", "supervisor", "manager", "admin"}
    assert later == {"tech2", "supervisor", "manager", "admin"}


async def test_a_new_affair_member_is_poked_for_what_they_now_see(
    db: Database, company: Company, watching: dict[uuid.UUID, Followed]
) -> None:
    async def open_affair() -> None:
        async with db.writing() as session:
            session.add(
                AffairMember(affair_id=company.other_affair_id, user_id=company.users["sales"])
            )

    poked = await poked_by(db, company, watching, open_affair)

    # Nothing synced changed: whoever sees everything has nothing to pull.
    assert poked == {"sales"}


async def test_one_statement_sorts_a_batch_for_everyone_watching(
    db: Database, company: Company, device_of: Any, watching: dict[uuid.UUID, Followed]
) -> None:
    tech = await device_of("tech")
    async with db.reading() as session:
        before = await newest_change(session)
    for text in ("one", "two", "three"):
        note = {"id": str(company.order_id), "note_id": str(uuid7()), "text": text}
        await tech.send("service_order.note", note)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    async with db.reading() as session:
        head = await newest_change(session)
        sa.event.listen(db.reader.sync_engine, "before_cursor_execute", count)
        try:
            batch = await read_batch(session, before, head)
            await people_to_poke(session, batch, watching)
        finally:
            sa.event.remove(db.reader.sync_engine, "before_cursor_execute", count)

    # Reading the batch, then one UNION ALL for all six people who do not
    # see everything: never a query per person or per change.
    assert len(statements) == 2
