"""Checklist templates and quality tracking over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.access.actors import Actor
from backend.aftersales.quality import list_nonconformities
from backend.aftersales.schemas import (
    ChecklistRevisionIn,
    ChecklistTemplateIn,
    ChecklistTemplateOut,
    QualityOut,
)
from backend.aftersales.templates import (
    create_template,
    list_templates,
    read_template,
    revise_template,
)
from backend.db.models import Role
from backend.dependencies import Db, SignedIn
from backend.lib.errors import Forbidden


def _may_write_templates(actor: Actor) -> None:
    # Checklists are the company's procedures: the administrators write them.
    if actor.role != Role.ADMIN:
        raise Forbidden()


class ChecklistTemplateController(Controller):
    """Every signed-in person reads the checklists (devices hold them);
    administrators write them."""

    path = "/api/checklist-templates"

    @get("/")
    async def index(self, actor: SignedIn, db: Db) -> list[ChecklistTemplateOut]:
        async with db.reading() as session:
            return await list_templates(session)

    @get("/{code:str}")
    async def show(
        self,
        code: FromPath[str],
        actor: SignedIn,
        db: Db,
        revision: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> ChecklistTemplateOut:
        async with db.reading() as session:
            return await read_template(session, code, revision)

    @post("/", status_code=201)
    async def create(
        self, data: JSONBody[ChecklistTemplateIn], actor: SignedIn, db: Db
    ) -> ChecklistTemplateOut:
        _may_write_templates(actor)
        async with db.writing() as session:
            return await create_template(session, data)

    @put("/{code:str}")
    async def revise(
        self, code: FromPath[str], data: JSONBody[ChecklistRevisionIn], actor: SignedIn, db: Db
    ) -> ChecklistTemplateOut:
        """The checklist's next revision; runs started keep theirs."""
        _may_write_templates(actor)
        async with db.writing() as session:
            return await revise_template(session, code, data)


class QualityController(Controller):
    path = "/api/quality"

    @get("/nonconformities")
    async def nonconformities(
        self,
        actor: SignedIn,
        db: Db,
        customer_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        product_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        technician_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        open_only: Annotated[bool, QueryParameter(name="open")] = False,
    ) -> QualityOut:
        """What checklists found, latest first, with counts per customer,
        product and technician (supervisors: their team's)."""
        async with db.reading() as session:
            return await list_nonconformities(
                session,
                actor,
                customer_id=customer_id,
                product_id=product_id,
                technician_id=technician_id,
                open_only=open_only,
            )
