"""Payroll and billing exports: figures, files, and who may download them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest

from backend.db.engine import Database
from backend.lib.time import week_of
from backend.people.services import set_rate
from sync.ids import uuid7
from tests.backend.conftest import Device
from tests.factories import Company

FIRST, LAST = dt.date(2026, 11, 2), dt.date(2026, 11, 29)
PERIOD = {"from": FIRST.isoformat(), "to": LAST.isoformat()}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Each line: who, affair ("main" or "other"), work date, minutes.
ENTRIES = [
    ("tech", "main", dt.date(2026, 11, 3), 90),  # 40.00 EUR/h -> 60.00
    ("tech", "main", dt.date(2026, 11, 12), 120),  # 50.00 EUR/h -> 100.00
    ("tech", "main", dt.date(2026, 11, 26), 45),  # 60.00 EUR/h -> 45.00
    ("tech", "main", dt.date(2026, 11, 30), 60),  # after the period
    ("tech", "main", dt.date(2026, 11, 1), 60),  # before the period
    ("employee", "main", dt.date(2026, 11, 5), 60),  # 40.00 EUR/h -> 40.00
    ("outsider", "other", dt.date(2026, 11, 10), 100),  # 40.00 EUR/h -> 66.666.. -> 66.67
]


async def record_time(device_of: Any, company: Company, db: Database) -> None:
    """The entries above; the tech's rate changes twice in the period and
    the weeks of 3 and 12 November are approved."""
    async with db.writing() as session:
        await set_rate(session, company.users["tech"], dt.date(2026, 11, 11), 5000)
        await set_rate(session, company.users["tech"], dt.date(2026, 11, 25), 6000)
    devices: dict[str, Device] = {}
    for who, affair, day, minutes in ENTRIES:
        if who not in devices:
            devices[who] = await device_of(who)
        result = await devices[who].send(
            "time_entry.put",
            {
                "id": str(uuid7()),
                "affair_id": str(
                    company.affair_id if affair == "main" else company.other_affair_id
                ),
                "work_date": day.isoformat(),
                "minutes": minutes,
            },
        )
        assert result["status"] == "applied", result
    supervisor = await device_of("supervisor")
    for day in (dt.date(2026, 11, 3), dt.date(2026, 11, 12)):
        await devices["tech"].send("timesheet.submit", {"week": week_of(day)})
        result = await supervisor.send(
            "timesheet.approve", {"user_id": str(company.users["tech"]), "week": week_of(day)}
        )
        assert result["status"] == "applied", result


async def download(
    device: Device, what: str, file_format: str = "csv", language: str = "en", **period: str
) -> Any:
    response = await device.client.get(
        f"/api/exports/{what}",
        params={**(period or PERIOD), "format": file_format},
        headers={"Accept-Language": language},
    )
    assert response.status_code == 200, response.text
    return response


def fields(line: str) -> list[str]:
    """A CSV line as written in these tests, as the list of its fields."""
    return line.split(";")


def csv_rows(response: Any) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


async def test_payroll_costs_each_day_at_the_rate_valid_that_day(
    device_of: Any, company: Company, db: Database
) -> None:
    await record_time(device_of, company, db)
    admin = await device_of("admin")
    # A rise decided later starts later: approved November keeps its cost.
    async with db.writing() as session:
        await set_rate(session, company.users["tech"], dt.date(2026, 12, 1), 9000)

    response = await download(admin, "payroll")

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="payroll_2026-11-02_2026-11-29.csv"'
    )
    header, *people, totals = csv_rows(response)
    assert header[:5] == [
        "Employee",
        "E-mail",
        "Approved minutes",
        "Approved hours",
        "Approved cost (EUR)",
    ]
    # name; email; approved min, h, EUR; not approved min, h, EUR; total min, h, EUR; unrated
    assert people == [
        fields("Employee;employee@test.example;0;0.00;0.00;60;1.00;40.00;60;1.00;40.00;0"),
        fields("Outsider;outsider@test.example;0;0.00;0.00;100;1.67;66.67;100;1.67;66.67;0"),
        fields("Tech;tech@test.example;210;3.50;160.00;45;0.75;45.00;255;4.25;205.00;0"),
    ]
    assert totals == fields("Total;;210;3.50;160.00;205;3.42;151.67;415;6.92;311.67;0")


async def test_billing_gives_each_affair_its_hours_and_cost(
    device_of: Any, company: Company, db: Database
) -> None:
    await record_time(device_of, company, db)
    manager = await device_of("manager")

    response = await download(manager, "billing")

    assert response.headers["content-disposition"] == (
        'attachment; filename="billing_2026-11-02_2026-11-29.csv"'
    )
    header, *affairs, totals = csv_rows(response)
    assert header[:3] == ["Affair", "Title", "Customer"]
    assert affairs == [
        fields(
            "AFF-1;Boiler upkeep;Bakery Fournier;210;3.50;160.00;105;1.75;85.00;315;5.25;245.00;0"
        ),
        fields("AFF-2;Elsewhere;Bakery Fournier;0;0.00;0.00;100;1.67;66.67;100;1.67;66.67;0"),
    ]
    assert totals == fields("Total;;;210;3.50;160.00;205;3.42;151.67;415;6.92;311.67;0")


async def test_french_csv_has_french_headers_and_decimal_commas(
    device_of: Any, company: Company, db: Database
) -> None:
    await record_time(device_of, company, db)
    admin = await device_of("admin")

    header, *_, totals = csv_rows(await download(admin, "payroll", language="fr"))

    assert header[0] == "Salarié"
    assert header[4] == "Coût validé (EUR)"
    assert totals[3:6] == ["3,50", "160,00", "205"]


async def test_xlsx_has_numbers_a_bold_header_and_a_totals_row(
    device_of: Any, company: Company, db: Database
) -> None:
    await record_time(device_of, company, db)
    admin = await device_of("admin")

    response = await download(admin, "billing", "xlsx")

    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == (
        'attachment; filename="billing_2026-11-02_2026-11-29.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["Affair", "Title", "Customer", "Approved minutes"]
    assert rows[1][:6] == ["AFF-1", "Boiler upkeep", "Bakery Fournier", 210, 3.5, 160]
    assert rows[2][6:9] == [100, 1.67, pytest.approx(66.67)]
    assert rows[3][:3] == ["Total", None, None]
    assert rows[3][3:11] == [210, 3.5, 160, 205, 3.42, pytest.approx(151.67), 415, 6.92]
    assert rows[3][11:] == [pytest.approx(311.67), 0]
    assert all(isinstance(value, int | float) for value in rows[3][3:])
    assert all(cell.font.bold for cell in sheet[1])
    assert all(cell.font.bold for cell in sheet[4])
    assert not sheet["A2"].font.bold
    assert sheet["E2"].number_format == "0.00"
    assert sheet["F2"].number_format == "#,##0.00"
    assert sheet.column_dimensions["B"].width == 36
    assert sheet.freeze_panes == "A2"


async def test_text_that_looks_like_a_formula_stays_text(
    device_of: Any, company: Company, db: Database
) -> None:
    from backend.db.models import Affair

    async with db.writing() as session:
        affair = await session.get(Affair, company.affair_id)
        assert affair is not None
        affair.title = "=HYPERLINK(1)"
    await record_time(device_of, company, db)
    admin = await device_of("admin")

    _, first_affair, *_ = csv_rows(await download(admin, "billing"))
    sheet = openpyxl.load_workbook(io.BytesIO((await download(admin, "billing", "xlsx")).content))

    assert first_affair[1] == "'=HYPERLINK(1)"
    assert sheet.active is not None
    assert sheet.active["B2"].data_type == "s"
    assert sheet.active["B2"].value == "=HYPERLINK(1)"


async def test_a_supervisor_exports_their_team_and_the_affairs_they_see(
    device_of: Any, company: Company, db: Database
) -> None:
    await record_time(device_of, company, db)
    supervisor = await device_of("supervisor")

    _, *people, _ = csv_rows(await download(supervisor, "payroll"))
    _, *affairs, _ = csv_rows(await download(supervisor, "billing"))

    assert [row[0] for row in people] == ["Employee", "Tech"]
    assert [row[0] for row in affairs] == ["AFF-1"]


async def test_an_empty_period_has_only_the_header_and_zero_totals(
    device_of: Any, company: Company
) -> None:
    admin = await device_of("admin")

    rows = csv_rows(await download(admin, "payroll", **{"from": "2020-01-01", "to": "2020-01-31"}))

    assert len(rows) == 2
    assert rows[1][:4] == ["Total", "", "0", "0.00"]


@pytest.mark.parametrize("what", ["payroll", "billing"])
@pytest.mark.parametrize("someone", ["tech", "employee", "sales", "outsider"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
async def test_exports_refuse_who_may_not_read_costs(
    device_of: Any, company: Company, what: str, someone: str, file_format: str
) -> None:
    device = await device_of(someone)

    response = await device.client.get(
        f"/api/exports/{what}", params={**PERIOD, "format": file_format}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert set(response.json()) == {"code", "message", "details"}


@pytest.mark.parametrize("what", ["payroll", "billing"])
async def test_exports_need_a_session(app_client: Any, company: Company, what: str) -> None:
    response = await app_client.get(f"/api/exports/{what}", params=PERIOD)

    assert response.status_code == 401


@pytest.mark.parametrize("what", ["payroll", "billing"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-11-30", "to": "2026-11-02"}, "to"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "to"),
        ({"to": "2026-11-02"}, "from"),
        ({"from": "2026-11-02", "to": "soon"}, "to"),
        ({"from": "2026-11-2", "to": "2026-11-30"}, "from"),
        ({**PERIOD, "format": "pdf"}, "format"),
    ],
)
async def test_exports_refuse_a_bad_period_or_format(
    device_of: Any, company: Company, what: str, query: dict[str, str], field: str
) -> None:
    admin = await device_of("admin")

    response = await admin.client.get(f"/api/exports/{what}", params=query)

    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "invalid_input"
    assert set(body) == {"code", "message", "details"}
    assert body["details"].get("field") == field, body["details"]


async def test_a_whole_leap_year_is_allowed(device_of: Any, company: Company) -> None:
    admin = await device_of("admin")

    response = await admin.client.get(
        "/api/exports/payroll", params={"from": "2028-01-01", "to": "2028-12-31"}
    )

    assert response.status_code == 200, response.text
