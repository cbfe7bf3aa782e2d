"""SQLite connections that run their statements on the event loop's thread.

aiosqlite, SQLAlchemy's async SQLite driver, hands every statement to a
thread of its own and waits for the answer: a queue, a thread wake-up, a
wake-up of the loop. On a busy two-core machine that hop costs about
200 microseconds, while SQLite itself answers a keyed read or write of a
local file in a few: with ten statements a mutation, the hop was most of
a push's time. These connections keep aiosqlite's interface (so
SQLAlchemy's dialect is unchanged) and run each call at once instead.

What the thread gave in exchange is kept another way: a statement that
finds the database locked by another writer (``SQLITE_BUSY``) is tried
again after an asynchronous pause, so a wait for the write lock never
blocks the loop, up to ``BUSY_TIMEOUT_S`` in all, the same patience as
the ``busy_timeout`` of the thread-based connections. The connection's
own ``busy_timeout`` is therefore 0. Long reads do hold the loop while
they run; SQLite reads of a local file are short, and a server that must
serve long reports beside many devices is meant to run on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite

BUSY_TIMEOUT_S = 10.0
FIRST_PAUSE_S = 0.001
LONGEST_PAUSE_S = 0.05
# SQLITE_BUSY, and its extended code that retrying cannot cure: a read
# transaction whose snapshot is stale must start again, not wait.
SQLITE_BUSY = 5
SQLITE_BUSY_SNAPSHOT = 517


class _RunAtOnce:
    """Stands for aiosqlite's queue to its thread: SQLAlchemy's dialect
    puts a call there directly to change the isolation level."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == SQLITE_BUSY and code != SQLITE_BUSY_SNAPSHOT


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's connection, without its thread."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        pause, waited = FIRST_PAUSE_S, 0.0
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or waited >= BUSY_TIMEOUT_S:
                    raise
            await asyncio.sleep(pause)
            waited += pause
            pause = min(pause * 2, LONGEST_PAUSE_S)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Any:
        return self._connect().__await__()

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def inline_connector(path: str) -> Callable[[], InlineConnection]:
    """An ``async_creator`` for SQLAlchemy: a new connection to ``path``."""

    def connect() -> InlineConnection:
        # The pool may close a connection from a garbage collector's thread.
        return InlineConnection(lambda: sqlite3.connect(path, check_same_thread=False))

    return connect
