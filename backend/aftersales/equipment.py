"""Equipment records for the office: the list, the page, warranties, the
composition of a machine on any day, documents and photos.

A machine's composition is read from its fittings (``equipment_parts``):
a part is in the machine from ``fitted_at`` until ``removed_at``. The
composition "on" a day is what the machine held at the end of that day,
in the company's time zone: a part fitted in the afternoon counts, one
removed that morning does not.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
import structlog
from msgspec import UNSET
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.access import policy
from backend.access.actors import Actor
from backend.aftersales.equipment_schemas import (
    MAX_PAGE,
    CompositionOut,
    EquipmentCreate,
    EquipmentFileCreate,
    EquipmentFileOut,
    EquipmentList,
    EquipmentOrderOut,
    EquipmentOut,
    EquipmentPage,
    EquipmentUpdate,
    FittingOut,
    WarrantyOut,
    WarrantyState,
)
from backend.db.models import (
    Affair,
    Customer,
    Equipment,
    EquipmentFile,
    EquipmentFileKind,
    EquipmentPart,
    Product,
    ServiceOrder,
    Site,
    User,
)
from backend.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.lib.time import utc_now, zone
from backend.offline.blobs import blob_usable

logger = structlog.get_logger()


def parse_day(text: str | None, field: str) -> dt.date | None:
    """A query's day (``YYYY-MM-DD``); the error names the query's field."""
    if text is None or text == "":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(field=field, reason="a date YYYY-MM-DD expected") from exc


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the company's time zone, in UTC."""
    following = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone(None))
    return following.astimezone(dt.UTC)


def today() -> dt.date:
    return utc_now().astimezone(zone(None)).date()


def warranty_state(ends_on: dt.date | None, day: dt.date) -> WarrantyState:
    """A warranty runs up to and including its last day."""
    if ends_on is None:
        return "unknown"
    return "running" if day <= ends_on else "ended"


def warranties(equipment: Equipment, day: dt.date) -> list[WarrantyOut]:
    return [
        WarrantyOut(
            kind="customer",
            state=warranty_state(equipment.customer_warranty_ends_on, day),
            ends_on=equipment.customer_warranty_ends_on,
        ),
        WarrantyOut(
            kind="manufacturer",
            state=warranty_state(equipment.manufacturer_warranty_ends_on, day),
            ends_on=equipment.manufacturer_warranty_ends_on,
        ),
    ]


_OF_CUSTOMER = Customer.id == Equipment.customer_id
_LISTED = (
    sa.select(Equipment, Affair.code, Customer.name)
    .join(Affair, Affair.id == Equipment.affair_id)
    .outerjoin(Customer, _OF_CUSTOMER)
)


def _out(equipment: Equipment, affair_code: str, customer_name: str | None) -> EquipmentOut:
    return EquipmentOut(
        id=equipment.id,
        affair_id=equipment.affair_id,
        affair_code=affair_code,
        customer_id=equipment.customer_id,
        customer_name=customer_name,
        site_id=equipment.site_id,
        product_id=equipment.product_id,
        label=equipment.label,
        serial_number=equipment.serial_number,
        installed_on=equipment.installed_on,
        customer_warranty_ends_on=equipment.customer_warranty_ends_on,
        manufacturer_warranty_ends_on=equipment.manufacturer_warranty_ends_on,
        version=equipment.version,
    )


