"""Which database faults are whose: the request's, or a passing one."""

from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from backend.db.week_lock import is_week_locked

# Messages of database faults that pass: the work is retried whole.
_TRANSIENT_MARKERS = ("database is locked", "database is busy", "deadlock", "could not serialize")
# SQLSTATE class 22, "data exception": a value the database will not store
# (a NUL in a text, a number out of range), whatever the driver calls it.
_DATA_EXCEPTION_CLASS = "22"


def is_transient(exc: BaseException) -> bool:
    """A fault that passes (database busy, deadlock, lost connection)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, IntegrityError) and is_week_locked(exc):
        # A week approved by another writer between our look at it and our
        # write (PostgreSQL): done again, the work meets the lock where the
        # services explain it (a ``locked`` conflict naming the approver).
        return True
    text = str(exc).lower()
    return isinstance(exc, OperationalError | DBAPIError) and any(
        marker in text for marker in _TRANSIENT_MARKERS
    )


def is_unstorable(exc: BaseException) -> bool:
    """A value the database refuses to store: the request's fault."""
    if isinstance(exc, DataError):
        return True
    state = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return isinstance(exc, DBAPIError) and str(state or "").startswith(_DATA_EXCEPTION_CLASS)
