"""Repairs: the history of their steps and the photos taken at intake.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 22:58:48.729043
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.types
from backend.db.changelog import install_change_log

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_order_photos",
        sa.Column("service_order_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("taken_by_id", sa.Uuid(), nullable=False),
        sa.Column("taken_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_order_id"],
            ["service_orders.id"],
            name=op.f("fk_service_order_photos_service_order_id_service_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_service_order_photos_sha256_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"], ["users.id"], name=op.f("fk_service_order_photos_taken_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_order_photos")),
    )
    with op.batch_alter_table("service_order_photos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_order_photos_service_order_id"),
            ["service_order_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_service_order_photos_sha256"), ["sha256"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_order_photos_version"), ["version"], unique=False
        )

    op.create_table(
        "service_order_steps",
        sa.Column("service_order_id", sa.Uuid(), nullable=False),
        sa.Column(
            "step",
            sa.Enum(
                "intake",
                "diagnosis",
                "repair",
                "quality_check",
                "ready",
                "returned",
                name="repair_step",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("by_id", sa.Uuid(), nullable=False),
        sa.Column("at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_service_order_steps_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["service_order_id"],
            ["service_orders.id"],
            name=op.f("fk_service_order_steps_service_order_id_service_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_order_steps")),
    )
    with op.batch_alter_table("service_order_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_order_steps_service_order_id"),
            ["service_order_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_service_order_steps_version"), ["version"], unique=False
        )

    connection = op.get_bind()
    install_change_log(connection, "service_order_photos", "service_order_photo")
    install_change_log(connection, "service_order_steps", "service_order_step")


def downgrade() -> None:
    with op.batch_alter_table("service_order_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_order_steps_version"))
        batch_op.drop_index(batch_op.f("ix_service_order_steps_service_order_id"))

    op.drop_table("service_order_steps")
    with op.batch_alter_table("service_order_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_order_photos_version"))
        batch_op.drop_index(batch_op.f("ix_service_order_photos_sha256"))
        batch_op.drop_index(batch_op.f("ix_service_order_photos_service_order_id"))

    op.drop_table("service_order_photos")
