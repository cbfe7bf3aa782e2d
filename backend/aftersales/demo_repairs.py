"""Demo repairs: machines a technician can receive, and repairs at each step.

Thomas (tech1) holds the machines of the bakery and the printing works on
his phone: he can receive one for repair by its serial. Six repairs stand at
each step from intake to returned; the one at the quality check has a
checklist guarding "ready", so the step waits for its answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import struct
import uuid
import zlib
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Affair,
    Blob,
    ChecklistRun,
    ChecklistTemplate,
    Equipment,
    RepairStep,
    ServiceOrder,
    ServiceOrderKind,
    ServiceOrderStatus,
    ServiceOrderStep,
    User,
    WarrantyBasis,
)
from sync.ids import derived_id

PARIS = ZoneInfo("Europe/Paris")
R = RepairStep

QUALITY_ITEMS = [
    {
        "key": "runs_an_hour",
        "kind": "yes_no",
        "required": True,
        "quality": True,
        "label": {"en": "Ran an hour without fault", "fr": "Une heure sans défaut"},
    },
    {
        "key": "leak_free",
        "kind": "yes_no",
        "required": True,
        "quality": True,
        "label": {"en": "No leak at the joints", "fr": "Aucune fuite aux raccords"},
    },
]

# Machine key, affair, label, serial, customer warranty and manufacturer
# warranty ends (days from today; None: not known).
MACHINES = (
    ("boiler", "AFF-2026-003", "Chaudière De Dietrich MCR3", "DD-MCR3-4471", 200, 560),
    ("burner", "AFF-2026-003", "Brûleur Riello 40 G10", "RI-40-2231", -30, 150),
    ("pump", "AFF-2026-006", "Circulateur Grundfos UPS 25", "GF-UPS-0932", -90, -20),
    ("softener", "AFF-2026-006", "Adoucisseur Culligan HE", "CU-HE-1180", None, None),
)

# Number, machine, step reached, title, symptoms.
REPAIRS = (
    ("SO-2026-0201", "softener", R.INTAKE, "Adoucisseur en défaut", "Voyant rouge, sel plein"),
    ("SO-2026-0202", "pump", R.DIAGNOSIS, "Circulateur bruyant", "Sifflement au démarrage"),
    ("SO-2026-0203", "burner", R.REPAIR, "Brûleur en sécurité", "Mise en sécurité E4"),
    ("SO-2026-0204", "boiler", R.QUALITY_CHECK, "Chaudière : fuite", "Goutte sous le corps"),
    ("SO-2026-0205", "pump", R.READY, "Circulateur bloqué", "Ne tourne plus"),
    ("SO-2026-0206", "burner", R.RETURNED, "Brûleur encrassé", "Fumées noires"),
)
ORDER = [R.INTAKE, R.DIAGNOSIS, R.REPAIR, R.QUALITY_CHECK, R.READY, R.RETURNED]


def _id(*parts: object) -> uuid.UUID:
    return derived_id("demo", "repairs", *parts)


def _signature_png(width: int = 240, height: int = 80) -> bytes:
    """A customer's scrawl, drawn as a grey PNG: the demo's returned repair
    is signed, so its printed report shows a signature like a real one."""
    ink = bytearray(b"\xff" * (width * height))
    for step in range(2000):
        x = 12 + step * (width - 24) / 2000
        y = height / 2 + 22 * math.sin(x / 13) * math.cos(x / 41)
        for dx in (0, 1):
            for dy in (0, 1):
                ink[int(y + dy) * width + int(x + dx)] = 0x20
    rows = b"".join(b"\x00" + bytes(ink[r * width : (r + 1) * width]) for r in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), PARIS).astimezone(dt.UTC)


def _warranty(machine: Equipment, day: dt.date) -> tuple[WarrantyBasis, str]:
    customer, maker = machine.customer_warranty_ends_on, machine.manufacturer_warranty_ends_on
    if customer is not None and day <= customer:
        return WarrantyBasis.CUSTOMER_WARRANTY, "customer_warranty_running"
    if maker is not None and day <= maker:
        return WarrantyBasis.MANUFACTURER_WARRANTY, "manufacturer_warranty_running"
    known = customer is not None or maker is not None
    return WarrantyBasis.CHARGEABLE, "warranty_ended" if known else "no_warranty_known"


async def load_repairs(session: AsyncSession, today: dt.date) -> None:
    """Add the demo machines and repairs to the demo company of ``today``."""
    tech = await session.scalar(sa.select(User.id).where(User.email == "tech1@demo.test"))
    affairs = {
        code: (affair_id, customer_id, site_id)
        for code, affair_id, customer_id, site_id in await session.execute(
            sa.select(Affair.code, Affair.id, Affair.customer_id, Affair.site_id)
        )
    }
    if tech is None:
        return

    machines = {}
    for key, affair, label, serial, customer_days, maker_days in MACHINES:
        affair_id, customer_id, site_id = affairs[affair]
        machines[key] = Equipment(
            id=_id("equipment", key),
            affair_id=affair_id,
            customer_id=customer_id,
            site_id=site_id,
            label=label,
            serial_number=serial,
            installed_on=today - dt.timedelta(days=700),
            customer_warranty_ends_on=(
                today + dt.timedelta(days=customer_days) if customer_days is not None else None
            ),
            manufacturer_warranty_ends_on=(
                today + dt.timedelta(days=maker_days) if maker_days is not None else None
            ),
        )
    session.add_all(machines.values())
    template = ChecklistTemplate(
        id=_id("template", "release"),
        code="repair-release",
        revision=1,
        name="Contrôle avant restitution / Check before return",
        items=QUALITY_ITEMS,
        guards_step=R.READY,
    )
    session.add(template)
    await session.flush()

    signature = _signature_png()
    signature_sha256 = hashlib.sha256(signature).hexdigest()
    session.add(
        Blob(
            sha256=signature_sha256,
            content_type="image/png",
            size=len(signature),
            data=signature,
            created_by_id=tech,
        )
    )
    await session.flush()

    for number, machine_key, reached, title, symptoms in REPAIRS:
        machine = machines[machine_key]
        steps = ORDER[: ORDER.index(reached) + 1]
        received = today - dt.timedelta(days=len(steps))
        basis, reason = _warranty(machine, received)
        order = ServiceOrder(
            id=_id("order", number),
            number=number,
            affair_id=machine.affair_id,
            customer_id=machine.customer_id,
            site_id=machine.site_id,
            technician_id=tech,
            kind=ServiceOrderKind.REPAIR,
            step=reached,
            status=(
                ServiceOrderStatus.PLANNED
                if reached is R.INTAKE
                else ServiceOrderStatus.DONE
                if reached is R.RETURNED
                else ServiceOrderStatus.IN_PROGRESS
            ),
            title=title,
            equipment_id=machine.id,
            symptoms=symptoms,
            received_at=_at(received, 9),
            warranty=basis,
            warranty_reason=reason,
            diagnosis="Roulement usé" if len(steps) > 2 else None,
            repair_report="Roulement et joint remplacés" if len(steps) > 3 else None,
            signed_by="M. Vidal" if reached is R.RETURNED else None,
            signature_sha256=signature_sha256 if reached is R.RETURNED else None,
            returned_at=(
                _at(received + dt.timedelta(days=len(steps) - 1), 10)
                if reached is R.RETURNED
                else None
            ),
        )
        session.add(order)
        await session.flush()
        for n, step in enumerate(steps):
            session.add(
                ServiceOrderStep(
                    id=_id("step", number, step.value),
                    service_order_id=order.id,
                    step=step,
                    by_id=tech,
                    at=_at(received + dt.timedelta(days=n), 10),
                )
            )
        if reached is R.QUALITY_CHECK:
            session.add(
                ChecklistRun(
                    id=_id("run", number),
                    template_id=template.id,
                    service_order_id=order.id,
                    affair_id=order.affair_id,
                    guards_step=R.READY,
                )
            )
    await session.flush()
