"""Planning over HTTP: who is available, proposals, accepting them."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from backend.access import policy
from backend.access.actors import Actor
from backend.dependencies import Db, SignedIn
from backend.lib.errors import Forbidden
from backend.lib.http import request_language
from backend.people.availability import available_for_affair
from backend.people.schemas import AvailabilityOut, AvailabilityRequest
from backend.timesheets.proposals import accept_proposal, make_proposal, read_proposal
from backend.timesheets.schemas import AcceptOut, AcceptRequest, ProposalOut, ProposalRequest


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
