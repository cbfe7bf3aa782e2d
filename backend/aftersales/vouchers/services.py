"""Vouchers: the rules of issuing, checking and redeeming them.

A redemption is decided on the company's calendar day it was made (for a
device, the time of the change, corrected by the device's clock offset),
and under the writers' lock: two devices redeeming one voucher at once
are decided one after the other, the second one reading what the first
left. Refusals (``Rejected``) carry the balance left, so the person who
was refused knows what the voucher still pays. The database's triggers
(``backend.db.voucher_balance``) hold the same rules for every writer.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access import policy
from backend.access.actors import Actor
from backend.aftersales.vouchers.schemas import (
    RedemptionOut,
    VoucherIssueRequest,
    VoucherListOut,
    VoucherOut,
    VoucherState,
)
from backend.db.models import (
    Affair,
    Customer,
    Product,
    ProductKind,
    ServiceOrder,
    ServiceOrderStatus,
    Voucher,
    VoucherRedemption,
)
from backend.db.voucher_balance import balance_refusal
from backend.lib.errors import Forbidden, InvalidInput, NotFound, RuleBroken
from backend.lib.time import DAY_OUT_OF_RANGE, day_outside, utc_now, zone
from backend.offline.blobs import take_change_lock
from sync.ids import uuid7
from sync.outcomes import DUPLICATE_ID, Conflicted, Rejected

logger = structlog.get_logger()

# Letters and digits that cannot be misread for one another (no 0/O,
# 1/I/L): a code is read aloud on the phone and typed from a paper card.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 4
CODE_GROUP_SIZE = 4
CODE_LENGTH = CODE_GROUPS * CODE_GROUP_SIZE
# 31^16 codes: a clash is unheard of, but costs only a new draw.
CODE_DRAWS = 5
LIST_LIMIT = 200

REDEMPTION_TABLE: sa.Table = VoucherRedemption.__table__  # type: ignore[assignment]


def new_code() -> str:
    """A fresh random code: ``ABCD-EF23-GH45-JK67``."""
    drawn = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return _grouped(drawn)


def _grouped(characters: str) -> str:
    size = CODE_GROUP_SIZE
    return "-".join(characters[at : at + size] for at in range(0, CODE_LENGTH, size))


def read_code(text: str) -> str | None:
    """A code as typed (any case, spaces or dashes anywhere) in its stored
    form; None when it cannot be one of ours."""
    if len(text) > 40:
        return None
    characters = "".join(text.split()).replace("-", "").upper()
    if len(characters) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in characters):
        return None
    return _grouped(characters)


def company_day(instant: dt.datetime) -> dt.date:
    """The company's calendar day of an instant: what validity is read on."""
    return instant.astimezone(zone(None)).date()


def state_on(voucher: Voucher, day: dt.date) -> VoucherState:
    if voucher.cancelled_at is not None:
        return "cancelled"
    if day < voucher.issued_on:
        return "not_yet_valid"
    if day > voucher.valid_until:
        return "expired"
    if voucher.redeemed_cents >= voucher.limit_cents:
        return "spent"
    return "valid"


def refusal(voucher: Voucher, amount_cents: int, day: dt.date) -> Rejected | None:
    """Why ``amount_cents`` cannot be redeemed from ``voucher`` on ``day``,
    or None when it can. The details say what is left and until when."""
    balance = voucher.limit_cents - voucher.redeemed_cents
    details = {
        "voucher_code": voucher.code,
        "balance_cents": balance,
        "issued_on": voucher.issued_on.isoformat(),
        "valid_until": voucher.valid_until.isoformat(),
    }
    if voucher.cancelled_at is not None:
        return Rejected("voucher_cancelled", **details)
    if day < voucher.issued_on:
        return Rejected("voucher_not_yet_valid", **details)
    if day > voucher.valid_until:
        return Rejected("voucher_expired", **details)
    if amount_cents > balance:
        return Rejected("voucher_over_limit", amount_cents=amount_cents, **details)
    return None


def voucher_out(
    voucher: Voucher, today: dt.date, redemptions: list[VoucherRedemption] | None = None
) -> VoucherOut:
    return VoucherOut(
        id=voucher.id,
        code=voucher.code,
        product_id=voucher.product_id,
        customer_id=voucher.customer_id,
        affair_id=voucher.affair_id,
        issued_on=voucher.issued_on,
        valid_until=voucher.valid_until,
        limit_cents=voucher.limit_cents,
        redeemed_cents=voucher.redeemed_cents,
        balance_cents=voucher.limit_cents - voucher.redeemed_cents,
        state=state_on(voucher, today),
        redemptions=None
        if redemptions is None
        else [
            RedemptionOut(
                id=row.id,
                amount_cents=row.amount_cents,
                redeemed_on=row.redeemed_on,
                redeemed_at=row.redeemed_at,
                by_id=row.by_id,
                service_order_id=row.service_order_id,
            )
            for row in redemptions
        ],
    )