async def list_equipment(
    session: AsyncSession,
    actor: Actor,
    *,
    customer_id: uuid.UUID | None = None,
    affair_id: uuid.UUID | None = None,
    serial: str | None = None,
    text: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> EquipmentList:
    """The equipment the actor sees, by label, filtered; one page of it.

    ``serial`` matches the start of a serial number (a scanner reads it
    whole, a person types its beginning); ``text`` any part of the label,
    the serial or the customer's name.
    """
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    conditions: list[sa.ColumnElement[bool]] = [
        Equipment.deleted_at.is_(None),
        policy.visible_equipment(actor),
    ]
    if customer_id is not None:
        conditions.append(Equipment.customer_id == customer_id)
    if affair_id is not None:
        conditions.append(Equipment.affair_id == affair_id)
    if serial:
        conditions.append(Equipment.serial_number.startswith(serial, autoescape=True))
    if text:
        pattern = f"%{text.lower()}%"
        conditions.append(
            sa.or_(
                sa.func.lower(Equipment.label).like(pattern),
                sa.func.lower(Equipment.serial_number).like(pattern),
                sa.func.lower(Customer.name).like(pattern),
            )
        )

    total = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Equipment)
        .outerjoin(Customer, _OF_CUSTOMER)
        .where(*conditions)
    )
    rows = await session.execute(
        _LISTED.where(*conditions)
        .order_by(Equipment.label, Equipment.serial_number, Equipment.id)
        .offset(offset)
        .limit(limit)
    )
    items = [_out(equipment, code, name) for equipment, code, name in rows]
    return EquipmentList(items=items, total=total or 0, offset=offset, limit=limit)


async def visible_equipment(
    session: AsyncSession, actor: Actor, equipment_id: uuid.UUID
) -> tuple[Equipment, str, str | None]:
    """The equipment with its affair's code and customer's name; 404 when
    the actor may not see it (whether it exists is none of their business)."""
    found = (
        await session.execute(
            _LISTED.where(
                Equipment.id == equipment_id,
                Equipment.deleted_at.is_(None),
                policy.visible_equipment(actor),
            )
        )
    ).first()
    if found is None:
        raise NotFound(equipment_id=str(equipment_id))
    return found[0], found[1], found[2]


_MACHINE = aliased(Equipment)
_PART = aliased(Equipment)
_FITTER = aliased(User)
_REMOVER = aliased(User)
_FITTED_ON = aliased(ServiceOrder)
_REMOVED_ON = aliased(ServiceOrder)
_FITTINGS = (
    sa.select(
        EquipmentPart,
        _MACHINE.label,
        _PART.label,
        _PART.serial_number,
        _FITTER.name,
        _FITTED_ON.number,
        _REMOVER.name,
        _REMOVED_ON.number,
    )
    .join(_MACHINE, _MACHINE.id == EquipmentPart.equipment_id)
    .join(_PART, _PART.id == EquipmentPart.part_id)
    .outerjoin(_FITTER, _FITTER.id == EquipmentPart.fitted_by_id)
    .outerjoin(_REMOVER, _REMOVER.id == EquipmentPart.removed_by_id)
    .outerjoin(_FITTED_ON, _FITTED_ON.id == EquipmentPart.fitted_order_id)
    .outerjoin(_REMOVED_ON, _REMOVED_ON.id == EquipmentPart.removed_order_id)
    .where(EquipmentPart.deleted_at.is_(None))
)


async def _fittings(session: AsyncSession, *conditions: sa.ColumnElement[bool]) -> list[FittingOut]:
    rows = await session.execute(
        _FITTINGS.where(*conditions).order_by(EquipmentPart.fitted_at, EquipmentPart.id)
    )
    return [
        FittingOut(
            id=fitting.id,
            equipment_id=fitting.equipment_id,
            equipment_label=machine_label,
            part_id=fitting.part_id,
            part_label=part_label,
            serial_number=serial,
            fitted_at=fitting.fitted_at,
            fitted_by=fitter,
            fitted_order_id=fitting.fitted_order_id,
            fitted_order_number=fitted_number,
            removed_at=fitting.removed_at,
            removed_by=remover,
            removed_order_id=fitting.removed_order_id,
            removed_order_number=removed_number,
        )
        for (
            fitting,
            machine_label,
            part_label,
            serial,
            fitter,
            fitted_number,
            remover,
            removed_number,
        ) in rows
    ]


