"""Wire types of equipment: its page, its composition, the parts used on
service orders (mutator args included)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from backend.offline.schemas import BlobHash

Label = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"\S")]
SerialNumber = Annotated[str, Meta(min_length=1, max_length=80, pattern=r"\S")]
# A technician fits or uses a few parts at a time, never thousands.
MAX_PART_QUANTITY = 1000
Quantity = Annotated[int, Meta(gt=0, le=MAX_PART_QUANTITY)]
# Equipment listed per page, at most.
MAX_PAGE = 200


class UsePartArgs(msgspec.Struct, forbid_unknown_fields=True):
    """``service_order.use_part``: ``use_id`` is made by the device.

    ``fit`` and ``remove`` name a serialized part by ``serial_number``
    (and ``product_id`` when two products share a serial); ``use`` records
    a part without one, named by ``product_id`` or ``label``.
    """

    id: uuid.UUID
    use_id: uuid.UUID
    action: Literal["fit", "remove", "use"]
    serial_number: SerialNumber | None = None
    product_id: uuid.UUID | None = None
    label: Label | None = None
    quantity: Quantity = 1


class EquipmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new piece of equipment on an affair; the customer and site are the
    affair's unless given."""

    affair_id: uuid.UUID
    label: Label
    product_id: uuid.UUID | None = None
    serial_number: SerialNumber | None = None
    customer_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    installed_on: dt.date | None = None
    customer_warranty_ends_on: dt.date | None = None
    manufacturer_warranty_ends_on: dt.date | None = None


class EquipmentUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """The fields the office corrects; an absent field is left as it is,
    a null one is emptied."""

    installed_on: dt.date | UnsetType | None = UNSET
    customer_warranty_ends_on: dt.date | UnsetType | None = UNSET
    manufacturer_warranty_ends_on: dt.date | UnsetType | None = UNSET
    site_id: uuid.UUID | UnsetType | None = UNSET
    label: Label | UnsetType = UNSET


class EquipmentFileCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Attach an uploaded blob (``PUT /api/blobs/{sha256}``) to equipment."""

    sha256: BlobHash
    kind: Literal["photo", "document"]
    title: Label


class EquipmentOut(msgspec.Struct):
    id: uuid.UUID
    affair_id: uuid.UUID
    affair_code: str
    customer_id: uuid.UUID | None
    customer_name: str | None
    site_id: uuid.UUID | None
    product_id: uuid.UUID | None
    label: str
    serial_number: str | None
    installed_on: dt.date | None
    customer_warranty_ends_on: dt.date | None
    manufacturer_warranty_ends_on: dt.date | None
    version: int | None


class EquipmentList(msgspec.Struct):
    items: list[EquipmentOut]
    total: int
    offset: int
    limit: int


WarrantyState = Literal["running", "ended", "unknown"]


class WarrantyOut(msgspec.Struct):
    """One warranty on a day: ``running`` up to and including ``ends_on``."""

    kind: Literal["customer", "manufacturer"]
    state: WarrantyState
    ends_on: dt.date | None


class FittingOut(msgspec.Struct):
    """One stay of a part in a machine, with who fitted and removed it and
    on which service order."""

    id: uuid.UUID
    equipment_id: uuid.UUID
    equipment_label: str
    part_id: uuid.UUID
    part_label: str
    serial_number: str | None
    fitted_at: dt.datetime
    fitted_by: str | None
    fitted_order_id: uuid.UUID | None
    fitted_order_number: str | None
    removed_at: dt.datetime | None
    removed_by: str | None
    removed_order_id: uuid.UUID | None
    removed_order_number: str | None


class CompositionOut(msgspec.Struct):
    """The parts in a machine at the end of day ``on`` (company time)."""

    equipment_id: uuid.UUID
    on: dt.date
    parts: list[FittingOut]


class EquipmentOrderOut(msgspec.Struct):
    id: uuid.UUID
    number: str
    title: str
    kind: str
    status: str
    step: str | None
    technician: str | None
    scheduled_start: dt.datetime | None
    received_at: dt.datetime | None


class EquipmentFileOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    title: str
    sha256: str
    added_by: str | None
    added_at: dt.datetime


class EquipmentPage(msgspec.Struct):
    """Everything the equipment page shows, as of day ``on``."""

    equipment: EquipmentOut
    on: dt.date
    warranties: list[WarrantyOut]
    composition: list[FittingOut]
    # Parts fitted into this machine, then the machines this one was a part of.
    history: list[FittingOut]
    fitted_in: list[FittingOut]
    orders: list[EquipmentOrderOut]
    files: list[EquipmentFileOut]
