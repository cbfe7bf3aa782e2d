"""The printable service report of a service order, with the signature.

Built on the server from what was merged, so the paper the customer keeps
says what the company's records say. The page is plain HTML with a print
style sheet; the signature is embedded in the page, so a saved or printed
copy holds it without another request.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jinja2
import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access import policy
from backend.access.actors import Actor
from backend.aftersales.checklist_rules import shown_items
from backend.aftersales.schemas import ChecklistItem
from backend.db.models import (
    Blob,
    ChecklistAnswer,
    ChecklistRun,
    ChecklistTemplate,
    Customer,
    Equipment,
    ServiceOrder,
    ServiceOrderNote,
    ServiceOrderPart,
    ServiceOrderStep,
    Site,
    User,
)
from backend.lib.errors import NotFound
from backend.lib.time import zone

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Service report",
        "history": "Steps",
        "parts": "Parts",
        "step_intake": "Received",
        "step_diagnosis": "Diagnosed",
        "step_repair": "In repair",
        "step_quality_check": "Quality check",
        "step_ready": "Ready",
        "step_returned": "Returned",
        "part_fit": "fitted",
        "part_remove": "removed",
        "part_use": "used",
        "order": "Service order",
        "customer": "Customer",
        "site": "Site",
        "equipment": "Equipment",
        "serial": "serial",
        "technician": "Technician",
        "received": "Received",
        "warranty": "Warranty",
        "symptoms": "Symptoms",
        "diagnosis": "Diagnosis",
        "repair_report": "Work done",
        "checklists": "Checklists",
        "notes": "Notes",
        "signature": "Customer signature",
        "signed_by": "Signed by",
        "returned": "Returned",
        "not_signed": "Not signed yet.",
        "yes": "Yes",
        "no": "No",
        "out_of_bounds": "outside {bounds}",
        "no_answer": "—",
        "print": "Print",
        "customer_warranty": "Customer warranty",
        "manufacturer_warranty": "Manufacturer warranty",
        "contract": "Maintenance contract",
        "chargeable": "Chargeable",
        "customer_warranty_running": "the customer warranty ran on the day received",
        "manufacturer_warranty_running": "the manufacturer warranty ran on the day received",
        "under_contract": "the equipment is under a maintenance contract",
        "warranty_ended": "the warranties had ended",
        "no_warranty_known": "no warranty is known",
        "office_reason": "decided by the office: {reason}",
    },
    "fr": {
        "title": "Rapport d’intervention",
        "history": "Étapes",
        "parts": "Pièces",
        "step_intake": "Reçu",
        "step_diagnosis": "Diagnostiqué",
        "step_repair": "En réparation",
        "step_quality_check": "Contrôle qualité",
        "step_ready": "Prêt",
        "step_returned": "Rendu",
        "part_fit": "montée",
        "part_remove": "déposée",
        "part_use": "utilisée",
        "order": "Ordre de service",
        "customer": "Client",
        "site": "Site",
        "equipment": "Équipement",
        "serial": "n° de série",
        "technician": "Technicien",
        "received": "Reçu le",
        "warranty": "Garantie",
        "symptoms": "Symptômes",
        "diagnosis": "Diagnostic",
        "repair_report": "Travaux réalisés",
        "checklists": "Listes de contrôle",
        "notes": "Notes",
        "signature": "Signature du client",
        "signed_by": "Signé par",
        "returned": "Rendu le",
        "not_signed": "Pas encore signé.",
        "yes": "Oui",
        "no": "Non",
        "out_of_bounds": "hors de {bounds}",
        "no_answer": "—",
        "print": "Imprimer",
        "customer_warranty": "Garantie client",
        "manufacturer_warranty": "Garantie constructeur",
        "contract": "Contrat de maintenance",
        "chargeable": "Payant",
        "customer_warranty_running": "garantie client en cours le jour de la réception",
        "manufacturer_warranty_running": "garantie constructeur en cours le jour de la réception",
        "under_contract": "équipement sous contrat de maintenance",
        "warranty_ended": "garanties terminées",
        "no_warranty_known": "aucune garantie connue",
        "office_reason": "décidé par le bureau\u00a0: {reason}",
    },
}


# The reasons the warranty table gives (backend/aftersales/warranty.py).
REASON_CODES = (
    "customer_warranty_running",
    "manufacturer_warranty_running",
    "under_contract",
    "warranty_ended",
    "no_warranty_known",
)


@dataclass
class AnswerLine:
    label: str
    answer: str
    flagged: bool = False


@dataclass
class ChecklistSection:
    name: str
    lines: list[AnswerLine] = field(default_factory=list)


@dataclass
class StepLine:
    step: str
    by: str
    at: str


@dataclass
class PartLine:
    label: str
    serial_number: str | None
    quantity: int
    action: str


@dataclass
class NoteLine:
    written_at: str
    text: str


@dataclass
class ServiceReport:
    language: str
    words: dict[str, str]
    number: str
    title: str
    customer: str | None
    site: str | None
    equipment: str | None
    technician: str | None
    received_at: str | None
    warranty: str | None
    symptoms: str | None
    diagnosis: str | None
    repair_report: str | None
    checklists: list[ChecklistSection]
    history: list[StepLine]
    parts: list[PartLine]
    notes: list[NoteLine]
    signature_src: str | None
    signed_by: str | None
    returned_at: str | None


async def service_report(
    session: AsyncSession, actor: Actor, order_id: uuid.UUID, language: str
) -> ServiceReport:
    """What the report of ``order_id`` shows, for someone who sees the order."""
    order = await session.scalar(
        sa.select(ServiceOrder).where(
            ServiceOrder.id == order_id,
            ServiceOrder.deleted_at.is_(None),
            policy.visible_service_orders(actor),
        )
    )
    if order is None:
        raise NotFound()
    words = WORDS[language]
    local = _local_time(actor, language)
    return ServiceReport(
        language=language,
        words=words,
        number=order.number,
        title=order.title,
        customer=await _name_of(session, Customer, order.customer_id),
        site=await _site_of(session, order.site_id),
        equipment=await _equipment_of(session, order.equipment_id, words),
        technician=await _name_of(session, User, order.technician_id),
        received_at=local(order.received_at),
        warranty=_warranty(order, words),
        symptoms=order.symptoms,
        diagnosis=order.diagnosis,
        repair_report=order.repair_report,
        checklists=await _checklists(session, order.id, language, words),
        history=[
            StepLine(step=words[f"step_{step.value}"], by=name, at=local(at) or "")
            for step, name, at in await session.execute(
                sa.select(ServiceOrderStep.step, User.name, ServiceOrderStep.at)
                .join(User, User.id == ServiceOrderStep.by_id)
                .where(
                    ServiceOrderStep.service_order_id == order.id,
                    ServiceOrderStep.deleted_at.is_(None),
                )
                .order_by(ServiceOrderStep.at)
            )
        ],
        parts=[
            PartLine(
                label=part.label,
                serial_number=part.serial_number,
                quantity=part.quantity,
                action=words[f"part_{part.action.value}"],
            )
            for part in await session.scalars(
                sa.select(ServiceOrderPart)
                .where(
                    ServiceOrderPart.service_order_id == order.id,
                    ServiceOrderPart.deleted_at.is_(None),
                )
                .order_by(ServiceOrderPart.used_at)
            )
        ],
        notes=[
            NoteLine(written_at=local(note.written_at) or "", text=note.text)
            for note in await session.scalars(
                sa.select(ServiceOrderNote)
                .where(
                    ServiceOrderNote.service_order_id == order.id,
                    ServiceOrderNote.deleted_at.is_(None),
                )
                .order_by(ServiceOrderNote.written_at)
            )
        ],
        signature_src=await _signature_src(session, order.signature_sha256),
        signed_by=order.signed_by,
        returned_at=local(order.returned_at),
    )


def render_report(report: ServiceReport) -> str:
    return _templates().get_template("service_report.html").render(report=report)


@cache
def _templates() -> jinja2.Environment:
    # Every value is escaped: the report prints what technicians typed.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("backend", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


# How a date and time are written for a reader of each language.
TIME_FORMATS = {"en": "%d %b %Y %H:%M", "fr": "%d/%m/%Y %H:%M"}


def _local_time(actor: Actor, language: str) -> Any:
    try:
        place = zone(actor.time_zone)
    except ValueError:
        place = zone(None)

    def local(instant: dt.datetime | None) -> str | None:
        if instant is None:
            return None
        return instant.astimezone(place).strftime(TIME_FORMATS[language])

    return local


async def _name_of(session: AsyncSession, model: Any, row_id: uuid.UUID | None) -> str | None:
    if row_id is None:
        return None
    name: str | None = await session.scalar(sa.select(model.name).where(model.id == row_id))
    return name


async def _site_of(session: AsyncSession, site_id: uuid.UUID | None) -> str | None:
    if site_id is None:
        return None
    site = await session.get(Site, site_id)
    if site is None:
        return None
    return ", ".join(part for part in (site.name, site.town) if part)


async def _equipment_of(
    session: AsyncSession, equipment_id: uuid.UUID | None, words: dict[str, str]
) -> str | None:
    if equipment_id is None:
        return None
    item = await session.get(Equipment, equipment_id)
    if item is None:
        return None
    if item.serial_number:
        return f"{item.label} ({words['serial']} {item.serial_number})"
    return item.label


def _warranty(order: ServiceOrder, words: dict[str, str]) -> str | None:
    """Who pays, and why: the decision's reason code in words, or the
    office's own words when it decided otherwise."""
    if order.warranty is None:
        return None
    basis = words[order.warranty.value]
    reason = order.warranty_reason
    if not reason:
        return basis
    why = words[reason] if reason in REASON_CODES else words["office_reason"].format(reason=reason)
    return f"{basis} ({why})"