async def _check_references(
    session: AsyncSession, actor: Actor, request: VoucherIssueRequest
) -> None:
    product = await session.get(Product, request.product_id)
    if product is None or product.deleted_at is not None:
        raise NotFound("not_found", field="product_id")
    if product.kind != ProductKind.VOUCHER:
        raise RuleBroken("not_a_voucher_product", code="not_a_voucher_product", field="product_id")
    if request.customer_id is not None:
        customer = await session.get(Customer, request.customer_id)
        if customer is None or customer.deleted_at is not None:
            raise NotFound("not_found", field="customer_id")
    if request.affair_id is not None:
        affair = await session.scalar(
            sa.select(Affair.id).where(
                Affair.id == request.affair_id,
                Affair.deleted_at.is_(None),
                policy.visible_affairs(actor),
            )
        )
        if affair is None:
            raise NotFound("not_found", field="affair_id")


async def issue_voucher(
    session: AsyncSession, actor: Actor, request: VoucherIssueRequest
) -> VoucherOut:
    """A new voucher with a fresh code, nothing redeemed yet."""
    if not policy.issues_vouchers(actor):
        raise Forbidden()
    today = company_day(utc_now())
    issued_on = request.issued_on or today
    for name, day in (("issued_on", issued_on), ("valid_until", request.valid_until)):
        if day_outside(day):
            raise InvalidInput("invalid_input", field=name, reason=DAY_OUT_OF_RANGE)
    if request.valid_until < issued_on:
        raise InvalidInput(
            "invalid_input", field="valid_until", reason="the end is before the start"
        )
    await _check_references(session, actor, request)

    for _ in range(CODE_DRAWS):
        voucher = Voucher(
            id=uuid7(),
            code=new_code(),
            product_id=request.product_id,
            customer_id=request.customer_id,
            affair_id=request.affair_id,
            issued_on=issued_on,
            valid_until=request.valid_until,
            limit_cents=request.limit_cents,
            redeemed_cents=0,
            issued_by_id=actor.id,
        )
        taken = await session.scalar(sa.select(Voucher.id).where(Voucher.code == voucher.code))
        if taken is None:
            break
    else:  # pragma: no cover - 31^16 codes
        raise RuleBroken("no_free_code", code="no_free_code")
    session.add(voucher)
    await session.flush()

    logger.info("voucher.issued", voucher=str(voucher.id), by=str(actor.id))
    return voucher_out(voucher, today, [])


async def cancel_voucher(session: AsyncSession, actor: Actor, code: str) -> VoucherOut:
    """Stop a voucher from paying anything more (lost, refunded). What was
    redeemed stays redeemed; cancelling twice changes nothing."""
    if not policy.issues_vouchers(actor):
        raise Forbidden()
    voucher = await _voucher_of_code(session, code)
    if voucher is None:
        raise NotFound("voucher_unknown", code="voucher_unknown", field="code")
    if voucher.cancelled_at is None:
        voucher.cancelled_at = utc_now()
        await session.flush()
        logger.info("voucher.cancelled", voucher=str(voucher.id), by=str(actor.id))
    return voucher_out(voucher, company_day(utc_now()))


async def _voucher_of_code(session: AsyncSession, code: str) -> Voucher | None:
    stored = read_code(code)
    if stored is None:
        return None
    return await session.scalar(
        sa.select(Voucher)
        .where(Voucher.code == stored, Voucher.deleted_at.is_(None))
        .execution_options(populate_existing=True)
    )


async def _redemptions(session: AsyncSession, voucher_id: uuid.UUID) -> list[VoucherRedemption]:
    rows = await session.scalars(
        sa.select(VoucherRedemption)
        .where(VoucherRedemption.voucher_id == voucher_id, VoucherRedemption.deleted_at.is_(None))
        .order_by(VoucherRedemption.redeemed_at, VoucherRedemption.id)
    )
    return list(rows)


async def check_voucher(session: AsyncSession, actor: Actor, code: str) -> VoucherOut:
    """A voucher by its code, with its balance, state and redemptions."""
    if not policy.checks_voucher_codes(actor):
        raise Forbidden()
    voucher = await _voucher_of_code(session, code)
    if voucher is None:
        raise NotFound("voucher_unknown", code="voucher_unknown", field="code")
    return voucher_out(voucher, company_day(utc_now()), await _redemptions(session, voucher.id))


