"""People: users, roles, teams, hourly cost rates, sign-in sessions."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, Synced, utc_now
from backend.db.types import choice


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    SUPERVISOR = "supervisor"
    TECHNICIAN = "technician"
    EMPLOYEE = "employee"
    SALES = "sales"


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    supervisor_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", use_alter=True), default=None
    )


class User(Synced, Base):
    """A person of the company. Without a password hash they cannot sign in
    (imported colleagues keep their time history without an account)."""

    __tablename__ = "users"
    sync_type = "user"

    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True, default=None)
    login: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)
    name: Mapped[str] = mapped_column(sa.String(160))
    role: Mapped[Role] = mapped_column(choice(Role, "role"), default=Role.EMPLOYEE)
    team_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("teams.id"), default=None)
    password_hash: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    language: Mapped[str | None] = mapped_column(sa.String(5), default=None)
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Paris")
    active: Mapped[bool] = mapped_column(default=True)
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)
    # Who approves this person's time when nobody oversees them (a manager
    # with nobody above): besides the administrators.
    time_approver_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id"), default=None
    )


class HourlyRate(Base):
    """The cost of one hour of a person's work from ``valid_from`` on; for
    one ``activity`` when it names one, else for any work without its own."""

    __tablename__ = "hourly_rates"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "activity", "valid_from"),
        sa.CheckConstraint("cents_per_hour >= 0", name="rate_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    valid_from: Mapped[dt.date]
    cents_per_hour: Mapped[int]
    # "" for the person's rate for any activity.
    activity: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")


class CalendarKey(Base):
    """A person's calendar feed key: a new one revokes the feed's old
    address. Without one, the address derives from the person alone."""

    __tablename__ = "calendar_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    made_at: Mapped[dt.datetime]


class AuthSession(Base):
    """A signed-in device. The cookie holds a random token; only its hash is
    stored, so a copy of the database opens no session."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class WorkingHours(Base):
    """One period of a working week: ``weekday`` (0 = Monday) from
    ``starts`` to ``ends``, local time. Rows without a person are the
    company's week; a person with rows of their own works that week instead.
    """

    __tablename__ = "working_hours"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_in_week"),
        sa.CheckConstraint("starts < ends", name="starts_before_ends"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True, default=None
    )
    weekday: Mapped[int]
    starts: Mapped[dt.time]
    ends: Mapped[dt.time]


class PublicHoliday(Base):
    """A day nobody of the company works."""

    __tablename__ = "public_holidays"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))


class AbsencePart(enum.StrEnum):
    """Which part of each day of an absence: the whole day, or the working
    time before noon (morning) or from noon on (afternoon)."""

    DAY = "day"
    MORNING = "morning"
    AFTERNOON = "afternoon"


class Absence(Base):
    """Leave, sickness, training: days a person does not work, inclusive."""

    __tablename__ = "absences"
    __table_args__ = (sa.CheckConstraint("first_day <= last_day", name="first_day_first"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    first_day: Mapped[dt.date]
    last_day: Mapped[dt.date]
    part: Mapped[AbsencePart] = mapped_column(
        choice(AbsencePart, "absence_part"), default=AbsencePart.DAY
    )
    reason: Mapped[str | None] = mapped_column(sa.String(120), default=None)


class PersonSkill(Base):
    """A named skill a person has (``electrical``, ``welding`` ...)."""

    __tablename__ = "person_skills"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    skill: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
