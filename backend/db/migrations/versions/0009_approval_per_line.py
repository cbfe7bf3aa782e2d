"""Approval per line, approved costs, rates per activity, a person's time
approver, calendar feed keys; the approved week's lock kept by the database.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 06:22:55.367230
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.db.types
from backend.db.changelog import install_change_log
from backend.db.week_lock import drop_week_lock, install_week_lock

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("made_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_keys_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_calendar_keys")),
    )
    op.create_table(
        "approved_costs",
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("cents", sa.BigInteger(), nullable=False),
        sa.Column("cents_per_hour", sa.Integer(), nullable=False),
        sa.Column("approved_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cents >= 0", name=op.f("ck_approved_costs_cost_not_negative")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["time_entries.id"], name=op.f("fk_approved_costs_entry_id_time_entries")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_approved_costs")),
    )
    with op.batch_alter_table("hourly_rates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("activity", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.drop_constraint(batch_op.f("uq_hourly_rates_user_id_valid_from"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_hourly_rates_user_id_activity_valid_from"),
            ["user_id", "activity", "valid_from"],
        )

    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("activity", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column(
                "decision",
                sa.Enum(
                    "approved",
                    "rejected",
                    name="line_decision",
                    native_enum=False,
                    create_constraint=True,
                    length=12,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("decided_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("decided_at", backend.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("decision_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "approved_values",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_time_entries_decided_by_id_users"), "users", ["decided_by_id"], ["id"]
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_approver_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_time_approver_id_users"), "users", ["time_approver_id"], ["id"]
        )

    # SQLite rebuilt both tables (and their triggers went with them); the
    # change log's snapshot names the new columns either way.
    connection = op.get_bind()
    install_change_log(connection, "time_entries", "time_entry")
    install_change_log(connection, "users", "user")
    install_week_lock(connection)


def downgrade() -> None:
    connection = op.get_bind()
    drop_week_lock(connection)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_time_approver_id_users"), type_="foreignkey")
        batch_op.drop_column("time_approver_id")

    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_time_entries_decided_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("ck_time_entries_line_decision"), type_="check")
        batch_op.drop_column("approved_values")
        batch_op.drop_column("decision_reason")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by_id")
        batch_op.drop_column("decision")
        batch_op.drop_column("activity")

    with op.batch_alter_table("hourly_rates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_hourly_rates_user_id_activity_valid_from"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_hourly_rates_user_id_valid_from"), ["user_id", "valid_from"]
        )
        batch_op.drop_column("activity")

    op.drop_table("approved_costs")
    op.drop_table("calendar_keys")
    install_change_log(connection, "time_entries", "time_entry")
    install_change_log(connection, "users", "user")
