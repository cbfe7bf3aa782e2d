"""Maintenance contracts: renewal, the day a contract was closed, and the
technician its visits are assigned to.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 22:59:23.187971
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from backend.db.changelog import install_change_log

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("maintenance_contracts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("renews", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("renewal_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("technician_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_maintenance_contracts_technician_id_users"),
            "users",
            ["technician_id"],
            ["id"],
        )

    # On SQLite the triggers list the columns a change carries: made again
    # so that devices hear of the new ones.
    install_change_log(op.get_bind(), "maintenance_contracts", "maintenance_contract")


def downgrade() -> None:
    with op.batch_alter_table("maintenance_contracts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_maintenance_contracts_technician_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("technician_id")
        batch_op.drop_column("closed_on")
        batch_op.drop_column("renewal_months")
        batch_op.drop_column("renews")

    install_change_log(op.get_bind(), "maintenance_contracts", "maintenance_contract")
