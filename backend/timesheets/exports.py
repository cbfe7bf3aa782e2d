"""Payroll and billing exports: a period's time and labour cost, as tables.

Payroll: one line per employee; billing: one line per affair. Each line
splits the time of approved weeks from the rest, each minute costed at the
rate valid on its work date (see costing), with a totals line.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access import policy
from backend.access.actors import Actor
from backend.db.models import Affair, Customer, TimeEntry, User
from backend.lib.errors import Forbidden, InvalidInput
from backend.lib.spreadsheets import Cell, Column, Kind, Table
from backend.timesheets.costing import Labour, costed_entries

# A year, leap day included: enough for any payroll or billing run, and a
# bound on the work one request may ask for.
MAX_PERIOD_DAYS = 366

LABELS: dict[str, dict[str, str]] = {
    "payroll": {"en": "Payroll", "fr": "Paie"},
    "billing": {"en": "Billing", "fr": "Facturation"},
    "employee": {"en": "Employee", "fr": "Salarié"},
    "email": {"en": "E-mail", "fr": "E-mail"},
    "affair_code": {"en": "Affair", "fr": "Affaire"},
    "affair_title": {"en": "Title", "fr": "Intitulé"},
    "customer": {"en": "Customer", "fr": "Client"},
    "approved_minutes": {"en": "Approved minutes", "fr": "Minutes validées"},
    "approved_hours": {"en": "Approved hours", "fr": "Heures validées"},
    "approved_cost": {"en": "Approved cost (EUR)", "fr": "Coût validé (EUR)"},
    "pending_minutes": {"en": "Not approved minutes", "fr": "Minutes non validées"},
    "pending_hours": {"en": "Not approved hours", "fr": "Heures non validées"},
    "pending_cost": {"en": "Not approved cost (EUR)", "fr": "Coût non validé (EUR)"},
    "total_minutes": {"en": "Total minutes", "fr": "Total minutes"},
    "total_hours": {"en": "Total hours", "fr": "Total heures"},
    "total_cost": {"en": "Total cost (EUR)", "fr": "Coût total (EUR)"},
    "unrated_minutes": {"en": "Minutes without a rate", "fr": "Minutes sans taux horaire"},
    "total": {"en": "Total", "fr": "Total"},
}


def label(key: str, language: str) -> str:
    texts = LABELS[key]
    return texts.get(language, texts["en"])


@dataclass(frozen=True)
class Period:
    """Work dates from ``first`` to ``last``, both included."""

    first: dt.date
    last: dt.date

    @classmethod
    def parse(cls, first: str, last: str) -> Period:
        """The period from ``YYYY-MM-DD`` texts, or ``InvalidInput`` naming
        the query parameter at fault."""
        period = cls(_date(first, "from"), _date(last, "to"))
        if period.first > period.last:
            raise InvalidInput("invalid_input", field="to", reason="'to' is before 'from'")
        if (period.last - period.first).days + 1 > MAX_PERIOD_DAYS:
            raise InvalidInput(
                "invalid_input", field="to", reason=f"at most {MAX_PERIOD_DAYS} days"
            )
        return period

    @property
    def slug(self) -> str:
        return f"{self.first.isoformat()}_{self.last.isoformat()}"


def _date(text: str, field: str) -> dt.date:
    try:
        if len(text) != len("2026-11-30"):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("invalid_input", field=field, reason="a date YYYY-MM-DD") from None


@dataclass
class PayrollLine:
    user_id: uuid.UUID
    name: str
    email: str | None
    labour: Labour


@dataclass
class BillingLine:
    affair_id: uuid.UUID
    code: str
    title: str
    customer: str | None
    labour: Labour


def _may_read_costs(actor: Actor) -> None:
    if not policy.reads_costs(actor):
        raise Forbidden()


async def payroll(
    session: AsyncSession, actor: Actor, first: str, last: str
) -> tuple[Period, list[PayrollLine]]:
    """Each person's time in the period, of the people whose time the actor
    oversees (everybody for the office, their team for a supervisor)."""
    _may_read_costs(actor)
    period = Period.parse(first, last)
    entries = await costed_entries(
        session,
        TimeEntry.work_date.between(period.first, period.last),
        policy.own_or_overseen(TimeEntry.user_id, actor),
    )
    labour: dict[uuid.UUID, Labour] = {}
    for entry in entries:
        labour.setdefault(entry.user_id, Labour()).add(entry)
    people = await session.execute(
        sa.select(User.id, User.name, User.email).where(User.id.in_(labour))
    )
    lines = [PayrollLine(user_id, name, email, labour[user_id]) for user_id, name, email in people]
    return period, sorted(lines, key=lambda line: (line.name.casefold(), str(line.user_id)))


async def billing(
    session: AsyncSession, actor: Actor, first: str, last: str
) -> tuple[Period, list[BillingLine]]:
    """Each affair's time in the period, of the affairs the actor sees."""
    _may_read_costs(actor)
    period = Period.parse(first, last)
    entries = await costed_entries(
        session,
        TimeEntry.work_date.between(period.first, period.last),
        TimeEntry.affair_id.in_(policy.visible_affair_ids(actor)),
    )
    labour: dict[uuid.UUID, Labour] = {}
    for entry in entries:
        labour.setdefault(entry.affair_id, Labour()).add(entry)
    affairs = await session.execute(
        sa.select(Affair.id, Affair.code, Affair.title, Customer.name)
        .outerjoin(Customer, Customer.id == Affair.customer_id)
        .where(Affair.id.in_(labour))
    )
    lines = [
        BillingLine(affair_id, code, title, customer, labour[affair_id])
        for affair_id, code, title, customer in affairs
    ]
    return period, sorted(lines, key=lambda line: line.code)


