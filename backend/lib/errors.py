"""The one error tree of the application.

Every refusal the server makes is an ``AppError``: it carries a stable
``code`` the PWA can translate, an HTTP status, and ``details`` naming the
field or the record at fault. Services raise these; one handler in
``backend.app`` turns them into the JSON error shape
``{"code", "message", "details"}``. Services never raise HTTP exceptions.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """Base of every error the application answers on purpose."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str = "", *, code: str | None = None, **details: Any) -> None:
        super().__init__(message or self.code)
        self.message = message or self.code
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.details = details


class InvalidInput(AppError):
    """The request body or a parameter does not have the expected shape."""

    status = 400
    code = "invalid_input"


class Unauthenticated(AppError):
    status = 401
    code = "unauthenticated"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    """The request is well formed but the record's state refuses it."""

    status = 409
    code = "conflict"


class RuleBroken(AppError):
    """A business rule refuses the change whatever the order of events."""

    status = 422
    code = "rule_broken"


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"


class TooLarge(AppError):
    status = 413
    code = "too_large"


class TooManyAttempts(AppError):
    """Too many failures in a short time; ``details["retry_after"]`` says when."""

    status = 429
    code = "too_many_attempts"


class UpgradeRequired(AppError):
    status = 426
    code = "upgrade_required"


class ServiceUnavailable(AppError):
    """A transient fault (database busy): the client retries later."""

    status = 503
    code = "unavailable"
