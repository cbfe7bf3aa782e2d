"""Repairs through the mutators: intake, steps, reports, photos, return."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import (
    ChecklistRun,
    ChecklistTemplate,
    ConflictRecord,
    ContractEquipment,
    ContractStatus,
    Equipment,
    MaintenanceContract,
    RepairStep,
    ServiceOrder,
    ServiceOrderKind,
    ServiceOrderPhoto,
    ServiceOrderStatus,
    ServiceOrderStep,
    WarrantyBasis,
)
from sync.ids import uuid7
from tests.backend.conftest import Device
from tests.factories import Company, photo_bytes

PARIS = dt.timezone(dt.timedelta(hours=2))
WARRANTY_END = dt.date(2026, 6, 30)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def put_blob(device: Device, data: bytes) -> None:
    response = await device.client.put(
        f"/api/blobs/{sha(data)}", content=data, headers={"Content-Type": "image/png"}
    )
    assert response.status_code in (200, 201), response.text


@pytest.fixture
async def boiler(db: Database, company: Company) -> uuid.UUID:
    """A boiler of the company's affair, its customer warranty ended on
    WARRANTY_END, no manufacturer warranty."""
    async with db.writing() as session:
        equipment = Equipment(
            id=uuid7(),
            affair_id=company.affair_id,
            customer_id=company.customer_id,
            site_id=company.site_id,
            label="Boiler B-200",
            serial_number="SN-42",
            customer_warranty_ends_on=WARRANTY_END,
        )
        session.add(equipment)
    return equipment.id


def intake_args(equipment_id: uuid.UUID | None = None, **extra: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "id": str(uuid7()),
        "title": "Boiler does not start",
        "symptoms": "Error E4 at start-up",
        **extra,
    }
    if equipment_id is not None:
        args["equipment_id"] = str(equipment_id)
    return args


def soon_after(args: dict[str, Any]) -> dt.datetime:
    """The phone records the reception a moment after the product came."""
    return dt.datetime.fromisoformat(args["received_at"]) + dt.timedelta(minutes=5)


async def order_of(db: Database, order_id: str | uuid.UUID) -> ServiceOrder:
    async with db.reading() as session:
        order = await session.get(ServiceOrder, uuid.UUID(str(order_id)))
    assert order is not None
    return order


async def history(db: Database, order_id: str) -> list[tuple[str, uuid.UUID]]:
    async with db.reading() as session:
        rows = await session.execute(
            sa.select(ServiceOrderStep.step, ServiceOrderStep.by_id)
            .where(ServiceOrderStep.service_order_id == uuid.UUID(order_id))
            .order_by(ServiceOrderStep.at, ServiceOrderStep.version)
        )
        return [(step.value, by) for step, by in rows]


async def received(tech: Device, boiler: uuid.UUID) -> str:
    args = intake_args(boiler)
    result = await tech.send("service_order.intake", args)
    assert result["status"] == "applied", result
    return str(args["id"])


async def walk(device: Device, order_id: str, *steps: str) -> list[dict[str, Any]]:
    return [
        await device.send("service_order.step", {"id": order_id, "step": step}) for step in steps
    ]


async def test_intake_opens_a_repair_from_the_equipment(
    device_of: Any, company: Company, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    args = intake_args(boiler, received_at="2026-06-30T18:00:00+02:00")

    result = await tech.send("service_order.intake", args, at=soon_after(args))

    assert result["status"] == "applied"
    order = await order_of(db, args["id"])
    assert (order.kind, order.step, order.status) == (
        ServiceOrderKind.REPAIR,
        RepairStep.INTAKE,
        ServiceOrderStatus.PLANNED,
    )
    assert order.number.startswith("SO-2026-")
    assert (order.technician_id, order.affair_id) == (company.users["tech"], company.affair_id)
    assert (order.customer_id, order.site_id) == (company.customer_id, company.site_id)
    # The last day of the warranty, in the device's time zone.
    assert (order.warranty, order.warranty_reason) == (
        WarrantyBasis.CUSTOMER_WARRANTY,
        "customer_warranty_running",
    )
    assert await history(db, args["id"]) == [("intake", company.users["tech"])]


async def test_intake_the_day_after_the_warranty_is_chargeable(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    args = intake_args(boiler, received_at="2026-07-01T08:00:00+02:00")

    await tech.send("service_order.intake", args, at=soon_after(args))

    order = await order_of(db, args["id"])
    assert (order.warranty, order.warranty_reason) == (WarrantyBasis.CHARGEABLE, "warranty_ended")


async def test_intake_under_an_active_contract(
    device_of: Any, company: Company, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    async with db.writing() as session:
        for number, status in (("MC-1", ContractStatus.DRAFT), ("MC-2", ContractStatus.ACTIVE)):
            contract = MaintenanceContract(
                id=uuid7(),
                number=number,
                customer_id=company.customer_id,
                status=status,
                starts_on=dt.date(2026, 1, 1),
                ends_on=dt.date(2026, 12, 31),
            )
            session.add(contract)
            await session.flush()
            session.add(ContractEquipment(contract_id=contract.id, equipment_id=boiler))
    args = intake_args(boiler, received_at="2026-09-01T08:00:00+02:00")

    await tech.send("service_order.intake", args, at=soon_after(args))

    order = await order_of(db, args["id"])
    assert (order.warranty, order.warranty_reason) == (WarrantyBasis.CONTRACT, "under_contract")
    assert order.contract_id == contract.id


async def test_intake_of_an_affair_without_equipment_knows_no_warranty(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    args = intake_args(affair_id=str(company.affair_id))

    result = await tech.send("service_order.intake", args)

    assert result["status"] == "applied"
    order = await order_of(db, args["id"])
    assert (order.equipment_id, order.customer_id) == (None, company.customer_id)
    assert order.warranty_reason == "no_warranty_known"


async def test_intake_sent_again_changes_nothing_and_another_under_its_id_conflicts(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    args = intake_args(boiler)

    first = await tech.send("service_order.intake", args)
    again = await tech.send("service_order.intake", args)
    other = await tech.send("service_order.intake", {**args, "symptoms": "Another story"})

    assert [first["status"], again["status"]] == ["applied", "applied"]
    assert (other["status"], other["code"]) == ("conflict", "duplicate_id")
    async with db.reading() as session:
        repairs = sa.select(ServiceOrder.id).where(ServiceOrder.kind == ServiceOrderKind.REPAIR)
        count = await session.scalar(sa.select(sa.func.count()).select_from(repairs.subquery()))
    assert count == 1
    assert len(await history(db, args["id"])) == 1


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (intake_args(), "equipment_or_affair_needed"),
        (intake_args(uuid.uuid4()), "not_found"),
        (intake_args(affair_id=str(uuid.uuid4())), "not_found"),
    ],
)
async def test_intake_must_name_something_the_technician_sees(
    device_of: Any, db: Database, args: dict[str, Any], code: str
) -> None:
    tech = await device_of("tech")

    result = await tech.send("service_order.intake", args)

    assert (result["status"], result["code"]) == ("rejected", code)
    async with db.reading() as session:
        assert await session.get(ServiceOrder, uuid.UUID(args["id"])) is None


async def test_a_repair_walks_its_steps_to_a_signed_return(
    device_of: Any, company: Company, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    order_id = await received(tech, boiler)
    signature = photo_bytes(200)
    await put_blob(tech, signature)

    results = await walk(
        tech, order_id, "diagnosis", "repair", "quality_check", "repair", "quality_check", "ready"
    )
    await tech.send("service_order.record", {"id": order_id, "diagnosis": "Pump seized"})
    await tech.send("service_order.record", {"id": order_id, "repair_report": "Pump replaced"})
    returned = await tech.send(
        "service_order.return",
        {"id": order_id, "signature_sha256": sha(signature), "signed_by": "Mrs Fournier"},
    )

    assert [r["status"] for r in results] == ["applied"] * 6
    assert returned["status"] == "applied"
    order = await order_of(db, order_id)
    assert (order.step, order.status) == (RepairStep.RETURNED, ServiceOrderStatus.DONE)
    assert (order.signature_sha256, order.signed_by) == (sha(signature), "Mrs Fournier")
    assert (order.diagnosis, order.repair_report) == ("Pump seized", "Pump replaced")
    assert order.returned_at is not None
    steps = [step for step, _ in await history(db, order_id)]
    assert steps == [
        "intake",
        "diagnosis",
        "repair",
        "quality_check",
        "repair",
        "quality_check",
        "ready",
        "returned",
    ]


async def test_a_returned_repair_is_locked(
    device_of: Any, company: Company, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    order_id = await received(tech, boiler)
    signature = photo_bytes(201)
    await put_blob(tech, signature)
    await walk(tech, order_id, "diagnosis", "repair", "quality_check", "ready")
    signed = {"id": order_id, "signature_sha256": sha(signature), "signed_by": "Mr Roux"}
    await tech.send("service_order.return", signed)

    again = await tech.send("service_order.return", signed)
    late = [
        await tech.send("service_order.record", {"id": order_id, "repair_report": "More"}),
        await tech.send("service_order.step", {"id": order_id, "step": "repair"}),
        await tech.send("service_order.return", {**signed, "signed_by": "Someone else"}),
    ]

    assert again["status"] == "applied"
    assert [(r["status"], r["code"]) for r in late] == [("conflict", "locked")] * 3
    assert (await order_of(db, order_id)).signed_by == "Mr Roux"


@pytest.mark.parametrize(
    ("steps", "code"),
    [
        (("ready",), "bad_transition"),
        (("diagnosis", "quality_check"), "bad_transition"),
        (("diagnosis", "repair", "quality_check", "ready", "diagnosis"), "bad_transition"),
    ],
)
async def test_only_allowed_steps(
    device_of: Any, db: Database, boiler: uuid.UUID, steps: tuple[str, ...], code: str
) -> None:
    tech = await device_of("tech")
    order_id = await received(tech, boiler)

    results = await walk(tech, order_id, *steps)

    assert (results[-1]["status"], results[-1]["code"]) == ("rejected", code)
    assert len(await history(db, order_id)) == len(steps)


async def test_return_only_when_ready(device_of: Any, db: Database, boiler: uuid.UUID) -> None:
    tech = await device_of("tech")
    order_id = await received(tech, boiler)
    signature = photo_bytes(202)
    await put_blob(tech, signature)

    result = await tech.send(
        "service_order.return",
        {"id": order_id, "signature_sha256": sha(signature), "signed_by": "Mr Roux"},
    )

    assert (result["status"], result["code"]) == ("rejected", "not_ready")
    assert (await order_of(db, order_id)).step == RepairStep.INTAKE


async def test_a_checklist_guarding_a_step_blocks_it_until_complete(
    device_of: Any, company: Company, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    order_id = await received(tech, boiler)
    async with db.writing() as session:
        run = ChecklistRun(
            id=uuid7(),
            template_id=company.template_id,
            service_order_id=uuid.UUID(order_id),
            affair_id=company.affair_id,
            guards_step=RepairStep.READY,
        )
        session.add(run)
    await walk(tech, order_id, "diagnosis", "repair", "quality_check")

    blocked = await tech.send("service_order.step", {"id": order_id, "step": "ready"})
    await tech.send(
        "checklist.answer", {"run_id": str(run.id), "item_key": "power_off", "value": True}
    )
    passed = await tech.send("service_order.step", {"id": order_id, "step": "ready"})

    assert (blocked["status"], blocked["code"]) == ("rejected", "checklist_incomplete")
    assert blocked["details"]["missing"] == ["power_off"]
    assert passed["status"] == "applied"


async def test_two_devices_making_the_same_step_record_it_once(
    device_of: Any, company: Company, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    order_id = await received(tech, boiler)
    move = {"id": order_id, "step": "diagnosis", "from_step": "intake"}

    first = await tech.send("service_order.step", move)
    second = await supervisor.send("service_order.step", move)

    assert [first["status"], second["status"]] == ["applied", "applied"]
    assert await history(db, order_id) == [
        ("intake", company.users["tech"]),
        ("diagnosis", company.users["tech"]),
    ]


async def test_a_step_that_no_longer_fits_is_kept_as_a_conflict(
    device_of: Any, company: Company, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    order_id = await received(tech, boiler)
    await walk(tech, order_id, "diagnosis", "repair", "quality_check")

    # Both saw the quality check; one passed it, the other failed it.
    passed = await tech.send(
        "service_order.step", {"id": order_id, "step": "ready", "from_step": "quality_check"}
    )
    failed = await supervisor.send(
        "service_order.step", {"id": order_id, "step": "repair", "from_step": "quality_check"}
    )

    assert passed["status"] == "applied"
    assert (failed["status"], failed["code"]) == ("conflict", "concurrent_update")
    assert (await order_of(db, order_id)).step == RepairStep.READY
    async with db.reading() as session:
        kept = await session.scalar(sa.select(ConflictRecord))
    assert kept is not None
    assert (kept.code, kept.server_value) == ("step_moved_on", {"step": "ready"})
    assert [step for step, _ in await history(db, order_id)].count("repair") == 1


async def test_a_report_written_twice_apart_keeps_the_replaced_text(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    order_id = await received(tech, boiler)
    await walk(tech, order_id, "diagnosis")

    first = await tech.send(
        "service_order.record", {"id": order_id, "diagnosis": "Seal", "diagnosis_was": ""}
    )
    again = await tech.send(
        "service_order.record",
        {"id": order_id, "diagnosis": "Seal worn", "diagnosis_was": "Seal"},
    )
    other = await supervisor.send(
        "service_order.record", {"id": order_id, "diagnosis": "Pump", "diagnosis_was": ""}
    )

    assert [first["status"], again["status"]] == ["applied", "applied"]
    assert (other["status"], other["code"]) == ("conflict", "concurrent_update")
    assert (await order_of(db, order_id)).diagnosis == "Pump"
    async with db.reading() as session:
        kept = await session.scalar(sa.select(ConflictRecord))
    assert kept is not None
    assert kept.server_value == {"diagnosis": "Seal worn"}


async def test_intake_photos_wait_for_their_blob_and_are_only_added(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    order_id = await received(tech, boiler)
    photo = photo_bytes(17)
    args = {"id": order_id, "photo_id": str(uuid7()), "sha256": sha(photo), "note": "dent"}

    held = await tech.send("service_order.photo", args)
    await put_blob(tech, photo)
    again = await tech.send("service_order.photo", args)
    clash = await tech.send("service_order.photo", {**args, "note": "scratch"})

    assert (held["status"], held["code"]) == ("conflict", "missing_blob")
    assert again["status"] == "applied"
    assert (clash["status"], clash["code"]) == ("conflict", "duplicate_id")
    async with db.reading() as session:
        stored = list(await session.scalars(sa.select(ServiceOrderPhoto)))
    assert [(p.sha256, p.note) for p in stored] == [(sha(photo), "dent")]


async def test_a_signature_sent_before_its_blob_is_applied_when_it_arrives(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    order_id = await received(tech, boiler)
    await walk(tech, order_id, "diagnosis", "repair", "quality_check", "ready")
    signature = photo_bytes(203)

    held = await tech.send(
        "service_order.return",
        {"id": order_id, "signature_sha256": sha(signature), "signed_by": "Mr Roux"},
    )
    await put_blob(tech, signature)

    assert (held["status"], held["code"]) == ("conflict", "missing_blob")
    order = await order_of(db, order_id)
    assert (order.step, order.signature_sha256) == (RepairStep.RETURNED, sha(signature))


async def test_the_office_overrides_the_warranty_with_a_reason(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    order_id = await received(tech, boiler)
    change = {"id": order_id, "warranty": "manufacturer_warranty", "reason": "Known defect"}

    refused = await tech.send("service_order.warranty", change)
    blank = await supervisor.send("service_order.warranty", {**change, "reason": "  "})
    applied = await supervisor.send("service_order.warranty", change)

    assert (refused["status"], refused["code"]) == ("rejected", "forbidden")
    assert (blank["status"], blank["code"]) == ("rejected", "invalid_input")
    assert applied["status"] == "applied"
    order = await order_of(db, order_id)
    assert (order.warranty, order.warranty_reason) == (
        WarrantyBasis.MANUFACTURER_WARRANTY,
        "Known defect",
    )


async def test_a_repair_moves_by_its_steps_not_its_status(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    order_id = await received(tech, boiler)

    done = await tech.send("service_order.set_status", {"id": order_id, "status": "done"})
    cancelled = await supervisor.send(
        "service_order.set_status", {"id": order_id, "status": "cancelled"}
    )
    late = await tech.send("service_order.step", {"id": order_id, "step": "diagnosis"})

    assert (done["status"], done["code"]) == ("rejected", "repair_moves_by_steps")
    assert cancelled["status"] == "applied"
    assert (late["status"], late["code"]) == ("conflict", "locked")


async def test_a_push_of_many_status_changes_does_not_move_a_repair(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    order_id = await received(tech, boiler)
    changes = [
        tech.mutation("service_order.set_status", {"id": order_id, "status": status})
        for status in ("in_progress", "done")
    ]

    response = await tech.push(*changes)

    results = response.json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [
        ("rejected", "repair_moves_by_steps")
    ] * 2
    assert (await order_of(db, order_id)).status == ServiceOrderStatus.PLANNED


async def test_the_technicians_device_receives_the_history_and_photos(
    device_of: Any, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    order_id = await received(tech, boiler)
    photo = photo_bytes(18)
    await put_blob(tech, photo)
    await tech.send(
        "service_order.photo", {"id": order_id, "photo_id": str(uuid7()), "sha256": sha(photo)}
    )
    await walk(tech, order_id, "diagnosis")

    changes = await tech.pull()

    types = {c["type"] for c in changes if c.get("data", {}).get("service_order_id") == order_id}
    assert {"service_order_step", "service_order_photo"} <= types
    blob = await tech.client.get(f"/api/blobs/{sha(photo)}")
    assert blob.status_code == 200


def forbidden_cases(order_id: str, boiler: uuid.UUID, blob: str) -> list[tuple[str, Any]]:
    return [
        ("service_order.intake", intake_args(boiler)),
        ("service_order.step", {"id": order_id, "step": "diagnosis"}),
        ("service_order.record", {"id": order_id, "diagnosis": "x"}),
        ("service_order.photo", {"id": order_id, "photo_id": str(uuid7()), "sha256": blob}),
        (
            "service_order.return",
            {"id": order_id, "signature_sha256": blob, "signed_by": "Mr Roux"},
        ),
        ("service_order.warranty", {"id": order_id, "warranty": "chargeable", "reason": "x"}),
    ]


@pytest.mark.parametrize("someone", ["tech2", "outsider", "employee", "sales"])
async def test_repair_mutators_refuse_who_may_not(
    device_of: Any, db: Database, boiler: uuid.UUID, someone: str
) -> None:
    tech = await device_of("tech")
    order_id = await received(tech, boiler)
    device = await device_of(someone)

    results = [
        await device.send(name, args)
        for name, args in forbidden_cases(order_id, boiler, sha(photo_bytes(1)))
    ]

    assert {r["status"] for r in results} == {"rejected"}
    assert {r["code"] for r in results} <= {"forbidden", "not_found"}
    assert len(await history(db, order_id)) == 1
    order = await order_of(db, order_id)
    assert (order.step, order.diagnosis, order.warranty_reason) == (
        RepairStep.INTAKE,
        None,
        "warranty_ended",
    )


async def test_a_signed_out_device_may_not_push_a_repair(
    app_client: httpx.AsyncClient, boiler: uuid.UUID
) -> None:
    response = await app_client.post(
        "/api/sync/push",
        json={
            "protocol": 1,
            "schema": 1,
            "client_id": str(uuid7()),
            "sent_at": dt.datetime.now(PARIS).isoformat(),
            "mutations": [
                {
                    "seq": 1,
                    "id": str(uuid7()),
                    "name": "service_order.intake",
                    "args": intake_args(boiler),
                    "at": dt.datetime.now(PARIS).isoformat(),
                }
            ],
        },
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("service_order.intake", {"id": "x", "title": "t", "symptoms": "s"}),
        ("service_order.intake", {"id": str(uuid7()), "title": " ", "symptoms": "s"}),
        ("service_order.intake", {"id": str(uuid7()), "title": "t", "symptoms": ""}),
        ("service_order.intake", {"id": str(uuid7()), "title": "t" * 256, "symptoms": "s"}),
        (
            "service_order.intake",
            {"id": str(uuid7()), "title": "t", "symptoms": "s", "received_at": "2026-06-01T10:00"},
        ),
        ("service_order.intake", {"id": str(uuid7()), "title": "t", "symptoms": "s", "x": 1}),
        ("service_order.step", {"id": str(uuid7()), "step": "returned"}),
        ("service_order.step", {"id": str(uuid7()), "step": "diagnosis", "from_step": "moon"}),
        ("service_order.record", {"id": str(uuid7()), "diagnosis": "d" * 20001}),
        ("service_order.photo", {"id": str(uuid7()), "photo_id": str(uuid7()), "sha256": "ab"}),
        (
            "service_order.return",
            {"id": str(uuid7()), "signature_sha256": "f" * 64, "signed_by": ""},
        ),
        ("service_order.warranty", {"id": str(uuid7()), "warranty": "free", "reason": "x"}),
    ],
)
async def test_bad_repair_args_are_rejected(
    device_of: Any, db: Database, name: str, args: dict[str, Any]
) -> None:
    supervisor = await device_of("supervisor")

    result = await supervisor.send(name, args)

    assert (result["status"], result["code"]) == ("rejected", "invalid_input")
    async with db.reading() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(ServiceOrderStep)) == 0


QUALITY_ITEMS = [
    {"key": "tested", "kind": "yes_no", "required": True, "label": "Tested", "quality": True},
    {"key": "note", "kind": "text", "label": "Note"},
]


async def quality_template(db: Database, *, revisions: int = 1) -> list[uuid.UUID]:
    """A quality check guarding "ready", in ``revisions`` revisions."""
    ids = []
    async with db.writing() as session:
        for revision in range(1, revisions + 1):
            template = ChecklistTemplate(
                id=uuid7(),
                code="quality",
                revision=revision,
                name="Quality",
                items=QUALITY_ITEMS,
                guards_step=RepairStep.READY,
            )
            session.add(template)
            ids.append(template.id)
    return ids


async def test_every_new_repair_gets_the_checklists_that_guard_a_step(
    device_of: Any, company: Company, db: Database, boiler: uuid.UUID
) -> None:
    revisions = await quality_template(db, revisions=2)
    tech = await device_of("tech")

    order_id = await received(tech, boiler)
    again = await tech.send("service_order.intake", {**intake_args(boiler), "id": order_id})

    async with db.reading() as session:
        runs = list(
            await session.scalars(
                sa.select(ChecklistRun).where(ChecklistRun.service_order_id == uuid.UUID(order_id))
            )
        )
    # The company's template of the factory, guarding nothing, is not started.
    assert [(run.template_id, run.guards_step) for run in runs] == [
        (revisions[-1], RepairStep.READY)
    ]
    assert again["status"] in ("applied", "duplicate")
    pulled = {change["id"] for change in await tech.pull() if change["type"] == "checklist_run"}
    assert str(runs[0].id) in pulled


async def test_a_failed_quality_item_holds_the_repair_back_from_ready(
    device_of: Any, company: Company, db: Database, boiler: uuid.UUID
) -> None:
    await quality_template(db)
    tech = await device_of("tech")
    order_id = await received(tech, boiler)
    async with db.reading() as session:
        run_id = await session.scalar(
            sa.select(ChecklistRun.id).where(ChecklistRun.service_order_id == uuid.UUID(order_id))
        )
    await walk(tech, order_id, "diagnosis", "repair", "quality_check")
    answer = {"run_id": str(run_id), "item_key": "tested"}

    await tech.send("checklist.answer", {**answer, "value": False})
    failed = await tech.send("service_order.step", {"id": order_id, "step": "ready"})
    back = await tech.send("service_order.step", {"id": order_id, "step": "repair"})
    await walk(tech, order_id, "quality_check")
    await tech.send("checklist.answer", {**answer, "value": True})
    passed = await tech.send("service_order.step", {"id": order_id, "step": "ready"})

    assert (failed["status"], failed["code"]) == ("rejected", "checklist_incomplete")
    assert failed["details"]["missing"] == ["tested"]
    assert "tested" in failed["message"]
    assert back["status"] == "applied"
    assert passed["status"] == "applied"


async def test_a_reception_dated_long_before_is_refused(
    device_of: Any, company: Company, db: Database, boiler: uuid.UUID
) -> None:
    tech = await device_of("tech")
    args = intake_args(boiler, received_at="1970-01-01T00:00:00Z")

    result = await tech.send("service_order.intake", args)

    assert (result["status"], result["code"]) == ("rejected", "received_too_long_ago")
    async with db.reading() as session:
        assert await session.get(ServiceOrder, uuid.UUID(args["id"])) is None


@pytest.mark.parametrize(
    "code",
    [
        "not_a_repair",
        "not_ready",
        "repair_moves_by_steps",
        "equipment_or_affair_needed",
        "equipment_not_in_affair",
        "checklist_incomplete",
        "received_too_long_ago",
    ],
)
def test_repair_refusals_are_said_in_words(code: str) -> None:
    from backend.lib.i18n import MESSAGES

    assert set(MESSAGES[code]) == {"en", "fr"}


async def test_a_checklist_started_offline_keeps_the_phones_run(
    device_of: Any, company: Company, db: Database, boiler: uuid.UUID
) -> None:
    [template_id] = await quality_template(db)
    tech = await device_of("tech")
    args = intake_args(boiler)
    run_id = str(uuid7())
    args["runs"] = [
        {"id": run_id, "template_id": str(template_id)},
        # A checklist that guards nothing is not started from a phone.
        {"id": str(uuid7()), "template_id": str(company.template_id)},
    ]
    order_id = args["id"]

    # One push, as the phone sends it after a day offline.
    response = await tech.push(
        tech.mutation("service_order.intake", args),
        *[
            tech.mutation("service_order.step", {"id": order_id, "step": step})
            for step in ("diagnosis", "repair", "quality_check")
        ],
        tech.mutation("checklist.answer", {"run_id": run_id, "item_key": "tested", "value": True}),
        tech.mutation("service_order.step", {"id": order_id, "step": "ready"}),
    )

    statuses = [result["status"] for result in response.json()["results"]]
    assert statuses == ["applied"] * 6
    async with db.reading() as session:
        runs = list(
            await session.scalars(
                sa.select(ChecklistRun.id).where(
                    ChecklistRun.service_order_id == uuid.UUID(order_id)
                )
            )
        )
    assert runs == [uuid.UUID(run_id)]
    assert (await order_of(db, order_id)).step == RepairStep.READY


async def test_a_run_id_already_taken_is_not_reused(
    device_of: Any, company: Company, db: Database, boiler: uuid.UUID
) -> None:
    [template_id] = await quality_template(db)
    tech = await device_of("tech")
    args = intake_args(boiler)
    args["runs"] = [{"id": str(company.run_id), "template_id": str(template_id)}]

    result = await tech.send("service_order.intake", args)

    assert result["status"] == "applied"
    async with db.reading() as session:
        taken = await session.get(ChecklistRun, company.run_id)
        assert taken is not None and taken.service_order_id == company.order_id
