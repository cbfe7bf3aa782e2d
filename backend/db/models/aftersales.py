"""After-sales: equipment, service orders, their notes, checklists,
maintenance contracts."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, Synced, utc_now
from backend.db.types import JSONDocument, choice


class ServiceOrderStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ServiceOrderKind(enum.StrEnum):
    VISIT = "visit"
    REPAIR = "repair"


class RepairStep(enum.StrEnum):
    """Where a repair stands, from the product's arrival to its return."""

    INTAKE = "intake"
    DIAGNOSIS = "diagnosis"
    REPAIR = "repair"
    QUALITY_CHECK = "quality_check"
    READY = "ready"
    RETURNED = "returned"


class WarrantyBasis(enum.StrEnum):
    """Who pays for a repair, decided at intake."""

    CUSTOMER_WARRANTY = "customer_warranty"
    MANUFACTURER_WARRANTY = "manufacturer_warranty"
    CONTRACT = "contract"
    CHARGEABLE = "chargeable"


class Equipment(Synced, Base):
    """A product installed at or owned by a customer, serialized or not.

    A serialized piece of equipment has a serial number, unique for its
    product. A part fitted into another is itself equipment: the history of
    fittings says what a machine was made of on any day.
    """

    __tablename__ = "equipment"
    __table_args__ = (sa.UniqueConstraint("product_id", "serial_number"),)
    sync_type = "equipment"

    affair_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("affairs.id"), index=True)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("customers.id"), index=True, default=None
    )
    site_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("sites.id"), default=None)
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("products.id"), index=True, default=None
    )
    label: Mapped[str] = mapped_column(sa.String(200))
    serial_number: Mapped[str | None] = mapped_column(sa.String(80), index=True, default=None)
    installed_on: Mapped[dt.date | None] = mapped_column(default=None)
    customer_warranty_ends_on: Mapped[dt.date | None] = mapped_column(default=None)
    manufacturer_warranty_ends_on: Mapped[dt.date | None] = mapped_column(default=None)
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)


class ServiceOrder(Synced, Base):
    """An intervention: a visit or a repair, assigned to a technician.

    A visit moves through ``status`` alone. A repair also has a ``step``
    (intake to returned); its status follows the step. A contract's planned
    visit names its contract and the day it is due, once per day.
    """

    __tablename__ = "service_orders"
    sync_type = "service_order"

    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    affair_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("affairs.id"), index=True)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("customers.id"), default=None
    )
    site_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("sites.id"), default=None)
    technician_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True, default=None
    )
    status: Mapped[ServiceOrderStatus] = mapped_column(
        choice(ServiceOrderStatus, "service_order_status"), default=ServiceOrderStatus.PLANNED
    )
    title: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.Text, default=None)
    scheduled_start: Mapped[dt.datetime | None] = mapped_column(default=None)
    scheduled_end: Mapped[dt.datetime | None] = mapped_column(default=None)
    planned_minutes: Mapped[int | None] = mapped_column(default=None)
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)
    kind: Mapped[ServiceOrderKind] = mapped_column(
        choice(ServiceOrderKind, "service_order_kind"),
        default=ServiceOrderKind.VISIT,
        server_default=ServiceOrderKind.VISIT.value,
    )
    step: Mapped[RepairStep | None] = mapped_column(choice(RepairStep, "repair_step"), default=None)
    equipment_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("equipment.id"), index=True, default=None
    )
    contract_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("maintenance_contracts.id"), index=True, default=None
    )
    visit_due_on: Mapped[dt.date | None] = mapped_column(default=None)
    symptoms: Mapped[str | None] = mapped_column(sa.Text, default=None)
    received_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    warranty: Mapped[WarrantyBasis | None] = mapped_column(
        choice(WarrantyBasis, "warranty_basis"), default=None
    )
    warranty_reason: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    diagnosis: Mapped[str | None] = mapped_column(sa.Text, default=None)
    repair_report: Mapped[str | None] = mapped_column(sa.Text, default=None)
    signature_sha256: Mapped[str | None] = mapped_column(
        sa.ForeignKey("blobs.sha256"), default=None
    )
    signed_by: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    returned_at: Mapped[dt.datetime | None] = mapped_column(default=None)


