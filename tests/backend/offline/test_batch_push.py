"""A push decided as a batch ends exactly as one applied mutation by mutation.

The batch (``backend.offline.batch``) is only a faster way to the same
place: for any pushes hypothesis draws (answers valid or not, on an open or
signed checklist, notes sent again or clashing, status steps allowed or not,
time entries over 24 hours, in an approved week, on a closed affair, edited
and deleted, the week submitted), the outcomes of every mutation and the
records they leave are the same as when each mutation runs its handler
alone. Then a few named cases: held writes that fail together are replayed
one by one; rows a handler wrote are read again for the mutations after it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import uuid
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from backend.access.actors import Actor
from backend.app import build_mutators
from backend.db.engine import Database, open_database
from backend.db.models import (
    Affair,
    AffairStatus,
    AppliedMutation,
    ChecklistAnswer,
    ChecklistRun,
    ChecklistRunStatus,
    ConflictRecord,
    Role,
    ServiceOrder,
    ServiceOrderNote,
    ServiceOrderStatus,
    TimeEntry,
    TimesheetWeek,
    WeekStatus,
)
from backend.lib.time import week_of
from backend.offline.batch import PushBatch
from backend.offline.services import run_push
from backend.settings import Settings
from backend.timesheets.services import week_id
from sync.engine import Replay
from sync.ids import derived_id, uuid7
from sync.messages import PushRequest
from tests.conftest import empty_all_tables
from tests.factories import Company, make_company

TODAY = dt.date.today()
LAST_WEEK = TODAY - dt.timedelta(days=7)
ENTRY_IDS = tuple(uuid.UUID(int=index + 1) for index in range(4))
NOTE_IDS = tuple(uuid.UUID(int=index + 100) for index in range(3))
# Entry 3 and the answer to "state" exist before the push, written by
# the technician's other device an hour ago.
OTHER_DEVICE = uuid.UUID(int=999)
AN_HOUR_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)

answer = st.tuples(
    st.just("answer"),
    st.sampled_from(("open", "signed")),
    st.sampled_from(("state", "pressure", "remarks", "nope")),
    st.sampled_from(("ok", "worn", 1.5, 9.0, "text", None, True)),
)
note = st.tuples(
    st.just("note"),
    st.sampled_from(("own", "other")),
    st.integers(0, len(NOTE_IDS) - 1),
    st.sampled_from(("Burner cleaned.", "Fan replaced.")),
)
step = st.tuples(
    st.just("status"),
    st.sampled_from(("own", "other")),
    st.sampled_from([status.value for status in ServiceOrderStatus]),
    st.none(),
)
entry = st.tuples(
    st.just("entry"),
    st.integers(0, len(ENTRY_IDS) - 1),
    st.sampled_from((0, 1, -7)),  # days from today; -7: the approved week
    st.sampled_from((30, 90, 600, 900)),
)
# An edit naming an old base: another device's entry is merged by the
# handler, field by field, and the later change wins.
edit = st.tuples(
    st.just("edit"),
    st.integers(0, len(ENTRY_IDS) - 1),
    st.sampled_from((0, 1)),
    st.sampled_from((30, 900)),
)
delete = st.tuples(st.just("delete"), st.integers(0, len(ENTRY_IDS) - 1), st.none(), st.none())
submit = st.tuples(st.just("submit"), st.none(), st.none(), st.none())
closed = st.tuples(st.just("affair"), st.none(), st.none(), st.none())
work = st.one_of(answer, answer, note, step, entry, entry, edit, delete, submit, closed)


@settings(
    max_examples=int(os.environ.get("AFFAIRES_PROPERTY_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pushes=st.lists(st.lists(work, min_size=1, max_size=12), min_size=1, max_size=3))
# Always tried: a day over 24 hours; an entry made, moved, deleted and
# made again across two pushes; an answer over another device's; an edit
# of another device's entry; a submitted week edited.
@example(pushes=[[("entry", 0, 0, 900), ("entry", 2, 0, 600)]])
@example(
    pushes=[
        [("entry", 0, 0, 30), ("entry", 0, 1, 90), ("delete", 0, None, None), ("entry", 2, 0, 30)],
        [("entry", 0, 0, 60), ("entry", 2, 1, 90)],
    ]
)
@example(pushes=[[("answer", "open", "state", "ok"), ("answer", "open", "state", "damaged")]])
@example(pushes=[[("entry", 3, 0, 30), ("entry", 3, 1, 30)]])
# The handler's merge writes 900 minutes: the next entry must see them.
@example(pushes=[[("entry", 1, 0, 30), ("edit", 3, 0, 900), ("entry", 0, 0, 600)]])
@example(
    pushes=[[("submit", None, None, None), ("entry", 0, 0, 30)], [("submit", None, None, None)]]
)
def test_a_batch_ends_as_mutations_one_by_one(
    database_url: str, pushes: list[list[tuple[str, Any, Any, Any]]]
) -> None:
    asyncio.run(_compare(database_url, pushes))


async def _compare(database_url: str, pushes: list[list[tuple[str, Any, Any, Any]]]) -> None:
    one_by_one = await _run(database_url, pushes, in_batch=False)
    batched = await _run(database_url, pushes, in_batch=True)
    for status, code in one_by_one["outcomes"]:
        event(f"{status} {code or ''}".strip())
    assert batched == one_by_one


async def _run(
    database_url: str, pushes: list[list[tuple[str, Any, Any, Any]]], *, in_batch: bool
) -> dict[str, Any]:
    db = open_database(database_url)
    try:
        await empty_all_tables(db)
        company = await make_company(db)
        await _before(db, company)
        actor = Actor(
            id=company.users["tech"], role=Role.TECHNICIAN, name="Tech", team_id=company.team_id
        )
        client_id, seq, outcomes = uuid7(), 0, []
        registry, app_settings = build_mutators(), Settings(database_url=database_url)
        for work_of_push in pushes:
            mutations = []
            for work_item in work_of_push:
                named = _mutation(company, work_item)
                if named is None:
                    await _close_other_affair(db, company)
                    continue
                seq += 1
                mutations.append({"seq": seq, "id": str(uuid7()), **named})
            if not mutations:
                continue
            body = {
                "protocol": 1,
                "schema": 1,
                "client_id": str(client_id),
                "sent_at": dt.datetime.now(dt.UTC).isoformat(),
                "mutations": mutations,
            }
            request = msgspec.json.decode(msgspec.json.encode(body), type=PushRequest)
            outcome, _ = await run_push(
                db,
                registry,
                actor,
                request,
                settings=app_settings,
                language="en",
                in_batch=in_batch,
            )
            outcomes += [(result.status, result.code) for result in outcome.results]
        return {"outcomes": outcomes, **await _records(db, company)}
    finally:
        await db.dispose()


def _mutation(company: Company, work_item: tuple[str, Any, Any, Any]) -> dict[str, Any] | None:
    kind, first, second, third = work_item
    at = dt.datetime.now(dt.UTC).isoformat()
    order = company.order_id if first == "own" else company.other_order_id
    if kind == "answer":
        run = company.run_id if first == "open" else _signed_run_id(company)
        args: dict[str, Any] = {"run_id": str(run), "item_key": second, "value": third}
        return {"name": "checklist.answer", "args": args, "at": at}
    if kind == "note":
        args = {"id": str(order), "note_id": str(NOTE_IDS[second]), "text": third}
        return {"name": "service_order.note", "args": args, "at": at}
    if kind == "status":
        return {
            "name": "service_order.set_status",
            "args": {"id": str(order), "status": second},
            "at": at,
        }
    if kind in ("entry", "edit"):
        affair = company.affair_id if first % 2 == 0 else company.other_affair_id
        args = {
            "id": str(ENTRY_IDS[first]),
            "affair_id": str(affair),
            "work_date": (TODAY + dt.timedelta(days=second)).isoformat(),
            "minutes": third,
        }
        base = {"base": 1} if kind == "edit" else {}
        return {"name": "time_entry.put", "args": args, "at": at, "tz": "Europe/Paris", **base}
    if kind == "delete":
        return {"name": "time_entry.delete", "args": {"id": str(ENTRY_IDS[first])}, "at": at}
    if kind == "submit":
        return {"name": "timesheet.submit", "args": {"week": week_of(TODAY)}, "at": at}
    return None


def _signed_run_id(company: Company) -> uuid.UUID:
    return derived_id("signed_run", company.run_id)


async def _before(db: Database, company: Company) -> None:
    """The same starting point for both ways: a signed checklist, an
    answer and an entry by another device, last week approved, this
    week in draft; the other affair is open to the technician too."""
    tech = company.users["tech"]
    async with db.writing() as session:
        session.add(
            ChecklistRun(
                id=_signed_run_id(company),
                template_id=company.template_id,
                service_order_id=company.order_id,
                affair_id=company.affair_id,
                status=ChecklistRunStatus.SIGNED,
            )
        )
        session.add(
            ChecklistAnswer(
                id=derived_id("checklist_answer", company.run_id, "state"),
                run_id=company.run_id,
                item_key="state",
                value="worn",
                answered_by_id=tech,
                answered_client_id=OTHER_DEVICE,
                answered_at=AN_HOUR_AGO,
            )
        )
        session.add(
            TimeEntry(
                id=ENTRY_IDS[3],
                user_id=tech,
                affair_id=company.affair_id,
                work_date=TODAY,
                minutes=60,
                edited_by_id=tech,
                edited_client_id=OTHER_DEVICE,
                edited_at=AN_HOUR_AGO,
            )
        )
        for week, status in (
            (week_of(LAST_WEEK), WeekStatus.APPROVED),
            (week_of(TODAY), WeekStatus.DRAFT),
        ):
            session.add(
                TimesheetWeek(
                    id=week_id(tech, week),
                    user_id=tech,
                    week=week,
                    status=status,
                    decided_by_id=company.users["supervisor"]
                    if status == WeekStatus.APPROVED
                    else None,
                    total_minutes=0,
                )
            )
        await session.execute(
            sa.update(ServiceOrder)
            .where(ServiceOrder.id == company.other_order_id)
            .values(technician_id=tech)
        )


async def _close_other_affair(db: Database, company: Company) -> None:
    """The office closes the other affair between two pushes."""
    async with db.writing() as session:
        await session.execute(
            sa.update(Affair)
            .where(Affair.id == company.other_affair_id)
            .values(status=AffairStatus.CLOSED)
        )


async def _records(db: Database, company: Company) -> dict[str, Any]:
    """What the pushes left, with the company's random ids named."""
    names = {
        company.run_id: "run",
        _signed_run_id(company): "signed run",
        company.order_id: "order",
        company.other_order_id: "other order",
        company.affair_id: "affair",
        company.other_affair_id: "other affair",
        **{user_id: key for key, user_id in company.users.items()},
    }
    async with db.reading() as session:
        answers = await session.execute(
            sa.select(
                ChecklistAnswer.run_id,
                ChecklistAnswer.item_key,
                ChecklistAnswer.value,
                ChecklistAnswer.note,
                ChecklistAnswer.deleted_at.is_(None),
            )
        )
        notes = await session.execute(
            sa.select(ServiceOrderNote.id, ServiceOrderNote.service_order_id, ServiceOrderNote.text)
        )
        entries = await session.execute(
            sa.select(
                TimeEntry.id,
                TimeEntry.affair_id,
                TimeEntry.work_date,
                TimeEntry.minutes,
                TimeEntry.deleted_at.is_(None),
                TimeEntry.edited_client_id == OTHER_DEVICE,
            )
        )
        weeks = await session.execute(
            sa.select(TimesheetWeek.week, TimesheetWeek.status, TimesheetWeek.total_minutes)
        )
        orders = await session.execute(sa.select(ServiceOrder.id, ServiceOrder.status))
        conflicts = await session.execute(
            sa.select(ConflictRecord.kind, ConflictRecord.entity_type, ConflictRecord.code)
        )
        recorded = await session.execute(
            sa.select(AppliedMutation.seq, AppliedMutation.status, AppliedMutation.code)
        )
        return {
            "answers": sorted(
                (names[run], key, msgspec.json.encode(value), *rest)
                for run, key, value, *rest in answers
            ),
            "notes": sorted((note_id, names[order], text) for note_id, order, text in notes),
            "entries": sorted(
                (entry_id, names[affair], *rest) for entry_id, affair, *rest in entries
            ),
            "weeks": sorted(tuple(row) for row in weeks),
            "orders": sorted((names[order], status) for order, status in orders),
            "conflicts": sorted(tuple(row) for row in conflicts),
            "recorded": sorted(tuple(row) for row in recorded),
        }