def fitted_at_instant(instant: dt.datetime) -> sa.ColumnElement[bool]:
    """Fittings open at ``instant``: fitted before it, not removed by then."""
    return sa.and_(
        EquipmentPart.fitted_at < instant,
        sa.or_(EquipmentPart.removed_at.is_(None), EquipmentPart.removed_at >= instant),
    )


async def composition_at(
    session: AsyncSession, equipment_id: uuid.UUID, instant: dt.datetime
) -> list[FittingOut]:
    """The parts in the machine at ``instant``."""
    return await _fittings(
        session, EquipmentPart.equipment_id == equipment_id, fitted_at_instant(instant)
    )


async def composition_on(
    session: AsyncSession, actor: Actor, equipment_id: uuid.UUID, day: dt.date | None
) -> CompositionOut:
    """What the machine held at the end of ``day`` (today when None)."""
    await visible_equipment(session, actor, equipment_id)
    day = day or today()
    parts = await composition_at(session, equipment_id, end_of_day(day))
    return CompositionOut(equipment_id=equipment_id, on=day, parts=parts)


async def _orders(
    session: AsyncSession, actor: Actor, equipment_id: uuid.UUID
) -> list[EquipmentOrderOut]:
    rows = await session.execute(
        sa.select(ServiceOrder, User.name)
        .outerjoin(User, User.id == ServiceOrder.technician_id)
        .where(
            ServiceOrder.equipment_id == equipment_id,
            ServiceOrder.deleted_at.is_(None),
            policy.visible_service_orders(actor),
        )
        .order_by(sa.func.coalesce(ServiceOrder.received_at, ServiceOrder.scheduled_start).desc())
    )
    return [
        EquipmentOrderOut(
            id=order.id,
            number=order.number,
            title=order.title,
            kind=order.kind.value,
            status=order.status.value,
            step=order.step.value if order.step is not None else None,
            technician=technician,
            scheduled_start=order.scheduled_start,
            received_at=order.received_at,
        )
        for order, technician in rows
    ]


async def _files(session: AsyncSession, equipment_id: uuid.UUID) -> list[EquipmentFileOut]:
    rows = await session.execute(
        sa.select(EquipmentFile, User.name)
        .outerjoin(User, User.id == EquipmentFile.added_by_id)
        .where(EquipmentFile.equipment_id == equipment_id, EquipmentFile.deleted_at.is_(None))
        .order_by(EquipmentFile.added_at.desc())
    )
    return [
        EquipmentFileOut(
            id=file.id,
            kind=file.kind.value,
            title=file.title,
            sha256=file.sha256,
            added_by=added_by,
            added_at=file.added_at,
        )
        for file, added_by in rows
    ]


async def equipment_page(
    session: AsyncSession, actor: Actor, equipment_id: uuid.UUID, day: dt.date | None
) -> EquipmentPage:
    """The equipment page as of ``day`` (today when None): warranties on
    that day, composition now, every fitting in and out, orders, files."""
    equipment, affair_code, customer_name = await visible_equipment(session, actor, equipment_id)
    day = day or today()

    return EquipmentPage(
        equipment=_out(equipment, affair_code, customer_name),
        on=day,
        warranties=warranties(equipment, day),
        composition=await _fittings(
            session, EquipmentPart.equipment_id == equipment_id, EquipmentPart.removed_at.is_(None)
        ),
        history=await _fittings(session, EquipmentPart.equipment_id == equipment_id),
        fitted_in=await _fittings(session, EquipmentPart.part_id == equipment_id),
        orders=await _orders(session, actor, equipment_id),
        files=await _files(session, equipment_id),
    )


def _may_manage(actor: Actor) -> None:
    if not policy.manages_equipment(actor):
        raise Forbidden()


async def _check_site(session: AsyncSession, site_id: uuid.UUID | None, customer_id: Any) -> None:
    if site_id is None:
        return
    owner = await session.scalar(sa.select(Site.customer_id).where(Site.id == site_id))
    if owner is None or (customer_id is not None and owner != customer_id):
        raise InvalidInput(field="site_id", reason="no such site of this customer")


