"""Vouchers and their redemptions, the balance kept by the database.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 23:00:21.626577
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.types
from backend.db.changelog import install_change_log
from backend.db.voucher_balance import drop_voucher_balance, install_voucher_balance

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vouchers",
        sa.Column("code", sa.String(length=19), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("affair_id", sa.Uuid(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("limit_cents", sa.BigInteger(), nullable=False),
        sa.Column("redeemed_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("issued_by_id", sa.Uuid(), nullable=True),
        sa.Column("cancelled_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("limit_cents > 0", name=op.f("ck_vouchers_limit_positive")),
        sa.CheckConstraint(
            "redeemed_cents >= 0 AND redeemed_cents <= limit_cents",
            name=op.f("ck_vouchers_within_limit"),
        ),
        sa.CheckConstraint("valid_until >= issued_on", name=op.f("ck_vouchers_validity_ordered")),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_vouchers_affair_id_affairs")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_vouchers_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_vouchers_issued_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_vouchers_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vouchers")),
        sa.UniqueConstraint("code", name=op.f("uq_vouchers_code")),
    )
    with op.batch_alter_table("vouchers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vouchers_affair_id"), ["affair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vouchers_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vouchers_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vouchers_version"), ["version"], unique=False)

    op.create_table(
        "voucher_redemptions",
        sa.Column("voucher_id", sa.Uuid(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("redeemed_on", sa.Date(), nullable=False),
        sa.Column("redeemed_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Uuid(), nullable=False),
        sa.Column("service_order_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_voucher_redemptions_amount_positive")),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_voucher_redemptions_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["service_order_id"],
            ["service_orders.id"],
            name=op.f("fk_voucher_redemptions_service_order_id_service_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"], ["vouchers.id"], name=op.f("fk_voucher_redemptions_voucher_id_vouchers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_redemptions")),
    )
    with op.batch_alter_table("voucher_redemptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voucher_redemptions_by_id"), ["by_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_voucher_redemptions_service_order_id"),
            ["service_order_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_voucher_redemptions_version"), ["version"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_voucher_redemptions_voucher_id"), ["voucher_id"], unique=False
        )

    connection = op.get_bind()
    install_change_log(connection, "vouchers", "voucher")
    install_change_log(connection, "voucher_redemptions", "voucher_redemption")
    install_voucher_balance(connection)


def downgrade() -> None:
    drop_voucher_balance(op.get_bind())
    with op.batch_alter_table("voucher_redemptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voucher_redemptions_voucher_id"))
        batch_op.drop_index(batch_op.f("ix_voucher_redemptions_version"))
        batch_op.drop_index(batch_op.f("ix_voucher_redemptions_service_order_id"))
        batch_op.drop_index(batch_op.f("ix_voucher_redemptions_by_id"))

    op.drop_table("voucher_redemptions")
    with op.batch_alter_table("vouchers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vouchers_version"))
        batch_op.drop_index(batch_op.f("ix_vouchers_product_id"))
        batch_op.drop_index(batch_op.f("ix_vouchers_customer_id"))
        batch_op.drop_index(batch_op.f("ix_vouchers_affair_id"))

    op.drop_table("vouchers")
