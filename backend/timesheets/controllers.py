"""Timesheets over HTTP: planning (who is available, proposals, accepting
them) and payroll and billing exports (CSV or XLSX files to download)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.access import policy
from backend.access.actors import Actor
from backend.dependencies import AppSettings, Db, SignedIn
from backend.lib.errors import Forbidden
from backend.lib.http import request_language
from backend.lib.spreadsheets import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    Table,
    to_csv,
    to_xlsx,
)
from backend.people.availability import available_for_affair
from backend.people.schemas import AvailabilityOut, AvailabilityRequest
from backend.timesheets.activities import known_activities
from backend.timesheets.exports import billing, billing_table, payroll, payroll_table
from backend.timesheets.proposals import (
    accept_proposal,
    actions_to_schedule,
    make_proposal,
    read_proposal,
)
from backend.timesheets.queue import Grouping, approval_queue
from backend.timesheets.reminders import own_reminders, team_reminders
from backend.timesheets.schemas import (
    AcceptOut,
    AcceptRequest,
    ActionsToScheduleOut,
    ActivitiesOut,
    ProposalOut,
    ProposalRequest,
    QueueOut,
    RemindersOut,
)


def _may_plan(actor: Actor) -> None:
    if not policy.plans_work(actor):
        raise Forbidden()


class PlanningController(Controller):
    path = "/api/planning"

    @post("/availability", status_code=200)
    async def availability(
        self, data: JSONBody[AvailabilityRequest], actor: SignedIn, db: Db
    ) -> AvailabilityOut:
        _may_plan(actor)
        async with db.reading() as session:
            return await available_for_affair(session, data)

    @get("/actions")
    async def actions(self, actor: SignedIn, db: Db) -> ActionsToScheduleOut:
        """What the planning screen offers to place, and the skills known."""
        _may_plan(actor)
        async with db.reading() as session:
            return await actions_to_schedule(session)

    @post("/proposals", status_code=201)
    async def propose(
        self,
        request: Request[Any, Any, State],
        data: JSONBody[ProposalRequest],
        actor: SignedIn,
        db: Db,
    ) -> ProposalOut:
        _may_plan(actor)
        async with db.writing() as session:
            return await make_proposal(session, actor, data, request_language(request))

    @get("/proposals/{proposal_id:uuid}")
    async def show(
        self,
        request: Request[Any, Any, State],
        proposal_id: FromPath[uuid.UUID],
        actor: SignedIn,
        db: Db,
    ) -> ProposalOut:
        _may_plan(actor)
        async with db.reading() as session:
            return await read_proposal(session, proposal_id, request_language(request))

    @post("/proposals/{proposal_id:uuid}/accept", status_code=200)
    async def accept(
        self,
        proposal_id: FromPath[uuid.UUID],
        data: JSONBody[AcceptRequest],
        actor: SignedIn,
        db: Db,
    ) -> AcceptOut:
        _may_plan(actor)
        async with db.writing() as session:
            return await accept_proposal(session, proposal_id, data)


FileFormat = Literal["csv", "xlsx"]
# Dates as text, read by the service, so a bad one is named as the query
# names it ("from", "to") in the error's details.
First = Annotated[
    str, QueryParameter(name="from", description="First work date, included (YYYY-MM-DD).")
]
Last = Annotated[
    str, QueryParameter(name="to", description="Last work date, included (YYYY-MM-DD).")
]
# The decimal mark of each language's spreadsheet apps (the separator is
# always ";": see backend/lib/spreadsheets.py).
DECIMAL_MARKS = {"fr": ",", "en": "."}


def _download(table: Table, name: str, file_format: FileFormat, language: str) -> Response[bytes]:
    if file_format == "xlsx":
        content, media_type = to_xlsx(table), XLSX_MEDIA_TYPE
    else:
        content = to_csv(table, decimal_mark=DECIMAL_MARKS.get(language, "."))
        media_type = CSV_MEDIA_TYPE
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{file_format}"',
            "Cache-Control": "no-store",
        },
    )


class ExportController(Controller):
    path = "/api/exports"

    @get("/payroll")
    async def payroll(
        self,
        request: Request[Any, Any, State],
        actor: SignedIn,
        db: Db,
        first: First,
        last: Last,
        format: Annotated[FileFormat, QueryParameter()] = "csv",
    ) -> Response[bytes]:
        """Each employee's time and cost in the period, approved or not."""
        language = request_language(request)
        async with db.reading() as session:
            period, lines = await payroll(session, actor, first, last)
        table = payroll_table(lines, language)
        return _download(table, f"payroll_{period.slug}", format, language)

    @get("/billing")
    async def billing(
        self,
        request: Request[Any, Any, State],
        actor: SignedIn,
        db: Db,
        first: First,
        last: Last,
        format: Annotated[FileFormat, QueryParameter()] = "csv",
    ) -> Response[bytes]:
        """Each affair's hours and labour cost in the period."""
        language = request_language(request)
        async with db.reading() as session:
            period, lines = await billing(session, actor, first, last)
        table = billing_table(lines, language)
        return _download(table, f"billing_{period.slug}", format, language)


class QueueController(Controller):
    """The lines and weeks waiting for the signed-in person's decision."""

    path = "/api/timesheets/queue"

    @get("/")
    async def queue(
        self,
        actor: SignedIn,
        db: Db,
        settings: AppSettings,
        by: Annotated[Grouping, QueryParameter(description="Group by person or by affair.")] = (
            "person"
        ),
    ) -> QueueOut:
        async with db.reading() as session:
            return await approval_queue(session, actor, settings.time_approval, by)


class ReminderController(Controller):
    """Weeks that want something of their person: the notices' data."""

    path = "/api/timesheets/reminders"

    @get("/")
    async def mine(self, actor: SignedIn, db: Db) -> RemindersOut:
        async with db.reading() as session:
            return RemindersOut(await own_reminders(session, actor))

    @get("/team")
    async def team(self, actor: SignedIn, db: Db) -> RemindersOut:
        async with db.reading() as session:
            return RemindersOut(await team_reminders(session, actor))


class ActivityController(Controller):
    """The activities the entry form offers: anybody who enters time."""

    path = "/api/timesheets/activities"

    @get("/")
    async def activities(self, actor: SignedIn, db: Db) -> ActivitiesOut:
        async with db.reading() as session:
            return ActivitiesOut(await known_activities(session))
