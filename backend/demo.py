"""The demo company of ``affaires serve --demo``.

Climatec Services, a heating and ventilation firm of twelve people near
Lyon: it sells installations (opportunities, then projects) and maintains
them (service affairs). Dates are placed around today, so the technician's
day, the week to submit and the weeks to approve are always current.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from backend.aftersales.demo_checklists import load_demo_checklists
from backend.aftersales.demo_contracts import load_contracts
from backend.aftersales.demo_equipment import add_demo_equipment
from backend.aftersales.demo_repairs import load_repairs
from backend.aftersales.demo_vouchers import load_demo_vouchers
from backend.aftersales.services import answer_id
from backend.db.engine import Database
from backend.db.models import (
    Absence,
    AbsencePart,
    Action,
    ActionKind,
    ActionSkill,
    Affair,
    AffairKind,
    AffairMember,
    AffairStatus,
    ChecklistAnswer,
    ChecklistRun,
    ChecklistTemplate,
    Customer,
    PersonSkill,
    PublicHoliday,
    Role,
    ServiceOrder,
    ServiceOrderStatus,
    Site,
    Team,
    TimeEntry,
    TimesheetWeek,
    User,
    WeekStatus,
    WorkingHours,
)
from backend.lib.passwords import hash_password
from backend.lib.time import week_of
from backend.people.services import set_rate
from backend.timesheets.services import week_id
from sync.ids import derived_id

logger = structlog.get_logger()

DEMO_PASSWORD = "demo"
PARIS = dt.timezone(dt.timedelta(hours=1))


@dataclass(frozen=True)
class DemoAccount:
    key: str
    email: str
    name: str
    role: Role
    cents_per_hour: int


ACCOUNTS = (
    DemoAccount("admin", "admin@demo.test", "Alice Admin", Role.ADMIN, 4500),
    DemoAccount("manager", "manager@demo.test", "Marc Lefèvre", Role.MANAGER, 5200),
    DemoAccount("supervisor", "supervisor@demo.test", "Marie Dubois", Role.SUPERVISOR, 4200),
    DemoAccount("tech1", "tech1@demo.test", "Thomas Martin", Role.TECHNICIAN, 3500),
    DemoAccount("tech2", "tech2@demo.test", "Sofia Benali", Role.TECHNICIAN, 3400),
    DemoAccount("employee", "employee@demo.test", "Julien Petit", Role.EMPLOYEE, 2900),
    DemoAccount("sales", "sales@demo.test", "Nadia Roux", Role.SALES, 3800),
)

BOILER_ITEMS = [
    {
        "key": "power_off",
        "kind": "yes_no",
        "required": True,
        "label": {"en": "Power isolated before work", "fr": "Alimentation coupée avant travaux"},
    },
    {
        "key": "burner_state",
        "kind": "choice",
        "required": True,
        "choices": ["ok", "worn", "damaged"],
        "label": {"en": "Burner condition", "fr": "État du brûleur"},
    },
    {
        "key": "pressure",
        "kind": "number",
        "required": True,
        "min": 1.0,
        "max": 2.5,
        "unit": "bar",
        "label": {"en": "Circuit pressure", "fr": "Pression du circuit"},
    },
    {
        "key": "flue_co",
        "kind": "number",
        "required": True,
        "min": 0,
        "max": 50,
        "unit": "ppm",
        "label": {"en": "CO in flue gas", "fr": "CO dans les fumées"},
    },
    {
        "key": "leaks",
        "kind": "yes_no",
        "required": True,
        "label": {"en": "No leak found", "fr": "Aucune fuite constatée"},
    },
    {
        "key": "remarks",
        "kind": "text",
        "required": False,
        "label": {"en": "Remarks for the customer", "fr": "Remarques pour le client"},
    },
]

VENTILATION_ITEMS = [
    {
        "key": "filters_changed",
        "kind": "yes_no",
        "required": True,
        "label": {"en": "Filters replaced", "fr": "Filtres remplacés"},
    },
    {
        "key": "airflow",
        "kind": "number",
        "required": True,
        "min": 250,
        "max": 400,
        "unit": "m³/h",
        "label": {"en": "Measured airflow", "fr": "Débit mesuré"},
    },
    {
        "key": "belt_state",
        "kind": "choice",
        "required": False,
        "choices": ["ok", "worn", "replaced"],
        "label": {"en": "Fan belt", "fr": "Courroie du ventilateur"},
    },
    {
        "key": "remarks",
        "kind": "text",
        "required": False,
        "label": {"en": "Remarks", "fr": "Remarques"},
    },
]

CUSTOMERS = (
    (
        "C001",
        "Boulangerie Fournier",
        "12 rue Mercière",
        "69002",
        "Lyon",
        "Paul Fournier",
        "+33 4 78 00 11 22",
    ),
    (
        "C002",
        "Clinique du Parc",
        "155 boulevard Stalingrad",
        "69006",
        "Lyon",
        "Service technique",
        "+33 4 72 00 33 44",
    ),
    (
        "C003",
        "Résidence Les Tilleuls",
        "4 allée des Tilleuls",
        "69100",
        "Villeurbanne",
        "Syndic Morel",
        "+33 4 78 55 66 77",
    ),
    (
        "C004",
        "Mairie de Caluire",
        "Place du Docteur Dumont",
        "69300",
        "Caluire-et-Cuire",
        "Services techniques",
        "+33 4 78 98 80 80",
    ),
    (
        "C005",
        "Hôtel Bellecour",
        "8 place Bellecour",
        "69002",
        "Lyon",
        "Réception",
        "+33 4 72 40 00 00",
    ),
    (
        "C006",
        "Imprimerie Vidal",
        "27 rue de l'Industrie",
        "69200",
        "Vénissieux",
        "Luc Vidal",
        "+33 4 78 70 12 34",
    ),
)


# The company's week: Monday to Thursday 8:00-12:00 and 13:00-17:00,
# Friday afternoons end at 16:00.
WORKING_WEEK = tuple(
    (weekday, dt.time(start), dt.time(end))
    for weekday in range(5)
    for start, end in ((8, 12), (13, 16 if weekday == 4 else 17))
)

# France's public holidays (Easter Monday, Ascension and Whit Monday move
# with Easter: 5 April 2026, 28 March 2027).
PUBLIC_HOLIDAYS = tuple(
    (dt.date(year, month, day), name)
    for year, moving in (
        (2026, ((4, 6), (5, 14), (5, 25))),
        (2027, ((3, 29), (5, 6), (5, 17))),
    )
    for (month, day), name in (
        ((1, 1), "Jour de l'an"),
        (moving[0], "Lundi de Pâques"),
        ((5, 1), "Fête du Travail"),
        ((5, 8), "Victoire 1945"),
        (moving[1], "Ascension"),
        (moving[2], "Lundi de Pentecôte"),
        ((7, 14), "Fête nationale"),
        ((8, 15), "Assomption"),
        ((11, 1), "Toussaint"),
        ((11, 11), "Armistice 1918"),
        ((12, 25), "Noël"),
    )
)

SKILLS = {
    "tech1": ("heating", "electrical"),
    "tech2": ("heating", "ventilation", "plumbing"),
    "employee": ("plumbing",),
    "supervisor": ("heating", "electrical", "ventilation"),
}

# Work to plan: affair, title, hours, skills, due so many days from today.
# Nobody has "refrigeration": the proposal says why it cannot be placed.
WORK_TO_PLAN = (
    ("AFF-2026-001", "Dépose de l'ancienne chaudière", 14, ("heating",), 10),
    ("AFF-2026-001", "Raccordement électrique de la chaufferie", 8, ("electrical",), 12),
    ("AFF-2026-002", "Bouches VMC du bâtiment A", 6, ("ventilation",), 7),
    ("AFF-2026-006", "Reprise du réseau d'eau chaude", 12, ("plumbing",), 14),
    ("AFF-2026-004", "Pré-étude climatisation des chambres", 4, ("refrigeration",), 21),
)


def _working_day(day: dt.date) -> dt.date:
    """``day``, or the Monday after when it falls on a weekend."""
    weekend = day.weekday() >= 5
    return day + dt.timedelta(days=7 - day.weekday() if weekend else 0)


def _id(*parts: object) -> uuid.UUID:
    return derived_id("demo", *parts)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), PARIS).astimezone(dt.UTC)


async def is_empty(db: Database) -> bool:
    async with db.reading() as session:
        return (await session.scalar(sa.select(sa.func.count()).select_from(User))) == 0


async def load_demo(db: Database, today: dt.date | None = None) -> bool:
    """Fill an empty database with the demo company; False if it had data."""
    if not await is_empty(db):
        return False
    # The company's day, in Paris: near midnight the server's UTC day is
    # another one, and the phones would show today's visits as yesterday's.
    today = today or dt.datetime.now(PARIS).date()
    async with db.writing() as session:
        people = await _people(session, today)
        # Rows are flushed table by table: the models declare no ORM
        # relationships, so the session would not order dependent inserts.
        customers = _customers(session)
        await session.flush()
        templates = _templates(session)
        affairs = _affairs(session, people, customers, today)
        await session.flush()
        _members_and_actions(session, people, affairs, today)
        await session.flush()
        await _calendars(session, people, affairs, today)
        await _service_orders(session, people, customers, affairs, templates, today)
        await load_contracts(session, today)
        await load_demo_checklists(session, people, today)
        await _time(session, people, affairs, today)
        await load_demo_vouchers(session, today)
        await add_demo_equipment(session, today)
        await load_repairs(session, today)
    logger.info("demo.loaded")
    return True


async def _people(session: AsyncSession, today: dt.date) -> dict[str, uuid.UUID]:
    team = Team(id=_id("team", "north"), name="Équipe Nord")
    session.add(team)
    await session.flush()
    people: dict[str, uuid.UUID] = {}
    password_hash = hash_password(DEMO_PASSWORD)
    for account in ACCOUNTS:
        user = User(
            id=_id("user", account.key),
            email=account.email,
            name=account.name,
            role=account.role,
            password_hash=password_hash,
            team_id=team.id
            if account.key in ("supervisor", "tech1", "tech2", "employee")
            else None,
            language="fr" if account.key in ("tech2", "supervisor") else None,
        )
        session.add(user)
        people[account.key] = user.id
    await session.flush()
    team.supervisor_id = people["supervisor"]
    for account in ACCOUNTS:
        start = today.replace(month=1, day=1) - dt.timedelta(days=365)
        await set_rate(session, people[account.key], start, account.cents_per_hour)
    return people


def _customers(session: AsyncSession) -> dict[str, tuple[uuid.UUID, uuid.UUID]]:
    found = {}
    for code, name, address, postcode, town, contact, phone in CUSTOMERS:
        customer = Customer(id=_id("customer", code), code=code, name=name, phone=phone)
        site = Site(
            id=_id("site", code),
            customer_id=customer.id,
            name=name,
            address=address,
            postcode=postcode,
            town=town,
            country="FR",
            contact_name=contact,
            contact_phone=phone,
        )
        session.add_all([customer, site])
        found[code] = (customer.id, site.id)
    return found


def _templates(session: AsyncSession) -> dict[str, uuid.UUID]:
    boiler = ChecklistTemplate(
        id=_id("template", "boiler"),
        code="boiler-annual",
        revision=1,
        name="Entretien annuel chaudière / Annual boiler service",
        items=BOILER_ITEMS,
    )
    ventilation = ChecklistTemplate(
        id=_id("template", "vmc"),
        code="ventilation",
        revision=1,
        name="Maintenance VMC / Ventilation service",
        items=VENTILATION_ITEMS,
    )
    session.add_all([boiler, ventilation])
    return {"boiler": boiler.id, "ventilation": ventilation.id}


def _affairs(
    session: AsyncSession,
    people: dict[str, uuid.UUID],
    customers: dict[str, tuple[uuid.UUID, uuid.UUID]],
    today: dt.date,
) -> dict[str, uuid.UUID]:
    rows = (
        (
            "AFF-2026-001",
            "Remplacement chaufferie Clinique du Parc",
            AffairKind.PROJECT,
            AffairStatus.OPEN,
            "C002",
            100,
            18_500_000,
            14_200_000,
        ),
        (
            "AFF-2026-002",
            "Contrat d'entretien Résidence Les Tilleuls",
            AffairKind.SERVICE,
            AffairStatus.OPEN,
            "C003",
            None,
            None,
            2_400_000,
        ),
        (
            "AFF-2026-003",
            "Maintenance Boulangerie Fournier",
            AffairKind.SERVICE,
            AffairStatus.OPEN,
            "C001",
            None,
            None,
            350_000,
        ),
        (
            "AFF-2026-004",
            "Climatisation Hôtel Bellecour",
            AffairKind.OPPORTUNITY,
            AffairStatus.OPEN,
            "C005",
            60,
            9_800_000,
            None,
        ),
        (
            "AFF-2026-005",
            "VMC gymnase municipal",
            AffairKind.OPPORTUNITY,
            AffairStatus.OPEN,
            "C004",
            40,
            4_600_000,
            None,
        ),
        (
            "AFF-2026-006",
            "Dépannages Imprimerie Vidal",
            AffairKind.SERVICE,
            AffairStatus.OPEN,
            "C006",
            None,
            None,
            500_000,
        ),
    )
    found = {}
    for code, title, kind, status, customer, probability, amount, budget in rows:
        customer_id, site_id = customers[customer]
        affair = Affair(
            id=_id("affair", code),
            code=code,
            title=title,
            kind=kind,
            status=status,
            stage="NEGO" if kind == AffairKind.OPPORTUNITY else None,
            customer_id=customer_id,
            site_id=site_id,
            manager_id=people["manager"],
            salesperson_id=people["sales"],
            win_probability=probability,
            expected_amount_cents=amount,
            budget_cents=budget,
            expected_close_date=today + dt.timedelta(days=45) if probability else None,
            start_date=today - dt.timedelta(days=60),
            progress=35 if budget else 0,
        )
        session.add(affair)
        found[code] = affair.id
    return found


def _members_and_actions(
    session: AsyncSession,
    people: dict[str, uuid.UUID],
    affairs: dict[str, uuid.UUID],
    today: dt.date,
) -> None:
    for code in ("AFF-2026-001", "AFF-2026-002", "AFF-2026-003", "AFF-2026-006"):
        for key in ("tech1", "tech2", "employee", "supervisor"):
            session.add(AffairMember(affair_id=affairs[code], user_id=people[key]))
    session.add(
        Action(
            id=_id("action", "visit-hotel"),
            affair_id=affairs["AFF-2026-004"],
            kind=ActionKind.APPOINTMENT,
            title="Visite technique et relevé de cotes",
            assignee_id=people["sales"],
            starts_at=_at(today + dt.timedelta(days=2), 10),
            ends_at=_at(today + dt.timedelta(days=2), 11, 30),
        )
    )


async def _calendars(
    session: AsyncSession,
    people: dict[str, uuid.UUID],
    affairs: dict[str, uuid.UUID],
    today: dt.date,
) -> None:
    """Working week, holidays, two absences, skills and work to plan: the
    planning screens have something to place at once."""
    for weekday, starts, ends in WORKING_WEEK:
        hours_id = _id("hours", weekday, starts)
        session.add(WorkingHours(id=hours_id, weekday=weekday, starts=starts, ends=ends))
    session.add_all(PublicHoliday(day=day, name=name) for day, name in PUBLIC_HOLIDAYS)
    next_monday = today + dt.timedelta(days=7 - today.weekday())
    session.add_all(
        [
            Absence(
                id=_id("absence", "tech2"),
                user_id=people["tech2"],
                first_day=next_monday + dt.timedelta(days=2),
                last_day=next_monday + dt.timedelta(days=3),
                reason="Congés",
            ),
            Absence(
                id=_id("absence", "tech1"),
                user_id=people["tech1"],
                first_day=next_monday + dt.timedelta(days=1),
                last_day=next_monday + dt.timedelta(days=1),
                part=AbsencePart.AFTERNOON,
                reason="Formation habilitation électrique",
            ),
        ]
    )
    for key, skills in SKILLS.items():
        session.add_all(PersonSkill(user_id=people[key], skill=skill) for skill in skills)
    for code, title, hours, _, due_in in WORK_TO_PLAN:
        session.add(
            Action(
                id=_id("work", code, title),
                affair_id=affairs[code],
                kind=ActionKind.TASK,
                title=title,
                due_date=_working_day(today + dt.timedelta(days=due_in)),
                planned_minutes=hours * 60,
            )
        )
    await session.flush()
    for code, title, _, skills, _ in WORK_TO_PLAN:
        action_id = _id("work", code, title)
        session.add_all(ActionSkill(action_id=action_id, skill=skill) for skill in skills)
    await session.flush()


async def _service_orders(
    session: AsyncSession,
    people: dict[str, uuid.UUID],
    customers: dict[str, tuple[uuid.UUID, uuid.UUID]],
    affairs: dict[str, uuid.UUID],
    templates: dict[str, uuid.UUID],
    today: dt.date,
) -> None:
    plan = (
        (
            "SO-2026-0101",
            "tech1",
            "AFF-2026-003",
            "C001",
            "boiler",
            0,
            8,
            "Entretien annuel chaudière fournil",
        ),
        (
            "SO-2026-0102",
            "tech1",
            "AFF-2026-002",
            "C003",
            "ventilation",
            0,
            10,
            "VMC bâtiment B : filtres et débit",
        ),
        (
            "SO-2026-0103",
            "tech1",
            "AFF-2026-006",
            "C006",
            None,
            0,
            14,
            "Fuite sur réseau d'eau chaude",
        ),
        (
            "SO-2026-0104",
            "tech1",
            "AFF-2026-002",
            "C003",
            "boiler",
            1,
            9,
            "Chaudière collective : visite semestrielle",
        ),
        (
            "SO-2026-0105",
            "tech2",
            "AFF-2026-001",
            "C002",
            "boiler",
            0,
            8,
            "Mise en service chaudière n°2",
        ),
        (
            "SO-2026-0106",
            "tech2",
            "AFF-2026-003",
            "C001",
            "ventilation",
            1,
            15,
            "Hotte du fournil : nettoyage",
        ),
        ("SO-2026-0090", "tech1", "AFF-2026-003", "C001", "boiler", -7, 9, "Dépannage brûleur"),
    )
    for number, tech, affair, customer, template, offset, hour, title in plan:
        customer_id, site_id = customers[customer]
        day = today + dt.timedelta(days=offset)
        done = offset < 0
        order = ServiceOrder(
            id=_id("order", number),
            number=number,
            affair_id=affairs[affair],
            customer_id=customer_id,
            site_id=site_id,
            technician_id=people[tech],
            status=ServiceOrderStatus.CLOSED if done else ServiceOrderStatus.PLANNED,
            title=title,
            description="Intervention planifiée. Prévoir joints et filtres de rechange.",
            scheduled_start=_at(day, hour),
            scheduled_end=_at(day, hour + 2),
            planned_minutes=120,
        )
        session.add(order)
        await session.flush()
        if template is None:
            continue
        run = ChecklistRun(
            id=_id("run", number),
            template_id=templates[template],
            service_order_id=order.id,
            affair_id=affairs[affair],
        )
        session.add(run)
        if done:
            await session.flush()
            for key, value in (("power_off", True), ("burner_state", "worn"), ("pressure", 1.6)):
                session.add(
                    ChecklistAnswer(
                        id=answer_id(run.id, key),
                        run_id=run.id,
                        item_key=key,
                        value=value,
                        answered_by_id=people[tech],
                        answered_at=_at(day, hour, 30),
                    )
                )


async def _time(
    session: AsyncSession,
    people: dict[str, uuid.UUID],
    affairs: dict[str, uuid.UUID],
    today: dt.date,
) -> None:
    """Two past weeks for each field person: one approved, one submitted.

    Thomas's afternoon a week ago was the repair SO-2026-0090: that time is
    entered on the service order, and counts once on its affair.
    """
    monday = today - dt.timedelta(days=today.weekday())
    repair_day = today - dt.timedelta(days=7)
    for person in ("tech1", "tech2", "employee"):
        for weeks_back, status in ((2, WeekStatus.APPROVED), (1, WeekStatus.SUBMITTED)):
            start = monday - dt.timedelta(weeks=weeks_back)
            total = 0
            for day_offset in range(5):
                day = start + dt.timedelta(days=day_offset)
                for slot, (affair, minutes) in enumerate(
                    (
                        ("AFF-2026-001", 240),
                        ("AFF-2026-002" if day_offset % 2 else "AFF-2026-003", 210),
                    )
                ):
                    repair = person == "tech1" and day == repair_day and slot == 1
                    session.add(
                        TimeEntry(
                            id=_id("time", person, day, slot),
                            user_id=people[person],
                            affair_id=affairs["AFF-2026-003" if repair else affair],
                            service_order_id=_id("order", "SO-2026-0090") if repair else None,
                            work_date=day,
                            minutes=minutes,
                            note="Dépannage brûleur" if repair else None,
                            edited_by_id=people[person],
                            edited_at=_at(day, 18),
                        )
                    )
                    total += minutes
            week = week_of(start)
            session.add(
                TimesheetWeek(
                    id=week_id(people[person], week),
                    user_id=people[person],
                    week=week,
                    status=status,
                    total_minutes=total,
                    submitted_at=_at(start + dt.timedelta(days=4), 17),
                    decided_by_id=people["supervisor"] if status == WeekStatus.APPROVED else None,
                    decided_at=_at(start + dt.timedelta(days=7), 9)
                    if status == WeekStatus.APPROVED
                    else None,
                )
            )
