"""Sign in, sign out, and who am I."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Annotated, Any

import sqlalchemy as sa
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import Cookie, State
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access import policy
from backend.access.actors import Actor
from backend.db.models import Role, User
from backend.dependencies import AppSettings, Db, SignedIn
from backend.lib.errors import Forbidden, NotFound, TooManyAttempts, Unauthenticated
from backend.lib.throttle import Throttle
from backend.people.auth import SESSION_COOKIE
from backend.people.calendars import (
    absences,
    add_absence,
    enter_rate,
    holidays,
    rates,
    remove_absence,
    remove_holiday,
    remove_rate,
    set_holiday,
    set_skills,
    set_working_week,
    skills,
    working_week,
)
from backend.people.schemas import (
    AbsenceIn,
    AbsenceOut,
    HolidayOut,
    HolidayPut,
    LoginRequest,
    MeResponse,
    MeUpdate,
    PersonSkillsOut,
    RateIn,
    RateOut,
    SkillsPut,
    TimeApproverOut,
    TimeApproverPut,
    WorkingWeekOut,
    WorkingWeekPut,
)
from backend.people.services import (
    actor_of,
    load_actor,
    name_time_approver,
    set_language,
    sign_in,
    sign_out,
)
from backend.settings import Settings

# Ten wrong passwords for one address from one place, then wait a while.
SIGN_IN_THROTTLE = Throttle(limit=10, window=15 * 60)


async def _decides_on_time(session: AsyncSession, actor: Actor) -> bool:
    """Does ``actor`` decide on anybody's time: the app then shows them
    what waits for their decision."""
    return bool(await session.scalar(sa.select(policy.decides_on_time(actor))))


def _me(actor: Actor, email: str | None, settings: Settings, *, supervises: bool) -> MeResponse:
    return MeResponse(
        id=actor.id,
        name=actor.name,
        email=email,
        role=actor.role.value,
        team_id=actor.team_id,
        language=actor.language,
        time_zone=actor.time_zone,
        supervises=supervises,
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
                supervises = await _decides_on_time(session, actor)
        except Unauthenticated:
            SIGN_IN_THROTTLE.fail(attempt)
            raise
        SIGN_IN_THROTTLE.forget(attempt)
        max_age = int(dt.timedelta(days=settings.session_days).total_seconds())
        cookie = _session_cookie(token, settings, max_age=max_age)
        return Response(_me(actor, email, settings, supervises=supervises), cookies=[cookie])

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
            supervises = await _decides_on_time(session, actor)
        return _me(actor, user.email if user else None, settings, supervises=supervises)

    @patch("/me")
    async def update_me(
        self, data: JSONBody[MeUpdate], actor: SignedIn, db: Db, settings: AppSettings
    ) -> MeResponse:
        """Keep the person's language with their account, for every device."""
        async with db.writing() as session:
            await set_language(session, actor.id, data.language)
            updated = await load_actor(session, actor.id)
            user = await session.get(User, actor.id)
            supervises = await _decides_on_time(session, updated)
        return _me(updated, user.email if user else None, settings, supervises=supervises)


def _may_keep_calendars(actor: Actor) -> None:
    if not policy.plans_work(actor):
        raise Forbidden()


