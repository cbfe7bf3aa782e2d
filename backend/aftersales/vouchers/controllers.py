"""Vouchers over HTTP: issue, list, check a code, redeem online."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.aftersales.vouchers.schemas import (
    RedeemRequest,
    VoucherIssueRequest,
    VoucherListOut,
    VoucherOut,
)
from backend.aftersales.vouchers.services import (
    LIST_LIMIT,
    Redemption,
    cancel_voucher,
    check_voucher,
    issue_voucher,
    list_vouchers,
    redeem_voucher,
)
from backend.dependencies import Db, SignedIn
from backend.lib.time import utc_now


class VoucherController(Controller):
    path = "/api/vouchers"

    @post("/", status_code=201)
    async def issue(
        self, data: JSONBody[VoucherIssueRequest], actor: SignedIn, db: Db
    ) -> VoucherOut:
        async with db.writing() as session:
            return await issue_voucher(session, actor, data)

    @get("/")
    async def index(
        self,
        actor: SignedIn,
        db: Db,
        customer_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=LIST_LIMIT)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> VoucherListOut:
        async with db.reading() as session:
            return await list_vouchers(
                session, actor, customer_id=customer_id, limit=limit, offset=offset
            )

    @get("/{code:str}")
    async def check(self, code: FromPath[str], actor: SignedIn, db: Db) -> VoucherOut:
        async with db.reading() as session:
            return await check_voucher(session, actor, code)

    @post("/{code:str}/redemptions", status_code=201)
    async def redeem(
        self, code: FromPath[str], data: JSONBody[RedeemRequest], actor: SignedIn, db: Db
    ) -> VoucherOut:
        asked = Redemption(
            id=data.redemption_id,
            code=code,
            amount_cents=data.amount_cents,
            service_order_id=data.service_order_id,
            at=utc_now(),
        )
        async with db.writing() as session:
            return await redeem_voucher(session, actor, asked)

    @post("/{code:str}/cancel", status_code=200)
    async def cancel(self, code: FromPath[str], actor: SignedIn, db: Db) -> VoucherOut:
        async with db.writing() as session:
            return await cancel_voucher(session, actor, code)
