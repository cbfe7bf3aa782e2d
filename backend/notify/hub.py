"""The open event streams of this process, and the pokes waiting on them.

A poke carries nothing: it tells a device that its next pull will bring
something, and the device pulls. So pokes coalesce: a stream holds at most
one pending poke, however many changes arrive before it is written out.

    watch() --> Watcher --stream()--> ": ready" + retry
                   ^                     | every HEARTBEAT: ": keep-alive"
    poke(people) --+ (due = True)        | due: "event: poke"
    close() -------+ (closed = True)     v the stream ends, the browser
                                           reconnects after ``retry``
"""

from __future__ import annotations

import asyncio
import random
import uuid
import weakref
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from litestar.response import ServerSentEventMessage

# Proxies close connections that stay silent; a comment every so often
# keeps them open and lets the server notice a client that went away.
HEARTBEAT_SECONDS = 15.0
# The browser reconnects this long after a stream ends (a server restart,
# a deployment). Each stream gets its own delay in this range, so that the
# devices of a whole company do not all come back in the same instant.
RETRY_MS = (2_000, 6_000)
# A stream ends after this long and the browser opens another, which
# checks the session again: a revoked session stops being poked.
STREAM_MAX_SECONDS = 3600.0


@dataclass(eq=False)
class Watcher:
    """One open event stream of a signed-in person."""

    person: uuid.UUID
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    due: bool = False
    closed: bool = False


class PokeHub:
    """Every open stream of this process, by person.

    Only a stream's own generator holds its watcher: a stream that ends
    leaves in its ``finally``, and one that never started (the client went
    away before the first byte) is forgotten when its generator is.
    """

    def __init__(self) -> None:
        self._watchers: dict[uuid.UUID, weakref.WeakSet[Watcher]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closing = False

    def start(self) -> None:
        """Remember the loop, so that ``stop_soon`` can reach it from a signal."""
        self._loop = asyncio.get_running_loop()
        self.closing = False

    def watch(self, person: uuid.UUID) -> Watcher:
        watcher = Watcher(person)
        self._watchers.setdefault(person, weakref.WeakSet()).add(watcher)
        return watcher

    def leave(self, watcher: Watcher) -> None:
        """Forget a stream; harmless when it is already forgotten."""
        watchers = self._watchers.get(watcher.person)
        if watchers is None:
            return
        watchers.discard(watcher)
        if not watchers:
            del self._watchers[watcher.person]

    def people(self) -> set[uuid.UUID]:
        """Who has a stream open in this process."""
        for person in [person for person, watchers in self._watchers.items() if not watchers]:
            del self._watchers[person]
        return set(self._watchers)

    def is_watching(self, person: uuid.UUID) -> bool:
        return bool(self._watchers.get(person))

    def poke(self, people: Iterable[uuid.UUID]) -> int:
        """Mark a poke due on every stream of these people; answer how many
        streams had none pending (the others already have one coming)."""
        woken = 0
        for person in people:
            for watcher in list(self._watchers.get(person, ())):
                if not watcher.due:
                    woken += 1
                watcher.due = True
                watcher.wake.set()
        return woken

    def close(self) -> None:
        """End every stream now (the server is stopping)."""
        self.closing = True
        for watchers in list(self._watchers.values()):
            for watcher in list(watchers):
                watcher.closed = True
                watcher.wake.set()

    def stop_soon(self) -> None:
        """``close`` at the loop's next turn; safe from a signal handler."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.close)

    async def stream(
        self,
        watcher: Watcher,
        *,
        heartbeat: float = HEARTBEAT_SECONDS,
        max_seconds: float = STREAM_MAX_SECONDS,
    ) -> AsyncIterator[ServerSentEventMessage]:
        """The messages of one stream, until it is closed or too old."""
        loop = asyncio.get_running_loop()
        ends_at = loop.time() + max_seconds
        try:
            retry = random.randint(*RETRY_MS)
            yield ServerSentEventMessage(data=None, comment="ready", retry=retry)
            while not watcher.closed and not self.closing:
                left = ends_at - loop.time()
                if left <= 0:
                    return
                try:
                    await asyncio.wait_for(watcher.wake.wait(), timeout=min(heartbeat, left))
                except TimeoutError:
                    if loop.time() < ends_at:
                        yield ServerSentEventMessage(data=None, comment="keep-alive")
                    continue
                watcher.wake.clear()
                if watcher.closed or self.closing:
                    return
                if watcher.due:
                    watcher.due = False
                    yield ServerSentEventMessage(data="", event="poke")
        finally:
            self.leave(watcher)
