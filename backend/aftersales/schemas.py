"""Wire types of service orders and checklists (mutator args included)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from backend.offline.schemas import BlobHash
from sync.messages import AwareTime

ItemKey = Annotated[str, Meta(min_length=1, max_length=60)]
# A note says something: at least one character that is not a space.
NoteText = Annotated[str, Meta(min_length=1, max_length=5000, pattern=r"\S")]
AnswerNote = Annotated[str, Meta(max_length=2000)]
AnswerText = Annotated[str, Meta(max_length=2000)]
ItemKind = Literal["yes_no", "choice", "number", "text", "photo", "signature"]


class ItemCondition(msgspec.Struct, forbid_unknown_fields=True):
    """Show an item only when another item, earlier in the list, has this answer."""

    item: ItemKey
    equals: bool | float | AnswerText


class ChecklistItem(msgspec.Struct, forbid_unknown_fields=True):
    """One item of a checklist template version.

    ``label`` is the company's wording, one text or one per language.
    ``min``/``max`` bound a number: a reading outside is kept and flagged.
    ``visible_if`` hides the item until another one has a given answer.
    A ``quality`` item answered "no" is a non-conformity.
    """

    key: ItemKey
    label: str | dict[str, str]
    kind: ItemKind
    required: bool = False
    choices: list[str] | None = None
    min: float | None = None
    max: float | None = None
    unit: Annotated[str, Meta(max_length=20)] | None = None
    visible_if: ItemCondition | None = None
    quality: bool = False


class ChecklistAnswerArgs(msgspec.Struct, forbid_unknown_fields=True):
    run_id: uuid.UUID
    item_key: ItemKey
    value: bool | float | AnswerText | None
    note: AnswerNote | None = None


class ChecklistAttachArgs(msgspec.Struct, forbid_unknown_fields=True):
    """A photo of one item: ``photo_id`` is made by the device, ``sha256``
    names the bytes, uploaded apart (``PUT /api/blobs/{sha256}``)."""

    run_id: uuid.UUID
    item_key: ItemKey
    photo_id: uuid.UUID
    sha256: BlobHash
    note: AnswerNote | None = None


class ServiceOrderStatusArgs(msgspec.Struct, forbid_unknown_fields=True):
    id: uuid.UUID
    status: Literal["planned", "in_progress", "done", "closed", "cancelled"]


class ServiceOrderNoteArgs(msgspec.Struct, forbid_unknown_fields=True):
    id: uuid.UUID
    note_id: uuid.UUID
    text: NoteText


# -- checklist templates and quality tracking (office side) ----------------------------

TemplateCode = Annotated[str, Meta(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
TemplateName = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"\S")]
# A checklist longer than this is a procedure manual, not a checklist.
TemplateItems = Annotated[list[ChecklistItem], Meta(min_length=1, max_length=200)]
# The first step needs no guard: nothing comes before intake.
GuardedStep = Literal["diagnosis", "repair", "quality_check", "ready", "returned"]


class ChecklistTemplateIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new checklist: its first revision."""

    code: TemplateCode
    name: TemplateName
    items: TemplateItems
    guards_step: GuardedStep | None = None


class ChecklistRevisionIn(msgspec.Struct, forbid_unknown_fields=True):
    """The next revision of a checklist; runs started on earlier ones keep theirs."""

    name: TemplateName
    items: TemplateItems
    guards_step: GuardedStep | None = None


class ChecklistTemplateOut(msgspec.Struct):
    id: uuid.UUID
    code: str
    revision: int
    name: str
    items: list[ChecklistItem]
    guards_step: str | None
    # Runs started on this revision: a used revision never changes.
    runs: int
    # Every revision of this checklist, oldest first.
    revisions: list[int]


class NonconformityOut(msgspec.Struct):
    id: uuid.UUID
    run_id: uuid.UUID
    item_key: str
    kind: str
    value: bool | float | str | None
    affair_id: uuid.UUID
    service_order_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    product_id: uuid.UUID | None
    technician_id: uuid.UUID | None
    action_id: uuid.UUID
    found_at: dt.datetime
    cleared_at: dt.datetime | None


class NonconformityCount(msgspec.Struct):
    """How many non-conformities one customer, product or technician has
    (``id`` null: none named), the open ones among them."""

    id: uuid.UUID | None
    name: str | None
    count: int
    open: int


class QualityOut(msgspec.Struct):
    nonconformities: list[NonconformityOut]
    by_customer: list[NonconformityCount]
    by_product: list[NonconformityCount]
    by_technician: list[NonconformityCount]


# Repairs: intake, steps, reports, photos, return, warranty.
RepairTitle = Annotated[str, Meta(min_length=1, max_length=255, pattern=r"\S")]
RepairText = Annotated[str, Meta(max_length=20000)]
SignerName = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"\S")]
WarrantyReason = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"\S")]
# The steps a technician moves a repair to; "returned" is reached by the
# return alone (it needs the customer's signature).
MovableStep = Literal["diagnosis", "repair", "quality_check", "ready"]
RepairStepName = Literal["intake", "diagnosis", "repair", "quality_check", "ready", "returned"]


class GuardingRun(msgspec.Struct, forbid_unknown_fields=True):
    """A run of a checklist that guards a step, as the device made it."""

    id: uuid.UUID
    template_id: uuid.UUID


class RepairIntakeArgs(msgspec.Struct, forbid_unknown_fields=True):
    """A product received for repair: ``id`` is the new order's, made by
    the device; the equipment, or else the affair, says whose it is.

    ``runs`` names the runs the device started of the checklists that guard
    a step, so it can answer them offline; the server starts every such
    checklist, under the device's id where it gave one.
    """

    id: uuid.UUID
    title: RepairTitle
    symptoms: NoteText
    equipment_id: uuid.UUID | None = None
    affair_id: uuid.UUID | None = None
    received_at: AwareTime | None = None
    runs: Annotated[list[GuardingRun], Meta(max_length=20)] = []


class RepairStepArgs(msgspec.Struct, forbid_unknown_fields=True):
    """Move a repair to ``step``. ``from_step`` is the step the device saw:
    when the order moved on meanwhile, the change is kept as a conflict."""

    id: uuid.UUID
    step: MovableStep
    from_step: RepairStepName | None = None
    note: AnswerNote | None = None


class RepairRecordArgs(msgspec.Struct, forbid_unknown_fields=True):
    """The diagnosis and the repair report; a field left out is unchanged.
    ``*_was`` is the text the device showed before this edit ("" for none):
    when the server holds another, someone else wrote it meanwhile."""

    id: uuid.UUID
    diagnosis: RepairText | None = None
    repair_report: RepairText | None = None
    diagnosis_was: RepairText | None = None
    repair_report_was: RepairText | None = None


class RepairPhotoArgs(msgspec.Struct, forbid_unknown_fields=True):
    id: uuid.UUID
    photo_id: uuid.UUID
    sha256: BlobHash
    note: AnswerNote | None = None


class RepairReturnArgs(msgspec.Struct, forbid_unknown_fields=True):
    """The product handed back: the customer's signature (a PNG blob) and
    the signer's name."""

    id: uuid.UUID
    signature_sha256: BlobHash
    signed_by: SignerName


class RepairWarrantyArgs(msgspec.Struct, forbid_unknown_fields=True):
    id: uuid.UUID
    warranty: Literal["customer_warranty", "manufacturer_warranty", "contract", "chargeable"]
    reason: WarrantyReason
