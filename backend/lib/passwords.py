"""Password hashing with argon2id; never a home-made hash."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# Verifying against this when the account does not exist keeps the time of
# a failed login the same whether or not the e-mail is known.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash("no account has this password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash costs the same time."""
    try:
        return _hasher.verify(password_hash or _UNKNOWN_ACCOUNT_HASH, password) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False
