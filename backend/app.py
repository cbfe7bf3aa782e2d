"""create_app: the only place that wires the application together."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
import structlog
from litestar import Litestar, Request, Response
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from sqlalchemy.exc import DBAPIError

from backend.affairs.controllers import AffairController, CalendarController
from backend.aftersales import mutators as aftersales_mutators
from backend.aftersales.contract_controllers import ContractController
from backend.aftersales.contracts import plan_visits_daily
from backend.aftersales.controllers import ChecklistTemplateController, QualityController
from backend.aftersales.equipment_controllers import EquipmentController
from backend.aftersales.report_controllers import ServiceReportController
from backend.aftersales.vouchers.controllers import VoucherController
from backend.appshell.controllers import current_build, pwa_files, service_worker
from backend.db.engine import Database, open_database
from backend.db.faults import is_transient, is_unstorable
from backend.lib.errors import AppError, UpgradeRequired
from backend.lib.http import (
    ErrorBody,
    error_response,
    guard_browser_request,
    handle_app_error,
    handle_http_error,
    handle_unexpected,
    request_language,
)
from backend.lib.i18n import translate
from backend.lib.logging import configure_logging
from backend.notify.controllers import EVENTS_PATH, sync_events
from backend.notify.feed import ChangeFeed, listen_for_changes
from backend.notify.hub import PokeHub
from backend.offline import mutators as offline_mutators
from backend.offline.controllers import (
    BlobController,
    ConflictController,
    DeviceController,
    SyncController,
)
from backend.offline.horizon import purge_tombstones
from backend.people.auth import provide_actor
from backend.people.controllers import (
    AuthController,
    RateController,
    TimeApproverController,
    WorkCalendarController,
)
from backend.settings import Settings
from backend.timesheets import mutators as timesheet_mutators
from backend.timesheets.controllers import (
    ActivityController,
    ExportController,
    PlanningController,
    QueueController,
    ReminderController,
)
from backend.timesheets.services import TimeRules
from sync.outcomes import Conflicted, Rejected
from sync.registry import MutatorRegistry

logger = structlog.get_logger()

# The app's own scripts and styles only; no inline code, no other origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def build_mutators(settings: Settings | None = None) -> MutatorRegistry:
    """Every context registers its own mutators here, with the company's
    rules from ``settings``."""
    registry = MutatorRegistry()
    timesheet_mutators.register(registry, TimeRules.of(settings or Settings()))
    aftersales_mutators.register(registry)
    offline_mutators.register(registry)
    return registry


class UpgradeBody(msgspec.Struct):
    """The error shape, with the oldest schema accepted where the protocol
    puts it (PROTOCOL.md, Versions and upgrades)."""

    code: str
    message: str
    details: dict[str, Any]
    min_schema: int


def _upgrade_required(
    request: Request[Any, Any, Any], exc: UpgradeRequired
) -> Response[UpgradeBody]:
    logger.info("request.refused", path=request.url.path, code=exc.code, status=exc.status)
    details = dict(exc.details)
    message = translate(exc.code, request_language(request), details)
    return Response(
        UpgradeBody(exc.code, message, details, int(details["min_schema"])),
        status_code=exc.status,
    )


def _rule_refused(request: Request[Any, Any, Any], exc: Rejected) -> Response[ErrorBody]:
    return error_response(request, 422, exc.code, dict(exc.fields))


def _conflicted(request: Request[Any, Any, Any], exc: Conflicted) -> Response[ErrorBody]:
    return error_response(request, 409, exc.code, {"kind": exc.kind, **exc.fields})


def _database_fault(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[ErrorBody]:
    """A value the database will not store is bad input; a busy database
    passes; anything else is the server's fault."""
    if is_unstorable(exc):
        return error_response(request, 400, "invalid_input", {"reason": "a value cannot be stored"})
    if is_transient(exc):
        return error_response(request, 503, "unavailable", {})
    return handle_unexpected(request, exc)


async def _add_security_headers(response: Response[Any]) -> Response[Any]:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


PURGE_EVERY = dt.timedelta(days=1)


async def _purge_daily(db: Database, settings: Settings) -> None:
    """Purge old tombstones at start-up, then once a day."""
    horizon = dt.timedelta(days=settings.tombstone_days)
    while True:
        try:
            await purge_tombstones(db, horizon)
        except DBAPIError as exc:
            # A busy database tomorrow is no reason to stop serving today.
            logger.warning("sync.purge_failed", error=type(exc).__name__)
        await asyncio.sleep(PURGE_EVERY.total_seconds())


def create_app(settings: Settings | None = None, database: Database | None = None) -> Litestar:
    """The application for ``settings``; ``database`` may be given by tests."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level, json=settings.log_json)
    db = database or open_database(settings.database_url)
    mutators = build_mutators(settings)
    pokes = PokeHub()
    feed = ChangeFeed(db, pokes)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pokes.start()
        db.after_commit.append(feed.changes_committed)
        tasks = [asyncio.create_task(feed.run())]
        if settings.daily_tasks:
            tasks.append(asyncio.create_task(_purge_daily(db, settings)))
            tasks.append(asyncio.create_task(plan_visits_daily(db, settings)))
        if not db.is_sqlite:
            # Other server processes' writes reach this one's streams.
            tasks.append(asyncio.create_task(listen_for_changes(settings.database_url, feed)))
        try:
            yield
        finally:
            pokes.close()
            db.after_commit.remove(feed.changes_committed)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if database is None:
                await db.dispose()

    return Litestar(
        route_handlers=[
            AuthController,
            SyncController,
            ConflictController,
            BlobController,
            DeviceController,
            AffairController,
            PlanningController,
            WorkCalendarController,
            RateController,
            TimeApproverController,
            CalendarController,
            ExportController,
            QueueController,
            ReminderController,
            ActivityController,
            ServiceReportController,
            ContractController,
            VoucherController,
            EquipmentController,
            ChecklistTemplateController,
            QualityController,
            sync_events,
            service_worker,
            current_build,
            pwa_files(settings),
        ],
        dependencies={
            "db": Provide(lambda: db, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "mutators": Provide(lambda: mutators, sync_to_thread=False),
            "feed": Provide(lambda: feed, sync_to_thread=False),
            "actor": Provide(provide_actor),
        },
        exception_handlers={
            UpgradeRequired: _upgrade_required,
            AppError: handle_app_error,
            Rejected: _rule_refused,
            Conflicted: _conflicted,
            DBAPIError: _database_fault,
            HTTPException: handle_http_error,
            Exception: handle_unexpected,
        },
        before_request=guard_browser_request,
        after_request=_add_security_headers,
        state=State({"db": db, "settings": settings, "pokes": pokes}),
        lifespan=[lifespan],
        # Photos are compressed already: gzip would only spend the CPU.
        # Pokes are a few bytes that must leave at once: never compressed.
        # Level 6, not the highest: a page of a thousand changes is 1 %
        # bigger and compressed five times faster (bench/README.md, pulls).
        compression_config=CompressionConfig(
            backend="gzip",
            minimum_size=500,
            exclude=["/api/blobs", EVENTS_PATH],
            gzip_compress_level=6,
        ),
        # The schema as JSON only: the interactive viewers load their assets
        # from other origins, which this server's policy does not allow.
        openapi_config=OpenAPIConfig(
            title="Affaires",
            version="0.1.0",
            path="/api/schema",
            render_plugins=[JsonRenderPlugin()],
        ),
        request_max_body_size=8 * 1024 * 1024,
        debug=False,
    )
