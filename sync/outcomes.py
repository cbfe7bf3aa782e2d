"""How a mutator says that a change did not apply as sent.

A mutator returns None when the change is applied as sent. It raises
``Rejected`` when the change breaks a rule whatever the order of events
(more than 24 hours in a day), and ``Conflicted`` when the world moved
since the device's ``base`` (the record was deleted, the week approved):
the engine rolls the mutation back and the store keeps both sides. When
part of a change applied and part lost to a later change, the mutator
keeps the losing part itself and returns ``Kept``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


class Rejected(Exception):
    """The change can never apply; ``code`` says why, ``fields`` fill the message."""

    def __init__(self, code: str, **fields: Any) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields


@dataclass
class Conflicted(Exception):
    """The change is kept as a conflict record instead of being applied.

    ``kind`` is the protocol's word for the case (``locked``...); ``code``
    picks the message that explains it to a person, filled from ``fields``.
    """

    kind: str
    entity_type: str
    entity_id: uuid.UUID | None
    code: str
    affair_id: uuid.UUID | None = None
    server_value: Any = None
    device_value: Any = None
    server_version: int | None = None
    server_author_id: uuid.UUID | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.code)


@dataclass(frozen=True)
class Kept:
    """Applied in part: the device's losing values are in conflict ``conflict_id``."""

    conflict_id: uuid.UUID
    kind: str
    code: str
    fields: dict[str, Any] = field(default_factory=dict)


# Conflict kinds of PROTOCOL.md, Merge rules.
LOCKED = "locked"
DELETE_VS_UPDATE = "delete_vs_update"
PARENT_DELETED = "parent_deleted"
CONCURRENT_UPDATE = "concurrent_update"
DUPLICATE_ID = "duplicate_id"
# The record left what the device's person may see (reassigned, moved to
# another team) while the change waited in the device's outbox.
OUT_OF_SCOPE = "out_of_scope"
# The change names a blob (a photo by its hash) the server does not have
# yet: it is held, and applied when the blob arrives.
MISSING_BLOB = "missing_blob"
