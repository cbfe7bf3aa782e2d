"""Identifiers made without asking the server.

Devices create records offline with UUIDv7 keys (time-ordered, so index
pages stay warm); the server never renumbers them.
"""

from __future__ import annotations

import os
import time
import uuid

_MILLIS_MASK = (1 << 48) - 1
_RAND_B_MASK = (1 << 62) - 1


def uuid7() -> uuid.UUID:
    """A version 7 UUID: 48 bits of Unix milliseconds, then random bits."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & _MILLIS_MASK) << 80
    value |= 0x7 << 76
    value |= (rand & 0xFFF) << 64
    value |= 0b10 << 62
    value |= (rand >> 12) & _RAND_B_MASK
    return uuid.UUID(int=value)


# Records that two devices may create for the same thing offline (the answer
# to one checklist item, one person's week) get ids derived from what they
# are, so both devices name the same row.
DERIVED_NAMESPACE = uuid.UUID("6f1d7c52-8a4e-4b0e-9a57-0c6a1f4f2a11")


def derived_id(*parts: object) -> uuid.UUID:
    """A stable UUID (version 5) for the thing named by ``parts``."""
    return uuid.uuid5(DERIVED_NAMESPACE, "/".join(str(part) for part in parts))
