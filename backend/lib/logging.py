"""Structured logging, configured once at start-up.

Events are fixed names with key-value fields. Callers never log personal
data (names, e-mails, free text) or payloads: ids and counts only.
"""

from __future__ import annotations

import logging
import sys

import structlog


class _StandardError:
    """Writes to whatever ``sys.stderr`` is at the time of each event.

    Holding the stream found at start-up breaks when that stream is later
    replaced and closed (a test runner's capture, a daemon's redirection):
    a log line must never be what fails a request.
    """

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "info", *, json: bool = False) -> None:
    """Route structlog and the standard library through one renderer."""
    numeric = logging.getLevelName(level.upper())
    # Tracebacks are printed plain: the console renderer's default lists the
    # local variables of every frame, and those hold request bodies, cookies
    # and passwords, which must never reach a log.
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            *([structlog.processors.format_exc_info] if json else []),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=_StandardError()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=numeric, stream=sys.stderr, format="%(name)s %(message)s")
    # Migrations say each step they take; an operator needs only problems.
    logging.getLogger("alembic").setLevel(max(numeric, logging.WARNING))
