"""Service orders and checklists through the mutators."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from backend.aftersales.services import answer_id
from backend.db.engine import Database
from backend.db.models import (
    ChecklistAnswer,
    ChecklistRun,
    ChecklistRunStatus,
    ConflictRecord,
    ServiceOrder,
    ServiceOrderNote,
    ServiceOrderStatus,
)
from backend.lib.time import utc_now
from sync.ids import uuid7
from tests.factories import Company


def answer(company: Company, key: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {"run_id": str(company.run_id), "item_key": key, "value": value, **extra}


async def stored_answer(db: Database, company: Company, key: str) -> ChecklistAnswer | None:
    assert company.run_id is not None
    async with db.reading() as session:
        return await session.get(ChecklistAnswer, answer_id(company.run_id, key))


async def order_status(db: Database, company: Company) -> ServiceOrderStatus:
    async with db.reading() as session:
        order = await session.get(ServiceOrder, company.order_id)
        assert order is not None
        return order.status


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("power_off", True),
        ("state", "worn"),
        ("pressure", 1.7),
        ("pressure", 9.5),
        ("remarks", "gasket replaced"),
        ("remarks", None),
    ],
)
async def test_checklist_answer_applies_each_kind(
    device_of: Any, company: Company, db: Database, key: str, value: Any
) -> None:
    tech = await device_of("tech")

    result = await tech.send("checklist.answer", answer(company, key, value, note="seen"))

    assert result["status"] == "applied"
    stored = await stored_answer(db, company, key)
    assert stored is not None
    assert (stored.value, stored.note) == (value, "seen")


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("power_off", "yes", "bad_value"),
        ("state", "shiny", "bad_value"),
        ("pressure", "high", "bad_value"),
        ("pressure", True, "bad_value"),
        ("remarks", 12, "bad_value"),
        ("unknown", True, "unknown_item"),
    ],
)
async def test_checklist_answer_that_does_not_fit_is_rejected(
    device_of: Any, company: Company, db: Database, key: str, value: Any, code: str
) -> None:
    tech = await device_of("tech")

    result = await tech.send("checklist.answer", answer(company, key, value))

    assert (result["status"], result["code"]) == ("rejected", code)
    assert await stored_answer(db, company, key) is None


async def test_one_answer_per_item_later_wins(
    device_of: Any, company: Company, db: Database
) -> None:
    phone = await device_of("tech")
    supervisor = await device_of("supervisor")
    now = dt.datetime.now(dt.UTC)

    await phone.send("checklist.answer", answer(company, "state", "ok"), at=now)
    late = await supervisor.send(
        "checklist.answer", answer(company, "state", "damaged"), at=now - dt.timedelta(minutes=5)
    )

    assert (late["status"], late["code"]) == ("conflict", "concurrent_update")
    stored = await stored_answer(db, company, "state")
    assert stored is not None and stored.value == "ok"
    async with db.reading() as session:
        rows = await session.scalar(sa.select(sa.func.count()).select_from(ChecklistAnswer))
    assert rows == 1


async def test_a_fast_device_clock_does_not_win_every_tie(
    device_of: Any, company: Company, db: Database
) -> None:
    fast = await device_of("tech")
    fast.clock_skew = dt.timedelta(hours=1)
    honest = await device_of("supervisor")
    now = dt.datetime.now(dt.UTC)

    await fast.send("checklist.answer", answer(company, "state", "ok"), at=now)
    result = await honest.send(
        "checklist.answer", answer(company, "state", "worn"), at=now + dt.timedelta(minutes=1)
    )

    assert result["status"] == "applied"
    stored = await stored_answer(db, company, "state")
    assert stored is not None and stored.value == "worn"


async def test_S5_later_change_of_same_device_is_applied_in_order(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    first = tech.mutation("checklist.answer", answer(company, "state", "ok"))
    second = tech.mutation("checklist.answer", answer(company, "state", "damaged"))

    await tech.push(first)
    await tech.push(first, second)

    stored = await stored_answer(db, company, "state")
    assert stored is not None and stored.value == "damaged"
    async with db.reading() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(ConflictRecord)) == 0


async def test_S2_answers_on_a_deleted_run_are_kept_as_conflicts(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    async with db.writing() as session:
        run = await session.get(ChecklistRun, company.run_id)
        assert run is not None
        run.deleted_at = utc_now()

    results = [
        await tech.send("checklist.answer", answer(company, "state", "ok")),
        await tech.send("checklist.answer", answer(company, "pressure", 1.5)),
    ]

    assert [(r["status"], r["code"]) for r in results] == [("conflict", "parent_deleted")] * 2
    assert await stored_answer(db, company, "state") is None
    changes = await tech.pull()
    conflicts = [c for c in changes if c["type"] == "conflict"]
    assert len(conflicts) == 2
    assert conflicts[0]["data"]["device_value"]["item_key"] in ("state", "pressure")


async def test_S2_cancelled_order_locks_its_checklist(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    await supervisor.send(
        "service_order.set_status", {"id": str(company.order_id), "status": "cancelled"}
    )

    result = await tech.send("checklist.answer", answer(company, "state", "ok"))

    assert (result["status"], result["code"]) == ("conflict", "locked")
    assert "SO-2026-0001" in result["message"]


async def test_signed_checklist_is_locked(device_of: Any, company: Company, db: Database) -> None:
    tech = await device_of("tech")
    async with db.writing() as session:
        run = await session.get(ChecklistRun, company.run_id)
        assert run is not None
        run.status = ChecklistRunStatus.SIGNED

    result = await tech.send("checklist.answer", answer(company, "state", "ok"))

    assert (result["status"], result["code"]) == ("conflict", "locked")


@pytest.mark.parametrize("someone", ["tech2", "outsider", "employee", "sales"])
async def test_field_mutators_refuse_who_may_not(
    device_of: Any, company: Company, db: Database, someone: str
) -> None:
    device = await device_of(someone)
    order = str(company.order_id)

    results = [
        await device.send("checklist.answer", answer(company, "state", "ok")),
        await device.send("service_order.set_status", {"id": order, "status": "in_progress"}),
        await device.send(
            "service_order.note", {"id": order, "note_id": str(uuid7()), "text": "hello"}
        ),
    ]

    assert {r["status"] for r in results} == {"rejected"}
    assert {r["code"] for r in results} <= {"forbidden", "not_found"}
    assert await stored_answer(db, company, "state") is None
    assert await order_status(db, company) == ServiceOrderStatus.PLANNED


async def test_technician_walks_the_status_steps(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    order = str(company.order_id)

    steps = [
        await tech.send("service_order.set_status", {"id": order, "status": status})
        for status in ("in_progress", "done")
    ]
    closing = await tech.send("service_order.set_status", {"id": order, "status": "closed"})

    assert [s["status"] for s in steps] == ["applied", "applied"]
    assert (closing["status"], closing["code"]) == ("rejected", "bad_transition")
    assert await order_status(db, company) == ServiceOrderStatus.DONE


async def test_office_closes_then_technician_is_locked_out(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    order = str(company.order_id)
    for status in ("in_progress", "done"):
        await tech.send("service_order.set_status", {"id": order, "status": status})

    closed = await supervisor.send("service_order.set_status", {"id": order, "status": "closed"})
    late = await tech.send("service_order.set_status", {"id": order, "status": "in_progress"})
    note = await tech.send(
        "service_order.note", {"id": order, "note_id": str(uuid7()), "text": "forgot this"}
    )

    assert closed["status"] == "applied"
    assert (late["status"], late["code"]) == ("conflict", "locked")
    assert (note["status"], note["code"]) == ("conflict", "locked")


async def test_notes_are_only_added(device_of: Any, company: Company, db: Database) -> None:
    tech = await device_of("tech")
    other = await device_of("supervisor")
    note_id = str(uuid7())
    order = str(company.order_id)

    first = await tech.send("service_order.note", {"id": order, "note_id": note_id, "text": "a"})
    same = await other.send("service_order.note", {"id": order, "note_id": note_id, "text": "a"})
    clash = await other.send("service_order.note", {"id": order, "note_id": note_id, "text": "b"})

    assert [first["status"], same["status"]] == ["applied", "applied"]
    assert (clash["status"], clash["code"]) == ("conflict", "duplicate_id")
    async with db.reading() as session:
        notes = list(await session.scalars(sa.select(ServiceOrderNote.text)))
    assert notes == ["a"]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("checklist.answer", {"run_id": str(uuid7()), "item_key": "", "value": True}),
        ("checklist.answer", {"run_id": str(uuid7()), "item_key": "x", "value": [1]}),
        ("checklist.answer", {"run_id": str(uuid7()), "item_key": "x", "value": "t" * 2001}),
        ("service_order.set_status", {"id": str(uuid7()), "status": "teleported"}),
        ("service_order.note", {"id": str(uuid7()), "note_id": str(uuid7()), "text": ""}),
        ("service_order.note", {"id": str(uuid7()), "note_id": "x", "text": "hi"}),
    ],
)
async def test_bad_args_are_rejected(
    device_of: Any, company: Company, name: str, args: dict[str, Any]
) -> None:
    tech = await device_of("tech")

    result = await tech.send(name, args)

    assert (result["status"], result["code"]) == ("rejected", "invalid_input")


async def test_unknown_run_or_order_is_not_found(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")

    results = [
        await tech.send(
            "checklist.answer", {"run_id": str(uuid.uuid4()), "item_key": "state", "value": "ok"}
        ),
        await tech.send("service_order.set_status", {"id": str(uuid.uuid4()), "status": "done"}),
    ]

    assert [r["code"] for r in results] == ["not_found", "not_found"]


async def test_a_blank_note_is_refused(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")

    result = await tech.send(
        "service_order.note",
        {
            "id": str(company.order_id),
            "note_id": str(uuid7()),
            "text": "   \n ",
        },
    )

    assert (result["status"], result["code"]) == ("rejected", "invalid_input")