def _figure_columns(language: str) -> list[Column]:
    figures = [
        ("approved_minutes", Kind.COUNT),
        ("approved_hours", Kind.HOURS),
        ("approved_cost", Kind.EUROS),
        ("pending_minutes", Kind.COUNT),
        ("pending_hours", Kind.HOURS),
        ("pending_cost", Kind.EUROS),
        ("total_minutes", Kind.COUNT),
        ("total_hours", Kind.HOURS),
        ("total_cost", Kind.EUROS),
        ("unrated_minutes", Kind.COUNT),
    ]
    return [Column(label(key, language), kind, width=16) for key, kind in figures]


def _figures(labour: Labour) -> list[Cell]:
    # Hours columns are given minutes: the table turns them into hours.
    return [
        labour.approved_minutes,
        labour.approved_minutes,
        labour.approved_cents,
        labour.pending_minutes,
        labour.pending_minutes,
        labour.pending_cents,
        labour.minutes,
        labour.minutes,
        labour.cents,
        labour.unrated_minutes,
    ]


def _sum(labours: list[Labour]) -> Labour:
    total = Labour()
    for labour in labours:
        total.approved_minutes += labour.approved_minutes
        total.approved_cents += labour.approved_cents
        total.pending_minutes += labour.pending_minutes
        total.pending_cents += labour.pending_cents
        total.unrated_minutes += labour.unrated_minutes
    return total


def payroll_table(lines: list[PayrollLine], language: str) -> Table:
    return Table(
        title=label("payroll", language),
        columns=[
            Column(label("employee", language), Kind.TEXT, width=28),
            Column(label("email", language), Kind.TEXT, width=30),
            *_figure_columns(language),
        ],
        rows=[[line.name, line.email, *_figures(line.labour)] for line in lines],
        totals=[
            label("total", language),
            None,
            *_figures(_sum([line.labour for line in lines])),
        ],
    )


def billing_table(lines: list[BillingLine], language: str) -> Table:
    return Table(
        title=label("billing", language),
        columns=[
            Column(label("affair_code", language), Kind.TEXT, width=14),
            Column(label("affair_title", language), Kind.TEXT, width=36),
            Column(label("customer", language), Kind.TEXT, width=28),
            *_figure_columns(language),
        ],
        rows=[[line.code, line.title, line.customer, *_figures(line.labour)] for line in lines],
        totals=[
            label("total", language),
            None,
            None,
            *_figures(_sum([line.labour for line in lines])),
        ],
    )
