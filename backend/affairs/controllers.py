"""Affairs over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromPath

from backend.affairs.schemas import AffairOut, AffairSummary
from backend.affairs.services import affair_summary, list_affairs
from backend.dependencies import Db, SignedIn
from backend.lib.http import request_language


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
