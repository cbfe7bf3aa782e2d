"""Which merge rule a change meets (PROTOCOL.md, Merge rules).

A mutator gathers what the server knows of the record a change is about
(`Seen`), asks `rule_for` which rule applies, and carries it out: write,
merge field by field (`sync.merge`), do nothing, or keep the change as a
conflict of the kind named. The order of the questions is the rules'
precedence, and it lives here only, so that every mutator decides alike.
Nothing here touches storage.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sync.outcomes import (
    DELETE_VS_UPDATE,
    DUPLICATE_ID,
    LOCKED,
    OUT_OF_SCOPE,
    PARENT_DELETED,
)


class Rule(enum.StrEnum):
    """What to do with a change. The conflict rules carry the kind's name."""

    CREATE = "create"
    APPLY = "apply"  # nobody else wrote the record since the device saw it
    MERGE = "merge"  # others did: three-way, field by field
    NOTHING = "nothing"  # already so: a resend, a delete of what is gone
    NOT_FOUND = "not_found"  # never seen by this person: refused
    DUPLICATE_ID = DUPLICATE_ID
    DELETE_VS_UPDATE = DELETE_VS_UPDATE
    PARENT_DELETED = PARENT_DELETED
    LOCKED = LOCKED
    OUT_OF_SCOPE = OUT_OF_SCOPE

    @property
    def is_conflict(self) -> bool:
        return self.value in CONFLICT_RULES


CONFLICT_RULES = frozenset({DUPLICATE_ID, DELETE_VS_UPDATE, PARENT_DELETED, LOCKED, OUT_OF_SCOPE})


@dataclass(frozen=True)
class Seen:
    """What the server knows of a change's record when the change arrives.

    A fact that cannot matter in a case need not be looked up (``purged``
    only counts for a record not stored, ``created_here`` and
    ``same_content`` only for a change without base to a record another
    device wrote): the defaults are the common answers.
    """

    stored: bool
    """A row with the change's id exists (deleted or not)."""
    visible: bool = True
    """The person may see the record (or its parent, for a new record)."""
    held_before: bool = False
    """The record was sent to this device: it left the person's scope."""
    purged: bool = False
    """The record existed, was deleted, and its tombstone was purged."""
    deleted: bool = False
    parent_purged: bool = False
    parent_deleted: bool = False
    locked: bool = False
    """A workflow closed the record: approved week, closed order, signed checklist."""
    written_by_device: bool = False
    """This device wrote the record last: its own changes arrive in order."""
    changed_since_base: bool = True
    """Another write followed the version the device based its change on."""
    created_here: bool = False
    """This device created the record (so a change without base edits it)."""
    same_content: bool = False
    """The stored record already holds what the change says."""


def rule_for(seen: Seen, *, has_base: bool, deleting: bool = False) -> Rule:
    """The rule a change meets; the first question that answers decides.

    ``has_base``: the change names the version it was made on (an edit);
    without it, it is a creation, or an edit of the device's own creation.
    ``deleting``: the change deletes the record.
    """
    if not seen.visible:
        if seen.parent_purged:
            return Rule.PARENT_DELETED
        if seen.purged:
            return Rule.DELETE_VS_UPDATE
        return Rule.OUT_OF_SCOPE if seen.held_before else Rule.NOT_FOUND
    if not seen.stored:
        if seen.purged:
            # Deleted long ago: a late delete finds nothing left to do, a
            # late edit never brings the record back.
            return Rule.NOTHING if deleting else Rule.DELETE_VS_UPDATE
        if deleting:
            return Rule.NOTHING
        if seen.parent_purged or seen.parent_deleted:
            return Rule.PARENT_DELETED
        return Rule.LOCKED if seen.locked else Rule.CREATE
    if seen.deleted:
        return Rule.NOTHING if deleting else Rule.DELETE_VS_UPDATE
    if seen.parent_deleted:
        return Rule.PARENT_DELETED
    if seen.locked:
        return Rule.LOCKED
    if seen.written_by_device or not seen.changed_since_base:
        return Rule.APPLY
    if deleting:
        # Another device changed it since: the delete must not discard it.
        return Rule.DELETE_VS_UPDATE
    if not has_base and not seen.created_here:
        # A creation whose id is already stored (a resend, or a clash).
        return Rule.NOTHING if seen.same_content else Rule.DUPLICATE_ID
    return Rule.MERGE


def rule_for_addition(seen: Seen) -> Rule:
    """Append-only kinds (notes, photos): always added, never overwrite.

    The device's id makes a resend harmless; the same id with another
    content is a clash kept as ``duplicate_id``.
    """
    if seen.stored:
        return Rule.NOTHING if seen.same_content else Rule.DUPLICATE_ID
    return rule_for(seen, has_base=False)