class WorkCalendarController(Controller):
    """The calendars planning reads, kept by those who plan the work."""

    path = "/api/planning"

    @get("/working-weeks/company")
    async def company_week(self, actor: SignedIn, db: Db) -> WorkingWeekOut:
        _may_keep_calendars(actor)
        async with db.reading() as session:
            return await working_week(session, None)

    @put("/working-weeks/company")
    async def set_company_week(
        self, data: JSONBody[WorkingWeekPut], actor: SignedIn, db: Db
    ) -> WorkingWeekOut:
        _may_keep_calendars(actor)
        async with db.writing() as session:
            return await set_working_week(session, None, data.periods)

    @get("/working-weeks/{person_id:uuid}")
    async def person_week(
        self, person_id: FromPath[uuid.UUID], actor: SignedIn, db: Db
    ) -> WorkingWeekOut:
        _may_keep_calendars(actor)
        async with db.reading() as session:
            return await working_week(session, person_id)

    @put("/working-weeks/{person_id:uuid}")
    async def set_person_week(
        self,
        person_id: FromPath[uuid.UUID],
        data: JSONBody[WorkingWeekPut],
        actor: SignedIn,
        db: Db,
    ) -> WorkingWeekOut:
        _may_keep_calendars(actor)
        async with db.writing() as session:
            return await set_working_week(session, person_id, data.periods)

    @get("/holidays")
    async def holidays(
        self, actor: SignedIn, db: Db, year: Annotated[int, QueryParameter(ge=1971, le=2999)]
    ) -> list[HolidayOut]:
        _may_keep_calendars(actor)
        async with db.reading() as session:
            return await holidays(session, year)

    @put("/holidays/{day:date}")
    async def set_holiday(
        self, day: FromPath[dt.date], data: JSONBody[HolidayPut], actor: SignedIn, db: Db
    ) -> HolidayOut:
        _may_keep_calendars(actor)
        async with db.writing() as session:
            return await set_holiday(session, day, data.name)

    @delete("/holidays/{day:date}", status_code=204)
    async def remove_holiday(self, day: FromPath[dt.date], actor: SignedIn, db: Db) -> None:
        _may_keep_calendars(actor)
        async with db.writing() as session:
            await remove_holiday(session, day)

    @get("/absences")
    async def absences(
        self,
        actor: SignedIn,
        db: Db,
        first_day: Annotated[dt.date, QueryParameter(name="from")],
        last_day: Annotated[dt.date, QueryParameter(name="to")],
        person_id: Annotated[uuid.UUID | None, QueryParameter(name="person")] = None,
    ) -> list[AbsenceOut]:
        _may_keep_calendars(actor)
        async with db.reading() as session:
            return await absences(session, first_day, last_day, person_id)

    @post("/absences", status_code=201)
    async def add_absence(self, data: JSONBody[AbsenceIn], actor: SignedIn, db: Db) -> AbsenceOut:
        _may_keep_calendars(actor)
        async with db.writing() as session:
            return await add_absence(session, data)

    @delete("/absences/{absence_id:uuid}", status_code=204)
    async def remove_absence(
        self, absence_id: FromPath[uuid.UUID], actor: SignedIn, db: Db
    ) -> None:
        _may_keep_calendars(actor)
        async with db.writing() as session:
            await remove_absence(session, absence_id)

    @get("/skills")
    async def skills(self, actor: SignedIn, db: Db) -> list[PersonSkillsOut]:
        _may_keep_calendars(actor)
        async with db.reading() as session:
            return await skills(session)

    @put("/skills/{person_id:uuid}")
    async def set_skills(
        self, person_id: FromPath[uuid.UUID], data: JSONBody[SkillsPut], actor: SignedIn, db: Db
    ) -> PersonSkillsOut:
        _may_keep_calendars(actor)
        async with db.writing() as session:
            return await set_skills(session, person_id, data.skills)


class RateController(Controller):
    """People's hourly costs: read by those who plan the work, entered by
    administrators."""

    path = "/api/people/{person_id:uuid}/rates"

    @get("/")
    async def index(self, person_id: FromPath[uuid.UUID], actor: SignedIn, db: Db) -> list[RateOut]:
        _may_keep_calendars(actor)
        async with db.reading() as session:
            return await rates(session, person_id)

    @post("/", status_code=201)
    async def add(
        self, person_id: FromPath[uuid.UUID], data: JSONBody[RateIn], actor: SignedIn, db: Db
    ) -> RateOut:
        if not policy.sets_rates(actor):
            raise Forbidden()
        async with db.writing() as session:
            return await enter_rate(session, person_id, data)

    @delete("/{rate_id:uuid}", status_code=204)
    async def remove(
        self, person_id: FromPath[uuid.UUID], rate_id: FromPath[uuid.UUID], actor: SignedIn, db: Db
    ) -> None:
        if not policy.sets_rates(actor):
            raise Forbidden()
        async with db.writing() as session:
            await remove_rate(session, person_id, rate_id)


def _approver_out(person: User, approver: User | None) -> TimeApproverOut:
    return TimeApproverOut(
        person_id=person.id,
        approver_id=person.time_approver_id,
        approver_name=approver.name if approver else None,
    )


class TimeApproverController(Controller):
    """Who approves a person's time besides the route: read by those who
    plan the work, named by administrators."""

    path = "/api/people/{person_id:uuid}/time-approver"

    @get("/")
    async def show(
        self, person_id: FromPath[uuid.UUID], actor: SignedIn, db: Db
    ) -> TimeApproverOut:
        _may_keep_calendars(actor)
        async with db.reading() as session:
            person = await session.get(User, person_id)
            if person is None or person.deleted_at is not None:
                raise NotFound("not_found", user_id=str(person_id))
            approver_id = person.time_approver_id
            approver = await session.get(User, approver_id) if approver_id else None
            return _approver_out(person, approver)

    @put("/")
    async def name(
        self,
        person_id: FromPath[uuid.UUID],
        data: JSONBody[TimeApproverPut],
        actor: SignedIn,
        db: Db,
    ) -> TimeApproverOut:
        if actor.role != Role.ADMIN:
            raise Forbidden()
        async with db.writing() as session:
            person, approver = await name_time_approver(session, person_id, data.approver_id)
            return _approver_out(person, approver)
