"""Affairs over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath

from backend.affairs.calendar import appointments_feed, feed_path, renew_feed
from backend.affairs.schemas import AffairOut, AffairSummary
from backend.affairs.services import affair_summary, list_affairs
from backend.dependencies import AppSettings, Db, SignedIn
from backend.lib import icalendar
from backend.lib.http import request_language
from backend.lib.signing import server_secret


class AffairController(Controller):
    path = "/api/affairs"

    @get("/")
    async def index(self, actor: SignedIn, db: Db) -> list[AffairOut]:
        async with db.reading() as session:
            return await list_affairs(session, actor)

    @get("/{affair_id:uuid}/summary")
    async def summary(
        self,
        request: Request[Any, Any, State],
        affair_id: FromPath[uuid.UUID],
        actor: SignedIn,
        db: Db,
    ) -> AffairSummary:
        async with db.reading() as session:
            return await affair_summary(session, actor, affair_id, request_language(request))


class CalendarFeedOut(msgspec.Struct):
    """Where a calendar app subscribes to the signed-in person's appointments."""

    url: str


class CalendarController(Controller):
    path = "/api/calendar"

    @get("/feed")
    async def my_feed(
        self, request: Request[Any, Any, State], actor: SignedIn, settings: AppSettings, db: Db
    ) -> CalendarFeedOut:
        secret = server_secret(settings.secret_key, settings.secret_file)
        base = str(request.base_url).rstrip("/")
        async with db.reading() as session:
            return CalendarFeedOut(url=base + await feed_path(session, secret, actor.id))

    @post("/{person_id:uuid}/renew", status_code=204)
    async def renew(self, person_id: FromPath[uuid.UUID], actor: SignedIn, db: Db) -> None:
        """A new address for the person's feed; the old one stops answering."""
        async with db.writing() as session:
            await renew_feed(session, actor, person_id)

    @get("/{person_id:uuid}/{file_name:str}", media_type=icalendar.MEDIA_TYPE)
    async def feed(
        self,
        person_id: FromPath[uuid.UUID],
        file_name: FromPath[str],
        db: Db,
        settings: AppSettings,
    ) -> Response[bytes]:
        """No cookie: the token in the URL says whose feed it is."""
        secret = server_secret(settings.secret_key, settings.secret_file)
        async with db.reading() as session:
            content = await appointments_feed(session, secret, person_id, file_name)
        return Response(
            content,
            media_type=icalendar.MEDIA_TYPE,
            headers={
                "Content-Disposition": 'inline; filename="appointments.ics"',
                "Cache-Control": "no-store",
            },
        )
