"""The server's messages, in the user's language, statuses included."""

from __future__ import annotations

import pytest

from backend.lib.i18n import translate


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "A service order cannot go from in progress to closed."),
        ("fr", "Une intervention ne peut pas passer de en cours à clôturée."),
    ],
)
def test_a_status_in_a_message_is_a_word_of_the_language(language: str, said: str) -> None:
    fields = {"current": "in_progress", "target": "closed"}

    assert translate("bad_transition", language, fields) == said


def test_a_free_text_that_reads_like_a_status_is_left_as_written() -> None:
    message = translate("invalid_input", "fr", {"reason": "done"})

    assert message == "La requête n'est pas valide : done"
