"""Import a Dolibarr ERP database from its MySQL dump.

Contract:

- Everything is written in one transaction: an import applies whole or
  not at all.
- Each record's id is derived from its Dolibarr table and rowid, and its
  ``external_ref`` is ``dolibarr:<table>:<rowid>``, so importing the same
  dump again names the same rows. A row is written only when one of the
  fields the importer owns differs: a repeat import writes nothing, so no
  new version reaches devices and the change log does not grow.
- Fields the importer does not own are never touched on a later import:
  an affair's progress, a person's password, and a person's role and
  e-mail (set on first import only: they decide who signs in as whom).
- Rows that cannot be mapped are skipped and listed in the report with a
  reason in plain words; rows imported without one of their values are
  listed as partial. Nothing is deleted: a row gone from Dolibarr stays.

Mapping decisions (docs/imports.md has the whole table):

- A third party is a customer when ``client`` is 1, 2 or 3, a prospect
  only when it is 2 (3 is a customer who is also prospected). Each gets
  one site: its main address.
- A project is an opportunity while its lead status is not WON. Once won
  it is a project (an opportunity becomes a project when won) with the
  Dolibarr project's status (draft, open, closed) and the stage ``WON``;
  the ``won`` status is never produced, as Dolibarr has no "won but not
  started". A LOST lead gives the status ``lost``, whatever the project's.
- A task becomes an action (who does what, by when, how far along) and,
  when it has a planned workload, a labour budget line as well: the
  action is the work to do, the budget line what the affair's labour is
  measured against; in Affaires the two then live separate lives.
- An intervention outside any project goes to its customer's after-sales
  affair (``SAV-<customer code>``), made on first need, so that every
  service order belongs to an affair.
- Dolibarr keeps Paris local time: instants become UTC, dates stay dates.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import Database
from backend.db.models import (
    Action,
    ActionKind,
    Affair,
    AffairKind,
    AffairMember,
    AffairStatus,
    BudgetKind,
    BudgetLine,
    Contact,
    ContractLine,
    ContractStatus,
    Customer,
    HourlyRate,
    MaintenanceContract,
    Product,
    ProductKind,
    Role,
    ServiceOrder,
    ServiceOrderStatus,
    Site,
    TimeEntry,
    TimesheetWeek,
    User,
    WeekStatus,
)
from backend.db.models.timesheets import MAX_MINUTES_PER_DAY
from backend.imports.dolibarr_values import (
    DOLIBARR_ZONE,
    day_start_of,
    decimal_of,
    email_of,
    instant_of,
    integer_of,
    local_date_of,
    local_moment_of,
    minutes_of,
    plain_text_of,
    text_of,
    whole,
)
from backend.imports.mysqldump import DumpRow, MalformedDump, read_dump
from backend.imports.records import Record, RecordWriter, SkipRow, in_chunks
from backend.imports.report import ImportReport, RowNote
from backend.lib.money import decimal_to_cents
from backend.lib.time import week_of
from backend.timesheets.services import find_week, week_total
from sync.ids import derived_id

logger = structlog.get_logger()

SOURCE = "dolibarr"
# A rate with no hiring date applies to all imported time.
RATE_DEFAULT_START = dt.date(2000, 1, 1)
TITLE_LENGTH = 255

CUSTOMER_CLIENT_CODES = {1, 2, 3}
PROSPECT_ONLY = 2
AFFAIR_STATUS_OF_PROJECT = {0: AffairStatus.DRAFT, 1: AffairStatus.OPEN, 2: AffairStatus.CLOSED}
SERVICE_ORDER_STATUS_OF_INTERVENTION = {
    0: ServiceOrderStatus.PLANNED,  # draft
    1: ServiceOrderStatus.PLANNED,  # validated, to be done
    2: ServiceOrderStatus.CLOSED,  # billed
    3: ServiceOrderStatus.CLOSED,
}
CONTRACT_STATUS_OF_CONTRACT = {
    0: ContractStatus.DRAFT,
    1: ContractStatus.ACTIVE,
    2: ContractStatus.CLOSED,
}
PRODUCT_KIND_OF_TYPE = {0: ProductKind.GOOD, 1: ProductKind.SERVICE}
RUNNING_CONTRACT_LINE = 4
# tobatch: 1 follows lots or serial numbers, 2 unique serial numbers.
SERIALIZED_BATCH_MODES = {1, 2}
MEMBER_ROLES = {"PROJECTLEADER": "leader", "PROJECTCONTRIBUTOR": "contributor"}

# Dolibarr ships these dictionary rows with fixed ids; they stand in when
# a dump lacks the dictionary table itself.
STANDARD_LEAD_STATUSES = {
    1: "PROSP", 2: "QUAL", 3: "PROPO", 4: "NEGO", 5: "PENDING", 6: "WON", 7: "LOST",
}  # fmt: skip
STANDARD_CONTACT_TYPES = {
    120: ("fichinter", "internal", "INTERREPFOLL"),
    121: ("fichinter", "internal", "INTERVENING"),
    160: ("project", "internal", "PROJECTLEADER"),
    161: ("project", "internal", "PROJECTCONTRIBUTOR"),
    180: ("project_task", "internal", "TASKEXECUTIVE"),
    181: ("project_task", "internal", "TASKCONTRIBUTOR"),
}
# The countries Dolibarr numbered first; others need llx_c_country in the dump.
STANDARD_COUNTRIES = {
    1: "FR", 2: "BE", 3: "IT", 4: "ES", 5: "DE", 6: "CH", 7: "GB", 8: "IE", 9: "CN",
    10: "TN", 11: "US", 12: "MA", 13: "DZ", 14: "CA", 15: "TG", 16: "GA", 17: "NL",
    18: "HU", 19: "RU", 20: "SE", 21: "CI", 22: "SN", 23: "AR", 24: "CM", 25: "PT",
    26: "SA", 27: "MC", 28: "AU", 29: "SG",
}  # fmt: skip

# The tables read; the report names the dump's others as not imported.
READ_TABLES = frozenset(
    {
        "llx_c_country", "llx_c_lead_status", "llx_c_type_contact", "llx_contrat",
        "llx_contratdet", "llx_element_contact", "llx_element_time", "llx_fichinter",
        "llx_fichinterdet", "llx_product", "llx_projet", "llx_projet_task", "llx_societe",
        "llx_socpeople", "llx_user",
    }
)  # fmt: skip


async def import_dolibarr(db: Database, paths: list[Path]) -> ImportReport:
    """Import the Dolibarr dumps at ``paths`` (data and dictionaries, any order).

    Raises ``MalformedDump`` for a file that is not a readable dump, before
    anything is written. See the module docstring for the rest.
    """
    started = time.monotonic()
    dump = _Dump.read(paths)
    report = ImportReport(tables_not_imported=sorted(set(dump.tables) - READ_TABLES))

    # Foreign keys decide the order: people and things first, then what names them.
    async with db.writing() as session:
        run = _Run(session, dump, report)
        await run.import_people()
        await run.import_products()
        await run.import_customers()
        await run.import_projects()
        await run.import_tasks()
        await run.import_contracts()
        await run.import_interventions()
        await run.import_time()

    logger.info(
        "import.done",
        source=SOURCE,
        files=len(paths),
        written=report.written,
        skipped=len(report.skipped),
        partial=len(report.partial),
        ms=round((time.monotonic() - started) * 1000),
    )
    return report


@dataclass
class _Dump:
    """The tables of one or more dump files, merged."""

    tables: dict[str, list[DumpRow]]

    @classmethod
    def read(cls, paths: Iterable[Path]) -> _Dump:
        tables: dict[str, list[DumpRow]] = {}
        for path in paths:
            found = read_dump(path)
            if not found:
                raise MalformedDump(f"{path}: no table in this file", source=str(path))
            for table, rows in found.items():
                tables.setdefault(table, []).extend(rows)
        return cls(tables)

    def rows(self, table: str) -> list[DumpRow]:
        """The table's rows in rowid order; a rowid met twice keeps its last row."""
        by_id: dict[int, DumpRow] = {}
        for row in self.tables.get(table, []):
            rowid = _rowid_or_none(row)
            if rowid is None:
                raise MalformedDump(f"a row of {table} has no rowid", table=table)
            by_id[rowid] = row
        return [by_id[rowid] for rowid in sorted(by_id)]

    def codes(self, table: str, standard: dict[int, str]) -> dict[int, str]:
        """A dictionary table's codes by rowid, or Dolibarr's standard ones."""
        rows = self.rows(table)
        if not rows:
            return dict(standard)
        return {_rowid(row): text_of(row, "code") or "" for row in rows}

    def people_on(self, element: str, code: str) -> dict[int, list[tuple[int, int]]]:
        """Users holding the internal role ``code`` on each ``element`` object.

        Answers ``{object rowid: [(element_contact rowid, user rowid), ...]}``
        in the order the roles were given.
        """
        types = {
            _rowid(row): (text_of(row, "element"), text_of(row, "source"), text_of(row, "code"))
            for row in self.rows("llx_c_type_contact")
        } or STANDARD_CONTACT_TYPES
        wanted = {rowid for rowid, kind in types.items() if kind == (element, "internal", code)}

        holders: dict[int, list[tuple[int, int]]] = {}
        for row in self.rows("llx_element_contact"):
            user, target = _link(row, "fk_socpeople"), _link(row, "element_id")
            if _link(row, "fk_c_type_contact") in wanted and user and target:
                holders.setdefault(target, []).append((_rowid(row), user))
        return holders


