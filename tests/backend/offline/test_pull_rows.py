"""A pull sends each row as its model reads it, whoever wrote the row.

The pull reads UUIDs (on SQLite) and JSON documents as text and turns
them into what devices receive itself, faster than the column types
would; it keeps its statements built per person. These cases pin that
neither changes what a device receives.
"""

from __future__ import annotations

import uuid

import msgspec
import pytest
import sqlalchemy as sa

from backend.access.actors import Actor
from backend.db.engine import Database
from backend.db.models import ChecklistTemplate, Customer, Role
from backend.db.types import uuid_text
from backend.offline.pull import read_changes
from sync.messages import Change

SAMPLE = uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")
DIGITS_ONLY = uuid.UUID("12345678-1234-1234-1234-123456789012")


async def pull_all(db: Database, actor: Actor) -> list[Change]:
    changes: list[Change] = []
    cursor = None
    while True:
        async with db.reading() as session:
            pulled = await read_changes(session, actor, cursor=cursor, limit=1000, last_seq=0)
        changes.extend(pulled.response.changes)
        cursor = pulled.response.cursor
        if not pulled.response.has_more:
            return changes


@pytest.mark.parametrize(
    ("stored", "sent"),
    [
        (SAMPLE.hex, str(SAMPLE)),
        (SAMPLE.hex.upper(), str(SAMPLE)),
        (str(SAMPLE), str(SAMPLE)),
        (str(SAMPLE).upper(), str(SAMPLE)),
        (DIGITS_ONLY.hex, str(DIGITS_ONLY)),
    ],
)
def test_a_stored_uuid_is_sent_as_the_app_writes_it(stored: str, sent: str) -> None:
    assert uuid_text(stored) == sent


async def test_a_row_written_by_hand_is_pulled_as_its_model_reads_it(db: Database) -> None:
    template_id = uuid.uuid4()
    # Another form of UUID text than the app writes, and a number the
    # faster JSON decoder refuses (beyond a float).
    stored_id = str(template_id).upper() if db.is_sqlite else str(template_id)
    items = ":items" if db.is_sqlite else "CAST(:items AS JSONB)"
    async with db.writing() as session:
        await session.execute(
            sa.text(
                "INSERT INTO checklist_templates (id, code, revision, name, items) "
                f"VALUES (:id, 'by_hand', 1, 'Written by hand', {items})"
            ),
            {"id": stored_id, "items": '[{"key": "a", "max": 1e400}, 0.5, "\\u00e9t\\u00e9"]'},
        )

    [change] = await pull_all(db, Actor(uuid.uuid4(), Role.MANAGER, "M"))
    async with db.reading() as session:
        template = await session.scalar(
            sa.select(ChecklistTemplate).where(ChecklistTemplate.code == "by_hand")
        )

    assert template is not None
    assert change.id == template_id
    assert change.data is not None
    assert change.data["id"] == str(template_id)
    assert change.data["items"] == msgspec.to_builtins(template.items)
    assert change.data["items"][1:] == [0.5, "été"]


async def test_the_same_person_pulls_with_the_scope_of_their_new_role(db: Database) -> None:
    person = uuid.uuid4()
    async with db.writing() as session:
        session.add(Customer(name="Visible to the office only"))

    as_technician = await pull_all(db, Actor(person, Role.TECHNICIAN, "P"))
    as_manager = await pull_all(db, Actor(person, Role.MANAGER, "P"))

    assert [c.type for c in as_technician if c.type == "customer"] == []
    assert [c.type for c in as_manager if c.type == "customer"] == ["customer"]
