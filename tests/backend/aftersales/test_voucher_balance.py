"""A voucher is never redeemed past its limit, even by two devices at once,
and its balance stays exact whoever writes (the database's own rules)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from backend.db.engine import Database, open_database
from backend.db.models import Voucher, VoucherRedemption
from backend.lib.time import utc_now
from sync.ids import uuid7
from tests.factories import Company
from tests.voucher_factories import TODAY, make_voucher, redemption_count, stored_voucher

REDEMPTIONS: sa.Table = VoucherRedemption.__table__  # type: ignore[assignment]


def redeem_args(code: str, amount: int) -> dict[str, Any]:
    return {"redemption_id": str(uuid7()), "code": code, "amount_cents": amount}


async def test_two_offline_devices_overspending_one_voucher_get_one_applied(
    device_of: Any, db: Database
) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    first, second = await device_of("tech"), await device_of("tech2")
    # Both made while offline; the pushes arrive at the same moment.
    first_push = first.mutation("voucher.redeem", redeem_args(voucher.code, 3000))
    second_push = second.mutation("voucher.redeem", redeem_args(voucher.code, 4000))

    answers = await asyncio.gather(first.push(first_push), second.push(second_push))

    results = [answer.json()["results"][0] for answer in answers]
    statuses = sorted(result["status"] for result in results)
    assert statuses == ["applied", "rejected"]
    refused = next(result for result in results if result["status"] == "rejected")
    applied_amount = 3000 if results[0]["status"] == "applied" else 4000
    assert refused["code"] == "voucher_over_limit"
    assert refused["details"]["balance_cents"] == 5000 - applied_amount
    assert (await stored_voucher(db, voucher.id)).redeemed_cents == applied_amount
    assert await redemption_count(db, voucher.id) == 1


async def test_many_devices_at_once_never_overspend(device_of: Any, db: Database) -> None:
    voucher = await make_voucher(db, limit_cents=10_000)
    devices = [await device_of(key) for key in ("tech", "tech2", "supervisor", "manager") * 2]
    pushes = [
        device.push(device.mutation("voucher.redeem", redeem_args(voucher.code, 3000)))
        for device in devices
    ]

    answers = await asyncio.gather(*pushes)

    statuses = [answer.json()["results"][0]["status"] for answer in answers]
    assert statuses.count("applied") == 3
    assert statuses.count("rejected") == 5
    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 9000


async def test_two_online_redemptions_at_once_get_one_through(device_of: Any, db: Database) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    first, second = await device_of("tech"), await device_of("tech2")

    def redeem(device: Any, amount: int) -> Any:
        body = {"redemption_id": str(uuid7()), "amount_cents": amount}
        return device.client.post(f"/api/vouchers/{voucher.code}/redemptions", json=body)

    answers = await asyncio.gather(redeem(first, 3000), redeem(second, 3000))

    assert sorted(answer.status_code for answer in answers) == [201, 422]
    refused = next(answer for answer in answers if answer.status_code == 422)
    assert refused.json()["code"] == "voucher_over_limit"
    assert refused.json()["details"]["balance_cents"] == 2000
    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 3000


# --- the database's own rules ----------------------------------------------------


def redemption_row(
    voucher: Voucher, company: Company, amount: int, day: dt.date = TODAY
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "voucher_id": voucher.id,
        "amount_cents": amount,
        "redeemed_on": day,
        "redeemed_at": utc_now(),
        "by_id": company.users["tech"],
    }


async def write_directly(db: Database, statement: Any, values: Any = None) -> None:
    async with db.writing() as session:
        await session.execute(statement, values)


async def test_a_direct_insert_past_the_limit_fails(db: Database, company: Company) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    await write_directly(db, REDEMPTIONS.insert(), redemption_row(voucher, company, 4000))

    with pytest.raises(IntegrityError, match=r"voucher_over_limit|within_limit"):
        await write_directly(db, REDEMPTIONS.insert(), redemption_row(voucher, company, 1001))

    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 4000
    assert await redemption_count(db, voucher.id) == 1


async def test_two_direct_inserts_at_once_cannot_overspend(
    db: Database, database_url: str, company: Company
) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    writers = open_database(database_url)

    async def insert(amount: int) -> bool:
        try:
            async with writers.writing() as session:
                await session.execute(
                    REDEMPTIONS.insert(), redemption_row(voucher, company, amount)
                )
                # Hold the transaction open, so the other one runs meanwhile.
                await asyncio.sleep(0.05)
        except IntegrityError:
            return False
        return True

    try:
        outcomes = await asyncio.gather(insert(3000), insert(3000))
    finally:
        await writers.dispose()

    assert sorted(outcomes) == [False, True]
    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 3000


@pytest.mark.parametrize(
    ("options", "day", "reason"),
    [
        ({"valid_until": TODAY}, TODAY + dt.timedelta(days=1), "voucher_not_valid"),
        ({"issued_on": TODAY}, TODAY - dt.timedelta(days=1), "voucher_not_valid"),
        ({"cancelled": True}, TODAY, "voucher_cancelled"),
    ],
)
async def test_a_direct_insert_outside_the_validity_fails(
    db: Database, company: Company, options: dict[str, Any], day: dt.date, reason: str
) -> None:
    voucher = await make_voucher(db, **options)

    with pytest.raises(IntegrityError, match=reason):
        await write_directly(db, REDEMPTIONS.insert(), redemption_row(voucher, company, 100, day))

    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 0


async def test_a_tombstoned_redemption_gives_its_amount_back(
    db: Database, company: Company
) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    row = redemption_row(voucher, company, 3000)
    await write_directly(db, REDEMPTIONS.insert(), row)

    await write_directly(
        db, REDEMPTIONS.update().where(REDEMPTIONS.c.id == row["id"]).values(deleted_at=utc_now())
    )
    after_tombstone = (await stored_voucher(db, voucher.id)).redeemed_cents
    await write_directly(
        db, REDEMPTIONS.update().where(REDEMPTIONS.c.id == row["id"]).values(deleted_at=None)
    )

    assert after_tombstone == 0
    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 3000


async def test_the_balance_cannot_be_written_by_hand(db: Database, company: Company) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    row = redemption_row(voucher, company, 1000)
    await write_directly(db, REDEMPTIONS.insert(), row)

    with pytest.raises(IntegrityError, match="voucher_balance"):
        await write_directly(
            db, sa.update(Voucher).where(Voucher.id == voucher.id).values(redeemed_cents=0)
        )
    with pytest.raises(IntegrityError, match="voucher_redemption_fixed"):
        await write_directly(
            db, REDEMPTIONS.update().where(REDEMPTIONS.c.id == row["id"]).values(amount_cents=1)
        )

    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 1000