async def list_vouchers(
    session: AsyncSession,
    actor: Actor,
    *,
    customer_id: uuid.UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> VoucherListOut:
    """The vouchers, newest first, for those who may read them all."""
    if not policy.reads_vouchers(actor):
        raise Forbidden()
    conditions = [Voucher.deleted_at.is_(None), policy.visible_vouchers(actor)]
    if customer_id is not None:
        conditions.append(Voucher.customer_id == customer_id)
    total = await session.scalar(sa.select(sa.func.count()).select_from(Voucher).where(*conditions))
    rows = await session.scalars(
        sa.select(Voucher)
        .where(*conditions)
        .order_by(Voucher.issued_on.desc(), Voucher.code)
        .limit(min(limit, LIST_LIMIT))
        .offset(offset)
    )
    today = company_day(utc_now())
    return VoucherListOut(items=[voucher_out(row, today) for row in rows], total=int(total or 0))


@dataclass(frozen=True)
class Redemption:
    """A redemption asked for, online or from a device's outbox."""

    id: uuid.UUID
    code: str
    amount_cents: int
    service_order_id: uuid.UUID | None
    # When it was made: the server's now online, the device's corrected time offline.
    at: dt.datetime


async def redeem_voucher(session: AsyncSession, actor: Actor, asked: Redemption) -> VoucherOut:
    """Take ``asked.amount_cents`` from the voucher, or refuse with the reason.

    The same redemption id sent again changes nothing (the voucher as it
    is now is answered); another redemption under a used id is a
    ``duplicate_id`` conflict. Refusals (``Rejected``): ``voucher_unknown``,
    ``voucher_cancelled``, ``voucher_not_yet_valid``, ``voucher_expired``,
    ``voucher_over_limit``, each with the balance left.
    """
    if not policy.redeems_vouchers(actor):
        raise Forbidden()
    # Decided one at a time: what an earlier redemption left is read here.
    await take_change_lock(session)
    voucher = await _voucher_of_code(session, asked.code)
    stored = await session.get(VoucherRedemption, asked.id, populate_existing=True)
    if stored is not None:
        return _resent(voucher, stored, asked)
    if voucher is None:
        raise Rejected("voucher_unknown", voucher_code=asked.code[:40])
    if asked.service_order_id is not None:
        await _check_order(session, actor, asked.service_order_id, voucher)

    day = company_day(asked.at)
    refused = refusal(voucher, asked.amount_cents, day)
    if refused is not None:
        logger.info("voucher.refused", voucher=str(voucher.id), reason=refused.code)
        raise refused
    await _insert(session, voucher, asked, actor, day)

    logger.info("voucher.redeemed", voucher=str(voucher.id), redemption=str(asked.id))
    await session.refresh(voucher)
    return voucher_out(voucher, company_day(utc_now()))


def _resent(voucher: Voucher | None, stored: VoucherRedemption, asked: Redemption) -> VoucherOut:
    same = (
        voucher is not None
        and stored.voucher_id == voucher.id
        and stored.amount_cents == asked.amount_cents
        and stored.service_order_id == asked.service_order_id
    )
    if voucher is None or not same:
        raise Conflicted(
            kind=DUPLICATE_ID,
            entity_type="voucher_redemption",
            entity_id=asked.id,
            code=DUPLICATE_ID,
            device_value={"code": asked.code, "amount_cents": asked.amount_cents},
        )
    return voucher_out(voucher, company_day(utc_now()))


async def _check_order(
    session: AsyncSession, actor: Actor, order_id: uuid.UUID, voucher: Voucher
) -> None:
    """A voucher pays for an order the person sees, still open to payment,
    of the customer the voucher was issued to (when it names one)."""
    order = (
        await session.execute(
            sa.select(ServiceOrder.status, ServiceOrder.customer_id).where(
                ServiceOrder.id == order_id,
                ServiceOrder.deleted_at.is_(None),
                policy.visible_service_orders(actor),
            )
        )
    ).first()
    if order is None:
        raise Rejected("not_found", field="service_order_id")
    status, customer_id = order
    if status in (ServiceOrderStatus.CLOSED, ServiceOrderStatus.CANCELLED):
        raise Rejected("voucher_order_closed", status=status.value)
    if voucher.customer_id is not None and customer_id != voucher.customer_id:
        raise Rejected("voucher_of_another_customer")


async def _insert(
    session: AsyncSession, voucher: Voucher, asked: Redemption, actor: Actor, day: dt.date
) -> None:
    """Write the redemption; should the database's rules refuse it still
    (a writer that took no lock), the refusal is said as the services say it."""
    try:
        async with session.begin_nested():
            await session.execute(
                REDEMPTION_TABLE.insert(),
                {
                    "id": asked.id,
                    "voucher_id": voucher.id,
                    "amount_cents": asked.amount_cents,
                    "redeemed_on": day,
                    "redeemed_at": asked.at,
                    "by_id": actor.id,
                    "service_order_id": asked.service_order_id,
                },
            )
    except IntegrityError as exc:
        code = balance_refusal(exc)
        if code is None:
            raise
        await session.refresh(voucher)
        raise refusal(voucher, asked.amount_cents, day) or Rejected(code) from exc
