"""The service report over HTTP."""

from __future__ import annotations

import uuid
from functools import cache
from importlib import resources
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import FromPath

from backend.aftersales.report import render_report, service_report
from backend.dependencies import Db, SignedIn
from backend.lib.http import request_language


@cache
def _report_style() -> str:
    return resources.files("backend").joinpath("templates/report.css").read_text("utf-8")


class ServiceReportController(Controller):
    path = "/api/service-orders"

    @get("/{order_id:uuid}/report", media_type="text/html")
    async def report(
        self,
        request: Request[Any, Any, State],
        order_id: FromPath[uuid.UUID],
        actor: SignedIn,
        db: Db,
    ) -> str:
        """The printable service report, in the reader's language."""
        async with db.reading() as session:
            report = await service_report(session, actor, order_id, request_language(request))
        return render_report(report)

    @get("/report.css", media_type="text/css")
    async def style(self) -> Response[str]:
        return Response(_report_style(), headers={"Cache-Control": "max-age=3600"})
