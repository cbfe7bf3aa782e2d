"""A field-service company for the sync benches, and its devices' work.

The company is written set-based, one INSERT per table (the triggers
still log every row), never through the API: the benches measure sync,
not how the data got there. Devices are signed in with sessions made in
the database, since password hashing is slow on purpose.

The work a device does offline (``FieldDevice``) is a realistic mix for
a technician's day, in the order a technician makes it: answers to the
current order's checklist (now and then correcting an earlier answer),
time entries (some edited again later), notes, and status steps from
planned to in progress to done, after which the next order starts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import (
    Affair,
    AffairKind,
    AuthSession,
    ChecklistAnswer,
    ChecklistRun,
    ChecklistTemplate,
    Customer,
    Role,
    ServiceOrder,
    Site,
    Team,
    TimeEntry,
    User,
)
from backend.lib.tokens import new_token, token_hash
from sync.ids import derived_id, uuid7

PARIS = dt.timezone(dt.timedelta(hours=1))
ITEM_KINDS = ("yes_no", "choice", "number", "text")
CHOICES = ["ok", "worn", "damaged"]
# Items of the one checklist every order carries: enough for a week of
# answers that are mostly first answers.
ITEM_COUNT = 40
# Share of each mutator in a technician's work (the rest are answers).
TIME_SHARE, NOTE_SHARE, STATUS_SHARE = 0.20, 0.15, 0.05
# A new answer rather than a correction of one already given.
CORRECTION_SHARE = 0.15
# A time entry changed again later by the same device.
TIME_EDIT_SHARE = 0.2
# A technician's status steps on an order; a done order may be taken up again.
NEXT_STATUS = {"planned": "in_progress", "in_progress": "done", "done": "in_progress"}
# Minutes a day may hold in this work (below the 24 h rule, on purpose).
DAY_MINUTES = 720


def template_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for number in range(ITEM_COUNT):
        kind = ITEM_KINDS[number % len(ITEM_KINDS)]
        item: dict[str, Any] = {
            "key": f"item_{number:02d}",
            "kind": kind,
            "label": f"Item {number}",
        }
        if kind == "choice":
            item["choices"] = CHOICES
        if kind == "number":
            item |= {"min": 0.0, "max": 10.0, "unit": "bar"}
        items.append(item)
    return items


def answer_value(kind: str, rng: random.Random) -> Any:
    if kind == "yes_no":
        return rng.random() < 0.9
    if kind == "choice":
        return rng.choice(CHOICES)
    if kind == "number":
        return round(rng.uniform(0, 12), 1)
    return rng.choice(["ok", "to watch", "part ordered", "customer informed"])


@dataclass
class Technician:
    user_id: uuid.UUID
    token: str
    affair_ids: list[uuid.UUID] = field(default_factory=list)
    # (order id, its affair, its checklist run), in the order they are visited.
    orders: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]] = field(default_factory=list)


@dataclass
class FieldCompany:
    template_id: uuid.UUID
    items: list[dict[str, Any]]
    technicians: list[Technician]


async def build_company(
    database_url: str,
    *,
    technicians: int = 1,
    orders_each: int = 200,
    answers_each_order: int = 0,
    time_entries_each: int = 0,
    orders_per_affair: int = 10,
) -> FieldCompany:
    """A team of ``technicians`` with their orders, one checklist run per
    order, and the answers and time entries given, written set-based."""
    db = open_database(database_url)
    rng = random.Random(7)
    items = template_items()
    team_id, supervisor_id, template_id = uuid7(), uuid7(), uuid7()
    company = FieldCompany(template_id, items, [])
    rows: dict[type, list[dict[str, Any]]] = {
        model: []
        for model in (
            User,
            Customer,
            Site,
            Affair,
            ServiceOrder,
            ChecklistRun,
            ChecklistAnswer,
            TimeEntry,
            AuthSession,
        )
    }
    rows[User].append(
        {
            "id": supervisor_id,
            "email": "supervisor@bench.test",
            "name": "Supervisor",
            "role": Role.SUPERVISOR,
            "team_id": team_id,
        }
    )
    customers = [uuid7() for _ in range(20)]
    sites = [uuid7() for _ in customers]
    for number, (customer_id, site_id) in enumerate(zip(customers, sites, strict=True)):
        rows[Customer].append(
            {"id": customer_id, "name": f"Customer {number}", "code": f"C{number}"}
        )
        rows[Site].append(
            {"id": site_id, "customer_id": customer_id, "name": "Main", "town": "Lyon"}
        )

    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    today = dt.datetime.now(PARIS).date()
    for tech_number in range(technicians):
        token = new_token()
        tech = Technician(uuid7(), token)
        company.technicians.append(tech)
        rows[User].append(
            {
                "id": tech.user_id,
                "email": f"tech{tech_number}@bench.test",
                "name": f"Technician {tech_number}",
                "role": Role.TECHNICIAN,
                "team_id": team_id,
            }
        )
        rows[AuthSession].append(
            {"token_hash": token_hash(token), "user_id": tech.user_id, "expires_at": expires}
        )
        for order_number in range(orders_each):
            slot = order_number % len(customers)
            if order_number % orders_per_affair == 0:
                affair_id = uuid7()
                tech.affair_ids.append(affair_id)
                rows[Affair].append(
                    {
                        "id": affair_id,
                        "code": f"AFF-{tech_number}-{order_number}",
                        "title": "Upkeep",
                        "kind": AffairKind.SERVICE,
                        "customer_id": customers[slot],
                        "site_id": sites[slot],
                    }
                )
            order_id, run_id = uuid7(), uuid7()
            tech.orders.append((order_id, affair_id, run_id))
            rows[ServiceOrder].append(
                {
                    "id": order_id,
                    "number": f"SO-B{tech_number:03d}-{order_number:05d}",
                    "affair_id": affair_id,
                    "customer_id": customers[slot],
                    "site_id": sites[slot],
                    "technician_id": tech.user_id,
                    "title": "Annual service",
                }
            )
            rows[ChecklistRun].append(
                {
                    "id": run_id,
                    "template_id": template_id,
                    "service_order_id": order_id,
                    "affair_id": affair_id,
                }
            )
            for item in items[:answers_each_order]:
                rows[ChecklistAnswer].append(
                    {
                        "id": derived_id("checklist_answer", run_id, item["key"]),
                        "run_id": run_id,
                        "item_key": item["key"],
                        "value": answer_value(item["kind"], rng),
                        "answered_by_id": tech.user_id,
                        "answered_at": expires,
                    }
                )
        for entry_number in range(time_entries_each):
            order_id, affair_id, _ = tech.orders[entry_number % len(tech.orders)]
            rows[TimeEntry].append(
                {
                    "id": uuid7(),
                    "user_id": tech.user_id,
                    "affair_id": affair_id,
                    "service_order_id": order_id,
                    "minutes": 30,
                    "edited_by_id": tech.user_id,
                    "work_date": today - dt.timedelta(days=entry_number // 20),
                }
            )

    async with db.writer.begin() as connection:
        await connection.execute(sa.insert(Team).values(id=team_id, name="Bench team"))
        await connection.execute(
            sa.insert(ChecklistTemplate).values(
                id=template_id, code="bench", revision=1, name="Bench checklist", items=items
            )
        )
        for model, values in rows.items():
            if values:
                await connection.execute(sa.insert(model), values)
        await connection.execute(
            sa.update(Team).where(Team.id == team_id).values(supervisor_id=supervisor_id)
        )
    await db.dispose()
    return company


def _rev(generation: int, seed: str) -> str:
    return f"{generation}-{hashlib.md5(seed.encode()).hexdigest()}"


@dataclass
class FieldDevice:
    """One technician's phone: its outbox numbering and what it did so far."""

    tech: Technician
    items: list[dict[str, Any]]
    seed: int = 1
    client_id: uuid.UUID = field(default_factory=uuid7)
    seq: int = 0
    rng: random.Random = field(init=False)
    visiting: int = 0
    statuses: dict[uuid.UUID, str] = field(default_factory=dict)
    answered: list[tuple[uuid.UUID, dict[str, Any]]] = field(default_factory=list)
    answers_of_run: dict[uuid.UUID, int] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)
    day: dt.date = field(init=False)
    day_minutes: int = 0
    # CouchDB revision history of each document, for the PouchDB side.
    revisions: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.day = dt.datetime.now(PARIS).date()

    def work(self, count: int) -> list[dict[str, Any]]:
        """The next ``count`` mutations of the outbox, numbered."""
        return [self._next() for _ in range(count)]

    def _next(self) -> dict[str, Any]:
        roll = self.rng.random()
        if roll < STATUS_SHARE:
            name, args = self._status_step()
        elif roll < STATUS_SHARE + NOTE_SHARE:
            order_id = self._order()[0]
            note = {"id": str(order_id), "note_id": str(uuid7()), "text": "Burner cleaned."}
            name, args = "service_order.note", note
        elif roll < STATUS_SHARE + NOTE_SHARE + TIME_SHARE:
            name, args = "time_entry.put", self._time_entry()
        else:
            name, args = "checklist.answer", self._answer()
        self.seq += 1
        return {
            "seq": self.seq,
            "id": str(uuid7()),
            "name": name,
            "args": args,
            "at": dt.datetime.now(PARIS).isoformat(),
            "tz": "Europe/Paris",
        }

    def _order(self) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
        return self.tech.orders[self.visiting % len(self.tech.orders)]

    def _status_step(self) -> tuple[str, dict[str, Any]]:
        order_id = self._order()[0]
        if self.statuses.get(order_id) == "done":
            # On to the next order of the list; after the last, round again.
            self.visiting += 1
            order_id = self._order()[0]
        status = NEXT_STATUS[self.statuses.get(order_id, "planned")]
        self.statuses[order_id] = status
        return "service_order.set_status", {"id": str(order_id), "status": status}

    def _answer(self) -> dict[str, Any]:
        if self.answered and self.rng.random() < CORRECTION_SHARE:
            run_id, item = self.rng.choice(self.answered)
        else:
            run_id = self._order()[2]
            if self.answers_of_run.get(run_id, 0) >= len(self.items):
                self.visiting += 1
                run_id = self._order()[2]
            done = self.answers_of_run.get(run_id, 0)
            item = self.items[done % len(self.items)]
            self.answers_of_run[run_id] = done + 1
            self.answered.append((run_id, item))
        return {
            "run_id": str(run_id),
            "item_key": item["key"],
            "value": answer_value(item["kind"], self.rng),
        }

    def _time_entry(self) -> dict[str, Any]:
        if self.entries and self.rng.random() < TIME_EDIT_SHARE:
            entry = self.rng.choice(self.entries)
            entry["note"] = "travel included"
            return dict(entry)
        minutes = self.rng.choice((5, 10, 15, 20))
        if self.day_minutes + minutes > DAY_MINUTES:
            self.day -= dt.timedelta(days=1)
            self.day_minutes = 0
        self.day_minutes += minutes
        order_id, affair_id, _ = self._order()
        entry = {
            "id": str(uuid7()),
            "affair_id": str(affair_id),
            "service_order_id": str(order_id),
            "work_date": self.day.isoformat(),
            "minutes": minutes,
        }
        self.entries.append(entry)
        return dict(entry)

    def as_document(self, mutation: dict[str, Any]) -> dict[str, Any]:
        """The CouchDB document a replicating app would store for this
        change: the record it writes, with its revision history."""
        args = mutation["args"]
        name = mutation["name"]
        if name == "checklist.answer":
            doc_id = f"answer:{args['run_id']}:{args['item_key']}"
        elif name == "time_entry.put":
            doc_id = f"time:{args['id']}"
        elif name == "service_order.note":
            doc_id = f"note:{args['note_id']}"
        else:
            doc_id = f"order:{args['id']}"
        history = self.revisions.setdefault(doc_id, [])
        history.insert(0, _rev(len(history) + 1, mutation["id"]).split("-", 1)[1])
        return {
            "_id": doc_id,
            "_rev": f"{len(history)}-{history[0]}",
            "_revisions": {"start": len(history), "ids": list(history)},
            "type": name.split(".")[0],
            "at": mutation["at"],
            **args,
        }


def push_body(device: FieldDevice, mutations: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "protocol": 1,
        "schema": 1,
        "client_id": str(device.client_id),
        "sent_at": dt.datetime.now(PARIS).isoformat(),
        "mutations": mutations,
    }


def pull_body(client_id: uuid.UUID, cursor: str | None) -> dict[str, Any]:
    return {"protocol": 1, "schema": 1, "client_id": str(client_id), "cursor": cursor}
