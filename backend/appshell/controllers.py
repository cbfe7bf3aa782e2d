"""Serving the PWA: its files, and the generated service worker."""

from __future__ import annotations

from litestar import Response, get
from litestar.router import Router
from litestar.static_files import create_static_files_router

from backend.appshell.services import WORKER_URL, app_shell
from backend.dependencies import AppSettings


@get(WORKER_URL, include_in_schema=False)
async def service_worker(settings: AppSettings) -> Response[bytes]:
    shell = app_shell(settings.pwa_dir)
    return Response(
        shell.worker,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@get("/api/build", include_in_schema=False)
async def current_build(settings: AppSettings) -> dict[str, str]:
    """The build the server holds, for the app's update check."""
    return {"build": app_shell(settings.pwa_dir).build}


def pwa_files(settings: AppSettings) -> Router:
    return create_static_files_router(
        path="/",
        directories=[settings.pwa_dir],
        html_mode=True,
        include_in_schema=False,
        name="pwa",
        cache_control=None,
    )
