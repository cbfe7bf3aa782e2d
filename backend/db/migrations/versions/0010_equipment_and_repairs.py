"""Equipment; service orders as repairs; contract visits; checklist guards.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 22:53:47.632799
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.types
from backend.db.changelog import install_change_log

# Tables SQLite rebuilds below: their change-log triggers go with the old table.
REBUILT = (
    ("service_orders", "service_order"),
    ("checklist_templates", "checklist_template"),
    ("checklist_runs", "checklist_run"),
)

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "equipment",
        sa.Column("affair_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("serial_number", sa.String(length=80), nullable=True),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("customer_warranty_ends_on", sa.Date(), nullable=True),
        sa.Column("manufacturer_warranty_ends_on", sa.Date(), nullable=True),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_equipment_affair_id_affairs")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_equipment_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_equipment_product_id_products")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_equipment_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_equipment_external_ref")),
        sa.UniqueConstraint(
            "product_id", "serial_number", name=op.f("uq_equipment_product_id_serial_number")
        ),
    )
    with op.batch_alter_table("equipment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_equipment_affair_id"), ["affair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_equipment_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_equipment_product_id"), ["product_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_equipment_serial_number"), ["serial_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_equipment_version"), ["version"], unique=False)

    op.create_table(
        "contract_equipment",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("equipment_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["maintenance_contracts.id"],
            name=op.f("fk_contract_equipment_contract_id_maintenance_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id"],
            ["equipment.id"],
            name=op.f("fk_contract_equipment_equipment_id_equipment"),
        ),
        sa.PrimaryKeyConstraint("contract_id", "equipment_id", name=op.f("pk_contract_equipment")),
    )
    with op.batch_alter_table("contract_equipment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_equipment_equipment_id"), ["equipment_id"], unique=False
        )

    with op.batch_alter_table("checklist_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "guards_step",
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
                nullable=True,
            )
        )

    with op.batch_alter_table("checklist_templates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "guards_step",
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
                nullable=True,
            )
        )

    with op.batch_alter_table("service_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "visit",
                    "repair",
                    name="service_order_kind",
                    native_enum=False,
                    create_constraint=True,
                    length=10,
                ),
                server_default="visit",
                nullable=False,
            )
        )
        batch_op.add_column(
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
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("equipment_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("contract_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("visit_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("symptoms", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("received_at", backend.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "warranty",
                sa.Enum(
                    "customer_warranty",
                    "manufacturer_warranty",
                    "contract",
                    "chargeable",
                    name="warranty_basis",
                    native_enum=False,
                    create_constraint=True,
                    length=25,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("warranty_reason", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("diagnosis", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("repair_report", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("signature_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("signed_by", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("returned_at", backend.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_service_orders_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_orders_equipment_id"), ["equipment_id"], unique=False
        )
        batch_op.create_index(
            "uq_service_orders_contract_visit", ["contract_id", "visit_due_on"], unique=True
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_service_orders_contract_id_maintenance_contracts"),
            "maintenance_contracts",
            ["contract_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_service_orders_equipment_id_equipment"),
            "equipment",
            ["equipment_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_service_orders_signature_sha256_blobs"),
            "blobs",
            ["signature_sha256"],
            ["sha256"],
        )

    connection = op.get_bind()
    install_change_log(connection, "equipment", "equipment")
    for table, sync_type in REBUILT:
        install_change_log(connection, table, sync_type)


def downgrade() -> None:
    with op.batch_alter_table("service_orders", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_service_orders_signature_sha256_blobs"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_service_orders_equipment_id_equipment"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_service_orders_contract_id_maintenance_contracts"), type_="foreignkey"
        )
        batch_op.drop_index("uq_service_orders_contract_visit")
        batch_op.drop_index(batch_op.f("ix_service_orders_equipment_id"))
        batch_op.drop_index(batch_op.f("ix_service_orders_contract_id"))
        batch_op.drop_constraint(batch_op.f("ck_service_orders_warranty_basis"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_service_orders_repair_step"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_service_orders_service_order_kind"), type_="check")
        batch_op.drop_column("returned_at")
        batch_op.drop_column("signed_by")
        batch_op.drop_column("signature_sha256")
        batch_op.drop_column("repair_report")
        batch_op.drop_column("diagnosis")
        batch_op.drop_column("warranty_reason")
        batch_op.drop_column("warranty")
        batch_op.drop_column("received_at")
        batch_op.drop_column("symptoms")
        batch_op.drop_column("visit_due_on")
        batch_op.drop_column("contract_id")
        batch_op.drop_column("equipment_id")
        batch_op.drop_column("step")
        batch_op.drop_column("kind")

    with op.batch_alter_table("checklist_templates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_checklist_templates_repair_step"), type_="check")
        batch_op.drop_column("guards_step")

    with op.batch_alter_table("checklist_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_checklist_runs_repair_step"), type_="check")
        batch_op.drop_column("guards_step")

    with op.batch_alter_table("contract_equipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_equipment_equipment_id"))

    op.drop_table("contract_equipment")
    with op.batch_alter_table("equipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_equipment_version"))
        batch_op.drop_index(batch_op.f("ix_equipment_serial_number"))
        batch_op.drop_index(batch_op.f("ix_equipment_product_id"))
        batch_op.drop_index(batch_op.f("ix_equipment_customer_id"))
        batch_op.drop_index(batch_op.f("ix_equipment_affair_id"))

    op.drop_table("equipment")
    connection = op.get_bind()
    for table, sync_type in REBUILT:
        install_change_log(connection, table, sync_type)
