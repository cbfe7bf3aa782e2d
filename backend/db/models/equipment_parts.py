"""After-sales, continued: what a machine is made of over time, its files,
and the parts used on service orders."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, Synced, utc_now
from backend.db.types import choice


class EquipmentPart(Synced, Base):
    """One fitting of a serialized part into a machine, from ``fitted_at``
    until ``removed_at`` (open while the part is in).

    The machine's composition on a day is the fittings open at that time.
    ``affair_id`` is the machine's affair: the fitting reaches the devices
    that hold the machine.
    """

    __tablename__ = "equipment_parts"
    sync_type = "equipment_part"

    equipment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("equipment.id"), index=True)
    part_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("equipment.id"), index=True)
    affair_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("affairs.id"), index=True)
    fitted_at: Mapped[dt.datetime]
    removed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    fitted_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("service_orders.id"), default=None
    )
    removed_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("service_orders.id"), default=None
    )
    fitted_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"), default=None)
    removed_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"), default=None)


# A part is in one place at a time: at most one open fitting per part. A
# partial unique index, which both SQLite and PostgreSQL enforce.
sa.Index(
    "uq_equipment_parts_fitted_once",
    EquipmentPart.part_id,
    unique=True,
    sqlite_where=EquipmentPart.removed_at.is_(None),
    postgresql_where=EquipmentPart.removed_at.is_(None),
)


class EquipmentFileKind(enum.StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class EquipmentFile(Synced, Base):
    """A photo or a document (manual, certificate, invoice) of a piece of
    equipment. The bytes are the blob ``sha256``."""

    __tablename__ = "equipment_files"
    sync_type = "equipment_file"

    equipment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("equipment.id"), index=True)
    affair_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("affairs.id"), index=True)
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("blobs.sha256"), index=True)
    kind: Mapped[EquipmentFileKind] = mapped_column(
        choice(EquipmentFileKind, "equipment_file_kind")
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    added_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class PartAction(enum.StrEnum):
    """What a technician did with a part on a service order."""

    FIT = "fit"
    REMOVE = "remove"
    USE = "use"


class ServiceOrderPart(Synced, Base):
    """A part used on a service order: fitted into or removed from the
    order's equipment by its serial, or consumed without one. Only ever
    added; the device's id makes a resend harmless."""

    __tablename__ = "service_order_parts"
    sync_type = "service_order_part"

    service_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("service_orders.id"), index=True
    )
    product_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("products.id"), default=None)
    label: Mapped[str] = mapped_column(sa.String(200))
    quantity: Mapped[int] = mapped_column(default=1)
    serial_number: Mapped[str | None] = mapped_column(sa.String(80), default=None)
    action: Mapped[PartAction] = mapped_column(choice(PartAction, "part_action"))
    used_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    # Corrected device time of the use.
    used_at: Mapped[dt.datetime]
