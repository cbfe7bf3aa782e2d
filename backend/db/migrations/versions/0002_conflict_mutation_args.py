"""Keep the args of the mutation a conflict came from, to replay it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from backend.db.changelog import install_change_log

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("conflicts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mutation_args", JSON_DOCUMENT, nullable=True))
    # SQLite's triggers list the columns they copy; batch mode also rebuilt
    # the table, which drops its triggers.
    install_change_log(op.get_bind(), "conflicts", "conflict")


def downgrade() -> None:
    with op.batch_alter_table("conflicts", schema=None) as batch_op:
        batch_op.drop_column("mutation_args")
    install_change_log(op.get_bind(), "conflicts", "conflict")
