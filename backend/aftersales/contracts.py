"""Maintenance contracts at work: their planned visits, their renewal, and
the flags the office watches (late visits, SLA breaches).

A contract's visits are due from ``starts_on`` every ``visit_every_months``,
each counted from the start and kept on the start's day of the month, on
the month's last day when it is shorter (31 January, 28 or 29 February,
31 March). They are made as service orders a ``horizon`` ahead, never past
the contract's end or the day it was closed::

    starts_on        today          today + horizon        ends_on
        |--v------v------v------v------v---|- - - - v - - - - -|
           made   made   made   made   made   not yet (next run)

A visit is made once per contract and due day: the database's unique index
on (contract_id, visit_due_on) says so, whatever runs at once.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import structlog
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.changelog import change_lock_statement
from backend.db.engine import Database
from backend.db.models import (
    Affair,
    ContractEquipment,
    ContractStatus,
    Equipment,
    MaintenanceContract,
    RepairStep,
    ServiceOrder,
    ServiceOrderKind,
    ServiceOrderStatus,
    ServiceOrderStep,
)
from backend.db.upsert import dialect_of, insert_ignoring_duplicates
from backend.lib.time import DEFAULT_ZONE, utc_now
from backend.settings import Settings
from sync.ids import derived_id

logger = structlog.get_logger()

# The company's calendar decides which day a visit is due and late on.
COMPANY_ZONE = ZoneInfo(DEFAULT_ZONE)
# A visit that is done, closed or cancelled is not waiting for anybody.
S = ServiceOrderStatus
VISIT_SETTLED = (S.DONE, S.CLOSED, S.CANCELLED)
# A repair counts as started once it has left intake or is being worked on.
REPAIR_STARTED = (
    ServiceOrderStatus.IN_PROGRESS,
    ServiceOrderStatus.DONE,
    ServiceOrderStatus.CLOSED,
)
SERVICE_ORDERS: sa.Table = ServiceOrder.__table__  # type: ignore[assignment]
# Service order numbers hold 40 characters: the visit's day is added to
# the contract's number when it leaves room for it.
NUMBER_LENGTH = 40


def company_today(now: dt.datetime) -> dt.date:
    return now.astimezone(COMPANY_ZONE).date()


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months``, on the same day of the month, or on the
    month's last day when it has fewer days. ValueError past year 9999."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError("past the calendar's last year")
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def visit_days(starts_on: dt.date, every_months: int, last_day: dt.date) -> list[dt.date]:
    """The days visits are due, from ``starts_on`` to ``last_day`` included.

    Each is counted from the start, not from the visit before, so a short
    month does not pull the following ones back (31 Jan, 28 Feb, 31 Mar).
    """
    days: list[dt.date] = []
    count = 0
    while True:
        try:
            day = add_months(starts_on, count * every_months)
        except ValueError:
            return days
        if day > last_day:
            return days
        days.append(day)
        count += 1


def renewed_end(ends_on: dt.date, renewal_months: int, today: dt.date) -> dt.date:
    """The end of a renewing contract once ``today`` is reached: moved on by
    ``renewal_months`` as many times as needed to lie after today. Left as
    it is while today comes before it."""
    if today < ends_on:
        return ends_on
    times = 1
    while True:
        try:
            end = add_months(ends_on, times * renewal_months)
        except ValueError:
            return ends_on
        if end > today:
            return end
        times += 1


def last_visit_day(contract: MaintenanceContract, today: dt.date, horizon_days: int) -> dt.date:
    """The last day a visit may be made for now: the horizon, the end, the
    day the contract was closed, whichever comes first."""
    limits = [today + dt.timedelta(days=horizon_days)]
    limits += [day for day in (contract.ends_on, contract.closed_on) if day is not None]
    return min(limits)


def visit_number(contract: MaintenanceContract, day: dt.date) -> str:
    """``MC-2026-0003-20270131``: the same for a rerun, so a number is never
    spent on a visit that already exists."""
    suffix = f"-{day:%Y%m%d}"
    base = contract.number
    if len(base) + len(suffix) > NUMBER_LENGTH:
        base = "MC-" + contract.id.hex[:16]
    return base + suffix


def visit_id(contract_id: uuid.UUID, day: dt.date) -> uuid.UUID:
    """Derived from the contract and the day: two runs name the same row."""
    return derived_id("contract_visit", contract_id, day.isoformat())


@dataclass(frozen=True)
class GenerationResult:
    visits_created: int
    contracts_renewed: int


async def generate_visits(
    session: AsyncSession,
    today: dt.date,
    horizon_days: int,
    contract_ids: Sequence[uuid.UUID] | None = None,
) -> GenerationResult:
    """Renew the active contracts whose end is reached, then make their
    visits due up to ``horizon_days`` after ``today``. Running it again the
    same day makes nothing new.

    ``contract_ids`` limits the run to those contracts (one just activated).
    """
    lock = change_lock_statement(dialect_of(session))
    if lock is not None:
        # Taken before reading which visits exist: a second run at once
        # waits here, then sees the visits the first one made.
        await session.execute(sa.text(lock))

    query = sa.select(MaintenanceContract).where(
        MaintenanceContract.status == ContractStatus.ACTIVE,
        MaintenanceContract.deleted_at.is_(None),
        MaintenanceContract.affair_id.is_not(None),
        MaintenanceContract.starts_on.is_not(None),
        MaintenanceContract.visit_every_months.is_not(None),
    )
    if contract_ids is not None:
        query = query.where(MaintenanceContract.id.in_(contract_ids))
    contracts = list(await session.scalars(query))

    renewed = sum([_renew(contract, today) for contract in contracts])
    rows = []
    for contract in contracts:
        rows += await _missing_visits(session, contract, today, horizon_days)
    if rows:
        # The unique index keeps a visit made meanwhile by another path.
        await session.execute(insert_ignoring_duplicates(session, SERVICE_ORDERS), rows)

    logger.info(
        "contracts.visits_generated",
        contracts=len(contracts),
        visits=len(rows),
        renewed=renewed,
    )
    return GenerationResult(visits_created=len(rows), contracts_renewed=renewed)


def _renew(contract: MaintenanceContract, today: dt.date) -> bool:
    if not contract.renews or contract.renewal_months is None or contract.ends_on is None:
        return False
    end = renewed_end(contract.ends_on, contract.renewal_months, today)
    if end == contract.ends_on:
        return False
    contract.ends_on = end
    return True


async def _missing_visits(
    session: AsyncSession, contract: MaintenanceContract, today: dt.date, horizon_days: int
) -> list[dict[str, object]]:
    assert contract.starts_on is not None and contract.visit_every_months is not None
    last_day = last_visit_day(contract, today, horizon_days)
    due = visit_days(contract.starts_on, contract.visit_every_months, last_day)
    if not due:
        return []

    made = set(
        await session.scalars(
            sa.select(ServiceOrder.visit_due_on).where(ServiceOrder.contract_id == contract.id)
        )
    )
    equipment_id, site_id = await _visit_place(session, contract)
    return [
        {
            "id": visit_id(contract.id, day),
            "number": visit_number(contract, day),
            "affair_id": contract.affair_id,
            "customer_id": contract.customer_id,
            "site_id": site_id,
            "equipment_id": equipment_id,
            "contract_id": contract.id,
            "visit_due_on": day,
            "technician_id": contract.technician_id,
            "kind": ServiceOrderKind.VISIT,
            "status": ServiceOrderStatus.PLANNED,
            "title": f"Maintenance visit {contract.number}",
        }
        for day in due
        if day not in made
    ]


async def _visit_place(
    session: AsyncSession, contract: MaintenanceContract
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The equipment a visit is for when the contract covers one machine
    (several: the visit is for all of them, and names none), and where to
    go: the machine's site, else the affair's."""
    affair_site = await session.scalar(
        sa.select(Affair.site_id).where(Affair.id == contract.affair_id)
    )
    covered = list(
        await session.execute(
            sa.select(Equipment.id, Equipment.site_id)
            .join(ContractEquipment, ContractEquipment.equipment_id == Equipment.id)
            .where(ContractEquipment.contract_id == contract.id, Equipment.deleted_at.is_(None))
            .limit(2)
        )
    )
    if len(covered) == 1:
        return covered[0][0], covered[0][1] or affair_site
    return None, affair_site


