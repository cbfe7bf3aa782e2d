"""Property: devices that work apart and sync in any order converge.

Hypothesis draws schedules for two to four devices (a technician's phone
and tablet, a colleague, their supervisor). Each works offline and syncs
at moments of its choosing, sometimes losing the answer to a push and
sending it again. The work: checklist answers, time entries made,
changed and deleted from two devices of one person, the week submitted,
approved, rejected and reopened, and the service order handed from one
technician to the other and back (what a device may see changes under
it). At the end every device syncs. Then:

- every device holds exactly what the server shows its person;
- every mutation has exactly one recorded outcome;
- nothing is lost without a record: an applied change left its value in
  the change log (which keeps every write), a change that did not take
  has a conflict record keeping it, or a refusal with a code. (A value
  later replaced by a change made with it in sight is no loss: that is
  simply the next edit.)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from backend.app import create_app
from backend.db.engine import Database, open_database
from backend.db.models import AppliedMutation, ChangeLogEntry, ConflictRecord, ServiceOrder
from backend.settings import Settings
from sync.ids import uuid7
from tests.backend.conftest import Device, session_token
from tests.conftest import empty_all_tables
from tests.factories import Company, make_company

ITEMS = ("state", "remarks")
VALUES = {"state": ("ok", "worn", "damaged"), "remarks": ("a", "b", "c", None)}
PEOPLE = ("tech", "supervisor", "tech", "tech2")
WEEK = "2026-W48"
MONDAY = dt.date(2026, 11, 23)
MINUTES = (30, 60, 90, 120)
# Entries are shared by the technician's two devices: three of them,
# known by their client UUID from the start, as a phone and a tablet
# of one person would both come to know them.
ENTRY_IDS = tuple(uuid.UUID(int=index + 1) for index in range(3))
WEEK_DECISIONS = ("timesheet.approve", "timesheet.reject", "timesheet.reopen")


@dataclass
class Sent:
    """One mutation a device sent, for the bookkeeping of the checks."""

    mutation: dict[str, Any]


@dataclass
class Holder:
    device: Device
    person: str
    outbox: list[dict[str, Any]] = field(default_factory=list)
    held: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    # Entries this device made itself, held or not yet pulled back.
    made: set[str] = field(default_factory=set)

    def apply(self, changes: list[dict[str, Any]], reset: bool) -> None:
        if reset:
            self.held.clear()
        for change in changes:
            key = (change["type"], change["id"])
            if change["op"] == "put":
                self.held[key] = change["data"]
            else:
                self.held.pop(key, None)

    def version(self, kind: str, match: dict[str, Any]) -> int | None:
        """The version this device holds of the record matching `match`."""
        for (held_kind, held_id), data in self.held.items():
            if held_kind == kind and all(
                (held_id if key == "id" else data.get(key)) == value for key, value in match.items()
            ):
                version: int | None = data.get("_version")
                return version
        return None


step = st.one_of(
    st.tuples(st.just("answer"), st.integers(0, 3), st.sampled_from(ITEMS), st.integers(0, 3)),
    st.tuples(st.just("entry"), st.integers(0, 3), st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("delete"), st.integers(0, 3), st.integers(0, 2), st.just(0)),
    st.tuples(st.just("week"), st.integers(0, 3), st.integers(0, 2), st.just(0)),
    st.tuples(st.just("hand_over"), st.just(0), st.just(0), st.just(0)),
    st.tuples(st.just("sync"), st.integers(0, 3), st.booleans(), st.just(0)),
)


@settings(
    max_examples=int(os.environ.get("AFFAIRES_PROPERTY_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(devices=st.integers(2, 4), schedule=st.lists(step, min_size=1, max_size=24))
# Always tried, whatever is drawn: the same item answered on two devices,
# the earlier answer arriving last; an entry sent into an approved week.
@example(
    devices=2,
    schedule=[
        ("answer", 0, "state", 0),
        ("answer", 1, "state", 1),
        ("sync", 1, False, 0),
        ("sync", 0, False, 0),
    ],
)
@example(
    devices=2,
    schedule=[
        ("entry", 0, 0, 0),
        ("week", 0, 0, 0),
        ("sync", 0, False, 0),
        ("week", 1, 0, 0),
        ("sync", 1, False, 0),
        ("entry", 0, 0, 2),
        ("sync", 0, False, 0),
    ],
)
def test_devices_converge_whatever_the_schedule(
    database_url: str, devices: int, schedule: list[tuple[str, int, Any, int]]
) -> None:
    asyncio.run(run_schedule(database_url, devices, schedule))


async def run_schedule(
    database_url: str, devices: int, schedule: list[tuple[str, int, Any, int]]
) -> None:
    db = open_database(database_url)
    try:
        await empty_all_tables(db)
        company = await make_company(db)
        app = create_app(Settings(database_url=database_url, log_level="warning"), database=db)
        holders = [await _holder(db, app, company, PEOPLE[index]) for index in range(devices)]
        for holder in holders:  # set up online, in the morning
            await _sync(holder, lose_answer=False)
        sent: list[Sent] = []
        clock = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)
        # Entry ids some device has made: see ``_work``.
        claimed: set[str] = set()

        for kind, who, what, which in schedule:
            holder = holders[who % devices]
            clock += dt.timedelta(minutes=1)
            if kind == "hand_over":
                await _hand_over(db, company)
                continue
            if kind == "sync":
                await _sync(holder, lose_answer=bool(what))
                continue
            work = _work(holder, company, kind, what, which, claimed)
            if work is not None:
                name, args, base = work
                mutation = holder.device.mutation(name, args, base=base, at=clock)
                holder.outbox.append(mutation)
                sent.append(Sent(mutation))

        for holder in holders:
            await _sync(holder, lose_answer=False)
        for holder in holders:
            await _sync(holder, lose_answer=False)

        await _check(db, holders, sent)
        for holder in holders:
            await holder.device.client.aclose()
    finally:
        await db.dispose()


def _work(
    holder: Holder, company: Company, kind: str, what: Any, which: int, claimed: set[str]
) -> tuple[str, dict[str, Any], int | None] | None:
    """The mutation this step makes on this device, if its person does
    such work: whoever sees the checklist answers it, technicians keep
    their time, the supervisor decides on the week."""
    technician = holder.person in ("tech", "tech2")
    # A device works on what it has pulled: the checklist run, the order.
    sees_run = holder.version("checklist_run", {"id": str(company.run_id)}) is not None
    sees_order = holder.version("service_order", {"id": str(company.order_id)}) is not None
    if kind == "answer" and sees_run:
        value = VALUES[what][which % len(VALUES[what])]
        args = {"run_id": str(company.run_id), "item_key": what, "value": value}
        return "checklist.answer", args, holder.version("checklist_answer", {"item_key": what})
    if kind == "entry" and technician and sees_order:
        entry_id = _entry_id(holder, what)
        # A device writes an entry it made or pulled, or a new one: never
        # one another device made and this one has not seen (client ids
        # are random; two devices never make the same one).
        known = str(entry_id) in holder.made or holder.version("time_entry", {"id": str(entry_id)})
        if str(entry_id) in claimed and not known:
            return None
        claimed.add(str(entry_id))
        args = {
            "id": str(entry_id),
            "affair_id": str(company.affair_id),
            "service_order_id": str(company.order_id),
            "work_date": (MONDAY + dt.timedelta(days=what)).isoformat(),
            "minutes": MINUTES[which],
        }
        holder.made.add(str(entry_id))
        return "time_entry.put", args, holder.version("time_entry", {"id": str(entry_id)})
    if kind == "delete" and technician:
        # A person deletes an entry they see: one they made here, or
        # one this device pulled.
        entry_id = _entry_id(holder, what)
        base = holder.version("time_entry", {"id": str(entry_id)})
        if base is None and str(entry_id) not in holder.made:
            return None
        return "time_entry.delete", {"id": str(entry_id)}, base
    if kind == "week" and technician:
        return "timesheet.submit", {"week": WEEK}, None
    if kind == "week" and holder.person == "supervisor":
        args = {"user_id": str(company.users["tech"]), "week": WEEK}
        if WEEK_DECISIONS[what] == "timesheet.reject":
            args["reason"] = "Hours on Tuesday look wrong"
        return WEEK_DECISIONS[what], args, None
    return None


def _entry_id(holder: Holder, slot: int) -> uuid.UUID:
    """Each technician has entries of their own (ids may not be shared
    between people: the second would be a duplicate_id conflict)."""
    return uuid.UUID(int=ENTRY_IDS[slot].int + (100 if holder.person == "tech2" else 0))


async def _hand_over(db: Database, company: Company) -> None:
    """The back office gives the service order to the other technician:
    it leaves one technician's devices and reaches the other's."""
    async with db.writing() as session:
        order = await session.get(ServiceOrder, company.order_id)
        assert order is not None
        tech, tech2 = company.users["tech"], company.users["tech2"]
        order.technician_id = tech2 if order.technician_id == tech else tech


async def _holder(db: Any, app: Any, company: Company, person: str) -> Holder:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    )
    client.cookies.set("affaires_session", await session_token(db, company.users[person]))
    return Holder(Device(client=client), person)


async def _sync(holder: Holder, *, lose_answer: bool) -> None:
    """Push the outbox (maybe losing the answer, as a dropped network
    would), then pull everything."""
    if holder.outbox:
        response = await holder.device.push(*holder.outbox)
        assert response.status_code == 200, response.text
        if lose_answer:
            return
        done = {result["seq"] for result in response.json()["results"]}
        holder.outbox = [m for m in holder.outbox if m["seq"] not in done]
    while True:
        page = (
            await holder.device.client.post(
                "/api/sync/pull",
                json={
                    "protocol": 1,
                    "schema": 1,
                    "client_id": str(holder.device.client_id),
                    "cursor": holder.device.cursor,
                },
            )
        ).json()
        for change in page["changes"]:
            if change.get("data") is not None:
                change["data"]["_version"] = change["version"]
        holder.apply(page["changes"], page["reset"])
        holder.device.cursor = page["cursor"]
        if not page["has_more"]:
            return


async def _check(db: Database, holders: list[Holder], sent: list[Sent]) -> None:
    async with db.reading() as session:
        history = list(
            await session.execute(
                sa.select(ChangeLogEntry.entity_type, ChangeLogEntry.entity_id, ChangeLogEntry.data)
            )
        )
        outcomes = {
            row.mutation_id: row for row in await session.scalars(sa.select(AppliedMutation))
        }
        kept = set(await session.scalars(sa.select(ConflictRecord.mutation_id)))

    # Every device holds what the server shows its person.
    for holder in holders:
        fresh = Holder(Device(client=holder.device.client, client_id=uuid7()), holder.person)
        await _sync(fresh, lose_answer=False)
        assert _plain(holder.held) == _plain(fresh.held), holder.person

    # Every mutation has one recorded outcome.
    assert len(outcomes) == len(sent)

    # Nothing lost without a record.
    for item in sent:
        mutation = item.mutation
        outcome = outcomes[uuid.UUID(mutation["id"])]
        # Shown by --hypothesis-show-statistics: which outcomes were met.
        event(f"{mutation['name']} {outcome.status} {outcome.code or ''}".strip())
        if outcome.status == "conflict":
            assert uuid.UUID(mutation["id"]) in kept, mutation
        elif outcome.status == "rejected":
            assert outcome.code, mutation
        else:
            assert _left_a_trace(mutation, history), mutation


def _left_a_trace(mutation: dict[str, Any], history: list[Any]) -> bool:
    """An applied change is in the change log: its value was the server's
    value at some point."""
    args = mutation["args"]
    if mutation["name"] == "checklist.answer":
        return any(
            kind == "checklist_answer"
            and data is not None
            and data.get("item_key") == args["item_key"]
            and data.get("value") == args["value"]
            for kind, _, data in history
        )
    if mutation["name"] == "time_entry.put":
        return any(
            kind == "time_entry"
            and str(entity) == args["id"]
            and data is not None
            and data.get("minutes") == args["minutes"]
            for kind, entity, data in history
        )
    if mutation["name"] == "time_entry.delete":
        # Deleted at some point (a tombstone), or never stored: the
        # entry's creation itself did not take (it has its own record).
        trail = [
            data
            for kind, entity, data in history
            if kind == "time_entry" and str(entity) == args["id"]
        ]
        return not trail or any(data is None or data.get("deleted_at") for data in trail)
    return True


def _plain(held: dict[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], Any]:
    return {key: {k: v for k, v in data.items() if k != "_version"} for key, data in held.items()}
