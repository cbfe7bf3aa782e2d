"""Planning: working weeks, public holidays, absences, skills, proposals.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 03:01:53.611718
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.db.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_holidays",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_public_holidays")),
    )
    op.create_table(
        "absences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column(
            "part",
            sa.Enum(
                "day",
                "morning",
                "afternoon",
                name="absence_part",
                native_enum=False,
                create_constraint=True,
                length=13,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=120), nullable=True),
        sa.CheckConstraint("first_day <= last_day", name=op.f("ck_absences_first_day_first")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_absences_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absences")),
    )
    with op.batch_alter_table("absences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_absences_user_id"), ["user_id"], unique=False)

    op.create_table(
        "person_skills",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("skill", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_person_skills_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "skill", name=op.f("pk_person_skills")),
    )
    op.create_table(
        "planning_proposals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("made_by_id", sa.Uuid(), nullable=False),
        sa.Column("made_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "accepted",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["made_by_id"], ["users.id"], name=op.f("fk_planning_proposals_made_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planning_proposals")),
    )
    op.create_table(
        "working_hours",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.CheckConstraint("starts < ends", name=op.f("ck_working_hours_starts_before_ends")),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_working_hours_weekday_in_week")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_working_hours_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_hours")),
    )
    with op.batch_alter_table("working_hours", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_working_hours_user_id"), ["user_id"], unique=False)

    op.create_table(
        "action_skills",
        sa.Column("action_id", sa.Uuid(), nullable=False),
        sa.Column("skill", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_skills_action_id_actions")
        ),
        sa.PrimaryKeyConstraint("action_id", "skill", name=op.f("pk_action_skills")),
    )


def downgrade() -> None:
    op.drop_table("action_skills")
    with op.batch_alter_table("working_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_working_hours_user_id"))

    op.drop_table("working_hours")
    op.drop_table("planning_proposals")
    op.drop_table("person_skills")
    with op.batch_alter_table("absences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_absences_user_id"))

    op.drop_table("absences")
    op.drop_table("public_holidays")
