"""The demo's vouchers: one to spend, one nearly spent, one expired.

Their codes are fixed, so the README and a person trying the app can type
them: each is made of the letters and digits a code may hold.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Product,
    ProductKind,
    Role,
    User,
    Voucher,
    VoucherRedemption,
)
from sync.ids import derived_id

WITH_BALANCE = "HEAT-PUMP-GAME-2345"
NEARLY_SPENT = "WARM-HAND-NEAR-7789"
EXPIRED = "PAST-DATE-SEEN-3456"


def _id(*parts: object) -> uuid.UUID:
    return derived_id("demo_voucher", *parts)


async def load_demo_vouchers(session: AsyncSession, today: dt.date) -> None:
    """A gift card product and three of its vouchers, valid around ``today``,
    issued to no customer in particular."""
    technician_id = await session.scalar(
        sa.select(User.id).where(User.role == Role.TECHNICIAN).order_by(User.email).limit(1)
    )
    product = Product(
        id=_id("product"),
        ref="GIFT-CARD",
        label="Gift card",
        kind=ProductKind.VOUCHER,
        price_cents=None,
    )
    session.add(product)
    await session.flush()

    year_ago = today - dt.timedelta(days=365)
    vouchers = [
        (WITH_BALANCE, 20_000, today - dt.timedelta(days=20), today + dt.timedelta(days=345)),
        (NEARLY_SPENT, 5_000, today - dt.timedelta(days=60), today + dt.timedelta(days=305)),
        (EXPIRED, 10_000, year_ago, today - dt.timedelta(days=1)),
    ]
    for code, limit, issued_on, valid_until in vouchers:
        session.add(
            Voucher(
                id=_id(code),
                code=code,
                product_id=product.id,
                # Gift cards: whoever holds one spends it, on any visit.
                issued_on=issued_on,
                valid_until=valid_until,
                limit_cents=limit,
                redeemed_cents=0,
            )
        )
    await session.flush()

    # 45 of the 50 euros were spent ten days ago: 5 are left.
    if technician_id is not None:
        spent_on = today - dt.timedelta(days=10)
        session.add(
            VoucherRedemption(
                id=_id(NEARLY_SPENT, "redemption"),
                voucher_id=_id(NEARLY_SPENT),
                amount_cents=4_500,
                redeemed_on=spent_on,
                redeemed_at=dt.datetime.combine(spent_on, dt.time(10, 0), tzinfo=dt.UTC),
                by_id=technician_id,
            )
        )
        await session.flush()
