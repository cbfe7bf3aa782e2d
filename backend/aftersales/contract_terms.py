"""Maintenance contracts at the office: their terms, the equipment they
cover, their life (draft -> active -> closed), and what the office reads
of them.

    draft --activate--> active --close--> closed
      |                                      ^
      +--------------close-------------------+

A closed contract is kept as it was: its terms no longer change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import msgspec
import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access import policy
from backend.access.actors import Actor
from backend.aftersales import contracts
from backend.aftersales.contract_schemas import (
    AssignRequest,
    CloseRequest,
    ContractCreate,
    ContractDetail,
    ContractFlags,
    ContractOut,
    ContractPatch,
    CoveredEquipment,
    CoverRequest,
    GenerateOut,
    SlaBreach,
    VisitOut,
)
from backend.db.changelog import change_lock_statement
from backend.db.models import (
    Affair,
    ContractEquipment,
    ContractStatus,
    Customer,
    Equipment,
    MaintenanceContract,
    Role,
    ServiceOrder,
    ServiceOrderKind,
    ServiceOrderStatus,
    User,
)
from backend.db.upsert import dialect_of
from backend.lib.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleBroken
from backend.lib.time import DAY_OUT_OF_RANGE, day_outside
from sync.ids import uuid7

logger = structlog.get_logger()

# Terms whose change moves the days visits are due on.
SCHEDULE_TERMS = ("starts_on", "ends_on", "visit_every_months")


def may_read(actor: Actor) -> None:
    if not policy.reads_contracts(actor):
        raise Forbidden()


def may_manage(actor: Actor) -> None:
    if not policy.manages_contracts(actor):
        raise Forbidden()


async def next_contract_number(session: AsyncSession, year: int) -> str:
    """The next free human number of the year: ``MC-2026-0007``.

    Taken under the writers' lock (PostgreSQL), which the new contract's
    insert would take anyway: two contracts made at once get two numbers.
    """
    lock = change_lock_statement(dialect_of(session))
    if lock is not None:
        await session.execute(sa.text(lock))
    prefix = f"MC-{year}-"
    last = await session.scalar(
        sa.select(sa.func.max(MaintenanceContract.number)).where(
            MaintenanceContract.number.like(prefix + "%")
        )
    )
    following = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{following:04d}"


# Who may be given a visit: those who go out to customers.
FIELD_ROLES = (Role.TECHNICIAN, Role.SUPERVISOR)


async def check_technician(session: AsyncSession, technician_id: uuid.UUID | None) -> None:
    if technician_id is None:
        return
    person = await session.get(User, technician_id)
    if person is None or not person.active or person.role not in FIELD_ROLES:
        raise RuleBroken("not_a_technician", code="not_a_technician", field="technician_id")


def check_terms(contract: MaintenanceContract) -> None:
    """Terms that hold together, each refusal naming its field."""
    starts_on = contract.starts_on
    for name in ("signed_on", "starts_on", "ends_on"):
        if day_outside(getattr(contract, name)):
            raise InvalidInput("invalid_input", field=name, reason=DAY_OUT_OF_RANGE)
    if starts_on is not None and contract.ends_on is not None and contract.ends_on < starts_on:
        raise InvalidInput("invalid_input", field="ends_on", reason="the end is before the start")
    if contract.renews and contract.renewal_months is None:
        raise InvalidInput(
            "invalid_input", field="renewal_months", reason="a renewing contract says for how long"
        )
    if contract.renews and contract.ends_on is None:
        raise InvalidInput(
            "invalid_input", field="ends_on", reason="a renewing contract has an end to renew"
        )


async def create_contract(
    session: AsyncSession, actor: Actor, data: ContractCreate, now: dt.datetime
) -> ContractDetail:
    may_manage(actor)
    affair = await session.get(Affair, data.affair_id)
    if affair is None or affair.deleted_at is not None:
        raise NotFound("not_found", field="affair_id")
    customer = await session.get(Customer, data.customer_id)
    if customer is None or customer.deleted_at is not None:
        raise NotFound("not_found", field="customer_id")
    if affair.customer_id not in (None, customer.id):
        raise RuleBroken(
            "affair_of_another_customer", code="affair_of_another_customer", field="affair_id"
        )

    await check_technician(session, data.technician_id)
    contract = MaintenanceContract(
        id=uuid7(),
        number=await next_contract_number(session, contracts.company_today(now).year),
        status=ContractStatus.DRAFT,
        **msgspec.structs.asdict(data),
    )
    check_terms(contract)
    session.add(contract)
    await session.flush()

    logger.info("contracts.created", contract=str(contract.id))
    return await contract_detail(session, actor, contract.id, now)


async def _contract(session: AsyncSession, contract_id: uuid.UUID) -> MaintenanceContract:
    contract = await session.get(MaintenanceContract, contract_id)
    if contract is None or contract.deleted_at is not None:
        raise NotFound()
    return contract


def _open(contract: MaintenanceContract) -> None:
    if contract.status == ContractStatus.CLOSED:
        raise Conflict("contract_closed", code="contract_closed", number=contract.number)


async def change_terms(
    session: AsyncSession,
    actor: Actor,
    contract_id: uuid.UUID,
    data: ContractPatch,
    now: dt.datetime,
    horizon_days: int,
) -> ContractDetail:
    """Change the terms given. On an active contract, the planned visits
    the new schedule no longer has are cancelled and the missing ones made."""
    may_manage(actor)
    contract = await _contract(session, contract_id)
    _open(contract)

    changed = {
        name: value
        for name, value in msgspec.structs.asdict(data).items()
        if value is not msgspec.UNSET
    }
    if "technician_id" in changed:
        await check_technician(session, changed["technician_id"])
    before = contract.technician_id
    for name, value in changed.items():
        setattr(contract, name, value)
    check_terms(contract)
    await session.flush()
    if contract.technician_id != before:
        await _hand_over_visits(session, contract, before, contracts.company_today(now))

    rescheduled = contract.status == ContractStatus.ACTIVE and any(
        name in changed for name in SCHEDULE_TERMS
    )
    if rescheduled:
        today = contracts.company_today(now)
        await _cancel_off_schedule(session, contract, today)
        await contracts.generate_visits(session, today, horizon_days, [contract.id])

    logger.info("contracts.changed", contract=str(contract.id), fields=len(changed))
    return await contract_detail(session, actor, contract.id, now)


async def _hand_over_visits(
    session: AsyncSession,
    contract: MaintenanceContract,
    before: uuid.UUID | None,
    today: dt.date,
) -> None:
    """The planned visits from today on that were the former technician's
    (or nobody's) go to the contract's new one; a visit given to someone
    else by hand stays theirs."""
    was_theirs = (
        ServiceOrder.technician_id.is_(None)
        if before is None
        else sa.or_(ServiceOrder.technician_id.is_(None), ServiceOrder.technician_id == before)
    )
    await session.execute(
        sa.update(ServiceOrder)
        .where(
            ServiceOrder.contract_id == contract.id,
            ServiceOrder.status == ServiceOrderStatus.PLANNED,
            ServiceOrder.visit_due_on >= today,
            was_theirs,
        )
        .values(technician_id=contract.technician_id)
        .execution_options(synchronize_session=False)
    )


async def assign_visit(
    session: AsyncSession,
    actor: Actor,
    contract_id: uuid.UUID,
    visit_id: uuid.UUID,
    data: AssignRequest,
    now: dt.datetime,
) -> ContractDetail:
    """Give one planned visit to a technician (or to nobody yet): it
    reaches their phone at its next sync."""
    may_manage(actor)
    contract = await _contract(session, contract_id)
    _open(contract)
    visit = await session.get(ServiceOrder, visit_id)
    if visit is None or visit.contract_id != contract.id or visit.deleted_at is not None:
        raise NotFound()
    if visit.status != ServiceOrderStatus.PLANNED:
        raise Conflict("visit_not_planned", code="visit_not_planned", status=visit.status.value)
    await check_technician(session, data.technician_id)

    visit.technician_id = data.technician_id
    await session.flush()

    logger.info("contracts.visit_assigned", contract=str(contract.id), visit=str(visit.id))
    return await contract_detail(session, actor, contract.id, now)


async def _cancel_off_schedule(
    session: AsyncSession, contract: MaintenanceContract, today: dt.date
) -> None:
    """Planned visits from today on that the schedule no longer has."""
    planned = await session.scalars(
        sa.select(ServiceOrder).where(
            ServiceOrder.contract_id == contract.id,
            ServiceOrder.status == ServiceOrderStatus.PLANNED,
            ServiceOrder.visit_due_on >= today,
        )
    )
    last = max([order.visit_due_on for order in planned.all() if order.visit_due_on] or [today])
    wanted: set[dt.date] = set()
    if contract.starts_on is not None and contract.visit_every_months is not None:
        ends = [day for day in (contract.ends_on, contract.closed_on, last) if day is not None]
        wanted = set(contract_days(contract, min(ends)))
    await session.execute(
        sa.update(ServiceOrder)
        .where(
            ServiceOrder.contract_id == contract.id,
            ServiceOrder.status == ServiceOrderStatus.PLANNED,
            ServiceOrder.visit_due_on >= today,
            ServiceOrder.visit_due_on.not_in(wanted),
        )
        .values(status=ServiceOrderStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )


def contract_days(contract: MaintenanceContract, last_day: dt.date) -> list[dt.date]:
    assert contract.starts_on is not None and contract.visit_every_months is not None
    return contracts.visit_days(contract.starts_on, contract.visit_every_months, last_day)


async def cover_equipment(
    session: AsyncSession,
    actor: Actor,
    contract_id: uuid.UUID,
    data: CoverRequest,
    now: dt.datetime,
) -> ContractDetail:
    """The contract covers this equipment from now on; covering it again
    changes nothing."""
    may_manage(actor)
    contract = await _contract(session, contract_id)
    _open(contract)
    equipment = await session.get(Equipment, data.equipment_id)
    if equipment is None or equipment.deleted_at is not None:
        raise NotFound("not_found", field="equipment_id")
    if equipment.customer_id not in (None, contract.customer_id):
        raise RuleBroken("equipment_of_another_customer", code="equipment_of_another_customer")

    known = await session.get(ContractEquipment, (contract.id, equipment.id))
    if known is None:
        session.add(ContractEquipment(contract_id=contract.id, equipment_id=equipment.id))
        await session.flush()
        logger.info("contracts.covered", contract=str(contract.id), equipment=str(equipment.id))
    return await contract_detail(session, actor, contract.id, now)


async def activate_contract(
    session: AsyncSession, actor: Actor, contract_id: uuid.UUID, now: dt.datetime, horizon: int
) -> ContractDetail:
    """A draft starts running: its visits up to the horizon are made now."""
    may_manage(actor)
    contract = await _contract(session, contract_id)
    _open(contract)
    if contract.status != ContractStatus.DRAFT:
        raise Conflict("contract_not_draft", code="contract_not_draft", number=contract.number)
    for name in ("starts_on", "visit_every_months"):
        if getattr(contract, name) is None:
            raise RuleBroken("contract_incomplete", code="contract_incomplete", field=name)

    contract.status = ContractStatus.ACTIVE
    await session.flush()
    today = contracts.company_today(now)
    await contracts.generate_visits(session, today, horizon, [contract.id])

    logger.info("contracts.activated", contract=str(contract.id))
    return await contract_detail(session, actor, contract.id, now)


async def close_contract(
    session: AsyncSession,
    actor: Actor,
    contract_id: uuid.UUID,
    data: CloseRequest,
    now: dt.datetime,
) -> ContractDetail:
    """The contract stops on ``closed_on`` (today when not given): the
    planned visits due after it are cancelled."""
    may_manage(actor)
    contract = await _contract(session, contract_id)
    _open(contract)
    closed_on = data.closed_on or contracts.company_today(now)
    if contract.starts_on is not None and closed_on < contract.starts_on:
        raise InvalidInput(
            "invalid_input", field="closed_on", reason="the contract closes before it starts"
        )

    contract.status = ContractStatus.CLOSED
    contract.closed_on = closed_on
    contract.renews = False
    await session.flush()
    cancelled = await contracts.cancel_visits_after(session, contract.id, closed_on)

    logger.info("contracts.closed", contract=str(contract.id), visits_cancelled=cancelled)
    return await contract_detail(session, actor, contract.id, now)


async def generate_all_visits(
    session: AsyncSession, actor: Actor, now: dt.datetime, horizon: int
) -> GenerateOut:
    may_manage(actor)
    result = await contracts.generate_visits(session, contracts.company_today(now), horizon)
    return GenerateOut(result.visits_created, result.contracts_renewed)


# -- Reading ---------------------------------------------------------------


async def list_contracts(
    session: AsyncSession,
    actor: Actor,
    now: dt.datetime,
    status: ContractStatus | None = None,
    customer_id: uuid.UUID | None = None,
) -> list[ContractOut]:
    """Every contract (of a status, of a customer), the ones that need
    attention first: late visits or SLA breaches, then by number."""
    may_read(actor)
    query = (
        sa.select(MaintenanceContract, Customer.name)
        .join(Customer, Customer.id == MaintenanceContract.customer_id)
        .where(MaintenanceContract.deleted_at.is_(None))
        .order_by(MaintenanceContract.number)
    )
    if status is not None:
        query = query.where(MaintenanceContract.status == status)
    if customer_id is not None:
        query = query.where(MaintenanceContract.customer_id == customer_id)
    rows = list(await session.execute(query))
    found = await _with_flags(session, [(contract, name) for contract, name in rows], now)
    return sorted(found, key=lambda out: -(out.flags.late_visits + out.flags.sla_breaches))


async def _with_flags(
    session: AsyncSession,
    rows: Sequence[tuple[MaintenanceContract, str | None]],
    now: dt.datetime,
) -> list[ContractOut]:
    ids = [contract.id for contract, _ in rows]
    late = await contracts.late_visit_counts(session, ids, contracts.company_today(now))
    repairs = await contracts.contract_repairs(session, ids)
    return [
        _contract_out(
            contract,
            name,
            ContractFlags(
                late_visits=late.get(contract.id, 0),
                sla_breaches=len(contracts.breaches(contract, repairs.get(contract.id, []), now)),
            ),
        )
        for contract, name in rows
    ]


def _contract_out(
    contract: MaintenanceContract, customer: str | None, flags: ContractFlags
) -> ContractOut:
    return ContractOut(
        id=contract.id,
        number=contract.number,
        status=contract.status.value,
        customer_id=contract.customer_id,
        customer_name=customer,
        affair_id=contract.affair_id,
        signed_on=contract.signed_on,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        visit_every_months=contract.visit_every_months,
        response_hours=contract.response_hours,
        amount_cents=contract.amount_cents,
        renews=contract.renews,
        renewal_months=contract.renewal_months,
        closed_on=contract.closed_on,
        technician_id=contract.technician_id,
        flags=flags,
    )


async def contract_detail(
    session: AsyncSession, actor: Actor, contract_id: uuid.UUID, now: dt.datetime
) -> ContractDetail:
    """Terms, equipment covered, visits with their state, SLA breaches."""
    may_read(actor)
    contract = await _contract(session, contract_id)
    customer = await session.get(Customer, contract.customer_id)
    today = contracts.company_today(now)

    equipment = await session.scalars(
        sa.select(Equipment)
        .join(ContractEquipment, ContractEquipment.equipment_id == Equipment.id)
        .where(ContractEquipment.contract_id == contract.id, Equipment.deleted_at.is_(None))
        .order_by(Equipment.label)
    )
    visits = list(
        await session.scalars(
            sa.select(ServiceOrder)
            .where(
                ServiceOrder.contract_id == contract.id,
                ServiceOrder.kind == ServiceOrderKind.VISIT,
                ServiceOrder.deleted_at.is_(None),
            )
            .order_by(ServiceOrder.visit_due_on)
        )
    )
    repairs = await contracts.contract_repairs(session, [contract.id])
    late_breaches = contracts.breaches(contract, repairs.get(contract.id, []), now)
    visit_rows = [
        VisitOut(
            id=visit.id,
            number=visit.number,
            due_on=visit.visit_due_on,
            status=visit.status.value,
            technician_id=visit.technician_id,
            late=contracts.visit_is_late(visit.visit_due_on, visit.status, today),
        )
        for visit in visits
        if visit.visit_due_on is not None
    ]
    flags = ContractFlags(
        late_visits=sum(visit.late for visit in visit_rows), sla_breaches=len(late_breaches)
    )
    return ContractDetail(
        contract=_contract_out(contract, customer.name if customer else None, flags),
        equipment=[
            CoveredEquipment(id=item.id, label=item.label, serial_number=item.serial_number)
            for item in equipment
        ],
        visits=visit_rows,
        sla_breaches=[
            SlaBreach(
                service_order_id=timing.order_id,
                number=timing.number,
                received_at=timing.received_at,
                respond_by=contracts.respond_by(timing.received_at, contract.response_hours or 0),
                started_at=timing.started_at,
            )
            for timing in late_breaches
        ],
    )
