"""The Dolibarr import, on the Dolibarr demo data and on small made-up dumps.

Each test runs on a fresh migrated SQLite database, and on a fresh
PostgreSQL database too when ``AFFAIRES_TEST_PG=1`` or ``DATABASE_URL``
names a PostgreSQL server. The demo data is read where the project keeps
it, ``../shared/data/dolibarr/``, never copied into the repository.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from backend.db.base import Base
from backend.db.engine import Database, open_database
from backend.db.migrate import upgrade
from backend.db.models import (
    Action,
    Affair,
    AffairKind,
    AffairMember,
    AffairStatus,
    BudgetLine,
    ChangeLogEntry,
    Contact,
    ContractLine,
    Customer,
    HourlyRate,
    MaintenanceContract,
    Product,
    ServiceOrder,
    ServiceOrderStatus,
    Site,
    TimeEntry,
    TimesheetWeek,
    User,
    WeekStatus,
)
from backend.imports.dolibarr import import_dolibarr
from backend.imports.mysqldump import MalformedDump
from backend.imports.report import ImportReport, RowNote
from backend.timesheets.services import week_id
from sync.ids import derived_id

DOLIBARR_DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "dolibarr"
DEMO_DUMPS = [
    DOLIBARR_DATA / "affairs-subset-24.0.0.sql",
    DOLIBARR_DATA / "dictionaries-24.0.0.sql",
]
needs_demo_data = pytest.mark.skipif(
    not DOLIBARR_DATA.is_dir(),
    reason=f"the Dolibarr demo data is not at {DOLIBARR_DATA} (see its README.md)",
)

SERVER_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = os.environ.get("AFFAIRES_TEST_PG") == "1" or SERVER_URL.startswith("postgresql")
PG_SERVER = (
    SERVER_URL
    if SERVER_URL.startswith("postgresql")
    else "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


# -- databases -----------------------------------------------------------------


async def _pg_admin(statement: str) -> None:
    server = sa.engine.make_url(PG_SERVER).set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(server.render_as_string(hide_password=False))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not ON_POSTGRES,
                reason="PostgreSQL runs with AFFAIRES_TEST_PG=1 or a postgresql DATABASE_URL",
            ),
        ),
    ]
)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, migrated database of the kind the test is parametrised with."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/t.db"
        upgrade(url)
        database = open_database(url)
        yield database
        await database.dispose()
        return

    name = f"affaires_imp_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(PG_SERVER).set(drivername="postgresql+asyncpg", database=name)
    rendered = url.render_as_string(hide_password=False)
    try:
        upgrade(rendered)
        database = open_database(rendered)
        yield database
        await database.dispose()
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- reading what was written --------------------------------------------------


async def count(db: Database, model: type[Base], *where: Any) -> int:
    async with db.reading() as session:
        total = await session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
    return int(total or 0)


async def by_ref(db: Database, model: Any, external_ref: str) -> Any:
    async with db.reading() as session:
        return await session.scalar(sa.select(model).where(model.external_ref == external_ref))


async def change_log_size(db: Database) -> int:
    return await count(db, ChangeLogEntry)


def dolibarr_id(table: str, rowid: int) -> uuid.UUID:
    return derived_id("dolibarr", table, rowid)


# -- made-up dumps --------------------------------------------------------------


def sql_literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int | float):
        return str(value)
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
    return f"'{escaped}'"


def write_dump(path: Path, tables: dict[str, list[dict[str, object]]]) -> Path:
    """A dump in mysqldump's shape: CREATE TABLE, then one extended INSERT."""
    statements = ["SET NAMES utf8mb4;"]
    for table, rows in tables.items():
        columns = list(rows[0])
        definitions = ",\n".join(f"  `{column}` text DEFAULT NULL" for column in columns)
        statements.append(f"CREATE TABLE `{table}` (\n{definitions}\n);")
        tuples = ",".join(
            "(" + ",".join(sql_literal(row.get(column)) for column in columns) + ")" for row in rows
        )
        statements.append(f"INSERT INTO `{table}` VALUES {tuples};")
    path.write_text("\n".join(statements) + "\n", encoding="utf-8")
    return path


def person(rowid: int, login: str) -> dict[str, object]:
    return {
        "rowid": rowid, "login": login, "firstname": login.title(), "lastname": "Test",
        "email": f"{login}@example.com", "statut": 1, "thm": None, "dateemployment": None,
    }  # fmt: skip


