"""Who is asking: the session cookie turned into an ``Actor``."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State

from backend.access.actors import Actor
from backend.db.engine import Database
from backend.lib.errors import Unauthenticated
from backend.people.services import actor_for_token, extend_session
from backend.settings import Settings

SESSION_COOKIE = "affaires_session"


async def provide_actor(request: Request[Any, Any, State]) -> Actor:
    """The signed-in person, or 401. Sets the request's language for errors."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthenticated("unauthenticated")
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings

    async with db.reading() as session:
        found = await actor_for_token(session, token, days=settings.session_days)
    if found is None:
        raise Unauthenticated("unauthenticated")
    actor, due = found
    if due:
        async with db.writing() as session:
            await extend_session(session, token, days=settings.session_days)

    request.state.language = actor.language
    return actor
