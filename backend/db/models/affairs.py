"""Affairs: the opportunity, then the project, then the service, as one record."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, Synced
from backend.db.types import choice


class AffairKind(enum.StrEnum):
    OPPORTUNITY = "opportunity"
    PROJECT = "project"
    SERVICE = "service"


class AffairStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    WON = "won"
    LOST = "lost"
    CLOSED = "closed"


class Affair(Synced, Base):
    __tablename__ = "affairs"
    __table_args__ = (
        sa.CheckConstraint(
            "win_probability IS NULL OR (win_probability BETWEEN 0 AND 100)",
            name="probability_is_percent",
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_is_percent"),
    )
    sync_type = "affair"

    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[AffairKind] = mapped_column(choice(AffairKind, "affair_kind"))
    status: Mapped[AffairStatus] = mapped_column(
        choice(AffairStatus, "affair_status"), default=AffairStatus.OPEN
    )
    stage: Mapped[str | None] = mapped_column(sa.String(40), default=None)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("customers.id"), index=True, default=None
    )
    site_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("sites.id"), default=None)
    salesperson_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id"), default=None
    )
    manager_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"), default=None)
    win_probability: Mapped[int | None] = mapped_column(default=None)
    expected_amount_cents: Mapped[int | None] = mapped_column(sa.BigInteger, default=None)
    expected_close_date: Mapped[dt.date | None] = mapped_column(default=None)
    budget_cents: Mapped[int | None] = mapped_column(sa.BigInteger, default=None)
    start_date: Mapped[dt.date | None] = mapped_column(default=None)
    end_date: Mapped[dt.date | None] = mapped_column(default=None)
    progress: Mapped[int] = mapped_column(default=0)
    description: Mapped[str | None] = mapped_column(sa.Text, default=None)
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)


class AffairMember(Base):
    """A person the affair is open to (leader or contributor)."""

    __tablename__ = "affair_members"

    affair_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("affairs.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), default="contributor")


class ActionKind(enum.StrEnum):
    TASK = "task"
    APPOINTMENT = "appointment"
    CALL = "call"


class Action(Synced, Base):
    """A task, appointment or call on an affair, assigned to someone."""

    __tablename__ = "actions"
    __table_args__ = (sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_is_percent"),)
    sync_type = "action"

    affair_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("affairs.id"), index=True)
    kind: Mapped[ActionKind] = mapped_column(choice(ActionKind, "action_kind"))
    title: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.Text, default=None)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True, default=None
    )
    starts_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    ends_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    due_date: Mapped[dt.date | None] = mapped_column(default=None)
    planned_minutes: Mapped[int | None] = mapped_column(default=None)
    progress: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)


class ActionSkill(Base):
    """A skill whoever does the action must have."""

    __tablename__ = "action_skills"

    action_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("actions.id"), primary_key=True)
    skill: Mapped[str] = mapped_column(sa.String(60), primary_key=True)


class BudgetKind(enum.StrEnum):
    LABOUR = "labour"
    PURCHASE = "purchase"
    SUBCONTRACTING = "subcontracting"
    EXPENSE = "expense"
    STOCK = "stock"
    SALES = "sales"


class BudgetLine(Base):
    __tablename__ = "budget_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    affair_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("affairs.id"), index=True)
    kind: Mapped[BudgetKind] = mapped_column(choice(BudgetKind, "budget_kind"))
    label: Mapped[str] = mapped_column(sa.String(255))
    planned_minutes: Mapped[int | None] = mapped_column(default=None)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    alert_policy: Mapped[str] = mapped_column(sa.String(10), default="warn")
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)
