"""Sign in, sign out, and who am I."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import Cookie, State
from litestar.params import JSONBody

from backend.access.actors import Actor
from backend.db.models import Role, User
from backend.dependencies import AppSettings, Db, SignedIn
from backend.lib.errors import TooManyAttempts, Unauthenticated
from backend.lib.throttle import Throttle
from backend.people.auth import SESSION_COOKIE
from backend.people.schemas import LoginRequest, MeResponse, MeUpdate
from backend.people.services import actor_of, load_actor, set_language, sign_in, sign_out
from backend.settings import Settings

# Ten wrong passwords for one address from one place, then wait a while.
SIGN_IN_THROTTLE = Throttle(limit=10, window=15 * 60)


def _me(actor: Actor, email: str | None, settings: Settings) -> MeResponse:
    return MeResponse(
        id=actor.id,
        name=actor.name,
        email=email,
        role=actor.role.value,
        team_id=actor.team_id,
        language=actor.language,
        time_zone=actor.time_zone,
        supervises=actor.role in (Role.ADMIN, Role.MANAGER) or bool(actor.supervised_team_ids),
        time_approval=settings.time_approval,
    )


def _session_cookie(token: str, settings: Settings, *, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        max_age=max_age,
    )


class AuthController(Controller):
    path = "/api/auth"

    @post("/login", status_code=200)
    async def login(
        self,
        request: Request[Any, Any, State],
        data: JSONBody[LoginRequest],
        db: Db,
        settings: AppSettings,
    ) -> Response[MeResponse]:
        attempt = f"{data.email.strip().lower()} {request.client.host if request.client else ''}"
        wait = SIGN_IN_THROTTLE.wait_for(attempt)
        if wait:
            raise TooManyAttempts("too_many_attempts", retry_after=math.ceil(wait))
        try:
            async with db.writing() as session:
                token, user = await sign_in(
                    session, data.email, data.password, days=settings.session_days
                )
                actor = await actor_of(session, user)
                email = user.email
        except Unauthenticated:
            SIGN_IN_THROTTLE.fail(attempt)
            raise
        SIGN_IN_THROTTLE.forget(attempt)
        max_age = int(dt.timedelta(days=settings.session_days).total_seconds())
        return Response(
            _me(actor, email, settings), cookies=[_session_cookie(token, settings, max_age=max_age)]
        )

    @post("/logout", status_code=200)
    async def logout(
        self, request: Request[Any, Any, State], db: Db, settings: AppSettings
    ) -> Response[dict[str, bool]]:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            async with db.writing() as session:
                await sign_out(session, token)
        return Response({"signed_out": True}, cookies=[_session_cookie("", settings, max_age=0)])

    @get("/me")
    async def me(self, actor: SignedIn, db: Db, settings: AppSettings) -> MeResponse:
        async with db.reading() as session:
            user = await session.get(User, actor.id)
        return _me(actor, user.email if user else None, settings)

    @patch("/me")
    async def update_me(
        self, data: JSONBody[MeUpdate], actor: SignedIn, db: Db, settings: AppSettings
    ) -> MeResponse:
        """Keep the person's language with their account, for every device."""
        async with db.writing() as session:
            await set_language(session, actor.id, data.language)
            updated = await load_actor(session, actor.id)
            user = await session.get(User, actor.id)
        return _me(updated, user.email if user else None, settings)
