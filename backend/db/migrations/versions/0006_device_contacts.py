"""Devices: when they last pushed and pulled, and what they run on.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_push_at", backend.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("last_pull_at", backend.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("agent", sa.String(length=40), nullable=True))
    # Until now only pushes were noted: a device that sent something was
    # last seen pushing.
    op.execute(sa.text("UPDATE devices SET last_push_at = last_seen_at WHERE last_seq > 0"))


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("agent")
        batch_op.drop_column("last_pull_at")
        batch_op.drop_column("last_push_at")
