"""What a machine is made of over time, its files, parts used on orders.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 22:59:01.056759
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.types
from backend.db.changelog import install_change_log

NEW_SYNCED = (
    ("equipment_parts", "equipment_part"),
    ("equipment_files", "equipment_file"),
    ("service_order_parts", "service_order_part"),
)

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "equipment_files",
        sa.Column("equipment_id", sa.Uuid(), nullable=False),
        sa.Column("affair_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "photo",
                "document",
                name="equipment_file_kind",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("added_by_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_equipment_files_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_equipment_files_affair_id_affairs")
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id"],
            ["equipment.id"],
            name=op.f("fk_equipment_files_equipment_id_equipment"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_equipment_files_sha256_blobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_files")),
    )
    with op.batch_alter_table("equipment_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_equipment_files_affair_id"), ["affair_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_equipment_files_equipment_id"), ["equipment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_equipment_files_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_equipment_files_version"), ["version"], unique=False)

    op.create_table(
        "equipment_parts",
        sa.Column("equipment_id", sa.Uuid(), nullable=False),
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.Column("affair_id", sa.Uuid(), nullable=False),
        sa.Column("fitted_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fitted_order_id", sa.Uuid(), nullable=True),
        sa.Column("removed_order_id", sa.Uuid(), nullable=True),
        sa.Column("fitted_by_id", sa.Uuid(), nullable=True),
        sa.Column("removed_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_equipment_parts_affair_id_affairs")
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id"],
            ["equipment.id"],
            name=op.f("fk_equipment_parts_equipment_id_equipment"),
        ),
        sa.ForeignKeyConstraint(
            ["fitted_by_id"], ["users.id"], name=op.f("fk_equipment_parts_fitted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["fitted_order_id"],
            ["service_orders.id"],
            name=op.f("fk_equipment_parts_fitted_order_id_service_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["equipment.id"], name=op.f("fk_equipment_parts_part_id_equipment")
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"], ["users.id"], name=op.f("fk_equipment_parts_removed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["removed_order_id"],
            ["service_orders.id"],
            name=op.f("fk_equipment_parts_removed_order_id_service_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_parts")),
    )
    with op.batch_alter_table("equipment_parts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_equipment_parts_affair_id"), ["affair_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_equipment_parts_equipment_id"), ["equipment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_equipment_parts_part_id"), ["part_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_equipment_parts_version"), ["version"], unique=False)
        batch_op.create_index(
            "uq_equipment_parts_fitted_once",
            ["part_id"],
            unique=True,
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        )

    op.create_table(
        "service_order_parts",
        sa.Column("service_order_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("serial_number", sa.String(length=80), nullable=True),
        sa.Column(
            "action",
            sa.Enum(
                "fit",
                "remove",
                "use",
                name="part_action",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("used_by_id", sa.Uuid(), nullable=False),
        sa.Column("used_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_service_order_parts_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["service_order_id"],
            ["service_orders.id"],
            name=op.f("fk_service_order_parts_service_order_id_service_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["used_by_id"], ["users.id"], name=op.f("fk_service_order_parts_used_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_order_parts")),
    )
    with op.batch_alter_table("service_order_parts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_order_parts_service_order_id"),
            ["service_order_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_service_order_parts_version"), ["version"], unique=False
        )

    connection = op.get_bind()
    for table, sync_type in NEW_SYNCED:
        install_change_log(connection, table, sync_type)


def downgrade() -> None:
    with op.batch_alter_table("service_order_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_order_parts_version"))
        batch_op.drop_index(batch_op.f("ix_service_order_parts_service_order_id"))

    op.drop_table("service_order_parts")
    with op.batch_alter_table("equipment_parts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_equipment_parts_fitted_once",
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_equipment_parts_version"))
        batch_op.drop_index(batch_op.f("ix_equipment_parts_part_id"))
        batch_op.drop_index(batch_op.f("ix_equipment_parts_equipment_id"))
        batch_op.drop_index(batch_op.f("ix_equipment_parts_affair_id"))

    op.drop_table("equipment_parts")
    with op.batch_alter_table("equipment_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_equipment_files_version"))
        batch_op.drop_index(batch_op.f("ix_equipment_files_sha256"))
        batch_op.drop_index(batch_op.f("ix_equipment_files_equipment_id"))
        batch_op.drop_index(batch_op.f("ix_equipment_files_affair_id"))

    op.drop_table("equipment_files")
