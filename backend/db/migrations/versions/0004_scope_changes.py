"""Scope changes: log writes to the tables that decide who sees what, and
keep the sets of what people could see.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.db.types
from backend.db.changelog import drop_scope_log, install_scope_log

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Table, and the UUID column named in the log.
SCOPE_TABLES = (("affair_members", "user_id"), ("teams", "id"))


def upgrade() -> None:
    for table, column in SCOPE_TABLES:
        install_scope_log(op.get_bind(), table, column)
    op.create_table(
        "scope_sets",
        sa.Column("fingerprint", sa.String(length=12), nullable=False),
        sa.Column(
            "roots", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("touched_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_scope_sets")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("scope")
    op.drop_table("scope_sets")
    for table, _ in SCOPE_TABLES:
        drop_scope_log(op.get_bind(), table)
