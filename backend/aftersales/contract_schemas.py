"""Wire types of maintenance contracts: their terms, coverage and visits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

# Ten years between two visits or renewals is already more than any
# contract asks; a year of hours is the slowest response anyone promises.
Months = Annotated[int, Meta(ge=1, le=120)]
Hours = Annotated[int, Meta(ge=1, le=8760)]
Cents = Annotated[int, Meta(ge=0, le=10**12)]


class ContractCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new contract, in draft until activated; the server numbers it."""

    customer_id: uuid.UUID
    affair_id: uuid.UUID
    starts_on: dt.date
    ends_on: dt.date | None = None
    visit_every_months: Months | None = None
    response_hours: Hours | None = None
    amount_cents: Cents | None = None
    renews: bool = False
    renewal_months: Months | None = None
    signed_on: dt.date | None = None
    technician_id: uuid.UUID | None = None


class ContractPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Terms to change; a field left out keeps its value, null clears it."""

    starts_on: dt.date | msgspec.UnsetType = msgspec.UNSET
    ends_on: dt.date | msgspec.UnsetType | None = msgspec.UNSET
    visit_every_months: Months | msgspec.UnsetType | None = msgspec.UNSET
    response_hours: Hours | msgspec.UnsetType | None = msgspec.UNSET
    amount_cents: Cents | msgspec.UnsetType | None = msgspec.UNSET
    renews: bool | msgspec.UnsetType = msgspec.UNSET
    renewal_months: Months | msgspec.UnsetType | None = msgspec.UNSET
    signed_on: dt.date | msgspec.UnsetType | None = msgspec.UNSET
    technician_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET


class CoverRequest(msgspec.Struct, forbid_unknown_fields=True):
    equipment_id: uuid.UUID


class AssignRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The person who makes a visit; null leaves it to be given."""

    technician_id: uuid.UUID | None


class CloseRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Left out, the contract closes today (the company's day)."""

    closed_on: dt.date | None = None


class ContractFlags(msgspec.Struct):
    late_visits: int
    sla_breaches: int


class ContractOut(msgspec.Struct):
    id: uuid.UUID
    number: str
    status: str
    customer_id: uuid.UUID
    customer_name: str | None
    affair_id: uuid.UUID | None
    signed_on: dt.date | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    visit_every_months: int | None
    response_hours: int | None
    amount_cents: int | None
    renews: bool
    renewal_months: int | None
    closed_on: dt.date | None
    technician_id: uuid.UUID | None
    flags: ContractFlags


class CoveredEquipment(msgspec.Struct):
    id: uuid.UUID
    label: str
    serial_number: str | None


class VisitOut(msgspec.Struct):
    id: uuid.UUID
    number: str
    due_on: dt.date
    status: str
    technician_id: uuid.UUID | None
    late: bool


class SlaBreach(msgspec.Struct):
    """A repair of covered equipment not started in time: ``started_at``
    is null while it still waits."""

    service_order_id: uuid.UUID
    number: str
    received_at: dt.datetime
    respond_by: dt.datetime
    started_at: dt.datetime | None


class ContractDetail(msgspec.Struct):
    contract: ContractOut
    equipment: list[CoveredEquipment]
    visits: list[VisitOut]
    sla_breaches: list[SlaBreach]


class GenerateOut(msgspec.Struct):
    """What a run of the visit generation did."""

    visits_created: int
    contracts_renewed: int
