"""Conditions and required items of a checklist, as pure rules."""

from __future__ import annotations

from typing import Any

import msgspec

from backend.aftersales.checklist_rules import missing_required, shown_items
from backend.aftersales.schemas import ChecklistItem

ITEMS = msgspec.convert(
    [
        {"key": "leak", "label": "Leak found?", "kind": "yes_no", "required": True},
        {
            "key": "where",
            "label": "Where?",
            "kind": "choice",
            "choices": ["valve", "pipe"],
            "required": True,
            "visible_if": {"item": "leak", "equals": True},
        },
        {
            "key": "valve_photo",
            "label": "Photo of the valve",
            "kind": "photo",
            "required": True,
            "visible_if": {"item": "where", "equals": "valve"},
        },
        {"key": "pressure", "label": "Pressure", "kind": "number", "min": 1, "max": 3},
        {
            "key": "one_bar",
            "label": "Why one bar exactly?",
            "kind": "text",
            "visible_if": {"item": "pressure", "equals": 1},
        },
    ],
    list[ChecklistItem],
)


def keys(answers: dict[str, Any]) -> list[str]:
    return [item.key for item in shown_items(ITEMS, answers)]


def test_an_item_shows_only_when_its_condition_holds() -> None:
    assert keys({}) == ["leak", "pressure"]
    assert keys({"leak": False}) == ["leak", "pressure"]
    assert keys({"leak": True}) == ["leak", "where", "pressure"]
    assert keys({"leak": True, "where": "valve"}) == ["leak", "where", "valve_photo", "pressure"]


def test_hiding_an_item_hides_the_items_that_depend_on_it() -> None:
    # "where" still holds an answer from before the leak was ruled out.
    assert keys({"leak": False, "where": "valve"}) == ["leak", "pressure"]


def test_a_yes_never_stands_for_the_number_one() -> None:
    assert "one_bar" not in keys({"pressure": True})
    assert "one_bar" in keys({"pressure": 1})
    assert "one_bar" in keys({"pressure": 1.0})


def test_only_shown_required_items_are_missing() -> None:
    assert missing_required(ITEMS, {}) == ["leak"]
    assert missing_required(ITEMS, {"leak": False}) == []
    assert missing_required(ITEMS, {"leak": True}) == ["where"]
    assert missing_required(ITEMS, {"leak": True, "where": "valve"}) == ["valve_photo"]
    assert missing_required(ITEMS, {"leak": True, "where": "valve"}, {"valve_photo"}) == []


def test_spaces_alone_do_not_answer_a_required_text() -> None:
    items = msgspec.convert(
        [{"key": "note", "label": "Note", "kind": "text", "required": True}], list[ChecklistItem]
    )
    assert missing_required(items, {"note": "   "}) == ["note"]
    assert missing_required(items, {"note": "ok"}) == []
