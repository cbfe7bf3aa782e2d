"""The demo's vouchers: a technician has one to spend, one nearly spent
and one expired to try."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from backend.aftersales.demo_vouchers import EXPIRED, NEARLY_SPENT, WITH_BALANCE
from backend.aftersales.vouchers.services import read_code, state_on
from backend.db.engine import Database
from backend.db.models import Voucher
from backend.demo import load_demo


async def test_demo_has_vouchers_in_each_state(db: Database) -> None:
    today = dt.date(2026, 12, 4)

    await load_demo(db, today)

    async with db.reading() as session:
        vouchers = {v.code: v for v in await session.scalars(sa.select(Voucher))}
    states = {code: state_on(vouchers[code], today) for code in vouchers}
    assert states == {WITH_BALANCE: "valid", NEARLY_SPENT: "valid", EXPIRED: "expired"}
    nearly = vouchers[NEARLY_SPENT]
    assert nearly.limit_cents - nearly.redeemed_cents == 500
    assert all(read_code(code) == code for code in vouchers)
