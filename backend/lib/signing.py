"""The server's secret, and the per-person tokens signed with it.

A token is an HMAC-SHA256 of a purpose, a person's id and the person's
key (none until a first renewal) under the server's secret: the server
recomputes it to check a URL. A new key for one person changes that
person's tokens alone; changing the secret changes every token (every
calendar subscription must then be made again).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import hmac
import os
import secrets
import uuid
from pathlib import Path

SECRET_BYTES = 32
# 24 of the HMAC's 32 bytes: 192 bits, 32 characters in a URL.
TOKEN_BYTES = 24


def server_secret(key: str, file: Path) -> bytes:
    """``key`` when set; otherwise the secret kept in ``file``, made at
    first use (readable by the server's account only). Server processes
    sharing the file share the secret."""
    if key:
        return key.encode("utf-8")
    return _secret_in_file(file.resolve())


@functools.cache
def _secret_in_file(file: Path) -> bytes:
    with contextlib.suppress(FileExistsError):
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(SECRET_BYTES))
    secret = file.read_text().strip()
    if not secret:
        raise RuntimeError(f"the secret file {file} is empty")
    return secret.encode("utf-8")


def person_token(secret: bytes, purpose: str, person_id: uuid.UUID, key: str = "") -> str:
    message = f"{purpose}:{person_id}:{key}".encode() if key else f"{purpose}:{person_id}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def is_person_token(
    secret: bytes, purpose: str, person_id: uuid.UUID, token: str, key: str = ""
) -> bool:
    expected = person_token(secret, purpose, person_id, key)
    return hmac.compare_digest(expected.encode("ascii"), token.encode("utf-8", "replace"))


def new_key() -> str:
    """A fresh per-person key (43 URL-safe characters)."""
    return secrets.token_urlsafe(SECRET_BYTES)
