"""Logs never carry what a request held: no locals in tracebacks."""

from __future__ import annotations

import io
import sys

import pytest
import structlog

from backend.lib.logging import configure_logging


@pytest.mark.parametrize("json", [False, True])
def test_a_crash_is_logged_without_local_values(
    capsys: pytest.CaptureFixture[str], json: bool
) -> None:
    configure_logging("info", json=json)
    logger = structlog.get_logger()

    # Built at run time, as a request's values are: the source lines that a
    # traceback quotes never hold them.
    password = "-".join(["Sup3r", "S3cret!"])
    cookie = "=".join(["affaires_session", "token-value"])

    def sign_in(password: str, cookie: str) -> None:
        raise RuntimeError(f"failed after {len(password) + len(cookie)} characters")

    try:
        sign_in(password, cookie)
    except RuntimeError:
        logger.exception("request.crashed")

    logged = capsys.readouterr().err
    assert "request.crashed" in logged
    assert "RuntimeError" in logged
    assert password not in logged
    assert cookie not in logged


def test_a_log_line_outlives_the_stream_logging_started_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A test runner's capture, or a daemon's redirection, replaces and
    # closes the stream that was there when logging was set up.
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging("info", json=True)
    first.close()
    now = io.StringIO()
    monkeypatch.setattr(sys, "stderr", now)

    structlog.get_logger().info("demo.loaded")

    assert "demo.loaded" in now.getvalue()
