"""The migrations build exactly the models' schema, on both databases."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from backend.db.base import Base
from backend.db.engine import Database
from backend.db.migrate import downgrade, upgrade
from backend.db.models import ChangeLogEntry, Customer, synced_tables


def _differences(connection: sa.Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def test_migrated_schema_matches_the_models(db: Database) -> None:
    async with db.writer.connect() as connection:
        differences = await connection.run_sync(_differences)

    assert differences == []


async def test_every_synced_table_logs_its_writes(db: Database) -> None:
    async with db.reading() as session:
        dialect = session.bind.dialect.name if session.bind else ""
        if dialect == "sqlite":
            rows = await session.execute(
                sa.text("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")
            )
        else:
            rows = await session.execute(
                sa.text("SELECT event_object_table FROM information_schema.triggers")
            )
        with_triggers = {row[0] for row in rows}

    assert {table.name for table in synced_tables().values()} <= with_triggers


async def test_any_write_gets_a_version_and_a_change(db: Database) -> None:
    async with db.writing() as session:
        await session.execute(
            sa.text(
                "INSERT INTO customers (id, name, is_prospect, is_supplier) "
                "VALUES ('0123456789abcdef0123456789abcdef', 'Raw SQL Ltd', false, false)"
                if db.is_sqlite
                else "INSERT INTO customers (id, name, is_prospect, is_supplier) "
                "VALUES ('01234567-89ab-cdef-0123-456789abcdef', 'Raw SQL Ltd', false, false)"
            )
        )
    async with db.writing() as session:
        await session.execute(sa.update(Customer).values(name="Renamed by hand"))

    async with db.reading() as session:
        version = await session.scalar(sa.select(Customer.version))
        changes = list(await session.scalars(sa.select(ChangeLogEntry).order_by(ChangeLogEntry.id)))

    assert [change.entity_type for change in changes] == ["customer", "customer"]
    assert version == changes[-1].id
    assert changes[-1].data is not None and changes[-1].data["name"] == "Renamed by hand"


def test_downgrade_and_upgrade_round_trip(databases: Any) -> None:
    url = databases.fresh()

    downgrade(url, "base")
    upgrade(url)
