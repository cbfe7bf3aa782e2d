"""Equipment over HTTP: the office's list and page, records and files."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.aftersales.equipment import (
    attach_file,
    composition_on,
    create_equipment,
    equipment_page,
    list_equipment,
    parse_day,
    update_equipment,
)
from backend.aftersales.equipment_schemas import (
    MAX_PAGE,
    CompositionOut,
    EquipmentCreate,
    EquipmentFileCreate,
    EquipmentFileOut,
    EquipmentList,
    EquipmentOut,
    EquipmentPage,
    EquipmentUpdate,
)
from backend.dependencies import Db, SignedIn

# A day as text, read by the service, so a bad one is named "on".
Day = Annotated[str | None, QueryParameter(name="on", description="A day, YYYY-MM-DD.")]
Filter = Annotated[str | None, QueryParameter(max_length=80)]


class EquipmentController(Controller):
    path = "/api/equipment"

    @get("/")
    async def index(
        self,
        actor: SignedIn,
        db: Db,
        customer: Annotated[uuid.UUID | None, QueryParameter()] = None,
        affair: Annotated[uuid.UUID | None, QueryParameter()] = None,
        serial: Filter = None,
        text: Filter = None,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 50,
    ) -> EquipmentList:
        async with db.reading() as session:
            return await list_equipment(
                session,
                actor,
                customer_id=customer,
                affair_id=affair,
                serial=serial,
                text=text,
                offset=offset,
                limit=limit,
            )

    @post("/", status_code=201)
    async def create(
        self, data: JSONBody[EquipmentCreate], actor: SignedIn, db: Db
    ) -> EquipmentOut:
        async with db.writing() as session:
            return await create_equipment(session, actor, data)

    @get("/{equipment_id:uuid}")
    async def show(
        self, equipment_id: FromPath[uuid.UUID], actor: SignedIn, db: Db, on: Day = None
    ) -> EquipmentPage:
        day = parse_day(on, "on")
        async with db.reading() as session:
            return await equipment_page(session, actor, equipment_id, day)

    @patch("/{equipment_id:uuid}")
    async def update(
        self,
        equipment_id: FromPath[uuid.UUID],
        data: JSONBody[EquipmentUpdate],
        actor: SignedIn,
        db: Db,
    ) -> EquipmentOut:
        async with db.writing() as session:
            return await update_equipment(session, actor, equipment_id, data)

    @get("/{equipment_id:uuid}/composition")
    async def composition(
        self, equipment_id: FromPath[uuid.UUID], actor: SignedIn, db: Db, on: Day = None
    ) -> CompositionOut:
        day = parse_day(on, "on")
        async with db.reading() as session:
            return await composition_on(session, actor, equipment_id, day)

    @post("/{equipment_id:uuid}/files", status_code=201)
    async def attach(
        self,
        equipment_id: FromPath[uuid.UUID],
        data: JSONBody[EquipmentFileCreate],
        actor: SignedIn,
        db: Db,
    ) -> EquipmentFileOut:
        async with db.writing() as session:
            return await attach_file(session, actor, equipment_id, data)
