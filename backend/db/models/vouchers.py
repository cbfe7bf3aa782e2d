"""Vouchers (gift cards and the like) and what was paid with them.

The balance is kept by the database itself (``backend.db.voucher_balance``):
each live redemption is added to its voucher's ``redeemed_cents``, and a
redemption past the limit, outside the validity or on a cancelled voucher
is refused whoever writes it.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, Synced


class Voucher(Synced, Base):
    """A voucher sold or given to a customer, worth up to ``limit_cents``
    from ``issued_on`` to ``valid_until`` (both days included)."""

    __tablename__ = "vouchers"
    __table_args__ = (
        sa.CheckConstraint("limit_cents > 0", name="limit_positive"),
        sa.CheckConstraint(
            "redeemed_cents >= 0 AND redeemed_cents <= limit_cents", name="within_limit"
        ),
        sa.CheckConstraint("valid_until >= issued_on", name="validity_ordered"),
    )
    sync_type = "voucher"

    # Made by the server, read aloud and typed: ``ABCD-EF23-GH45-JK67``.
    code: Mapped[str] = mapped_column(sa.String(19), unique=True)
    product_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("products.id"), index=True)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("customers.id"), index=True, default=None
    )
    affair_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("affairs.id"), index=True, default=None
    )
    issued_on: Mapped[dt.date]
    valid_until: Mapped[dt.date]
    limit_cents: Mapped[int] = mapped_column(sa.BigInteger)
    # Written by the database's triggers only: the sum of live redemptions.
    redeemed_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    issued_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"), default=None)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class VoucherRedemption(Synced, Base):
    """An amount paid with a voucher. Its id is the device's, so a resend
    is recognised; redemptions are only added (a tombstone gives the
    amount back to the voucher)."""

    __tablename__ = "voucher_redemptions"
    __table_args__ = (sa.CheckConstraint("amount_cents > 0", name="amount_positive"),)
    sync_type = "voucher_redemption"

    voucher_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("vouchers.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    # The company's calendar day of the redemption: what validity is read on.
    redeemed_on: Mapped[dt.date]
    # Corrected device time of the redemption.
    redeemed_at: Mapped[dt.datetime]
    by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    service_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("service_orders.id"), index=True, default=None
    )
