"""Factories: a small company built in a few lines for each test."""

from __future__ import annotations

import datetime as dt
import struct
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any

from backend.db.engine import Database
from backend.db.models import (
    Affair,
    AffairKind,
    AffairMember,
    ChecklistRun,
    ChecklistTemplate,
    Customer,
    Role,
    ServiceOrder,
    Site,
    Team,
    User,
)
from backend.lib.passwords import hash_password
from backend.people.services import set_rate
from sync.ids import uuid7

PASSWORD = "secret-pass"
# Hashing is slow on purpose; tests share one hash.
PASSWORD_HASH = hash_password(PASSWORD)

CHECKLIST_ITEMS: list[dict[str, Any]] = [
    {"key": "power_off", "kind": "yes_no", "required": True, "label": "Power off"},
    {"key": "state", "kind": "choice", "choices": ["ok", "worn", "damaged"], "label": "State"},
    {
        "key": "pressure",
        "kind": "number",
        "min": 1.0,
        "max": 2.5,
        "unit": "bar",
        "label": "Pressure",
    },
    {"key": "remarks", "kind": "text", "label": "Remarks"},
]


@dataclass
class Company:
    """The people and records most tests need, by short name."""

    users: dict[str, uuid.UUID] = field(default_factory=dict)
    team_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    affair_id: uuid.UUID | None = None
    other_affair_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    other_order_id: uuid.UUID | None = None
    template_id: uuid.UUID | None = None
    run_id: uuid.UUID | None = None

    def email(self, key: str) -> str:
        return f"{key}@test.example"


ROLES = {
    "admin": Role.ADMIN,
    "manager": Role.MANAGER,
    "supervisor": Role.SUPERVISOR,
    "tech": Role.TECHNICIAN,
    "tech2": Role.TECHNICIAN,
    "outsider": Role.TECHNICIAN,
    "employee": Role.EMPLOYEE,
    "sales": Role.SALES,
}
TEAM = ("supervisor", "tech", "tech2", "employee")


async def make_company(db: Database, *, rate_cents: int = 4000) -> Company:
    """A team (supervisor, two technicians, an employee), an outsider
    technician of no team, an affair with a service order and checklist
    assigned to ``tech``, and a second order assigned to ``outsider``."""
    company = Company()
    async with db.writing() as session:
        team = Team(id=uuid7(), name="Team North")
        session.add(team)
        await session.flush()
        company.team_id = team.id
        for key, role in ROLES.items():
            user = User(
                id=uuid7(),
                email=company.email(key),
                name=key.title(),
                role=role,
                password_hash=PASSWORD_HASH,
                team_id=team.id if key in TEAM else None,
            )
            session.add(user)
            company.users[key] = user.id
        await session.flush()
        team.supervisor_id = company.users["supervisor"]
        for user_id in company.users.values():
            await set_rate(session, user_id, dt.date(2020, 1, 1), rate_cents)

        customer = Customer(id=uuid7(), name="Bakery Fournier", code="C1")
        session.add(customer)
        await session.flush()
        site = Site(id=uuid7(), customer_id=customer.id, name="Main", town="Lyon")
        template = ChecklistTemplate(
            id=uuid7(), code="boiler", revision=1, name="Boiler", items=CHECKLIST_ITEMS
        )
        session.add_all([site, template])
        await session.flush()
        company.customer_id, company.site_id, company.template_id = (
            customer.id,
            site.id,
            template.id,
        )

        affair = Affair(
            id=uuid7(),
            code="AFF-1",
            title="Boiler upkeep",
            kind=AffairKind.SERVICE,
            customer_id=customer.id,
            site_id=site.id,
            manager_id=company.users["manager"],
        )
        other = Affair(
            id=uuid7(),
            code="AFF-2",
            title="Elsewhere",
            kind=AffairKind.PROJECT,
            customer_id=customer.id,
        )
        session.add_all([affair, other])
        await session.flush()
        company.affair_id, company.other_affair_id = affair.id, other.id
        session.add(AffairMember(affair_id=affair.id, user_id=company.users["employee"]))

        order = ServiceOrder(
            id=uuid7(),
            number="SO-2026-0001",
            affair_id=affair.id,
            customer_id=customer.id,
            site_id=site.id,
            technician_id=company.users["tech"],
            title="Annual service",
        )
        other_order = ServiceOrder(
            id=uuid7(),
            number="SO-2026-0002",
            affair_id=other.id,
            customer_id=customer.id,
            technician_id=company.users["outsider"],
            title="Not yours",
        )
        session.add_all([order, other_order])
        await session.flush()
        company.order_id, company.other_order_id = order.id, other_order.id

        run = ChecklistRun(
            id=uuid7(), template_id=template.id, service_order_id=order.id, affair_id=affair.id
        )
        session.add(run)
        company.run_id = run.id
    return company


def photo_bytes(shade: int = 0, side: int = 2) -> bytes:
    """A real PNG, ``side`` pixels square, grey ``shade``: each shade is
    another photo (another hash)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes([shade % 256]) * side for _ in range(side))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
