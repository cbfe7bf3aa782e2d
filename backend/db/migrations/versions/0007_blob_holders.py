"""Who holds a blob's bytes: uploading them is what lets a person use them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_holders",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("since", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_blob_holders_sha256_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_blob_holders_user_id_users")
        ),
        sa.PrimaryKeyConstraint("sha256", "user_id", name=op.f("pk_blob_holders")),
    )
    # The first uploaders hold what they uploaded.
    op.execute(
        "INSERT INTO blob_holders (sha256, user_id, since) "
        "SELECT sha256, created_by_id, created_at FROM blobs"
    )


def downgrade() -> None:
    op.drop_table("blob_holders")