# A contract's visit is made once per due day, however often visits are
# generated (a unique index rather than a constraint: SQLite adds it in place).
sa.Index(
    "uq_service_orders_contract_visit",
    ServiceOrder.contract_id,
    ServiceOrder.visit_due_on,
    unique=True,
)


class ServiceOrderNote(Synced, Base):
    """A note written on a service order. Notes are only ever added."""

    __tablename__ = "service_order_notes"
    sync_type = "service_order_note"

    service_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("service_orders.id"), index=True
    )
    author_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    written_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class ServiceOrderStep(Synced, Base):
    """One step a repair took: the history of who moved it where, when.
    Only ever added; the mutation's id names the row, so a resend adds
    nothing twice."""

    __tablename__ = "service_order_steps"
    sync_type = "service_order_step"

    service_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("service_orders.id"), index=True
    )
    step: Mapped[RepairStep] = mapped_column(choice(RepairStep, "repair_step"))
    by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    # Corrected device time of the step.
    at: Mapped[dt.datetime]
    note: Mapped[str | None] = mapped_column(sa.Text, default=None)


class ServiceOrderPhoto(Synced, Base):
    """A photo of a repair's state on arrival. Only ever added, named by
    the device's id; the bytes are the blob ``sha256``."""

    __tablename__ = "service_order_photos"
    sync_type = "service_order_photo"

    service_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("service_orders.id"), index=True
    )
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("blobs.sha256"), index=True)
    note: Mapped[str | None] = mapped_column(sa.Text, default=None)
    taken_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    # Corrected device time of the photo.
    taken_at: Mapped[dt.datetime]


class ChecklistTemplate(Synced, Base):
    """One version of a checklist. A version never changes once used: a run
    keeps the version it started with, so its items are stored with it."""

    __tablename__ = "checklist_templates"
    __table_args__ = (sa.UniqueConstraint("code", "revision"),)
    sync_type = "checklist_template"

    code: Mapped[str] = mapped_column(sa.String(60))
    revision: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(sa.String(200))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    # The repair step a run of this checklist must be complete before.
    guards_step: Mapped[RepairStep | None] = mapped_column(
        choice(RepairStep, "repair_step"), default=None
    )


class ChecklistRunStatus(enum.StrEnum):
    OPEN = "open"
    SIGNED = "signed"


class ChecklistRun(Synced, Base):
    __tablename__ = "checklist_runs"
    sync_type = "checklist_run"

    template_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("checklist_templates.id"))
    service_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("service_orders.id"), index=True, default=None
    )
    affair_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("affairs.id"), index=True)
    status: Mapped[ChecklistRunStatus] = mapped_column(
        choice(ChecklistRunStatus, "checklist_run_status"), default=ChecklistRunStatus.OPEN
    )
    signed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Copied from the template version the run started with.
    guards_step: Mapped[RepairStep | None] = mapped_column(
        choice(RepairStep, "repair_step"), default=None
    )


class ChecklistAnswer(Synced, Base):
    """The one answer to one item of a run. Its id is derived from the run
    and the item key, so two devices answering offline name the same row."""

    __tablename__ = "checklist_answers"
    __table_args__ = (sa.UniqueConstraint("run_id", "item_key"),)
    sync_type = "checklist_answer"

    run_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("checklist_runs.id"))
    item_key: Mapped[str] = mapped_column(sa.String(60))
    value: Mapped[Any] = mapped_column(JSONDocument, nullable=True, default=None)
    note: Mapped[str | None] = mapped_column(sa.Text, default=None)
    answered_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    answered_client_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # Corrected device time of the answer: decides between two devices.
    answered_at: Mapped[dt.datetime]