def project(rowid: int, ref: str, **fields: object) -> dict[str, object]:
    return {
        "rowid": rowid, "ref": ref, "title": f"Project {ref}", "fk_soc": None, "fk_statut": 1,
        "fk_opp_status": None, "opp_percent": None, "opp_amount": None, "budget_amount": None,
        "usage_opportunity": 0, "dateo": "2024-01-01", "datee": None, **fields,
    }  # fmt: skip


def task(rowid: int, project_rowid: int) -> dict[str, object]:
    return {
        "rowid": rowid, "fk_projet": project_rowid, "label": f"Task {rowid}",
        "dateo": "2024-01-02 09:00:00", "datee": None, "planned_workload": 7200, "progress": 0,
    }  # fmt: skip


def time_spent(
    rowid: int, task_rowid: int, day: str, seconds: int, *, user: int = 1, kind: str = "task"
) -> dict[str, object]:
    return {
        "rowid": rowid, "fk_element": task_rowid, "elementtype": kind, "element_date": day,
        "element_datehour": f"{day} 12:00:00", "element_date_withhour": 0,
        "element_duration": seconds, "fk_user": user, "note": "",
    }  # fmt: skip


def small_company(**extra: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    return {
        "llx_user": [person(1, "ada")],
        "llx_projet": [project(1, "P-1")],
        "llx_projet_task": [task(1, 1)],
        **extra,
    }


# -- the Dolibarr demo ------------------------------------------------------------


@needs_demo_data
async def test_demo_rows_become_records_of_each_kind(db: Database) -> None:
    report = await import_dolibarr(db, DEMO_DUMPS)

    # 27 third parties: one is neither customer nor prospect (client = 0).
    assert report.of("customer").imported == 26
    assert await count(db, Customer) == 26
    assert await count(db, Site) == 26
    assert await count(db, Contact) == 8
    assert await count(db, User) == 24
    assert await count(db, HourlyRate) == 1
    assert await count(db, Product) == 22
    assert await count(db, Affair, Affair.external_ref.like("dolibarr:llx_projet:%")) == 15
    assert await count(db, Affair, Affair.kind == AffairKind.OPPORTUNITY) == 8
    assert await count(db, Affair, Affair.kind == AffairKind.PROJECT) == 7
    assert await count(db, Affair, Affair.kind == AffairKind.SERVICE) == 2
    assert await count(db, AffairMember) == 19
    assert await count(db, Action) == 9
    assert await count(db, BudgetLine) == 7
    assert await count(db, TimeEntry) == 10
    assert await count(db, ServiceOrder) == 4
    assert await count(db, MaintenanceContract) == 10
    assert await count(db, ContractLine) == 12
    assert "llx_propal" in report.tables_not_imported


@needs_demo_data
async def test_demo_projects_keep_their_pipeline_figures(db: Database) -> None:
    await import_dolibarr(db, DEMO_DUMPS)

    # PROJ2: opp_amount 1250.25000000, opp_percent 60.00, lead status 1 (PROSP).
    opportunity = await by_ref(db, Affair, "dolibarr:llx_projet:2")
    assert opportunity.code == "PROJ2"
    assert opportunity.kind == AffairKind.OPPORTUNITY
    assert opportunity.status == AffairStatus.OPEN
    assert opportunity.stage == "PROSP"
    assert opportunity.expected_amount_cents == 125025
    assert opportunity.win_probability == 60
    # PJ1607-0002: a WON lead is the project itself, still open.
    won = await by_ref(db, Affair, "dolibarr:llx_projet:7")
    assert (won.kind, won.status, won.stage) == (AffairKind.PROJECT, AffairStatus.OPEN, "WON")
    # PJ1607-0001b: budget 5000.00000000, led by user 12 (element_contact type 160).
    alice = await by_ref(db, Affair, "dolibarr:llx_projet:6")
    assert alice.budget_cents == 500000
    assert alice.manager_id == dolibarr_id("llx_user", 12)
    assert alice.start_date == dt.date(2018, 7, 30)
    closed = await by_ref(db, Affair, "dolibarr:llx_projet:9")
    assert closed.status == AffairStatus.CLOSED
    draft = await by_ref(db, Affair, "dolibarr:llx_projet:15")
    assert draft.status == AffairStatus.DRAFT


@needs_demo_data
async def test_demo_time_keeps_its_minutes_and_paris_dates(db: Database) -> None:
    await import_dolibarr(db, DEMO_DUMPS)

    # element_time 15: 660 s on task 7 (project 6), typed with its hour, 10:00 Paris (CET).
    entry = await by_ref(db, TimeEntry, "dolibarr:llx_element_time:15")
    assert entry.minutes == 11
    assert entry.work_date == dt.date(2017, 1, 30)
    assert entry.starts_at == dt.datetime(2017, 1, 30, 9, 0, tzinfo=dt.UTC)
    assert entry.user_id == dolibarr_id("llx_user", 12)
    assert entry.action_id == dolibarr_id("llx_projet_task", 7)
    assert entry.affair_id == dolibarr_id("llx_projet", 6)
    # element_time 29: 3720 s on 2023-08-15, typed without an hour.
    later = await by_ref(db, TimeEntry, "dolibarr:llx_element_time:29")
    assert (later.minutes, later.work_date, later.starts_at) == (62, dt.date(2023, 8, 15), None)


@needs_demo_data
async def test_demo_hourly_cost_becomes_a_rate_from_the_hiring_day(db: Database) -> None:
    await import_dolibarr(db, DEMO_DUMPS)

    async with db.reading() as session:
        rate = await session.scalar(sa.select(HourlyRate))
    boston = await by_ref(db, User, "dolibarr:llx_user:19")
    assert rate is not None
    assert rate.user_id == boston.id
    assert rate.cents_per_hour == 2500
    assert rate.valid_from == dt.date(2016, 11, 4)
    assert boston.name == "Alex Boston"
    assert boston.login == "aboston"
    assert boston.active is False
    assert boston.password_hash is None


@needs_demo_data
async def test_demo_interventions_all_belong_to_an_affair(db: Database) -> None:
    await import_dolibarr(db, DEMO_DUMPS)

    on_project = await by_ref(db, ServiceOrder, "dolibarr:llx_fichinter:1")
    assert on_project.number == "FI1007-0001"
    assert on_project.affair_id == dolibarr_id("llx_projet", 1)
    assert on_project.status == ServiceOrderStatus.PLANNED
    assert on_project.planned_minutes == 180
    assert on_project.technician_id == dolibarr_id("llx_user", 1)
    assert on_project.site_id is not None
    assert "- 2012-07-08 11:00, 120 min: Other actions on client site." in on_project.description
    outside = await by_ref(db, ServiceOrder, "dolibarr:llx_fichinter:2")
    after_sales = await by_ref(db, Affair, "dolibarr:llx_societe:1:sav")
    assert outside.affair_id == after_sales.id
    assert after_sales.code == "SAV-CU1212-0007"
    assert after_sales.kind == AffairKind.SERVICE
    assert outside.title == "ferfrefeferf"


@needs_demo_data
async def test_demo_contracts_take_their_amounts_from_their_lines(db: Database) -> None:
    await import_dolibarr(db, DEMO_DUMPS)

    # CONTRAT1: lines of 10.00, 0.00 and 36.00 excluding tax.
    contract = await by_ref(db, MaintenanceContract, "dolibarr:llx_contrat:2")
    assert contract.number == "CONTRAT1"
    assert contract.amount_cents == 4600
    assert contract.signed_on == dt.date(2012, 7, 10)
    line = await by_ref(db, ContractLine, "dolibarr:llx_contratdet:17")
    assert line.label == "Service SaaS d'hébergement de la solution Dolibarr ERP CRM"
    assert line.unit_price_cents == 900
    assert line.product_id == dolibarr_id("llx_product", 12)
    assert line.active is False


@needs_demo_data
async def test_demo_rows_left_out_are_listed_with_a_reason(db: Database) -> None:
    report = await import_dolibarr(db, DEMO_DUMPS)

    skipped = {(note.table, note.rowid): note.reason for note in report.skipped}
    assert skipped[("llx_societe", 5)] == "neither a customer nor a prospect in Dolibarr"
    contacts_without_customer = {2, 3, 7, 8, 9, 14, 15}
    for rowid in contacts_without_customer:
        assert skipped[("llx_socpeople", rowid)] == "not attached to an imported customer"
    assert len(skipped) == 1 + len(contacts_without_customer)
    # India (117) and Greece (102) are not among the countries known without llx_c_country.
    partial = {(note.table, note.rowid) for note in report.partial}
    assert ("llx_societe", 1) in partial


@needs_demo_data
async def test_importing_the_demo_twice_changes_nothing(db: Database) -> None:
    first = await import_dolibarr(db, DEMO_DUMPS)
    logged = await change_log_size(db)

    second = await import_dolibarr(db, DEMO_DUMPS)

    assert first.written > 0
    assert second.written == 0
    assert all(counts.imported == counts.updated == 0 for counts in second.counts.values())
    assert second.of("affair").unchanged == 17
    assert second.of("time_entry").unchanged == 10
    assert await change_log_size(db) == logged


@needs_demo_data
async def test_a_row_changed_since_is_written_back_once(db: Database) -> None:
    await import_dolibarr(db, DEMO_DUMPS)
    async with db.writing() as session:
        await session.execute(
            sa.update(Affair).where(Affair.code == "PROJ1").values(title="Renamed by hand")
        )
    logged = await change_log_size(db)

    report = await import_dolibarr(db, DEMO_DUMPS)

    assert report.of("affair").updated == 1
    assert report.written == 1
    assert await change_log_size(db) == logged + 1
    assert (await by_ref(db, Affair, "dolibarr:llx_projet:1")).title == "Project One"


# -- made-up dumps: the rules the demo does not exercise ---------------------------


async def test_time_that_breaks_the_rules_is_skipped_with_a_reason(
    db: Database, tmp_path: Path
) -> None:
    dump = write_dump(
        tmp_path / "time.sql",
        small_company(
            llx_element_time=[
                time_spent(1, 1, "2024-03-04", 0),
                time_spent(2, 1, "2024-03-04", 3600, kind="fichinter"),
                time_spent(3, 1, "2024-03-05", 20 * 3600),
                time_spent(4, 1, "2024-03-05", 5 * 3600),
                time_spent(5, 99, "2024-03-06", 3600),
                time_spent(6, 1, "2024-03-07", 25 * 3600),
                time_spent(7, 1, "2024-03-08", 3600, user=77),
                time_spent(8, 1, "2024-03-08", 90),
            ]
        ),
    )

    report = await import_dolibarr(db, [dump])

    skipped = {note.rowid: note.reason for note in report.skipped}
    assert skipped == {
        1: "no time recorded (0 minutes)",
        2: "time spent on a fichinter, not on a project task",
        4: "more than 24 hours on 2024-03-05 for this person",
        5: "its task was not imported",
        6: "more than 24 hours on 2024-03-07 for this person",
        7: "its person was not imported",
    }
    assert report.of("time_entry").imported == 2
    assert (await by_ref(db, TimeEntry, "dolibarr:llx_element_time:8")).minutes == 2


async def test_time_in_an_approved_week_is_left_alone(db: Database, tmp_path: Path) -> None:
    await import_dolibarr(db, [write_dump(tmp_path / "people.sql", small_company())])
    ada = dolibarr_id("llx_user", 1)
    async with db.writing() as session:
        session.add(
            TimesheetWeek(
                id=week_id(ada, "2024-W10"), user_id=ada, week="2024-W10",
                status=WeekStatus.APPROVED, total_minutes=0,
            )
        )  # fmt: skip
    dump = write_dump(
        tmp_path / "time.sql",
        small_company(llx_element_time=[time_spent(1, 1, "2024-03-05", 3600)]),
    )

    report = await import_dolibarr(db, [dump])

    assert [note.reason for note in report.skipped] == [
        "week 2024-W10 is approved: its time is locked"
    ]
    assert await count(db, TimeEntry) == 0


async def test_an_open_week_total_follows_imported_time(db: Database, tmp_path: Path) -> None:
    await import_dolibarr(db, [write_dump(tmp_path / "people.sql", small_company())])
    ada = dolibarr_id("llx_user", 1)
    async with db.writing() as session:
        session.add(
            TimesheetWeek(
                id=week_id(ada, "2024-W10"), user_id=ada, week="2024-W10",
                status=WeekStatus.DRAFT, total_minutes=0,
            )
        )  # fmt: skip
    dump = write_dump(
        tmp_path / "time.sql",
        small_company(llx_element_time=[time_spent(1, 1, "2024-03-05", 5400)]),
    )

    await import_dolibarr(db, [dump])

    async with db.reading() as session:
        week = await session.get(TimesheetWeek, week_id(ada, "2024-W10"))
    assert week is not None
    assert week.total_minutes == 90


async def test_lead_statuses_decide_kind_and_status_without_the_dictionary(
    db: Database, tmp_path: Path
) -> None:
    dump = write_dump(
        tmp_path / "leads.sql",
        {
            "llx_projet": [
                project(1, "LOST-1", usage_opportunity=1, fk_opp_status=7, opp_percent=0),
                project(2, "WON-1", usage_opportunity=1, fk_opp_status=6, opp_percent=100),
                project(3, "NEGO-1", usage_opportunity=1, fk_opp_status=4, opp_amount="99.995"),
            ]
        },
    )

    await import_dolibarr(db, [dump])

    lost = await by_ref(db, Affair, "dolibarr:llx_projet:1")
    won = await by_ref(db, Affair, "dolibarr:llx_projet:2")
    negotiating = await by_ref(db, Affair, "dolibarr:llx_projet:3")
    assert (lost.kind, lost.status, lost.stage) == (
        AffairKind.OPPORTUNITY, AffairStatus.LOST, "LOST",
    )  # fmt: skip
    assert (won.kind, won.status) == (AffairKind.PROJECT, AffairStatus.OPEN)
    assert negotiating.stage == "NEGO"
    assert negotiating.expected_amount_cents == 10000


async def test_a_code_already_in_use_skips_the_project_and_what_hangs_on_it(
    db: Database, tmp_path: Path
) -> None:
    async with db.writing() as session:
        session.add(Affair(code="P-1", title="Made by hand", kind=AffairKind.PROJECT))
    dump = write_dump(tmp_path / "taken.sql", small_company())

    report = await import_dolibarr(db, [dump])

    assert [(note.table, note.reason) for note in report.skipped] == [
        ("llx_projet", "code P-1 is already used by another record"),
        ("llx_projet_task", "its project was not imported"),
    ]
    async with db.reading() as session:
        titles = list(await session.scalars(sa.select(Affair.title)))
    assert titles == ["Made by hand"]


async def test_a_record_deleted_in_affaires_stays_deleted(db: Database, tmp_path: Path) -> None:
    dump = write_dump(tmp_path / "company.sql", small_company())
    await import_dolibarr(db, [dump])
    async with db.writing() as session:
        await session.execute(
            sa.update(Affair).values(deleted_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))
        )
    logged = await change_log_size(db)

    report = await import_dolibarr(db, [dump])

    assert [(note.table, note.reason) for note in report.skipped] == [
        ("llx_projet", "deleted in Affaires since an earlier import: left deleted"),
        ("llx_projet_task", "its project was not imported"),
    ]
    assert report.written == 0
    assert await change_log_size(db) == logged


