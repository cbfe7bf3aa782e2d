"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-12-04 16:46:54.368438
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import backend.db.types
from backend.db.changelog import install_change_log

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Synced tables as of this revision, with the type name devices know them by.
SYNCED_TABLES = (
    ("users", "user"),
    ("customers", "customer"),
    ("sites", "site"),
    ("products", "product"),
    ("affairs", "affair"),
    ("actions", "action"),
    ("service_orders", "service_order"),
    ("service_order_notes", "service_order_note"),
    ("checklist_templates", "checklist_template"),
    ("checklist_runs", "checklist_run"),
    ("checklist_answers", "checklist_answer"),
    ("maintenance_contracts", "maintenance_contract"),
    ("time_entries", "time_entry"),
    ("timesheet_weeks", "timesheet_week"),
    ("conflicts", "conflict"),
)


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "changed_at",
            backend.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "checklist_templates",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_templates")),
        sa.UniqueConstraint("code", "revision", name=op.f("uq_checklist_templates_code_revision")),
    )
    with op.batch_alter_table("checklist_templates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_templates_version"), ["version"], unique=False
        )

    op.create_table(
        "customers",
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("is_prospect", sa.Boolean(), nullable=False),
        sa.Column("is_supplier", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_customers_external_ref")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_version"), ["version"], unique=False)

    op.create_table(
        "products",
        sa.Column("ref", sa.String(length=80), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "good",
                "service",
                "voucher",
                name="product_kind",
                native_enum=False,
                create_constraint=True,
                length=11,
            ),
            nullable=False,
        ),
        sa.Column("price_cents", sa.Integer(), nullable=True),
        sa.Column("cost_cents", sa.Integer(), nullable=True),
        sa.Column("serialized", sa.Boolean(), nullable=False),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_products_external_ref")),
        sa.UniqueConstraint("ref", name=op.f("uq_products_ref")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_version"), ["version"], unique=False)

    op.create_table(
        "teams",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("supervisor_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("job_title", sa.String(length=120), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_contacts_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_contacts_external_ref")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "sites",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("postcode", sa.String(length=20), nullable=True),
        sa.Column("town", sa.String(length=120), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("contact_name", sa.String(length=160), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_sites_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_sites_external_ref")),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sites_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sites_version"), ["version"], unique=False)

    op.create_table(
        "users",
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("login", sa.String(length=80), nullable=True),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "manager",
                "supervisor",
                "technician",
                "employee",
                "sales",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_users_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_users_external_ref")),
        sa.UniqueConstraint("login", name=op.f("uq_users_login")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_version"), ["version"], unique=False)

    op.create_table(
        "affairs",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "opportunity",
                "project",
                "service",
                name="affair_kind",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "open",
                "won",
                "lost",
                "closed",
                name="affair_status",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("stage", sa.String(length=40), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.Column("salesperson_id", sa.Uuid(), nullable=True),
        sa.Column("manager_id", sa.Uuid(), nullable=True),
        sa.Column("win_probability", sa.Integer(), nullable=True),
        sa.Column("expected_amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("expected_close_date", sa.Date(), nullable=True),
        sa.Column("budget_cents", sa.BigInteger(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "progress BETWEEN 0 AND 100", name=op.f("ck_affairs_progress_is_percent")
        ),
        sa.CheckConstraint(
            "win_probability IS NULL OR (win_probability BETWEEN 0 AND 100)",
            name=op.f("ck_affairs_probability_is_percent"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_affairs_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["users.id"], name=op.f("fk_affairs_manager_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["salesperson_id"], ["users.id"], name=op.f("fk_affairs_salesperson_id_users")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_affairs_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affairs")),
        sa.UniqueConstraint("code", name=op.f("uq_affairs_code")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_affairs_external_ref")),
    )
    with op.batch_alter_table("affairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_affairs_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_affairs_version"), ["version"], unique=False)

    op.create_table(
        "auth_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_auth_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_auth_sessions")),
    )
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "devices",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("clock_offset_ms", sa.BigInteger(), nullable=False),
        sa.Column("schema", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_cursor", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_devices_user_id_users")),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_devices")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_user_id"), ["user_id"], unique=False)

    op.create_table(
        "hourly_rates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("cents_per_hour", sa.Integer(), nullable=False),
        sa.CheckConstraint("cents_per_hour >= 0", name=op.f("ck_hourly_rates_rate_not_negative")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_hourly_rates_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hourly_rates")),
        sa.UniqueConstraint(
            "user_id", "valid_from", name=op.f("uq_hourly_rates_user_id_valid_from")
        ),
    )
    with op.batch_alter_table("hourly_rates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hourly_rates_user_id"), ["user_id"], unique=False)

    op.create_table(
        "timesheet_weeks",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "approved",
                "rejected",
                name="week_status",
                native_enum=False,
                create_constraint=True,
                length=13,
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("total_minutes", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_timesheet_weeks_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_timesheet_weeks_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timesheet_weeks")),
        sa.UniqueConstraint("user_id", "week", name=op.f("uq_timesheet_weeks_user_id_week")),
    )
    with op.batch_alter_table("timesheet_weeks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timesheet_weeks_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_timesheet_weeks_version"), ["version"], unique=False)

    op.create_table(
        "actions",
        sa.Column("affair_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "task",
                "appointment",
                "call",
                name="action_kind",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("planned_minutes", sa.Integer(), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("done_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "progress BETWEEN 0 AND 100", name=op.f("ck_actions_progress_is_percent")
        ),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_actions_affair_id_affairs")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_actions_assignee_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_actions_external_ref")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_affair_id"), ["affair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_version"), ["version"], unique=False)

    op.create_table(
        "affair_members",
        sa.Column("affair_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_affair_members_affair_id_affairs")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_affair_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("affair_id", "user_id", name=op.f("pk_affair_members")),
    )
    with op.batch_alter_table("affair_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_affair_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "applied_mutations",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("mutation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "applied",
                "conflict",
                "rejected",
                name="mutation_status",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=60), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("conflict_id", sa.Uuid(), nullable=True),
        sa.Column("applied_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["devices.client_id"],
            name=op.f("fk_applied_mutations_client_id_devices"),
        ),
        sa.PrimaryKeyConstraint("client_id", "seq", name=op.f("pk_applied_mutations")),
    )
    with op.batch_alter_table("applied_mutations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_applied_mutations_mutation_id"), ["mutation_id"], unique=False
        )
    op.create_table(
        "budget_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("affair_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "labour",
                "purchase",
                "subcontracting",
                "expense",
                "stock",
                "sales",
                name="budget_kind",
                native_enum=False,
                create_constraint=True,
                length=18,
            ),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("planned_minutes", sa.Integer(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("alert_policy", sa.String(length=10), nullable=False),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_budget_lines_affair_id_affairs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_lines")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_budget_lines_external_ref")),
    )
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_lines_affair_id"), ["affair_id"], unique=False)

    op.create_table(
        "conflicts",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("affair_id", sa.Uuid(), nullable=True),
        sa.Column("mutation_id", sa.Uuid(), nullable=False),
        sa.Column("mutation_name", sa.String(length=60), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("server_author_id", sa.Uuid(), nullable=True),
        sa.Column(
            "server_value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "device_value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("server_version", sa.BigInteger(), nullable=True),
        sa.Column("base_version", sa.BigInteger(), nullable=True),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "resolved",
                name="conflict_status",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_conflicts_affair_id_affairs")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_conflicts_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_conflicts_resolved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["server_author_id"], ["users.id"], name=op.f("fk_conflicts_server_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflicts")),
    )
    with op.batch_alter_table("conflicts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conflicts_affair_id"), ["affair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conflicts_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conflicts_version"), ["version"], unique=False)

    op.create_table(
        "maintenance_contracts",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("affair_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "active",
                "closed",
                name="contract_status",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("visit_every_months", sa.Integer(), nullable=True),
        sa.Column("response_hours", sa.Integer(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_maintenance_contracts_affair_id_affairs")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_maintenance_contracts_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_contracts")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_maintenance_contracts_external_ref")),
        sa.UniqueConstraint("number", name=op.f("uq_maintenance_contracts_number")),
    )
    with op.batch_alter_table("maintenance_contracts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_maintenance_contracts_affair_id"), ["affair_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_maintenance_contracts_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_maintenance_contracts_version"), ["version"], unique=False
        )

    op.create_table(
        "service_orders",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("affair_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.Column("technician_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "in_progress",
                "done",
                "closed",
                "cancelled",
                name="service_order_status",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("scheduled_start", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("scheduled_end", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("planned_minutes", sa.Integer(), nullable=True),
        sa.Column("status_changed_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_service_orders_affair_id_affairs")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_service_orders_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_service_orders_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"], ["users.id"], name=op.f("fk_service_orders_technician_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_orders")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_service_orders_external_ref")),
        sa.UniqueConstraint("number", name=op.f("uq_service_orders_number")),
    )
    with op.batch_alter_table("service_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_orders_affair_id"), ["affair_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_orders_technician_id"), ["technician_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_service_orders_version"), ["version"], unique=False)

    op.create_table(
        "checklist_runs",
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("service_order_id", sa.Uuid(), nullable=True),
        sa.Column("affair_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "signed",
                name="checklist_run_status",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("signed_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_checklist_runs_affair_id_affairs")
        ),
        sa.ForeignKeyConstraint(
            ["service_order_id"],
            ["service_orders.id"],
            name=op.f("fk_checklist_runs_service_order_id_service_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_templates.id"],
            name=op.f("fk_checklist_runs_template_id_checklist_templates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_runs")),
    )
    with op.batch_alter_table("checklist_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_runs_affair_id"), ["affair_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_checklist_runs_service_order_id"), ["service_order_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_checklist_runs_version"), ["version"], unique=False)

    op.create_table(
        "contract_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["maintenance_contracts.id"],
            name=op.f("fk_contract_lines_contract_id_maintenance_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_contract_lines_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_lines")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_contract_lines_external_ref")),
    )
    with op.batch_alter_table("contract_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_lines_contract_id"), ["contract_id"], unique=False
        )

    op.create_table(
        "service_order_notes",
        sa.Column("service_order_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_service_order_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["service_order_id"],
            ["service_orders.id"],
            name=op.f("fk_service_order_notes_service_order_id_service_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_order_notes")),
    )
    with op.batch_alter_table("service_order_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_order_notes_service_order_id"),
            ["service_order_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_service_order_notes_version"), ["version"], unique=False
        )

    op.create_table(
        "time_entries",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("affair_id", sa.Uuid(), nullable=False),
        sa.Column("service_order_id", sa.Uuid(), nullable=True),
        sa.Column("action_id", sa.Uuid(), nullable=True),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("starts_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("edited_by_id", sa.Uuid(), nullable=True),
        sa.Column("edited_client_id", sa.Uuid(), nullable=True),
        sa.Column("edited_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["edited_by_id"], ["users.id"], name=op.f("fk_time_entries_edited_by_id_users")
        ),
        sa.CheckConstraint(
            "minutes > 0 AND minutes <= 1440", name=op.f("ck_time_entries_minutes_in_a_day")
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_time_entries_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["affair_id"], ["affairs.id"], name=op.f("fk_time_entries_affair_id_affairs")
        ),
        sa.ForeignKeyConstraint(
            ["service_order_id"],
            ["service_orders.id"],
            name=op.f("fk_time_entries_service_order_id_service_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_time_entries_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entries")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_time_entries_external_ref")),
    )
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_entries_affair_id"), ["affair_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_time_entries_service_order_id"), ["service_order_id"], unique=False
        )
        batch_op.create_index("ix_time_entries_user_date", ["user_id", "work_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_time_entries_version"), ["version"], unique=False)

    op.create_table(
        "checklist_answers",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("item_key", sa.String(length=60), nullable=False),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Uuid(), nullable=False),
        sa.Column("answered_client_id", sa.Uuid(), nullable=True),
        sa.Column("answered_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.FetchedValue(), nullable=True),
        sa.Column("deleted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_checklist_answers_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["checklist_runs.id"],
            name=op.f("fk_checklist_answers_run_id_checklist_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_answers")),
        sa.UniqueConstraint(
            "run_id", "item_key", name=op.f("uq_checklist_answers_run_id_item_key")
        ),
    )
    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_answers_version"), ["version"], unique=False)

    # Teams and users name each other: the team's supervisor key is added
    # once both tables exist.
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_teams_supervisor_id_users"), "users", ["supervisor_id"], ["id"]
        )

    connection = op.get_bind()
    for table, sync_type in SYNCED_TABLES:
        install_change_log(connection, table, sync_type)


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_teams_supervisor_id_users"), type_="foreignkey")
    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_answers_version"))

    op.drop_table("checklist_answers")
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_entries_version"))
        batch_op.drop_index("ix_time_entries_user_date")
        batch_op.drop_index(batch_op.f("ix_time_entries_service_order_id"))
        batch_op.drop_index(batch_op.f("ix_time_entries_affair_id"))

    op.drop_table("time_entries")
    with op.batch_alter_table("service_order_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_order_notes_version"))
        batch_op.drop_index(batch_op.f("ix_service_order_notes_service_order_id"))

    op.drop_table("service_order_notes")
    with op.batch_alter_table("contract_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_lines_contract_id"))

    op.drop_table("contract_lines")
    with op.batch_alter_table("checklist_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_runs_version"))
        batch_op.drop_index(batch_op.f("ix_checklist_runs_service_order_id"))
        batch_op.drop_index(batch_op.f("ix_checklist_runs_affair_id"))

    op.drop_table("checklist_runs")
    with op.batch_alter_table("service_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_orders_version"))
        batch_op.drop_index(batch_op.f("ix_service_orders_technician_id"))
        batch_op.drop_index(batch_op.f("ix_service_orders_affair_id"))

    op.drop_table("service_orders")
    with op.batch_alter_table("maintenance_contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maintenance_contracts_version"))
        batch_op.drop_index(batch_op.f("ix_maintenance_contracts_customer_id"))
        batch_op.drop_index(batch_op.f("ix_maintenance_contracts_affair_id"))

    op.drop_table("maintenance_contracts")
    with op.batch_alter_table("conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflicts_version"))
        batch_op.drop_index(batch_op.f("ix_conflicts_author_id"))
        batch_op.drop_index(batch_op.f("ix_conflicts_affair_id"))

    op.drop_table("conflicts")
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_lines_affair_id"))

    op.drop_table("budget_lines")
    with op.batch_alter_table("applied_mutations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applied_mutations_mutation_id"))
    op.drop_table("applied_mutations")
    with op.batch_alter_table("affair_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affair_members_user_id"))

    op.drop_table("affair_members")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_version"))
        batch_op.drop_index(batch_op.f("ix_actions_assignee_id"))
        batch_op.drop_index(batch_op.f("ix_actions_affair_id"))

    op.drop_table("actions")
    with op.batch_alter_table("timesheet_weeks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timesheet_weeks_version"))
        batch_op.drop_index(batch_op.f("ix_timesheet_weeks_user_id"))

    op.drop_table("timesheet_weeks")
    with op.batch_alter_table("hourly_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hourly_rates_user_id"))

    op.drop_table("hourly_rates")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_user_id"))

    op.drop_table("devices")
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_sessions_user_id"))

    op.drop_table("auth_sessions")
    with op.batch_alter_table("affairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affairs_version"))
        batch_op.drop_index(batch_op.f("ix_affairs_customer_id"))

    op.drop_table("affairs")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_version"))

    op.drop_table("users")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sites_version"))
        batch_op.drop_index(batch_op.f("ix_sites_customer_id"))

    op.drop_table("sites")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_customer_id"))

    op.drop_table("contacts")
    op.drop_table("teams")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_products_version"))

    op.drop_table("products")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_version"))

    op.drop_table("customers")
    with op.batch_alter_table("checklist_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_templates_version"))

    op.drop_table("checklist_templates")
    op.drop_table("change_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS log_change()")