async def _checklists(
    session: AsyncSession, order_id: uuid.UUID, language: str, words: dict[str, str]
) -> list[ChecklistSection]:
    runs = await session.execute(
        sa.select(ChecklistRun.id, ChecklistTemplate.name, ChecklistTemplate.items)
        .join(ChecklistTemplate, ChecklistTemplate.id == ChecklistRun.template_id)
        .where(ChecklistRun.service_order_id == order_id, ChecklistRun.deleted_at.is_(None))
        .order_by(ChecklistTemplate.name)
    )
    sections = []
    for run_id, name, raw_items in runs:
        answers = {
            key: value
            for key, value in await session.execute(
                sa.select(ChecklistAnswer.item_key, ChecklistAnswer.value).where(
                    ChecklistAnswer.run_id == run_id, ChecklistAnswer.deleted_at.is_(None)
                )
            )
        }
        items = msgspec.convert(raw_items, list[ChecklistItem])
        section = ChecklistSection(name=name)
        for item in shown_items(items, answers):
            if item.kind in ("photo", "signature"):
                continue
            section.lines.append(_answer_line(item, answers.get(item.key), language, words))
        sections.append(section)
    return sections


def _answer_line(
    item: ChecklistItem, value: Any, language: str, words: dict[str, str]
) -> AnswerLine:
    label = item.label if isinstance(item.label, str) else _in_language(item.label, language)
    if value is None:
        return AnswerLine(label, words["no_answer"])
    if isinstance(value, bool):
        return AnswerLine(
            label, words["yes" if value else "no"], flagged=item.quality and not value
        )
    if item.kind == "number" and isinstance(value, int | float):
        shown = _number(value, language) + (f" {item.unit}" if item.unit else "")
        low = item.min is not None and value < item.min
        high = item.max is not None and value > item.max
        if low or high:
            bounds = f"{_number(item.min, language)} – {_number(item.max, language)}"
            return AnswerLine(
                label, f"{shown} ({words['out_of_bounds'].format(bounds=bounds)})", flagged=True
            )
        return AnswerLine(label, shown)
    return AnswerLine(label, str(value))


def _in_language(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or next(iter(texts.values()), "")


def _number(value: float | None, language: str) -> str:
    if value is None:
        return "…"
    text = f"{value:g}"
    return text.replace(".", ",") if language == "fr" else text


async def _signature_src(session: AsyncSession, sha256: str | None) -> str | None:
    if sha256 is None:
        return None
    blob = await session.get(Blob, sha256)
    if blob is None:
        return None
    return f"data:{blob.content_type};base64,{base64.b64encode(blob.data).decode('ascii')}"
