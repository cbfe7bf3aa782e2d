"""Blobs (the bytes of photos and signatures, by hash) and checklist photos.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.types
from backend.db.changelog import install_change_log

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_blobs_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blobs_created_by_id"), ["created_by_id"], unique=False)

    op.create_table(
        "checklist_photos",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("item_key", sa.String(length=60), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("taken_by_id", sa.Uuid(), nullable=False),
        sa.Column("taken_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["checklist_runs.id"],
            name=op.f("fk_checklist_photos_run_id_checklist_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_checklist_photos_sha256_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"], ["users.id"], name=op.f("fk_checklist_photos_taken_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_photos")),
    )
    with op.batch_alter_table("checklist_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_photos_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checklist_photos_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_checklist_photos_version"), ["version"], unique=False)
    # Batch mode may rebuild the table: its triggers come last.
    install_change_log(op.get_bind(), "checklist_photos", "checklist_photo")


def downgrade() -> None:
    op.drop_table("checklist_photos")
    op.drop_table("blobs")
