"""Quality tracking: the non-conformities found by checklist answers.

A plain table, read by the office only (no device holds it): no change-log
triggers. Nothing here rebuilds an existing table.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 22:58:47.483069
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import backend.db.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nonconformities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("item_key", sa.String(length=60), nullable=False),
        sa.Column("affair_id", sa.Uuid(), nullable=False),
        sa.Column("service_order_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("technician_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "out_of_bounds",
                "failed",
                name="nonconformity_kind",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("found_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action_id", sa.Uuid(), nullable=False),
        sa.Column("cleared_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_nonconformities_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_nonconformities_affair_id_affairs")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_nonconformities_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_nonconformities_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["checklist_runs.id"], name=op.f("fk_nonconformities_run_id_checklist_runs")
        ),
        sa.ForeignKeyConstraint(
            ["service_order_id"],
            ["service_orders.id"],
            name=op.f("fk_nonconformities_service_order_id_service_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"], ["users.id"], name=op.f("fk_nonconformities_technician_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nonconformities")),
        sa.UniqueConstraint("run_id", "item_key", name=op.f("uq_nonconformities_run_id_item_key")),
    )
    with op.batch_alter_table("nonconformities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nonconformities_affair_id"), ["affair_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nonconformities_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nonconformities_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nonconformities_technician_id"), ["technician_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("nonconformities")
