"""Wire types of vouchers (the redeeming mutator's args included)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

# A voucher is worth at most this much: ten million euros leaves room for
# any gift card and keeps sums far from overflowing.
MAX_VOUCHER_CENTS = 1_000_000_000
Cents = Annotated[int, Meta(ge=1, le=MAX_VOUCHER_CENTS)]
# A code as a person types it: spaces, dashes and small letters are allowed
# (``abcd efgh ...``); the service reads it into its stored form.
CodeText = Annotated[str, Meta(min_length=1, max_length=40)]
VoucherState = Literal["valid", "not_yet_valid", "expired", "cancelled", "spent"]


class VoucherIssueRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Issue a voucher of a ``voucher`` product. ``issued_on`` defaults to
    the company's today; the code is made by the server."""

    product_id: uuid.UUID
    limit_cents: Cents
    valid_until: dt.date
    issued_on: dt.date | None = None
    customer_id: uuid.UUID | None = None
    affair_id: uuid.UUID | None = None


class RedeemRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Redeem online. ``redemption_id`` is made by the caller: sent twice,
    the amount is taken once."""

    redemption_id: uuid.UUID
    amount_cents: Cents
    service_order_id: uuid.UUID | None = None


class VoucherRedeemArgs(msgspec.Struct, forbid_unknown_fields=True):
    """Args of ``voucher.redeem`` (PROTOCOL.md, Mutators)."""

    redemption_id: uuid.UUID
    code: CodeText
    amount_cents: Cents
    service_order_id: uuid.UUID | None = None


class RedemptionOut(msgspec.Struct):
    id: uuid.UUID
    amount_cents: int
    redeemed_on: dt.date
    redeemed_at: dt.datetime
    by_id: uuid.UUID
    service_order_id: uuid.UUID | None


class VoucherOut(msgspec.Struct):
    """A voucher as a screen shows it: its state on the company's today and
    what is left on it."""

    id: uuid.UUID
    code: str
    product_id: uuid.UUID
    customer_id: uuid.UUID | None
    affair_id: uuid.UUID | None
    issued_on: dt.date
    valid_until: dt.date
    limit_cents: int
    redeemed_cents: int
    balance_cents: int
    state: VoucherState
    redemptions: list[RedemptionOut] | None = None


class VoucherListOut(msgspec.Struct):
    items: list[VoucherOut]
    total: int
