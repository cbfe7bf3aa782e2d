"""Time: entries of worked minutes and the weeks that approve them."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, Synced
from backend.db.types import JSONDocument, choice

MAX_MINUTES_PER_DAY = 24 * 60


class LineDecision(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class TimeEntry(Synced, Base):
    """Minutes worked by one person on one day for an affair.

    Time on a service order is this same record (it names the service order
    and its affair), so an hour is counted once whoever looks at it.
    ``work_date`` is the local calendar date; instants are UTC.
    """

    __tablename__ = "time_entries"
    __table_args__ = (
        sa.CheckConstraint(
            f"minutes > 0 AND minutes <= {MAX_MINUTES_PER_DAY}", name="minutes_in_a_day"
        ),
        sa.Index("ix_time_entries_user_date", "user_id", "work_date"),
    )
    sync_type = "time_entry"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    affair_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("affairs.id"), index=True)
    service_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("service_orders.id"), index=True, default=None
    )
    action_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("actions.id"), default=None)
    work_date: Mapped[dt.date]
    minutes: Mapped[int]
    starts_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    ends_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    time_zone: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    note: Mapped[str | None] = mapped_column(sa.Text, default=None)
    # Who last changed the entry, from which device, and when (corrected
    # device time): decides between two devices that changed the same field;
    # a device never conflicts with its own earlier changes.
    edited_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"), default=None)
    edited_client_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    edited_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)
    # What kind of work (an hourly rate may be set for it); free words.
    activity: Mapped[str | None] = mapped_column(sa.String(40), default=None)
    # The decision on this line alone, by whoever approves it. An approval
    # stands only while the entry still holds ``approved_values``, the
    # fields as they were approved: any later change, by whatever path,
    # shows the line as changed since, waiting again.
    decision: Mapped[LineDecision | None] = mapped_column(
        choice(LineDecision, "line_decision"), default=None
    )
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"), default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    decision_reason: Mapped[str | None] = mapped_column(sa.Text, default=None)
    approved_values: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, default=None)


class WeekStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class TimesheetWeek(Synced, Base):
    """One person's ISO week of time and where it stands in approval.

    Its id is derived from the person and the week, so a device that
    submits a week offline names the same row the server has.
    """

    __tablename__ = "timesheet_weeks"
    __table_args__ = (sa.UniqueConstraint("user_id", "week"),)
    sync_type = "timesheet_week"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    week: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[WeekStatus] = mapped_column(
        choice(WeekStatus, "week_status"), default=WeekStatus.DRAFT
    )
    submitted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"), default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    reason: Mapped[str | None] = mapped_column(sa.Text, default=None)
    total_minutes: Mapped[int] = mapped_column(default=0)


class ApprovedCost(Base):
    """The cost of an entry as it was approved, kept apart from the entry
    (devices never receive costs). A rate edited later changes nothing here."""

    __tablename__ = "approved_costs"
    __table_args__ = (sa.CheckConstraint("cents >= 0", name="cost_not_negative"),)

    entry_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("time_entries.id"), primary_key=True)
    cents: Mapped[int] = mapped_column(sa.BigInteger)
    cents_per_hour: Mapped[int]
    approved_at: Mapped[dt.datetime]


class PlanningProposal(Base):
    """Who would do which actions when, as proposed to a manager.

    ``items`` is the proposal as it was answered (one per action, with its
    assignment or the reason it cannot be met); ``accepted`` lists the keys
    of the items accepted so far.
    """

    __tablename__ = "planning_proposals"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    made_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    made_at: Mapped[dt.datetime]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    accepted: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
