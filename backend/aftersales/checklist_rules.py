"""Which items of a checklist are shown, and which still need an answer.

Pure rules over a template version's items and a run's answers, shared by
the mutators, the step guards and the printed report, so that a hidden item
is never required and a shown one never forgotten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from backend.aftersales.schemas import ChecklistItem

# An item whose answer is a photo is answered by the photos taken for it.
ANSWERED_BY_PHOTO = "photo"


def shown_items(items: Sequence[ChecklistItem], answers: Mapping[str, Any]) -> list[ChecklistItem]:
    """The items shown for these answers, in order.

    An item with a condition is shown when the item it names is itself shown
    and holds the answer asked for: hiding a parent hides its children, even
    if an answer given earlier is still stored.
    """
    shown: list[ChecklistItem] = []
    shown_keys: set[str] = set()
    for item in items:
        condition = item.visible_if
        if condition is None or (
            condition.item in shown_keys
            and _same_answer(answers.get(condition.item), condition.equals)
        ):
            shown.append(item)
            shown_keys.add(item.key)
    return shown


def missing_required(
    items: Sequence[ChecklistItem],
    answers: Mapping[str, Any],
    photographed: Iterable[str] = (),
) -> list[str]:
    """Keys of the required items shown and not answered yet."""
    with_photo = set(photographed)
    missing = []
    for item in shown_items(items, answers):
        if not item.required:
            continue
        if item.kind == ANSWERED_BY_PHOTO:
            answered = item.key in with_photo
        else:
            answered = _given(answers.get(item.key))
        if not answered:
            missing.append(item.key)
    return missing


def _given(value: Any) -> bool:
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())


def _same_answer(value: Any, expected: Any) -> bool:
    # True == 1 in Python: a yes/no answer must not satisfy a number's condition.
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value is expected
    return bool(value == expected)


def failed_quality(items: Sequence[ChecklistItem], answers: Mapping[str, Any]) -> list[str]:
    """Keys of the quality items shown and answered "no": a check that
    failed, which no step it guards may pass."""
    return [
        item.key
        for item in shown_items(items, answers)
        if item.quality and answers.get(item.key) is False
    ]