async def test_people_sharing_an_email_get_none(db: Database, tmp_path: Path) -> None:
    twin = {**person(2, "bob"), "email": "ADA@example.com"}
    dump = write_dump(tmp_path / "twins.sql", {"llx_user": [person(1, "ada"), twin]})

    report = await import_dolibarr(db, [dump])

    assert {note.rowid for note in report.partial} == {1, 2}
    assert (await by_ref(db, User, "dolibarr:llx_user:1")).email is None
    assert (await by_ref(db, User, "dolibarr:llx_user:2")).email is None


async def test_a_file_that_is_no_dump_is_refused_before_any_write(
    db: Database, tmp_path: Path
) -> None:
    good = write_dump(tmp_path / "good.sql", small_company())
    notes = tmp_path / "notes.sql"
    notes.write_text("-- nothing but a comment\n", encoding="utf-8")

    with pytest.raises(MalformedDump, match="no table in this file"):
        await import_dolibarr(db, [good, notes])

    assert await count(db, User) == 0


def test_report_counts_what_was_written_and_says_it() -> None:
    report = ImportReport(tables_not_imported=["llx_propal"])

    report.of("affair").imported += 2
    report.of("user").unchanged += 5
    report.skipped.append(RowNote("llx_societe", 5, "neither a customer nor a prospect"))

    assert report.written == 2
    assert report.describe().splitlines() == [
        "affair: 2 imported, 0 updated, 0 unchanged",
        "user: 0 imported, 0 updated, 5 unchanged",
        "skipped llx_societe 5: neither a customer nor a prospect",
        "not imported: llx_propal",
    ]