async def cancel_visits_after(
    session: AsyncSession, contract_id: uuid.UUID, last_day: dt.date
) -> int:
    """Cancel the planned visits due after ``last_day`` (a contract closed
    early): nobody should go. Visits begun are left to their technician."""
    result = await session.execute(
        sa.update(ServiceOrder)
        .where(
            ServiceOrder.contract_id == contract_id,
            ServiceOrder.visit_due_on > last_day,
            ServiceOrder.status == ServiceOrderStatus.PLANNED,
        )
        .values(status=ServiceOrderStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# -- Flags -----------------------------------------------------------------


def visit_is_late(due_on: dt.date | None, status: ServiceOrderStatus, today: dt.date) -> bool:
    """Due before today and still waiting for someone to do it."""
    return due_on is not None and due_on < today and status not in VISIT_SETTLED


@dataclass(frozen=True)
class RepairTiming:
    """What the SLA looks at in a repair order."""

    order_id: uuid.UUID
    number: str
    received_at: dt.datetime
    started_at: dt.datetime | None
    started: bool


def repair_timing(order: ServiceOrder, left_intake_at: dt.datetime | None) -> RepairTiming | None:
    """When a repair arrived and when it was started; None for what has no
    arrival time (nothing to measure).

    ``left_intake_at`` is the first step past intake in the repair's step
    history: a later status change (quality check, return) must not push
    the start past the promised hours.
    """
    if order.received_at is None:
        return None
    moved_on = order.step is not None and order.step != RepairStep.INTAKE
    started = moved_on or order.status in REPAIR_STARTED or left_intake_at is not None
    return RepairTiming(
        order_id=order.id,
        number=order.number,
        received_at=order.received_at,
        started_at=left_intake_at if started else None,
        started=started,
    )


def respond_by(received_at: dt.datetime, response_hours: int) -> dt.datetime:
    return received_at + dt.timedelta(hours=response_hours)


def sla_breached(timing: RepairTiming, response_hours: int, now: dt.datetime) -> bool:
    """Not started within ``response_hours`` of its arrival: still waiting
    past that time, or started after it. A start whose moment is unknown
    is given the benefit of the doubt."""
    deadline = respond_by(timing.received_at, response_hours)
    if not timing.started:
        return now > deadline
    return timing.started_at is not None and timing.started_at > deadline


def covers_day(contract: MaintenanceContract, day: dt.date) -> bool:
    """Was the contract running on ``day`` (a repair's arrival)?"""
    if contract.starts_on is None or day < contract.starts_on:
        return False
    ends = [end for end in (contract.ends_on, contract.closed_on) if end is not None]
    return not ends or day <= min(ends)


async def contract_repairs(
    session: AsyncSession, contract_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[RepairTiming]]:
    """The timing of the repair orders of the equipment each contract
    covers, and of those that name the contract."""
    ids = list(contract_ids)
    if not ids:
        return {}
    covered = sa.select(ContractEquipment.contract_id, ContractEquipment.equipment_id).where(
        ContractEquipment.contract_id.in_(ids)
    )
    covered_sub = covered.subquery()
    repairs = sa.and_(
        ServiceOrder.kind == ServiceOrderKind.REPAIR,
        ServiceOrder.deleted_at.is_(None),
        ServiceOrder.status != ServiceOrderStatus.CANCELLED,
        ServiceOrder.received_at.is_not(None),
    )
    by_equipment = (
        sa.select(covered_sub.c.contract_id, ServiceOrder)
        .join(ServiceOrder, ServiceOrder.equipment_id == covered_sub.c.equipment_id)
        .where(repairs)
    )
    by_contract = sa.select(ServiceOrder.contract_id, ServiceOrder).where(
        repairs, ServiceOrder.contract_id.in_(ids)
    )

    found: dict[uuid.UUID, dict[uuid.UUID, ServiceOrder]] = {}
    for query in (by_equipment, by_contract):
        for contract_id, order in await session.execute(query):
            found.setdefault(contract_id, {})[order.id] = order
    starts = await _left_intake(session, {key for orders in found.values() for key in orders})
    return {
        contract_id: [
            timing
            for order in orders.values()
            if (timing := repair_timing(order, starts.get(order.id))) is not None
        ]
        for contract_id, orders in found.items()
    }


async def _left_intake(
    session: AsyncSession, order_ids: set[uuid.UUID]
) -> dict[uuid.UUID, dt.datetime]:
    """The moment each repair first took a step past intake, from its step
    history (a repair never moved has no such moment)."""
    if not order_ids:
        return {}
    rows = await session.execute(
        sa.select(ServiceOrderStep.service_order_id, sa.func.min(ServiceOrderStep.at))
        .where(
            ServiceOrderStep.service_order_id.in_(order_ids),
            ServiceOrderStep.step != RepairStep.INTAKE,
        )
        .group_by(ServiceOrderStep.service_order_id)
    )
    return {order_id: at for order_id, at in rows}


def breaches(
    contract: MaintenanceContract, repairs: Iterable[RepairTiming], now: dt.datetime
) -> list[RepairTiming]:
    """The repairs of the contract's running days not started in time."""
    if contract.response_hours is None:
        return []
    found = []
    for timing in repairs:
        if not covers_day(contract, company_today(timing.received_at)):
            continue
        if sla_breached(timing, contract.response_hours, now):
            found.append(timing)
    return sorted(found, key=lambda timing: timing.received_at)


async def late_visit_counts(
    session: AsyncSession, contract_ids: Iterable[uuid.UUID], today: dt.date
) -> dict[uuid.UUID, int]:
    ids = list(contract_ids)
    if not ids:
        return {}
    rows = await session.execute(
        sa.select(ServiceOrder.contract_id, sa.func.count())
        .where(
            ServiceOrder.contract_id.in_(ids),
            ServiceOrder.kind == ServiceOrderKind.VISIT,
            ServiceOrder.deleted_at.is_(None),
            ServiceOrder.visit_due_on < today,
            ServiceOrder.status.not_in(VISIT_SETTLED),
        )
        .group_by(ServiceOrder.contract_id)
    )
    return {contract_id: int(count) for contract_id, count in rows if contract_id is not None}


# -- The daily run ---------------------------------------------------------

PLAN_EVERY = dt.timedelta(days=1)


async def plan_visits_daily(db: Database, settings: Settings) -> None:
    """Renew contracts and make their visits at start-up, then once a day
    (by the one server process that runs the daily tasks)."""
    while True:
        try:
            async with db.writing() as session:
                await generate_visits(
                    session, company_today(utc_now()), settings.contract_visit_horizon_days
                )
        except DBAPIError as exc:
            # Tomorrow's run makes what today's could not: nothing is lost.
            logger.warning("contracts.visits_failed", error=type(exc).__name__)
        await asyncio.sleep(PLAN_EVERY.total_seconds())
