"""The merge rules' precedence, one row per case of PROTOCOL.md."""

from __future__ import annotations

import pytest

from sync.rules import Rule, Seen, rule_for, rule_for_addition

STORED = Seen(stored=True)
NEW = Seen(stored=False)


@pytest.mark.parametrize(
    ("seen", "has_base", "deleting", "rule"),
    [
        # Creations by client UUID.
        (NEW, False, False, Rule.CREATE),
        (Seen(stored=True, same_content=True), False, False, Rule.NOTHING),
        (Seen(stored=True, same_content=False), False, False, Rule.DUPLICATE_ID),
        (Seen(stored=True, created_here=True), False, False, Rule.MERGE),
        # Updates: nobody else wrote since base / others did.
        (Seen(stored=True, changed_since_base=False), True, False, Rule.APPLY),
        (STORED, True, False, Rule.MERGE),
        # A device never conflicts with itself: its changes arrive in order.
        (Seen(stored=True, written_by_device=True), False, False, Rule.APPLY),
        (Seen(stored=True, written_by_device=True), True, True, Rule.APPLY),
        # Deleted records stay deleted.
        (Seen(stored=True, deleted=True), True, False, Rule.DELETE_VS_UPDATE),
        (Seen(stored=True, deleted=True, locked=True), True, False, Rule.DELETE_VS_UPDATE),
        (Seen(stored=False, purged=True), True, False, Rule.DELETE_VS_UPDATE),
        (Seen(stored=False, purged=True), False, False, Rule.DELETE_VS_UPDATE),
        (Seen(stored=True, deleted=True), True, True, Rule.NOTHING),
        (Seen(stored=False, purged=True), True, True, Rule.NOTHING),
        (NEW, False, True, Rule.NOTHING),
        # A delete never discards another device's edit.
        (STORED, True, True, Rule.DELETE_VS_UPDATE),
        (Seen(stored=True, changed_since_base=False), True, True, Rule.APPLY),
        # Under a deleted parent.
        (Seen(stored=True, parent_deleted=True), True, False, Rule.PARENT_DELETED),
        (Seen(stored=False, parent_deleted=True), False, False, Rule.PARENT_DELETED),
        (Seen(stored=False, visible=False, parent_purged=True), False, False, Rule.PARENT_DELETED),
        # Locked by a workflow, whoever wrote last.
        (Seen(stored=True, locked=True, written_by_device=True), True, False, Rule.LOCKED),
        (Seen(stored=True, locked=True, changed_since_base=False), True, True, Rule.LOCKED),
        (Seen(stored=False, locked=True), False, False, Rule.LOCKED),
        # Left the person's scope while the change waited; never seen.
        (Seen(stored=True, visible=False, held_before=True), True, False, Rule.OUT_OF_SCOPE),
        (Seen(stored=True, visible=False), True, False, Rule.NOT_FOUND),
        (Seen(stored=False, visible=False, purged=True), True, False, Rule.DELETE_VS_UPDATE),
    ],
)
def test_rule_for(seen: Seen, has_base: bool, deleting: bool, rule: Rule) -> None:
    assert rule_for(seen, has_base=has_base, deleting=deleting) is rule


@pytest.mark.parametrize(
    ("seen", "rule"),
    [
        (NEW, Rule.CREATE),
        (Seen(stored=True, same_content=True), Rule.NOTHING),
        (Seen(stored=True, same_content=True, locked=True), Rule.NOTHING),
        (Seen(stored=True), Rule.DUPLICATE_ID),
        (Seen(stored=False, purged=True), Rule.DELETE_VS_UPDATE),
        (Seen(stored=False, parent_deleted=True), Rule.PARENT_DELETED),
        (Seen(stored=False, locked=True), Rule.LOCKED),
    ],
)
def test_rule_for_addition(seen: Seen, rule: Rule) -> None:
    """Append-only kinds: added, never overwriting; a resend changes nothing."""
    assert rule_for_addition(seen) is rule


def test_conflict_rules_carry_the_protocol_kinds() -> None:
    conflicts = {rule.value for rule in Rule if rule.is_conflict}
    assert conflicts == {
        "duplicate_id",
        "delete_vs_update",
        "parent_deleted",
        "locked",
        "out_of_scope",
    }
