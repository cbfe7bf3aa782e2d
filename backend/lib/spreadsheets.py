"""Tables of figures written as CSV or XLSX, for spreadsheet apps.

A table holds integers only for its figures (minutes, cents): hours and
euros are made from them once, at the edge, so no float is ever summed.

CSV: UTF-8 with a byte order mark (so spreadsheet apps read accents
right), ``;`` between fields (what French spreadsheet apps expect, and
never a decimal mark), CRLF line ends, decimals with a comma in French
and a point in English, no thousands separator, no currency sign.

XLSX: figures are numbers (not text), with a bold header row, a bold
totals row, column widths set and the header frozen.
"""

from __future__ import annotations

import csv
import enum
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from backend.lib.money import MINUTES_PER_HOUR

CSV_SEPARATOR = ";"
BYTE_ORDER_MARK = "\ufeff"
# The server adds "; charset=utf-8" to text types.
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet app runs a cell starting with one of these as a formula:
# text from people (an affair's title) must never be run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HUNDREDTH = Decimal("0.01")


class Kind(enum.Enum):
    TEXT = "text"
    # A whole number as it is (minutes).
    COUNT = "count"
    # Minutes shown as hours with two decimals.
    HOURS = "hours"
    # Cents shown as euros with two decimals.
    EUROS = "euros"


Cell = str | int | None


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind
    # Width in characters, for the XLSX.
    width: int = 14


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    totals: list[Cell] | None = None


def hours(minutes: int) -> Decimal:
    """Minutes as hours, rounded half up to the hundredth."""
    return (Decimal(minutes) / MINUTES_PER_HOUR).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def euros(cents: int) -> Decimal:
    """Cents as euros, exactly."""
    return (Decimal(cents) / 100).quantize(HUNDREDTH)


def _value(kind: Kind, cell: Cell) -> str | int | Decimal | None:
    if cell is None or kind in (Kind.TEXT, Kind.COUNT):
        return cell
    assert isinstance(cell, int), "figures are integers: minutes or cents"
    return hours(cell) if kind is Kind.HOURS else euros(cell)


def _csv_text(value: str | int | Decimal | None, decimal_mark: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", decimal_mark)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def to_csv(table: Table, *, decimal_mark: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow([_csv_text(column.title, decimal_mark) for column in table.columns])
    lines = [*table.rows, table.totals] if table.totals is not None else table.rows
    for line in lines:
        writer.writerow(
            _csv_text(_value(column.kind, cell), decimal_mark)
            for column, cell in zip(table.columns, line, strict=True)
        )
    return (BYTE_ORDER_MARK + out.getvalue()).encode("utf-8")


NUMBER_FORMATS = {Kind.COUNT: "0", Kind.HOURS: "0.00", Kind.EUROS: "#,##0.00"}
BOLD = Font(bold=True)
# An XLSX sheet title: at most 31 characters, none of these.
SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = table.title.translate(SHEET_TITLE_FORBIDDEN)[:31]
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.title)
        cell.font = BOLD
        sheet.column_dimensions[cell.column_letter].width = column.width
    lines = [*table.rows, table.totals] if table.totals is not None else table.rows
    for row_number, line in enumerate(lines, start=2):
        for index, (column, raw) in enumerate(zip(table.columns, line, strict=True), start=1):
            cell = sheet.cell(row=row_number, column=index, value=_value(column.kind, raw))
            if isinstance(cell.value, str):
                # Text stays text, even when it starts like a formula.
                cell.data_type = "s"
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            if table.totals is not None and row_number == len(lines) + 1:
                cell.font = BOLD
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
