"""Test databases: one suite, run against SQLite and PostgreSQL.

With DATABASE_URL unset the suite runs on SQLite files in a temporary
folder. With DATABASE_URL pointing at a PostgreSQL server, every run makes
fresh databases on that server (named affaires_test_<random>) and drops
them at the end, so runs never share state.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa

from backend.db.base import Base
from backend.db.engine import Database, open_database
from backend.db.migrate import upgrade
from backend.settings import normalise_database_url

SERVER_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith(("postgres", "postgresql"))
# Real data of other products, beside the project (never copied into it);
# AFFAIRES_SHARED_DATA points elsewhere.
SHARED_DATA = Path(
    os.environ.get("AFFAIRES_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def _pg_admin_dsn() -> str:
    url = sa.engine.make_url(normalise_database_url(SERVER_URL))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _pg_admin(statement: str) -> None:
    connection = await asyncpg.connect(_pg_admin_dsn())
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


class DatabaseFactory:
    """Makes fresh, migrated databases and removes them at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.created: list[str] = []

    def fresh(self) -> str:
        name = f"affaires_test_{uuid.uuid4().hex[:12]}"
        if ON_POSTGRES:
            asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
            self.created.append(name)
            url = sa.engine.make_url(normalise_database_url(SERVER_URL)).set(database=name)
            database_url = url.render_as_string(hide_password=False)
        else:
            database_url = f"sqlite+aiosqlite:///{self.folder / name}.db"
        upgrade(database_url)
        return database_url

    def drop_all(self) -> None:
        for name in self.created:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def database_url(databases: DatabaseFactory) -> str:
    """The suite's shared database; each test starts it empty (``db``)."""
    return databases.fresh()


async def empty_all_tables(db: Database) -> None:
    tables = [table.name for table in Base.metadata.sorted_tables]
    async with db.writer.begin() as connection:
        if db.is_sqlite:
            await connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            # The weeks first: the entries of an approved week are locked.
            for name in ["timesheet_weeks", *reversed(tables)]:
                await connection.exec_driver_sql(f"DELETE FROM {name}")
        else:
            await connection.exec_driver_sql(f"TRUNCATE {', '.join(tables)} CASCADE")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = open_database(database_url)
    await empty_all_tables(database)
    yield database
    await database.dispose()


@pytest.fixture
def dolibarr_dump() -> list[Path]:
    folder = SHARED_DATA / "dolibarr"
    if not folder.is_dir():
        pytest.skip("the Dolibarr demo data (../shared/data/dolibarr) is not on this machine")
    return [folder / "affairs-subset-24.0.0.sql", folder / "dictionaries-24.0.0.sql"]
