"""The HTTP edge: the one error shape, JSON bodies, the browser's guards."""

from __future__ import annotations

import gzip
import re
import zlib
from typing import Any, TypeVar

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from backend.lib.errors import AppError, InvalidInput, TooLarge, UnsupportedMediaType
from backend.lib.i18n import pick_language, translate

logger = structlog.get_logger()

T = TypeVar("T")

_HTTP_CODES = {
    400: "invalid_input",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "unavailable",
}

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ErrorBody(msgspec.Struct):
    """The one shape of every error the server answers."""

    code: str
    message: str
    details: dict[str, Any]


def request_language(request: Request[Any, Any, Any]) -> str:
    preferred = getattr(request.state, "language", None)
    return pick_language(request.headers.get("accept-language"), preferred)


def error_response(
    request: Request[Any, Any, Any], status: int, code: str, details: dict[str, Any]
) -> Response[ErrorBody]:
    message = translate(code, request_language(request), details)
    return Response(ErrorBody(code=code, message=message, details=details), status_code=status)


def handle_app_error(request: Request[Any, Any, Any], exc: AppError) -> Response[ErrorBody]:
    logger.info("request.refused", path=request.url.path, code=exc.code, status=exc.status)
    response = error_response(request, exc.status, exc.code, dict(exc.details))
    if "retry_after" in exc.details:
        response.headers["Retry-After"] = str(exc.details["retry_after"])
    return response


def handle_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    """Litestar's own refusals (bad body, unknown route) in our shape."""
    status = exc.status_code
    details: dict[str, Any] = {}
    if isinstance(exc, ValidationException):
        details = _validation_details(exc)
    elif status == 400 or status == 413:
        details = {"reason": exc.detail}
    code = _HTTP_CODES.get(status, "http_error")
    gone = not request.is_connected or "disconnected" in str(exc.detail)
    if status >= 500 and gone:
        # The device went away mid-body (a phone losing its network): it
        # will send again; no fault of the server, and nobody to answer.
        logger.info("request.abandoned", path=request.url.path)
    elif status >= 500:
        logger.error("request.failed", path=request.url.path, status=status)
    return error_response(request, status, code, details)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    """Last resort: log the fault for the operator, show no stack trace.

    JSON nested too deep to decode is the request's fault, not the server's.
    """
    if isinstance(exc, RecursionError):
        return error_response(request, 400, "invalid_input", {"reason": "nested too deeply"})
    logger.exception("request.crashed", path=request.url.path, error=type(exc).__name__)
    return error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", {})


# Litestar's words for a parameter left out of the request.
MISSING_PARAMETER = re.compile(r"Missing required \w+ parameter '(?P<name>[^']+)'")


def _validation_details(exc: ValidationException) -> dict[str, Any]:
    details: dict[str, Any] = {"reason": exc.detail}
    extra = exc.extra
    if isinstance(extra, list) and extra and isinstance(extra[0], dict):
        first = extra[0]
        details["reason"] = str(first.get("message", exc.detail))
        if "key" in first:
            details["field"] = first["key"]
    missing = MISSING_PARAMETER.match(str(details["reason"]))
    if missing and "field" not in details:
        details["reason"] = f"Missing required parameter '{missing['name']}'"
        details["field"] = missing["name"]
    return details


def decode_body(raw: bytes, body_type: type[T], *, max_bytes: int, encoding: str | None) -> T:
    """A JSON body, gunzipped when sent so, checked against ``body_type``.

    Too large (before or after inflating) is ``TooLarge``; anything that is
    not the expected shape is ``InvalidInput`` naming the field.
    """
    if len(raw) > max_bytes:
        raise TooLarge("too_large", reason=f"at most {max_bytes} bytes")
    encoding = (encoding or "identity").strip().lower()
    if encoding == "gzip":
        raw = _gunzip(raw, max_bytes)
    elif encoding != "identity":
        raise UnsupportedMediaType(
            "unsupported_encoding", code="unsupported_encoding", expected="gzip or no encoding"
        )
    try:
        return msgspec.json.decode(raw, type=body_type)
    except msgspec.ValidationError as exc:
        raise InvalidInput("invalid_input", reason=str(exc)) from exc
    except msgspec.DecodeError as exc:
        raise InvalidInput("invalid_input", reason="the body is not JSON") from exc
    except RecursionError as exc:
        raise InvalidInput("invalid_input", reason="nested too deeply") from exc


async def read_body(request: Request[Any, Any, Any], *, max_bytes: int) -> bytes:
    """The raw body, refused with ``TooLarge`` as soon as it passes
    ``max_bytes`` (by its announced length, or while it streams in)."""
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > max_bytes:
        raise TooLarge("too_large", reason=f"at most {max_bytes} bytes")
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > max_bytes:
            raise TooLarge("too_large", reason=f"at most {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _gunzip(raw: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        inflated = inflater.decompress(raw, max_bytes + 1)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise InvalidInput("invalid_input", reason="the body is not valid gzip") from exc
    if len(inflated) > max_bytes or inflater.unconsumed_tail:
        raise TooLarge("too_large", reason=f"at most {max_bytes} bytes")
    if not inflater.eof:
        raise InvalidInput("invalid_input", reason="the body is not valid gzip")
    return inflated


async def guard_browser_request(request: Request[Any, Any, Any]) -> Response[ErrorBody] | None:
    """Cross-site request forgery guard for the API.

    The session cookie is SameSite=Strict, and every state-changing API call
    must be JSON (a cross-site HTML form cannot send that without a CORS
    preflight, which this server never grants) and, when the browser says
    where it comes from, come from this very origin.
    """
    if request.method not in UNSAFE_METHODS or not request.url.path.startswith("/api/"):
        return None
    origin = request.headers.get("origin")
    if origin and origin.rstrip("/") != f"{request.url.scheme}://{request.url.netloc}":
        return error_response(request, 403, "forbidden", {"reason": "cross-origin request"})
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" and not request.url.path.startswith("/api/blobs/"):
        return error_response(
            request, 415, "unsupported_media_type", {"expected": "application/json"}
        )
    return None
