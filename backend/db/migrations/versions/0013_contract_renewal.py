"""Maintenance contracts: renewal and the day a contract was closed.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-05 22:59:23.187971
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from backend.db.changelog import install_change_log

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("maintenance_contracts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("renews", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("renewal_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))

    # On SQLite the triggers list the columns a change carries: made again
    # so that devices hear of the new ones.
    install_change_log(op.get_bind(), "maintenance_contracts", "maintenance_contract")


def downgrade() -> None:
    with op.batch_alter_table("maintenance_contracts", schema=None) as batch_op:
        batch_op.drop_column("closed_on")
        batch_op.drop_column("renewal_months")
        batch_op.drop_column("renews")

    install_change_log(op.get_bind(), "maintenance_contracts", "maintenance_contract")
