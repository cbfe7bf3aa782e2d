"""Maintenance contracts over HTTP: managers and admins write, supervisors
read (the rules are in ``contract_terms``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.aftersales import contract_terms
from backend.aftersales.contract_schemas import (
    AssignRequest,
    CloseRequest,
    ContractCreate,
    ContractDetail,
    ContractOut,
    ContractPatch,
    CoverRequest,
    GenerateOut,
)
from backend.db.models import ContractStatus
from backend.dependencies import AppSettings, Db, SignedIn
from backend.lib.time import utc_now


class ContractController(Controller):
    path = "/api/contracts"

    @get("/")
    async def index(
        self,
        actor: SignedIn,
        db: Db,
        status: Annotated[ContractStatus | None, QueryParameter()] = None,
        customer_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
    ) -> list[ContractOut]:
        """Every contract with its flags, those needing attention first."""
        async with db.reading() as session:
            return await contract_terms.list_contracts(
                session, actor, utc_now(), status, customer_id
            )

    @post("/", status_code=201)
    async def create(
        self, data: JSONBody[ContractCreate], actor: SignedIn, db: Db
    ) -> ContractDetail:
        async with db.writing() as session:
            return await contract_terms.create_contract(session, actor, data, utc_now())

    @get("/{contract_id:uuid}")
    async def show(
        self, contract_id: FromPath[uuid.UUID], actor: SignedIn, db: Db
    ) -> ContractDetail:
        async with db.reading() as session:
            return await contract_terms.contract_detail(session, actor, contract_id, utc_now())

    @patch("/{contract_id:uuid}")
    async def change(
        self,
        contract_id: FromPath[uuid.UUID],
        data: JSONBody[ContractPatch],
        actor: SignedIn,
        db: Db,
        settings: AppSettings,
    ) -> ContractDetail:
        horizon = settings.contract_visit_horizon_days
        async with db.writing() as session:
            return await contract_terms.change_terms(
                session, actor, contract_id, data, utc_now(), horizon
            )

    @post("/{contract_id:uuid}/equipment", status_code=200)
    async def cover(
        self,
        contract_id: FromPath[uuid.UUID],
        data: JSONBody[CoverRequest],
        actor: SignedIn,
        db: Db,
    ) -> ContractDetail:
        async with db.writing() as session:
            return await contract_terms.cover_equipment(
                session, actor, contract_id, data, utc_now()
            )

    @post("/{contract_id:uuid}/visits/{visit_id:uuid}/assign", status_code=200)
    async def assign(
        self,
        contract_id: FromPath[uuid.UUID],
        visit_id: FromPath[uuid.UUID],
        data: JSONBody[AssignRequest],
        actor: SignedIn,
        db: Db,
    ) -> ContractDetail:
        async with db.writing() as session:
            return await contract_terms.assign_visit(
                session, actor, contract_id, visit_id, data, utc_now()
            )

    @post("/{contract_id:uuid}/activate", status_code=200)
    async def activate(
        self, contract_id: FromPath[uuid.UUID], actor: SignedIn, db: Db, settings: AppSettings
    ) -> ContractDetail:
        horizon = settings.contract_visit_horizon_days
        async with db.writing() as session:
            return await contract_terms.activate_contract(
                session, actor, contract_id, utc_now(), horizon
            )

    @post("/{contract_id:uuid}/close", status_code=200)
    async def close(
        self,
        contract_id: FromPath[uuid.UUID],
        data: JSONBody[CloseRequest],
        actor: SignedIn,
        db: Db,
    ) -> ContractDetail:
        async with db.writing() as session:
            return await contract_terms.close_contract(session, actor, contract_id, data, utc_now())

    @post("/generate-visits", status_code=200)
    async def generate(self, actor: SignedIn, db: Db, settings: AppSettings) -> GenerateOut:
        """Make the visits due up to the horizon now, as the daily run does."""
        horizon = settings.contract_visit_horizon_days
        async with db.writing() as session:
            return await contract_terms.generate_all_visits(session, actor, utc_now(), horizon)