class _Run:
    """One import: the dump, the writer, and what is in place so far.

    The maps go from a Dolibarr rowid to the Affaires id of the row
    imported (or found unchanged) in this run; a rowid missing from a map
    was skipped, and so are the rows that need it.
    """

    def __init__(self, session: AsyncSession, dump: _Dump, report: ImportReport) -> None:
        self.session = session
        self.dump = dump
        self.report = report
        self.writer = RecordWriter(session, report)
        self.users: dict[int, uuid.UUID] = {}
        self.products: dict[int, uuid.UUID] = {}
        self.product_labels: dict[int, str] = {}
        self.customers: dict[int, uuid.UUID] = {}
        self.customer_rows: dict[int, DumpRow] = {}
        self.sites: dict[int, uuid.UUID] = {}
        self.affairs: dict[int, uuid.UUID] = {}
        self.actions: dict[int, tuple[uuid.UUID, uuid.UUID]] = {}

    def records(
        self,
        table: str,
        build: Callable[[DumpRow], Record | None],
        rows: Iterable[DumpRow] | None = None,
    ) -> list[Record]:
        """``build`` applied to the rows of ``table`` (or to ``rows`` of it).

        ``build`` answers None for a row with nothing to import, and raises
        ``SkipRow`` for one it cannot import: that one goes in the report.
        """
        built: list[Record] = []
        for row in self.dump.rows(table) if rows is None else rows:
            try:
                record = build(row)
            except SkipRow as skip:
                self.skip(table, _rowid(row), str(skip))
                continue
            if record is not None:
                built.append(record)
        return built

    def skip(self, table: str, rowid: int, reason: str) -> None:
        self.report.skipped.append(RowNote(table, rowid, reason))

    def note(self, table: str, rowid: int, reason: str) -> None:
        self.report.partial.append(RowNote(table, rowid, reason))

    # -- people ------------------------------------------------------------------

    async def import_people(self) -> None:
        """Users, without a password: they sign in once someone grants them a login."""
        rows = self.dump.rows("llx_user")
        emails = Counter(email_of(row, "email") for row in rows)
        logins = Counter(text_of(row, "login") for row in rows)
        email_owners = await self.writer.owners(User, "email", emails)
        login_owners = await self.writer.owners(User, "login", logins)

        def build(row: DumpRow) -> Record:
            rowid = _rowid(row)
            key = _derived("llx_user", rowid)
            email, login = email_of(row, "email"), text_of(row, "login")
            # Two people with one address cannot both sign in with it: neither gets it.
            if email and (emails[email] > 1 or email_owners.get(email, key) != key):
                self.note("llx_user", rowid, "e-mail left empty: another person has it")
                email = None
            if login and (logins[login] > 1 or login_owners.get(login, key) != key):
                self.note("llx_user", rowid, "login left empty: another person has it")
                login = None

            name = " ".join(filter(None, [text_of(row, "firstname"), text_of(row, "lastname")]))
            return _record(
                "llx_user",
                rowid,
                first={"email": email, "role": Role.EMPLOYEE},
                name=name or login or f"Dolibarr {rowid}",
                login=login,
                active=integer_of(row, "statut") == 1,
            )

        kept = await self.writer.write("user", User, self.records("llx_user", build))
        self.users = {record.rowid: record.key for record in kept}
        await self.import_rates()

    async def import_rates(self) -> None:
        """A user's ``thm`` (hourly cost) as their rate from their hiring day on."""
        # A rate someone already set for that person and day is the one to keep in step.
        in_place: dict[tuple[uuid.UUID, dt.date], uuid.UUID] = {}
        for chunk in in_chunks(sorted(self.users.values())):
            found = await self.session.execute(
                sa.select(HourlyRate.user_id, HourlyRate.valid_from, HourlyRate.id).where(
                    HourlyRate.user_id.in_(chunk)
                )
            )
            in_place.update(((user, start), rate) for user, start, rate in found)

        def build(row: DumpRow) -> Record | None:
            rowid = _rowid(row)
            cents = decimal_to_cents(decimal_of(row, "thm"))
            if rowid not in self.users or not cents:
                return None

            user = self.users[rowid]
            start = local_date_of(row, "dateemployment") or RATE_DEFAULT_START
            key = in_place.get((user, start), _derived("llx_user", rowid, "rate"))
            values = {"user_id": user, "valid_from": start, "cents_per_hour": cents}
            return Record("llx_user", rowid, key, values)

        await self.writer.write("hourly_rate", HourlyRate, self.records("llx_user", build))

    # -- catalogue ---------------------------------------------------------------

    async def import_products(self) -> None:
        def build(row: DumpRow) -> Record:
            rowid = _rowid(row)
            kind = PRODUCT_KIND_OF_TYPE.get(integer_of(row, "fk_product_type") or 0)
            if kind is None:
                raise SkipRow(f"unknown product type {text_of(row, 'fk_product_type')}")

            ref = text_of(row, "ref") or f"DOLIBARR-{rowid}"
            self.product_labels[rowid] = text_of(row, "label") or ref
            return _record(
                "llx_product",
                rowid,
                ref=ref,
                label=self.product_labels[rowid],
                kind=kind,
                price_cents=decimal_to_cents(decimal_of(row, "price")),
                cost_cents=decimal_to_cents(decimal_of(row, "cost_price")),
                serialized=integer_of(row, "tobatch") in SERIALIZED_BATCH_MODES,
            )

        records = self.records("llx_product", build)
        kept = await self.writer.write("product", Product, records, unique="ref")
        self.products = {record.rowid: record.key for record in kept}

    # -- customers, sites, contacts ------------------------------------------------

    async def import_customers(self) -> None:
        def build(row: DumpRow) -> Record:
            rowid = _rowid(row)
            client = integer_of(row, "client")
            if client not in CUSTOMER_CLIENT_CODES:
                raise SkipRow("neither a customer nor a prospect in Dolibarr")

            return _record(
                "llx_societe",
                rowid,
                code=text_of(row, "code_client"),
                name=text_of(row, "nom") or f"Dolibarr {rowid}",
                is_prospect=client == PROSPECT_ONLY,
                is_supplier=integer_of(row, "fournisseur") == 1,
                email=email_of(row, "email"),
                phone=text_of(row, "phone"),
            )

        kept = await self.writer.write("customer", Customer, self.records("llx_societe", build))
        self.customers = {record.rowid: record.key for record in kept}
        self.customer_rows = {
            rowid: row
            for row in self.dump.rows("llx_societe")
            if (rowid := _rowid(row)) in self.customers
        }

        await self.import_sites()
        await self.import_contacts()

    async def import_sites(self) -> None:
        """Each customer's main address, as the site where work is done."""
        countries = self.dump.codes("llx_c_country", STANDARD_COUNTRIES)

        def build(row: DumpRow) -> Record:
            rowid = _rowid(row)
            country_id = integer_of(row, "fk_pays")
            country = countries.get(country_id) if country_id else None
            if country_id and not country:
                self.note("llx_societe", rowid, f"country {country_id} is not in the dump")

            return _record(
                "llx_societe",
                rowid,
                "site",
                customer_id=self.customers[rowid],
                name=text_of(row, "nom") or f"Dolibarr {rowid}",
                address=text_of(row, "address"),
                postcode=text_of(row, "zip"),
                town=text_of(row, "town"),
                country=country or None,
            )

        sites = self.records("llx_societe", build, self.customer_rows.values())
        kept = await self.writer.write("site", Site, sites)
        self.sites = {record.rowid: record.key for record in kept}

    async def import_contacts(self) -> None:
        def build(row: DumpRow) -> Record:
            rowid = _rowid(row)
            customer = self.customers.get(integer_of(row, "fk_soc") or 0)
            if customer is None:
                raise SkipRow("not attached to an imported customer")

            name = " ".join(filter(None, [text_of(row, "firstname"), text_of(row, "lastname")]))
            return _record(
                "llx_socpeople",
                rowid,
                customer_id=customer,
                name=name or email_of(row, "email") or f"Dolibarr {rowid}",
                job_title=text_of(row, "poste"),
                email=email_of(row, "email"),
                phone=text_of(row, "phone") or text_of(row, "phone_mobile"),
            )

        await self.writer.write("contact", Contact, self.records("llx_socpeople", build))

    # -- affairs -------------------------------------------------------------------

    async def import_projects(self) -> None:
        lead_codes = self.dump.codes("llx_c_lead_status", STANDARD_LEAD_STATUSES)
        leaders = self.dump.people_on("project", "PROJECTLEADER")

        def build(row: DumpRow) -> Record:
            rowid = _rowid(row)
            kind, status, stage = _affair_state(row, lead_codes)
            probability = whole(decimal_of(row, "opp_percent"))
            if probability is not None and not 0 <= probability <= 100:
                self.note("llx_projet", rowid, "win probability outside 0-100 left empty")
                probability = None

            return _record(
                "llx_projet",
                rowid,
                code=text_of(row, "ref") or f"DOLIBARR-{rowid}",
                title=text_of(row, "title") or text_of(row, "ref") or f"Dolibarr {rowid}",
                kind=kind,
                status=status,
                stage=stage,
                customer_id=self.customer_of(row, "llx_projet"),
                manager_id=self.first_user(leaders.get(rowid, [])),
                win_probability=probability,
                expected_amount_cents=decimal_to_cents(decimal_of(row, "opp_amount")),
                budget_cents=decimal_to_cents(decimal_of(row, "budget_amount")),
                start_date=local_date_of(row, "dateo"),
                end_date=local_date_of(row, "datee"),
                description=plain_text_of(row, "description"),
            )

        records = self.records("llx_projet", build)
        kept = await self.writer.write("affair", Affair, records, unique="code")
        self.affairs = {record.rowid: record.key for record in kept}
        await self.import_members()

    def customer_of(self, row: DumpRow, table: str) -> uuid.UUID | None:
        third_party = integer_of(row, "fk_soc")
        if third_party and third_party not in self.customers:
            self.note(table, _rowid(row), f"third party {third_party} is not an imported customer")
        return self.customers.get(third_party or 0)

    def first_user(self, holders: list[tuple[int, int]]) -> uuid.UUID | None:
        return next((self.users[user] for _, user in holders if user in self.users), None)

    async def import_members(self) -> None:
        """Project leaders and contributors; one who is both counts as leader."""
        members: dict[tuple[uuid.UUID, uuid.UUID], Record] = {}
        for code, role in MEMBER_ROLES.items():
            for project, holders in self.dump.people_on("project", code).items():
                for contact_rowid, user in holders:
                    if project not in self.affairs or user not in self.users:
                        reason = "its project or its person was not imported"
                        self.skip("llx_element_contact", contact_rowid, reason)
                        continue
                    key = (self.affairs[project], self.users[user])
                    record = Record("llx_element_contact", contact_rowid, key, {"role": role})
                    members.setdefault(key, record)

        await self.writer.write("affair_member", AffairMember, list(members.values()))

    async def import_tasks(self) -> None:
        executives = self.dump.people_on("project_task", "TASKEXECUTIVE")
        budgets: list[Record] = []

        def build(row: DumpRow) -> Record:
            rowid = _rowid(row)
            affair = self.affairs.get(integer_of(row, "fk_projet") or 0)
            if affair is None:
                raise SkipRow("its project was not imported")

            title = text_of(row, "label") or text_of(row, "ref") or f"Dolibarr {rowid}"
            planned = minutes_of(row, "planned_workload")
            if planned:
                budgets.append(
                    _record(
                        "llx_projet_task",
                        rowid,
                        "budget",
                        affair_id=affair,
                        kind=BudgetKind.LABOUR,
                        label=title,
                        planned_minutes=planned,
                        amount_cents=decimal_to_cents(decimal_of(row, "budget_amount")) or 0,
                    )
                )
            return _record(
                "llx_projet_task",
                rowid,
                affair_id=affair,
                kind=ActionKind.TASK,
                title=title,
                description=plain_text_of(row, "description"),
                assignee_id=self.first_user(executives.get(rowid, [])),
                starts_at=instant_of(row, "dateo"),
                due_date=local_date_of(row, "datee"),
                planned_minutes=planned or None,
                progress=min(max(integer_of(row, "progress") or 0, 0), 100),
            )

        actions = self.records("llx_projet_task", build)
        kept = await self.writer.write("action", Action, actions)
        self.actions = {record.rowid: (record.key, record.values["affair_id"]) for record in kept}
        await self.writer.write("budget_line", BudgetLine, budgets)

    # -- contracts -----------------------------------------------------------------

    async def import_contracts(self) -> None:
        lines_of = self.lines_by_parent("llx_contratdet", "fk_contrat")

        def build(row: DumpRow) -> Record:
            rowid = _rowid(row)
            status = CONTRACT_STATUS_OF_CONTRACT.get(integer_of(row, "statut") or 0)
            customer = self.customers.get(integer_of(row, "fk_soc") or 0)
            if status is None:
                raise SkipRow(f"unknown contract status {text_of(row, 'statut')}")
            if customer is None:
                raise SkipRow("its third party is not an imported customer")

            # Dolibarr leaves a contract's header total at zero: its lines hold the amounts.
            lines = lines_of.get(rowid, [])
            amounts = [decimal_of(line, "total_ht") or Decimal(0) for line in lines]
            total = sum(amounts, Decimal(0)) if lines else decimal_of(row, "total_ht")
            return _record(
                "llx_contrat",
                rowid,
                number=text_of(row, "ref") or f"DOLIBARR-{rowid}",
                customer_id=customer,
                affair_id=self.affairs.get(integer_of(row, "fk_projet") or 0),
                status=status,
                signed_on=local_date_of(row, "date_contrat"),
                starts_on=local_date_of(row, "mise_en_service"),
                ends_on=local_date_of(row, "fin_validite") or local_date_of(row, "date_cloture"),
                amount_cents=decimal_to_cents(total),
            )

        records = self.records("llx_contrat", build)
        kept = await self.writer.write(
            "maintenance_contract", MaintenanceContract, records, unique="number"
        )
        await self.import_contract_lines({record.rowid: record.key for record in kept})

    async def import_contract_lines(self, contracts: dict[int, uuid.UUID]) -> None:
        def build(row: DumpRow) -> Record:
            rowid = _rowid(row)
            contract = contracts.get(integer_of(row, "fk_contrat") or 0)
            if contract is None:
                raise SkipRow("its contract was not imported")

            product = integer_of(row, "fk_product") or 0
            label = (
                plain_text_of(row, "label")
                or plain_text_of(row, "description")
                or self.product_labels.get(product)
                or f"Dolibarr {rowid}"
            )
            opened = local_date_of(row, "date_ouverture")
            closed = local_date_of(row, "date_cloture")
            return _record(
                "llx_contratdet",
                rowid,
                contract_id=contract,
                product_id=self.products.get(product),
                label=label,
                quantity=float(decimal_of(row, "qty") or 1),
                unit_price_cents=decimal_to_cents(decimal_of(row, "subprice")),
                starts_on=opened or local_date_of(row, "date_ouverture_prevue"),
                ends_on=closed or local_date_of(row, "date_fin_validite"),
                active=integer_of(row, "statut") == RUNNING_CONTRACT_LINE,
            )

        lines = self.records("llx_contratdet", build)
        await self.writer.write("contract_line", ContractLine, lines)

    def lines_by_parent(self, table: str, parent: str) -> dict[int, list[DumpRow]]:
        lines: dict[int, list[DumpRow]] = {}
        for line in self.dump.rows(table):
            lines.setdefault(_link(line, parent) or 0, []).append(line)
        return lines

    # -- service orders ----------------------------------------------------------

    async def import_interventions(self) -> None:
        lines_of = self.lines_by_parent("llx_fichinterdet", "fk_fichinter")
        # The one who intervenes is the technician; else whoever follows it up.
        technicians = self.dump.people_on("fichinter", "INTERVENING")
        followers = self.dump.people_on("fichinter", "INTERREPFOLL")
        outside_projects = {
            _link(row, "fk_soc") or 0
            for row in self.dump.rows("llx_fichinter")
            if _link(row, "fk_projet") not in self.affairs
        }
        after_sales = await self.import_after_sales_affairs(outside_projects)

        def build(row: DumpRow) -> Record:
            rowid = _rowid(row)
            third_party = integer_of(row, "fk_soc") or 0
            project = integer_of(row, "fk_projet") or 0
            affair = self.affairs.get(project) or after_sales.get(third_party)
            status = SERVICE_ORDER_STATUS_OF_INTERVENTION.get(integer_of(row, "fk_statut") or 0)
            if affair is None:
                raise SkipRow("neither its project nor its third party was imported")
            if status is None:
                raise SkipRow(f"unknown intervention status {text_of(row, 'fk_statut')}")

            ref = text_of(row, "ref") or f"DOLIBARR-{rowid}"
            summary = plain_text_of(row, "description")
            lines = lines_of.get(rowid, [])
            details = "\n".join(filter(None, map(_intervention_line, lines)))
            visits = [visit for line in lines if (visit := instant_of(line, "date"))]
            people = technicians.get(rowid, []) + followers.get(rowid, [])
            return _record(
                "llx_fichinter",
                rowid,
                number=ref,
                affair_id=affair,
                customer_id=self.customers.get(third_party),
                site_id=self.sites.get(third_party),
                technician_id=self.first_user(people),
                status=status,
                title=(summary or ref).splitlines()[0][:TITLE_LENGTH],
                description="\n\n".join(filter(None, [summary, details])) or None,
                scheduled_start=day_start_of(row, "datei")
                or day_start_of(row, "dateo")
                or min(visits, default=None),
                planned_minutes=minutes_of(row, "duree") or None,
            )

        orders = self.records("llx_fichinter", build)
        await self.writer.write("service_order", ServiceOrder, orders, unique="number")

    async def import_after_sales_affairs(self, third_parties: set[int]) -> dict[int, uuid.UUID]:
        """Each customer's after-sales affair, ``SAV-<customer code>``, by third party.

        An affair that already holds the code (made by hand) is used as it is.
        """
        codes = {
            rowid: f"SAV-{text_of(self.customer_rows[rowid], 'code_client') or rowid}"
            for rowid in sorted(third_parties & set(self.customers))
        }
        holders = await self.writer.owners(Affair, "code", codes.values())

        made_by_hand: dict[int, uuid.UUID] = {}
        records: list[Record] = []
        for rowid, code in codes.items():
            record = _record(
                "llx_societe",
                rowid,
                "sav",
                first={"status": AffairStatus.OPEN},
                code=code,
                title=f"Après-vente {text_of(self.customer_rows[rowid], 'nom') or code}",
                kind=AffairKind.SERVICE,
                customer_id=self.customers[rowid],
                site_id=self.sites.get(rowid),
            )
            if holders.get(code, record.key) == record.key:
                records.append(record)
            else:
                made_by_hand[rowid] = holders[code]

        kept = await self.writer.write("affair", Affair, records)
        return made_by_hand | {record.rowid: record.key for record in kept}

    # -- time ----------------------------------------------------------------------

    async def import_time(self) -> None:
        """Time spent on tasks, within the rules a person's own entries meet:
        no day over 24 hours, nothing written into an approved week."""

        def build(row: DumpRow) -> Record:
            rowid = _rowid(row)
            element_type = text_of(row, "elementtype") or "task"
            task = self.actions.get(integer_of(row, "fk_element") or 0)
            user = self.users.get(integer_of(row, "fk_user") or 0)
            minutes = minutes_of(row, "element_duration")
            work_date = local_date_of(row, "element_date") or local_date_of(row, "element_datehour")
            if element_type != "task":
                raise SkipRow(f"time spent on a {element_type}, not on a project task")
            if task is None:
                raise SkipRow("its task was not imported")
            if user is None:
                raise SkipRow("its person was not imported")
            if not minutes:
                raise SkipRow("no time recorded (0 minutes)")
            if work_date is None:
                raise SkipRow("no date")

            # Entries typed without an hour carry noon or midnight: not a real start.
            with_hour = integer_of(row, "element_date_withhour") == 1
            starts_at = instant_of(row, "element_datehour") if with_hour else None
            action_id, affair_id = task
            return _record(
                "llx_element_time",
                rowid,
                user_id=user,
                affair_id=affair_id,
                action_id=action_id,
                work_date=work_date,
                minutes=minutes,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=minutes) if starts_at else None,
                time_zone=str(DOLIBARR_ZONE),
                note=plain_text_of(row, "note"),
            )

        entries = await self.within_a_day(self.records("llx_element_time", build))
        approved = await self.approved_weeks({record.values["user_id"] for record in entries})

        def locked(record: Record) -> str | None:
            week = week_of(record.values["work_date"])
            if (record.values["user_id"], week) in approved:
                return f"week {week} is approved: its time is locked"
            return None

        kept = await self.writer.write("time_entry", TimeEntry, entries, locked=locked)
        await self.refresh_week_totals(kept)

    async def within_a_day(self, entries: list[Record]) -> list[Record]:
        """The entries that keep each person's days within 24 hours, counting
        the time they already have in Affaires; the others are skipped."""
        importing = {record.key for record in entries}
        users = sorted({record.values["user_id"] for record in entries})
        booked: dict[tuple[uuid.UUID, dt.date], int] = {}
        for chunk in in_chunks(users):
            found = await self.session.execute(
                sa.select(TimeEntry.id, TimeEntry.user_id, TimeEntry.work_date, TimeEntry.minutes)
                .where(TimeEntry.user_id.in_(chunk), TimeEntry.deleted_at.is_(None))
            )  # fmt: skip
            for entry_id, user, day, minutes in found:
                if entry_id not in importing:
                    booked[(user, day)] = booked.get((user, day), 0) + minutes

        within: list[Record] = []
        for record in entries:
            user, day = record.values["user_id"], record.values["work_date"]
            total = booked.get((user, day), 0) + record.values["minutes"]
            if total > MAX_MINUTES_PER_DAY:
                reason = f"more than 24 hours on {day.isoformat()} for this person"
                self.skip(record.table, record.rowid, reason)
                continue
            booked[(user, day)] = total
            within.append(record)
        return within

    async def approved_weeks(self, users: set[uuid.UUID]) -> set[tuple[uuid.UUID, str]]:
        approved: set[tuple[uuid.UUID, str]] = set()
        for chunk in in_chunks(sorted(users)):
            found = await self.session.execute(
                sa.select(TimesheetWeek.user_id, TimesheetWeek.week).where(
                    TimesheetWeek.user_id.in_(chunk),
                    TimesheetWeek.status == WeekStatus.APPROVED,
                )
            )
            approved.update((user, week) for user, week in found)
        return approved

    async def refresh_week_totals(self, entries: list[Record]) -> None:
        """Keep true the totals of the weeks that exist already (a week is
        made when its person opens it; the import makes none)."""
        weeks = {(r.values["user_id"], week_of(r.values["work_date"])) for r in entries}
        for user, week in sorted(weeks, key=str):
            row = await find_week(self.session, user, week)
            if row is None:
                continue
            total = await week_total(self.session, user, week)
            if row.total_minutes != total:
                row.total_minutes = total
        await self.session.flush()


