"""Server-sent events: a poke when something in the person's scope changed."""

from __future__ import annotations

from litestar import get
from litestar.response import ServerSentEvent

from backend.dependencies import Feed, SignedIn

EVENTS_PATH = "/api/sync/events"


@get(EVENTS_PATH)
async def sync_events(actor: SignedIn, feed: Feed) -> ServerSentEvent:
    """A stream of payload-free ``poke`` events, each meaning "pull now",
    with a comment every 15 s to keep proxies from closing it, and the
    delay after which the browser reconnects (``retry``).

    A change concerns the person when their next pull would bring it
    (``backend.notify.services``). The stream ends when the server stops
    and after an hour; the browser then opens another.
    """
    watcher = await feed.watch(actor)
    return ServerSentEvent(
        feed.hub.stream(watcher),
        # Never stored anywhere: what arrives is only ever "now".
        headers={"Cache-Control": "no-store"},
    )
