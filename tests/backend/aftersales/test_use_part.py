"""Parts fitted, removed and used on service orders, offline, and the
composition history they leave on the machines."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from backend.aftersales.equipment import composition_at
from backend.db.engine import Database
from backend.db.models import (
    Equipment,
    EquipmentPart,
    ServiceOrder,
    ServiceOrderPart,
    ServiceOrderStatus,
)
from backend.db.models.aftersales import RepairStep
from sync.ids import uuid7
from tests.factories import Company


async def add_machine(db: Database, company: Company, label: str, serial: str) -> uuid.UUID:
    async with db.writing() as session:
        machine = Equipment(
            id=uuid7(),
            affair_id=company.affair_id,
            customer_id=company.customer_id,
            label=label,
            serial_number=serial,
        )
        session.add(machine)
    return machine.id


async def order_on(
    db: Database, company: Company, machine_id: uuid.UUID, *, tech: str = "tech", **fields: Any
) -> uuid.UUID:
    async with db.writing() as session:
        number = await session.scalar(sa.select(sa.func.count()).select_from(ServiceOrder))
        order = ServiceOrder(
            id=uuid7(),
            number=f"SO-2026-{100 + (number or 0)}",
            affair_id=company.affair_id,
            customer_id=company.customer_id,
            technician_id=company.users[tech],
            title="Repair",
            equipment_id=machine_id,
            **fields,
        )
        session.add(order)
    return order.id


@pytest.fixture
async def machines(db: Database, company: Company) -> dict[str, uuid.UUID]:
    """Two machines with a service order each, for ``tech``."""
    boiler = await add_machine(db, company, "Boiler", "B-1")
    pump = await add_machine(db, company, "Pump", "P-1")
    return {
        "boiler": boiler,
        "pump": pump,
        "boiler_order": await order_on(db, company, boiler),
        "pump_order": await order_on(db, company, pump),
    }


def use(order_id: uuid.UUID, action: str, **extra: Any) -> dict[str, Any]:
    return {"id": str(order_id), "use_id": str(uuid7()), "action": action, **extra}


async def fittings(db: Database, serial: str) -> list[EquipmentPart]:
    async with db.reading() as session:
        return list(
            await session.scalars(
                sa.select(EquipmentPart)
                .join(Equipment, Equipment.id == EquipmentPart.part_id)
                .where(Equipment.serial_number == serial)
                .order_by(EquipmentPart.fitted_at)
            )
        )


async def serials_in(db: Database, machine_id: uuid.UUID, instant: dt.datetime) -> list[str]:
    async with db.reading() as session:
        parts = await composition_at(session, machine_id, instant)
    return sorted(part.serial_number or "" for part in parts)


async def test_fit_remove_and_refit_elsewhere_is_kept_as_history(
    device_of: Any, db: Database, machines: dict[str, uuid.UUID]
) -> None:
    tech = await device_of("tech")
    day = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)

    fitted = await tech.send(
        "service_order.use_part",
        use(machines["boiler_order"], "fit", serial_number="M-7", label="Motor"),
        at=day,
    )
    removed = await tech.send(
        "service_order.use_part",
        use(machines["boiler_order"], "remove", serial_number="M-7"),
        at=day + dt.timedelta(days=30),
    )
    refitted = await tech.send(
        "service_order.use_part",
        use(machines["pump_order"], "fit", serial_number="M-7"),
        at=day + dt.timedelta(days=60),
    )

    assert [fitted["status"], removed["status"], refitted["status"]] == ["applied"] * 3
    history = await fittings(db, "M-7")
    assert [(f.equipment_id, f.removed_at is None) for f in history] == [
        (machines["boiler"], False),
        (machines["pump"], True),
    ]
    assert await serials_in(db, machines["boiler"], day + dt.timedelta(days=1)) == ["M-7"]
    assert await serials_in(db, machines["boiler"], day + dt.timedelta(days=40)) == []
    assert await serials_in(db, machines["pump"], day + dt.timedelta(days=40)) == []
    assert await serials_in(db, machines["pump"], day + dt.timedelta(days=61)) == ["M-7"]
    assert await serials_in(db, machines["boiler"], day - dt.timedelta(days=1)) == []


async def test_a_part_fitted_elsewhere_leaves_its_first_machine(
    device_of: Any, db: Database, machines: dict[str, uuid.UUID]
) -> None:
    tech = await device_of("tech")
    day = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)

    await tech.send(
        "service_order.use_part",
        use(machines["boiler_order"], "fit", serial_number="V-1", label="Valve"),
        at=day,
    )
    await tech.send(
        "service_order.use_part",
        use(machines["pump_order"], "fit", serial_number="V-1"),
        at=day + dt.timedelta(days=3),
    )

    history = await fittings(db, "V-1")
    assert [f.equipment_id for f in history] == [machines["boiler"], machines["pump"]]
    assert history[0].removed_at is not None
    # Device times are corrected by the measured clock offset: a few ms here.
    assert abs(history[0].removed_at - (day + dt.timedelta(days=3))) < dt.timedelta(seconds=5)
    assert history[0].removed_order_id == machines["pump_order"]
    async with db.reading() as session:
        open_count = await session.scalar(
            sa.select(sa.func.count())
            .select_from(EquipmentPart)
            .where(EquipmentPart.removed_at.is_(None))
        )
    assert open_count == 1


async def test_the_database_refuses_a_part_in_two_places(
    device_of: Any, db: Database, company: Company, machines: dict[str, uuid.UUID]
) -> None:
    tech = await device_of("tech")
    await tech.send(
        "service_order.use_part", use(machines["boiler_order"], "fit", serial_number="D-1")
    )
    [fitting] = await fittings(db, "D-1")

    with pytest.raises(sa.exc.IntegrityError):
        async with db.writing() as session:
            session.add(
                EquipmentPart(
                    equipment_id=machines["pump"],
                    part_id=fitting.part_id,
                    affair_id=company.affair_id,
                    fitted_at=dt.datetime.now(dt.UTC),
                )
            )


async def test_a_late_removal_never_ends_before_the_fitting(
    device_of: Any, db: Database, machines: dict[str, uuid.UUID]
) -> None:
    tech = await device_of("tech")
    day = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    await tech.send(
        "service_order.use_part",
        use(machines["boiler_order"], "fit", serial_number="F-1"),
        at=day,
    )

    await tech.send(
        "service_order.use_part",
        use(machines["boiler_order"], "remove", serial_number="F-1"),
        at=day - dt.timedelta(hours=2),
    )

    [fitting] = await fittings(db, "F-1")
    assert fitting.removed_at == fitting.fitted_at


async def test_resending_the_same_use_changes_nothing(
    device_of: Any, db: Database, machines: dict[str, uuid.UUID]
) -> None:
    tech = await device_of("tech")
    args = use(machines["boiler_order"], "fit", serial_number="R-1", label="Relay")
    first = tech.mutation("service_order.use_part", args)

    await tech.push(first)
    again = await tech.send("service_order.use_part", args)

    assert again["status"] == "applied"
    async with db.reading() as session:
        uses = await session.scalar(sa.select(sa.func.count()).select_from(ServiceOrderPart))
    assert uses == 1
    assert len(await fittings(db, "R-1")) == 1


async def test_same_use_id_with_other_content_is_kept_as_conflict(
    device_of: Any, machines: dict[str, uuid.UUID]
) -> None:
    tech = await device_of("tech")
    args = use(machines["boiler_order"], "use", label="Gasket")
    await tech.send("service_order.use_part", args)

    clash = await tech.send("service_order.use_part", {**args, "quantity": 3})

    assert (clash["status"], clash["code"]) == ("conflict", "duplicate_id")


async def test_use_records_a_part_without_serial(
    device_of: Any, db: Database, machines: dict[str, uuid.UUID]
) -> None:
    tech = await device_of("tech")

    result = await tech.send(
        "service_order.use_part", use(machines["boiler_order"], "use", label="Oil", quantity=2)
    )

    assert result["status"] == "applied"
    async with db.reading() as session:
        part = await session.scalar(sa.select(ServiceOrderPart))
    assert part is not None
    assert (part.label, part.quantity, part.action.value) == ("Oil", 2, "use")


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (ServiceOrderStatus.CLOSED, None),
        (ServiceOrderStatus.CANCELLED, None),
        (ServiceOrderStatus.DONE, RepairStep.RETURNED),
    ],
)
async def test_a_locked_order_keeps_the_use_as_conflict(
    device_of: Any,
    db: Database,
    company: Company,
    status: ServiceOrderStatus,
    step: RepairStep | None,
) -> None:
    machine = await add_machine(db, company, "Boiler", "B-9")
    order = await order_on(db, company, machine, status=status, step=step)
    tech = await device_of("tech")

    result = await tech.send("service_order.use_part", use(order, "fit", serial_number="L-1"))

    assert (result["status"], result["code"]) == ("conflict", "locked")
    assert await fittings(db, "L-1") == []


async def test_someone_elses_order_is_refused(
    device_of: Any, db: Database, machines: dict[str, uuid.UUID]
) -> None:
    other_tech = await device_of("tech2")

    result = await other_tech.send(
        "service_order.use_part", use(machines["boiler_order"], "fit", serial_number="X-1")
    )

    assert (result["status"], result["code"]) == ("rejected", "not_found")
    assert await fittings(db, "X-1") == []


async def test_the_team_supervisor_may_fit_parts(
    device_of: Any, db: Database, machines: dict[str, uuid.UUID]
) -> None:
    supervisor = await device_of("supervisor")

    result = await supervisor.send(
        "service_order.use_part", use(machines["boiler_order"], "fit", serial_number="S-1")
    )

    assert result["status"] == "applied"


@pytest.mark.parametrize("key", ["employee", "sales"])
async def test_people_outside_field_work_may_not_use_parts(
    device_of: Any, machines: dict[str, uuid.UUID], key: str
) -> None:
    device = await device_of(key)

    result = await device.send(
        "service_order.use_part", use(machines["boiler_order"], "fit", serial_number="E-1")
    )

    assert (result["status"], result["code"]) == ("rejected", "forbidden")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({"action": "fit"}, "serial_required"),
        ({"action": "remove"}, "serial_required"),
        ({"action": "use"}, "part_unnamed"),
        ({"action": "remove", "serial_number": "NOPE"}, "part_not_fitted"),
        ({"action": "fit", "serial_number": "B-1"}, "part_holds_machine"),
        ({"action": "use", "label": "x", "product_id": str(uuid.UUID(int=7))}, "unknown_product"),
        ({"action": "use", "label": "x", "quantity": 0}, "invalid_input"),
        ({"action": "swap", "serial_number": "A"}, "invalid_input"),
        ({"action": "use", "label": "x", "colour": "red"}, "invalid_input"),
    ],
)
async def test_a_use_that_cannot_apply_is_rejected(
    device_of: Any,
    db: Database,
    machines: dict[str, uuid.UUID],
    args: dict[str, Any],
    code: str,
) -> None:
    tech = await device_of("tech")

    result = await tech.send(
        "service_order.use_part",
        {"id": str(machines["boiler_order"]), "use_id": str(uuid7()), **args},
    )

    assert (result["status"], result["code"]) == ("rejected", code)
    async with db.reading() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(ServiceOrderPart)) == 0


async def test_fitting_needs_the_order_to_name_equipment(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")

    result = await tech.send(
        "service_order.use_part", use(company.order_id, "fit", serial_number="N-1")
    )

    assert (result["status"], result["code"]) == ("rejected", "no_equipment")


async def test_a_new_serial_becomes_equipment_on_the_machines_affair(
    device_of: Any, db: Database, company: Company, machines: dict[str, uuid.UUID]
) -> None:
    tech = await device_of("tech")

    await tech.send(
        "service_order.use_part",
        use(machines["boiler_order"], "fit", serial_number="NEW-1", label="Fan"),
    )

    async with db.reading() as session:
        part = await session.scalar(sa.select(Equipment).where(Equipment.serial_number == "NEW-1"))
    assert part is not None
    assert (part.affair_id, part.customer_id, part.label) == (
        company.affair_id,
        company.customer_id,
        "Fan",
    )


async def test_parts_and_fittings_reach_the_technicians_phone(
    device_of: Any, machines: dict[str, uuid.UUID]
) -> None:
    tech = await device_of("tech")
    await tech.send(
        "service_order.use_part", use(machines["boiler_order"], "fit", serial_number="P-9")
    )

    types = {change["type"] for change in await tech.pull()}

    assert {"service_order_part", "equipment_part", "equipment"} <= types


async def test_fittings_follow_the_affair_onto_and_off_the_phone(
    device_of: Any, db: Database, company: Company
) -> None:
    machine = await add_machine(db, company, "Chiller", "C-1")
    part = await add_machine(db, company, "Compressor", "K-1")
    async with db.writing() as session:
        for equipment_id in (machine, part):
            row = await session.get(Equipment, equipment_id)
            assert row is not None
            row.affair_id = company.other_affair_id  # where ``tech`` has no work
        fitting = EquipmentPart(
            id=uuid7(),
            equipment_id=machine,
            part_id=part,
            affair_id=company.other_affair_id,
            fitted_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        )
        session.add(fitting)
    tech = await device_of("tech")
    before = {(c["type"], c["id"]) for c in await tech.pull()}

    async with db.writing() as session:
        order = await session.get(ServiceOrder, company.other_order_id)
        assert order is not None
        order.technician_id = company.users["tech"]
    grown = {(c["op"], c["type"], c["id"]) for c in await tech.pull()}
    async with db.writing() as session:
        order = await session.get(ServiceOrder, company.other_order_id)
        assert order is not None
        order.technician_id = company.users["outsider"]
    shrunk = {(c["op"], c["type"], c["id"]) for c in await tech.pull()}

    assert ("equipment_part", str(fitting.id)) not in before
    assert ("put", "equipment_part", str(fitting.id)) in grown
    assert ("del", "equipment_part", str(fitting.id)) in shrunk


async def test_two_devices_fitting_one_new_part_at_once_leave_it_in_one_place(
    device_of: Any, db: Database, machines: dict[str, uuid.UUID]
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    into_pump = use(machines["pump_order"], "fit", serial_number="T-1")
    into_boiler = use(machines["boiler_order"], "fit", serial_number="T-1")

    answers = await asyncio.gather(
        tech.push(tech.mutation("service_order.use_part", into_pump)),
        supervisor.push(supervisor.mutation("service_order.use_part", into_boiler)),
    )

    assert [a.json()["results"][0]["status"] for a in answers] == ["applied", "applied"]
    history = await fittings(db, "T-1")
    assert len({f.part_id for f in history}) == 1
    assert [f.removed_at is None for f in history] == [False, True]


async def test_a_removal_names_the_part_by_its_label(
    device_of: Any, db: Database, machines: dict[str, uuid.UUID]
) -> None:
    tech = await device_of("tech")
    await tech.send(
        "service_order.use_part",
        use(machines["boiler_order"], "fit", serial_number="G-1", label="Gas valve"),
    )

    await tech.send(
        "service_order.use_part", use(machines["boiler_order"], "remove", serial_number="G-1")
    )

    async with db.reading() as session:
        labels = list(
            await session.scalars(
                sa.select(ServiceOrderPart.label).order_by(ServiceOrderPart.used_at)
            )
        )
    assert labels == ["Gas valve", "Gas valve"]