def _affair_state(
    row: DumpRow, lead_codes: dict[int, str]
) -> tuple[AffairKind, AffairStatus, str | None]:
    """Kind, status and stage of a project (see the module docstring)."""
    lead = integer_of(row, "fk_opp_status")
    stage = lead_codes.get(lead) if lead else None
    status = AFFAIR_STATUS_OF_PROJECT.get(integer_of(row, "fk_statut") or 0)
    if lead and not stage:
        raise SkipRow(f"unknown lead status {lead}")
    if status is None:
        raise SkipRow(f"unknown project status {text_of(row, 'fk_statut')}")

    is_opportunity = integer_of(row, "usage_opportunity") == 1 and stage != "WON"
    kind = AffairKind.OPPORTUNITY if is_opportunity else AffairKind.PROJECT
    if stage == "LOST":
        status = AffairStatus.LOST
    return kind, status, stage


def _intervention_line(line: DumpRow) -> str | None:
    """An intervention line as one line of the service order's description:
    ``- 2012-07-07 04:00, 60 min: what was done`` (Paris time)."""
    text = plain_text_of(line, "description")
    when = local_moment_of(line, "date")
    minutes = minutes_of(line, "duree")
    moment = when.strftime("%Y-%m-%d %H:%M") if when else None
    facts = ", ".join(filter(None, [moment, f"{minutes} min" if minutes else None]))
    if facts and text:
        return f"- {facts}: {text}"
    return f"- {facts or text}" if facts or text else None


def _record(
    table: str, rowid: int, *part: str, first: dict[str, Any] | None = None, **values: Any
) -> Record:
    """A record of the row ``table``/``rowid`` (``part`` names a second record
    made from the same row), with its derived id and external reference."""
    values["external_ref"] = ":".join([SOURCE, table, str(rowid), *part])
    return Record(table, rowid, _derived(table, rowid, *part), values, first or {})


def _derived(table: str, rowid: int, *part: str) -> uuid.UUID:
    return derived_id(SOURCE, table, rowid, *part)


def _link(row: DumpRow, column: str) -> int | None:
    """A rowid a row points to, for indexes: an unreadable link links nothing."""
    try:
        return integer_of(row, column)
    except SkipRow:
        return None


def _rowid(row: DumpRow) -> int:
    rowid = _rowid_or_none(row)
    assert rowid is not None, "rows come from _Dump.rows, which checks their rowid"
    return rowid


def _rowid_or_none(row: DumpRow) -> int | None:
    value = row.get("rowid")
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) else None
