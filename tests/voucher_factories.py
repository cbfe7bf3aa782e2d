"""Vouchers made in a line for the voucher tests."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from backend.aftersales.vouchers.services import company_day, new_code
from backend.db.engine import Database
from backend.db.models import Product, ProductKind, Voucher, VoucherRedemption
from backend.lib.time import utc_now
from sync.ids import uuid7

TODAY = company_day(utc_now())


async def voucher_product(db: Database, kind: ProductKind = ProductKind.VOUCHER) -> uuid.UUID:
    async with db.writing() as session:
        product = Product(id=uuid7(), ref=f"GIFT-{uuid.uuid4().hex[:8]}", label="Gift", kind=kind)
        session.add(product)
    return product.id


async def make_voucher(
    db: Database,
    *,
    limit_cents: int = 5000,
    issued_on: dt.date | None = None,
    valid_until: dt.date | None = None,
    cancelled: bool = False,
) -> Voucher:
    product_id = await voucher_product(db)
    async with db.writing() as session:
        voucher = Voucher(
            id=uuid7(),
            code=new_code(),
            product_id=product_id,
            issued_on=issued_on or TODAY - dt.timedelta(days=30),
            valid_until=valid_until or TODAY + dt.timedelta(days=30),
            limit_cents=limit_cents,
            redeemed_cents=0,
            cancelled_at=utc_now() if cancelled else None,
        )
        session.add(voucher)
    return voucher


async def stored_voucher(db: Database, voucher_id: uuid.UUID) -> Voucher:
    async with db.reading() as session:
        voucher = await session.get(Voucher, voucher_id)
        assert voucher is not None
        return voucher


async def redemption_count(db: Database, voucher_id: uuid.UUID) -> int:
    async with db.reading() as session:
        count = await session.scalar(
            sa.select(sa.func.count())
            .select_from(VoucherRedemption)
            .where(VoucherRedemption.voucher_id == voucher_id)
        )
    return int(count or 0)
