"""Engines and sessions for SQLite and PostgreSQL.

SQLite gets two engines. Readers use ordinary deferred transactions and
never wait, thanks to WAL. Writers start with ``BEGIN IMMEDIATE``: with
deferred transactions two concurrent read-then-write requests both read,
then one fails to upgrade its lock; taking the write lock up front makes
the second one wait instead of failing. Their connections run statements
on the event loop's thread and wait for a lock without blocking it
(``backend.db.sqlite_inline``).
PostgreSQL needs none of this: one engine serves both.

Every write transaction tells whoever follows the change log that it may
have moved (``Database.after_commit``, in this process; on PostgreSQL also
a ``NOTIFY`` delivered at commit to every server process listening).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from backend.db.changelog import CHANGES_CHANNEL
from backend.db.sqlite_inline import inline_connector

# Queued by the transaction, sent by PostgreSQL only if it commits.
ANNOUNCE_CHANGES = sa.text(f"NOTIFY {CHANGES_CHANNEL}")

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    # A locked database is waited for by the connection, asynchronously
    # (``sqlite_inline.BUSY_TIMEOUT_S``), never by SQLite on the loop's thread.
    "PRAGMA busy_timeout=0",
)


@dataclass
class Database:
    """The engines of one database and a session factory for each use."""

    url: str
    reader: AsyncEngine
    writer: AsyncEngine
    # Called after each committed write transaction, in this process.
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # SQLite: this process's writers queue here, per event loop, for the
    # one write lock (see ``writing``).
    _write_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = field(
        default_factory=weakref.WeakKeyDictionary
    )

    @property
    def is_sqlite(self) -> bool:
        return self.reader.dialect.name == "sqlite"

    def read_sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(self.reader, expire_on_commit=False)

    def write_sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(self.writer, expire_on_commit=False)

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A session in a write transaction, committed on success.

        Whether the transaction wrote synced rows is not known here (the
        database's triggers write the change log), so every commit is
        announced; a listener finding nothing new costs one small query.
        """
        async with self._write_turn(), self.write_sessions()() as session, session.begin():
            yield session
            if not self.is_sqlite:
                await session.execute(ANNOUNCE_CHANGES)
        for listener in self.after_commit:
            listener()

    def _write_turn(self) -> AbstractAsyncContextManager[Any]:
        """On SQLite, the writers of this process take turns in a queue
        before asking for the write lock: the next one starts as soon as
        the last one commits. Asking SQLite alone, a writer that finds the
        lock taken pauses and asks again (``sqlite_inline``), and the lock
        would sit free through those pauses: four devices pushing at once
        merged less than one alone. Writers of other processes (an
        import) still meet the lock itself. PostgreSQL's writers lock rows
        and the change log, not the database: no queue."""
        if not self.is_sqlite:
            return nullcontext()
        loop = asyncio.get_running_loop()
        turn = self._write_turns.get(loop)
        if turn is None:
            turn = self._write_turns[loop] = asyncio.Lock()
        return turn

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        async with self.read_sessions()() as session:
            yield session

    async def dispose(self) -> None:
        await self.reader.dispose()
        if self.writer is not self.reader:
            await self.writer.dispose()


def _configure_sqlite(engine: AsyncEngine, *, immediate: bool) -> None:
    @sa.event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @sa.event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def open_database(url: str, *, echo: bool = False) -> Database:
    """Engines for ``url``; for SQLite a reader and a writer, else one."""
    if url.startswith("sqlite"):
        connect = inline_connector(sa.engine.make_url(url).database or ":memory:")
        reader = create_async_engine(url, echo=echo, async_creator=connect)
        writer = create_async_engine(url, echo=echo, async_creator=connect)
        _configure_sqlite(reader, immediate=False)
        _configure_sqlite(writer, immediate=True)
        return Database(url=url, reader=reader, writer=writer)

    engine = create_async_engine(url, echo=echo, pool_size=10, max_overflow=20)
    return Database(url=url, reader=engine, writer=engine)
