"""The change feed: follows the change log and pokes the people it concerns.

Every committed write wakes the feed: in this process directly
(``Database.after_commit``), from other server processes through
PostgreSQL's ``NOTIFY`` (``listen_for_changes``). The feed then reads what
the change log gained since it last looked, once for all the streams of
this process, and pokes the people whose scope it touched. Wakes that
come while it works coalesce into one more look.

Nobody watching, nothing read: the feed starts from the newest change
when the first stream opens (the device pulls when its stream opens, so
it misses nothing before). A look every ``SAFETY_LOOK_SECONDS`` while
someone watches catches writes that no signal announced: another process
on SQLite (an import from the command line), a notification lost while
the listening connection was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable

import asyncpg
import sqlalchemy as sa
import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor
from backend.db.changelog import CHANGES_CHANNEL
from backend.db.engine import Database
from backend.notify.hub import PokeHub, Watcher
from backend.notify.services import (
    Followed,
    everyone_again,
    follow,
    newest_change,
    people_to_poke,
    read_batch,
)

logger = structlog.get_logger()

SAFETY_LOOK_SECONDS = 15.0
# More changes than this in one look (an import) are not sorted person by
# person: everyone watching is poked.
MAX_CHANGES_SORTED = 5000
# After a database fault, the feed waits this long before looking again.
FAULT_PAUSE_SECONDS = 1.0
# The listening connection, once lost, is made again after this long.
LISTEN_RETRY_SECONDS = 2.0


class ChangeFeed:
    """The change log as seen by the open streams of this process."""

    def __init__(self, db: Database, hub: PokeHub) -> None:
        self.db = db
        self.hub = hub
        self._due = asyncio.Event()
        # The newest change number looked at; None while nobody watches.
        self._after: int | None = None
        self._followed: dict[uuid.UUID, Followed] = {}

    def changes_committed(self) -> None:
        """Something may have been written: look soon (coalesced)."""
        self._due.set()

    async def watch(self, actor: Actor) -> Watcher:
        """Open a stream for ``actor``; a person's first stream learns
        what they see."""
        if not self.hub.is_watching(actor.id):
            async with self.db.reading() as session:
                followed = await follow(session, actor)
                if self._after is None:
                    self._after = await newest_change(session)
            self._followed[actor.id] = followed
        return self.hub.watch(actor.id)

    async def run(self) -> None:
        """Look at the change log whenever woken, until cancelled."""
        while True:
            timeout = SAFETY_LOOK_SECONDS if self.hub.people() else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._due.wait(), timeout=timeout)
            self._due.clear()
            try:
                await self.look()
            except (SQLAlchemyError, OSError) as exc:
                # A busy or restarting database: the changes stay in the log,
                # the next look finds them.
                logger.warning("live.look_failed", error=type(exc).__name__)
                await asyncio.sleep(FAULT_PAUSE_SECONDS)

    async def look(self) -> None:
        """Poke the people concerned by the changes since the last look."""
        watched = self.hub.people()
        for person in set(self._followed) - watched:
            del self._followed[person]
        if not watched:
            self._after = None
            return

        after = self._after
        async with self.db.reading() as session:
            head = await newest_change(session)
            if after is None or head <= after:
                # (Lower: the database was restored from a backup.)
                self._after = head
                return
            try:
                people = await self._concerned(session, after, head)
            except (SQLAlchemyError, OSError):
                raise
            except Exception:
                # A fault in deciding who is concerned (a bug, odd data) must
                # not silence every stream for the life of the server, nor
                # stop at the same batch again and again: when in doubt,
                # everyone watching pulls.
                logger.exception("live.sort_failed", changes=head - after)
                people = watched
        self._after = head

        streams = self.hub.poke(people)
        logger.debug("live.poked", changes=head - after, people=len(people), streams=streams)

    async def _concerned(self, session: AsyncSession, after: int, head: int) -> set[uuid.UUID]:
        if head - after > MAX_CHANGES_SORTED:
            return await everyone_again(session, self._followed)
        batch = await read_batch(session, after, head)
        return await people_to_poke(session, batch, self._followed)


def listen_dsn(database_url: str) -> str:
    """The plain PostgreSQL address asyncpg takes, from the app's URL."""
    url = sa.engine.make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def listen_for_changes(database_url: str, feed: ChangeFeed) -> None:
    """LISTEN on the changes channel and wake ``feed`` on each notification,
    until cancelled. A lost connection is made again; the feed then looks
    once, for what was announced meanwhile."""
    dsn = listen_dsn(database_url)
    while True:
        try:
            connection = await asyncpg.connect(dsn)
        except (OSError, asyncpg.PostgresError) as exc:
            logger.warning("live.listen_failed", error=type(exc).__name__)
            await asyncio.sleep(LISTEN_RETRY_SECONDS)
            continue

        lost = asyncio.Event()
        connection.add_termination_listener(_on_loss(lost))
        try:
            await connection.add_listener(CHANGES_CHANNEL, lambda *_: feed.changes_committed())
            feed.changes_committed()
            await lost.wait()
            logger.warning("live.listen_lost")
        except (OSError, asyncpg.PostgresError) as exc:
            logger.warning("live.listen_failed", error=type(exc).__name__)
        finally:
            # Closing politely could wait on a dead server; a stopping
            # server must not.
            connection.terminate()
        await asyncio.sleep(LISTEN_RETRY_SECONDS)


def _on_loss(lost: asyncio.Event) -> Callable[[object], None]:
    return lambda _connection: lost.set()
