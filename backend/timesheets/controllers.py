"""Payroll and billing exports over HTTP: CSV or XLSX files to download."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import QueryParameter

from backend.dependencies import Db, SignedIn
from backend.lib.http import request_language
from backend.lib.spreadsheets import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    Table,
    to_csv,
    to_xlsx,
)
from backend.timesheets.exports import billing, billing_table, payroll, payroll_table

FileFormat = Literal["csv", "xlsx"]
# Dates as text, read by the service, so a bad one is named as the query
# names it ("from", "to") in the error's details.
First = Annotated[
    str, QueryParameter(name="from", description="First work date, included (YYYY-MM-DD).")
]
Last = Annotated[
    str, QueryParameter(name="to", description="Last work date, included (YYYY-MM-DD).")
]
# The decimal mark of each language's spreadsheet apps (the separator is
# always ";": see backend/lib/spreadsheets.py).
DECIMAL_MARKS = {"fr": ",", "en": "."}


def _download(table: Table, name: str, file_format: FileFormat, language: str) -> Response[bytes]:
    if file_format == "xlsx":
        content, media_type = to_xlsx(table), XLSX_MEDIA_TYPE
    else:
        content = to_csv(table, decimal_mark=DECIMAL_MARKS.get(language, "."))
        media_type = CSV_MEDIA_TYPE
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{file_format}"',
            "Cache-Control": "no-store",
        },
    )


class ExportController(Controller):
    path = "/api/exports"

    @get("/payroll")
    async def payroll(
        self,
        request: Request[Any, Any, State],
        actor: SignedIn,
        db: Db,
        first: First,
        last: Last,
        file_format: Annotated[FileFormat, QueryParameter(name="format")] = "csv",
    ) -> Response[bytes]:
        """Each employee's time and cost in the period, approved or not."""
        language = request_language(request)
        async with db.reading() as session:
            period, lines = await payroll(session, actor, first, last)
        table = payroll_table(lines, language)
        return _download(table, f"payroll_{period.slug}", file_format, language)

    @get("/billing")
    async def billing(
        self,
        request: Request[Any, Any, State],
        actor: SignedIn,
        db: Db,
        first: First,
        last: Last,
        file_format: Annotated[FileFormat, QueryParameter(name="format")] = "csv",
    ) -> Response[bytes]:
        """Each affair's hours and labour cost in the period."""
        language = request_language(request)
        async with db.reading() as session:
            period, lines = await billing(session, actor, first, last)
        table = billing_table(lines, language)
        return _download(table, f"billing_{period.slug}", file_format, language)
