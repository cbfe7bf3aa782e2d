"""Purged tombstones and the horizon of device cursors.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 19:22:34.072461
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "purged_entities",
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("purged_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_purged_entities")),
    )
    op.create_table(
        "sync_horizon",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("purged_through", sa.BigInteger(), nullable=False),
        sa.Column("purged_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_horizon")),
    )
    op.execute(sa.text("INSERT INTO sync_horizon (id, purged_through) VALUES (1, 0)"))


def downgrade() -> None:
    op.drop_table("sync_horizon")
    op.drop_table("purged_entities")