async def create_equipment(
    session: AsyncSession, actor: Actor, data: EquipmentCreate
) -> EquipmentOut:
    """A new piece of equipment on an affair the actor sees. The customer
    and site default to the affair's; a serial is unique per product."""
    _may_manage(actor)
    affair = await session.scalar(
        sa.select(Affair).where(Affair.id == data.affair_id, policy.visible_affairs(actor))
    )
    if affair is None:
        raise InvalidInput(field="affair_id", reason="no such affair")
    if data.product_id is not None and await session.get(Product, data.product_id) is None:
        raise InvalidInput(field="product_id", reason="no such product")
    customer_id = data.customer_id or affair.customer_id
    if data.customer_id is not None and await session.get(Customer, data.customer_id) is None:
        raise InvalidInput(field="customer_id", reason="no such customer")
    site_id = data.site_id if data.site_id is not None else affair.site_id
    await _check_site(session, site_id, customer_id)

    equipment = Equipment(
        affair_id=affair.id,
        customer_id=customer_id,
        site_id=site_id,
        product_id=data.product_id,
        label=data.label,
        serial_number=data.serial_number,
        installed_on=data.installed_on,
        customer_warranty_ends_on=data.customer_warranty_ends_on,
        manufacturer_warranty_ends_on=data.manufacturer_warranty_ends_on,
    )
    await _store(session, equipment)

    logger.info("equipment.created", equipment=str(equipment.id), affair=str(affair.id))
    name = await session.scalar(sa.select(Customer.name).where(Customer.id == customer_id))
    return _out(equipment, affair.code, name)


async def _store(session: AsyncSession, equipment: Equipment) -> None:
    """Write, answering a serial already used for the product as a 409."""
    try:
        async with session.begin_nested():
            session.add(equipment)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            code="serial_taken", field="serial_number", serial_number=equipment.serial_number
        ) from exc
    await session.refresh(equipment)


async def update_equipment(
    session: AsyncSession, actor: Actor, equipment_id: uuid.UUID, data: EquipmentUpdate
) -> EquipmentOut:
    """Correct install date, warranty ends, site or label."""
    _may_manage(actor)
    equipment, affair_code, customer_name = await visible_equipment(session, actor, equipment_id)
    changes = {
        name: getattr(data, name)
        for name in EquipmentUpdate.__struct_fields__
        if getattr(data, name) is not UNSET
    }
    if "site_id" in changes:
        await _check_site(session, changes["site_id"], equipment.customer_id)

    for name, value in changes.items():
        setattr(equipment, name, value)
    await session.flush()
    await session.refresh(equipment)

    logger.info("equipment.updated", equipment=str(equipment.id), fields=sorted(changes))
    return _out(equipment, affair_code, customer_name)


async def attach_file(
    session: AsyncSession, actor: Actor, equipment_id: uuid.UUID, data: EquipmentFileCreate
) -> EquipmentFileOut:
    """Attach an uploaded photo or document. The blob must be one the
    actor may name (uploaded by them, or already on a record they see)."""
    _may_manage(actor)
    equipment, _, _ = await visible_equipment(session, actor, equipment_id)
    if not await blob_usable(session, actor, data.sha256):
        raise Conflict(code="file_not_uploaded", field="sha256", sha256=data.sha256)

    file = EquipmentFile(
        equipment_id=equipment.id,
        affair_id=equipment.affair_id,
        sha256=data.sha256,
        kind=EquipmentFileKind(data.kind),
        title=data.title,
        added_by_id=actor.id,
        added_at=utc_now(),
    )
    session.add(file)
    await session.flush()

    logger.info("equipment.file_attached", equipment=str(equipment.id), file=str(file.id))
    name = await session.scalar(sa.select(User.name).where(User.id == actor.id))
    return EquipmentFileOut(
        id=file.id,
        kind=file.kind.value,
        title=file.title,
        sha256=file.sha256,
        added_by=name,
        added_at=file.added_at,
    )