class ChecklistPhoto(Synced, Base):
    """A photo taken for one item of a run. Photos are only ever added: the
    device's id makes a resend harmless, and a second photo of an item is a
    second row, never a replacement. The bytes are the blob ``sha256``."""

    __tablename__ = "checklist_photos"
    sync_type = "checklist_photo"

    run_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("checklist_runs.id"), index=True)
    item_key: Mapped[str] = mapped_column(sa.String(60))
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("blobs.sha256"), index=True)
    note: Mapped[str | None] = mapped_column(sa.Text, default=None)
    taken_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    # Corrected device time of the photo.
    taken_at: Mapped[dt.datetime]


class ContractStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class MaintenanceContract(Synced, Base):
    """Upkeep of a customer's equipment: a visit every ``visit_every_months``
    from ``starts_on`` to ``ends_on``, and repairs started within
    ``response_hours`` of the equipment's arrival."""

    __tablename__ = "maintenance_contracts"
    sync_type = "maintenance_contract"

    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    affair_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("affairs.id"), index=True, default=None
    )
    status: Mapped[ContractStatus] = mapped_column(
        choice(ContractStatus, "contract_status"), default=ContractStatus.DRAFT
    )
    signed_on: Mapped[dt.date | None] = mapped_column(default=None)
    starts_on: Mapped[dt.date | None] = mapped_column(default=None)
    ends_on: Mapped[dt.date | None] = mapped_column(default=None)
    visit_every_months: Mapped[int | None] = mapped_column(default=None)
    response_hours: Mapped[int | None] = mapped_column(default=None)
    amount_cents: Mapped[int | None] = mapped_column(sa.BigInteger, default=None)
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)
    # A contract that renews runs on for ``renewal_months`` more each time
    # its end is reached, until it is closed.
    renews: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    renewal_months: Mapped[int | None] = mapped_column(default=None)
    closed_on: Mapped[dt.date | None] = mapped_column(default=None)
    # Who makes the visits: they are assigned to this person when made.
    technician_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"), default=None)


class ContractEquipment(Base):
    """A piece of equipment a maintenance contract covers."""

    __tablename__ = "contract_equipment"

    contract_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("maintenance_contracts.id"), primary_key=True
    )
    equipment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("equipment.id"), primary_key=True, index=True
    )


class ContractLine(Base):
    """A service covered by a contract, with its own dates."""

    __tablename__ = "contract_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    contract_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("maintenance_contracts.id"), index=True
    )
    product_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("products.id"), default=None)
    label: Mapped[str] = mapped_column(sa.Text)
    quantity: Mapped[float] = mapped_column(default=1)
    unit_price_cents: Mapped[int | None] = mapped_column(sa.BigInteger, default=None)
    starts_on: Mapped[dt.date | None] = mapped_column(default=None)
    ends_on: Mapped[dt.date | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(default=True)
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)


class NonconformityKind(enum.StrEnum):
    OUT_OF_BOUNDS = "out_of_bounds"
    FAILED = "failed"


class Nonconformity(Base):
    """A checklist answer that falls short: a reading out of its bounds, or
    "no" to a quality item. One per item of a run (its id is derived from
    them), with the one follow-up action made for it on the affair.

    A corrected answer clears it (``cleared_at``); the row stays, so quality
    tracking still counts what was found and fixed.
    """

    __tablename__ = "nonconformities"
    __table_args__ = (sa.UniqueConstraint("run_id", "item_key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    run_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("checklist_runs.id"))
    item_key: Mapped[str] = mapped_column(sa.String(60))
    affair_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("affairs.id"), index=True)
    service_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("service_orders.id"), default=None
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("customers.id"), index=True, default=None
    )
    # The product of the order's equipment, when the order names one.
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("products.id"), index=True, default=None
    )
    # The order's technician; whoever answered when the run has no order.
    technician_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True, default=None
    )
    kind: Mapped[NonconformityKind] = mapped_column(choice(NonconformityKind, "nonconformity_kind"))
    value: Mapped[Any] = mapped_column(JSONDocument, nullable=True, default=None)
    # Corrected device time of the answer that found it.
    found_at: Mapped[dt.datetime]
    action_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("actions.id"))
    cleared_at: Mapped[dt.datetime | None] = mapped_column(default=None)
