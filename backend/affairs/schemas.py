"""Wire types of affairs and their summary."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec


class AffairOut(msgspec.Struct):
    id: uuid.UUID
    code: str
    title: str
    kind: str
    status: str
    stage: str | None
    customer_id: uuid.UUID | None
    customer_name: str | None
    manager_id: uuid.UUID | None
    win_probability: int | None
    expected_amount_cents: int | None
    budget_cents: int | None
    start_date: dt.date | None
    end_date: dt.date | None
    progress: int


class LabourFigures(msgspec.Struct):
    minutes: int
    cost_cents: int


class Labour(msgspec.Struct):
    """Hours on the affair, counted once each, by where they stand."""

    approved: LabourFigures
    not_approved: LabourFigures
    # Minutes of people with no hourly rate on the work date: costed at 0.
    unrated_minutes: int


class Parts(msgspec.Struct):
    """Parts fitted or used on the affair's service orders, each counted
    once, on the affair of the order that used it."""

    lines: int
    quantity: int
    cost_cents: int
    # Lines with no product, or a product with no cost: counted at 0.
    uncosted_lines: int


class OpenServiceOrder(msgspec.Struct):
    id: uuid.UUID
    number: str
    title: str
    status: str
    kind: str
    # Where a repair stands (intake to returned); None for a visit.
    step: str | None
    technician_id: uuid.UUID | None
    scheduled_start: dt.datetime | None


class AffairEquipment(msgspec.Struct):
    id: uuid.UUID
    label: str
    serial_number: str | None
    customer_warranty_ends_on: dt.date | None
    manufacturer_warranty_ends_on: dt.date | None


class AffairContract(msgspec.Struct):
    id: uuid.UUID
    number: str
    status: str
    starts_on: dt.date | None
    ends_on: dt.date | None


class OpenConflict(msgspec.Struct):
    id: uuid.UUID
    kind: str
    code: str
    entity_type: str
    author_id: uuid.UUID
    created_at: dt.datetime
    message: str


class AffairSummary(msgspec.Struct):
    affair: AffairOut
    labour: Labour
    parts: Parts
    open_service_orders: list[OpenServiceOrder]
    open_conflicts: list[OpenConflict]
    equipment: list[AffairEquipment]
    contracts: list[AffairContract]