async def test_held_writes_that_fail_together_are_applied_again_one_by_one(
    db: Database, company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An action that does not exist: only the database finds out, when the
    # batch's writes leave together, and cannot say whose write it was.
    unknown_action = str(uuid7())
    entry = {"id": str(ENTRY_IDS[0]), "affair_id": str(company.affair_id)}
    pushes = [
        {
            "name": "checklist.answer",
            "args": {"run_id": str(company.run_id), "item_key": "power_off", "value": True},
        },
        {
            "name": "time_entry.put",
            "args": {
                **entry,
                "work_date": TODAY.isoformat(),
                "minutes": 30,
                "action_id": unknown_action,
            },
        },
        {
            "name": "checklist.answer",
            "args": {"run_id": str(company.run_id), "item_key": "remarks", "value": "ok"},
        },
    ]

    replays = []
    write = PushBatch.write

    async def watched(batch: PushBatch) -> None:
        try:
            await write(batch)
        except Replay:
            replays.append(batch)
            raise

    monkeypatch.setattr(PushBatch, "write", watched)

    results = await _push(db, company, pushes)

    assert [status for status, _ in results] == ["applied", "rejected", "applied"]
    assert len(replays) == 1
    async with db.reading() as session:
        answered = await session.scalars(sa.select(ChecklistAnswer.item_key))
        assert sorted(answered) == ["power_off", "remarks"]
        assert await session.scalar(sa.select(sa.func.count()).select_from(TimeEntry)) == 0


async def test_a_batch_decides_the_usual_work_in_memory(db: Database, company: Company) -> None:
    """The technician's usual push sends a few statements, not a few per
    mutation: the batch decided it, not the handlers one by one."""
    pushes = [
        {
            "name": "checklist.answer",
            "args": {"run_id": str(company.run_id), "item_key": key, "value": value},
        }
        for key, value in (("power_off", True), ("pressure", 1.8), ("remarks", "ok"))
    ] + [
        {
            "name": "service_order.note",
            "args": {"id": str(company.order_id), "note_id": str(NOTE_IDS[0]), "text": "Done."},
        },
        {
            "name": "service_order.set_status",
            "args": {"id": str(company.order_id), "status": "in_progress"},
        },
        {
            "name": "time_entry.put",
            "args": {
                "id": str(ENTRY_IDS[0]),
                "affair_id": str(company.affair_id),
                "work_date": TODAY.isoformat(),
                "minutes": 45,
            },
        },
    ]
    sent: list[str] = []

    def count(*args: Any) -> None:
        sent.append(args[2])

    sa.event.listen(db.writer.sync_engine, "before_cursor_execute", count)
    try:
        results = await _push(db, company, pushes)
    finally:
        sa.event.remove(db.writer.sync_engine, "before_cursor_execute", count)

    assert [status for status, _ in results] == ["applied"] * len(pushes)
    assert not [statement for statement in sent if statement.startswith("SAVEPOINT")][1:]


async def _push(
    db: Database, company: Company, work: list[dict[str, Any]]
) -> list[tuple[str, str | None]]:
    actor = Actor(
        id=company.users["tech"], role=Role.TECHNICIAN, name="Tech", team_id=company.team_id
    )
    at = dt.datetime.now(dt.UTC).isoformat()
    body = {
        "protocol": 1,
        "schema": 1,
        "client_id": str(uuid7()),
        "sent_at": at,
        "mutations": [
            {"seq": seq, "id": str(uuid7()), "at": at, "tz": "Europe/Paris", **named}
            for seq, named in enumerate(work, start=1)
        ],
    }
    request = msgspec.json.decode(msgspec.json.encode(body), type=PushRequest)
    outcome, _ = await run_push(
        db, build_mutators(), actor, request, settings=Settings(database_url=db.url), language="en"
    )
    return [(result.status, result.code) for result in outcome.results]
