"""The server's messages, in the user's language, statuses included."""

from __future__ import annotations

import re

import pytest

from backend.lib import reasons
from backend.lib.i18n import MESSAGES, translate


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

    assert message == "La requête n'est pas valide\u00a0: done"


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "The week of 23 November 2026 was approved by Marie Dubois on 1 December 2026; "
            "your change was not applied. Ask them to reopen the week.",
        ),
        (
            "fr",
            "La semaine du 23 novembre 2026 a été approuvée par Marie Dubois le "
            "1er décembre 2026\u00a0; votre modification n'a pas été appliquée. "
            "Demandez-lui de rouvrir la semaine.",
        ),
    ],
)
def test_a_locked_week_is_named_by_its_monday_and_days_in_words(language: str, said: str) -> None:
    fields = {"week": "2026-W48", "by": "Marie Dubois", "on": "2026-12-01"}

    assert translate("week_locked", language, fields) == said


def test_a_day_that_is_not_a_date_is_left_as_written() -> None:
    assert translate("day_over_24h", "fr", {"date": "someday"}) == "Plus de 24 heures le someday."


@pytest.mark.parametrize(
    ("reason", "field", "said"),
    [
        (
            "Expected `int`, got `str` - at `$.minutes`",
            None,
            "il faut un nombre entier, pas un texte (champ «\u00a0minutes\u00a0»)",
        ),
        (
            "Expected `int` >= 1 - at `$.minutes`",
            None,
            "il faut un nombre entier valant au moins 1 (champ «\u00a0minutes\u00a0»)",
        ),
        (
            "Expected `str` of length >= 3",
            "email",
            "il faut un texte d'au moins 3 caractères (champ «\u00a0email\u00a0»)",
        ),
        (
            "Invalid UUID - at `$.run_id`",
            None,
            "identifiant (UUID) non valide (champ «\u00a0run_id\u00a0»)",
        ),
        (
            "Expected `str` matching regex '\\\\A\\\\d{4}-W\\\\d{2}\\\\Z' - at `$.week`",
            None,
            "le texte n'a pas la forme attendue (champ «\u00a0week\u00a0»)",
        ),
        (
            "Invalid RFC3339 encoded date - at `$.work_date`",
            None,
            "date non valide (AAAA-MM-JJ) (champ «\u00a0work_date\u00a0»)",
        ),
        (
            "Invalid enum value 'de'",
            "language",
            "«\u00a0de\u00a0» ne fait pas partie des valeurs acceptées "
            "(champ «\u00a0language\u00a0»)",
        ),
        ("Object missing required field `id`", "data", "le champ «\u00a0id\u00a0» manque"),
        ("Object contains unknown field `z`", "data", "champ inconnu «\u00a0z\u00a0»"),
        (
            "the end must follow the start within a day",
            None,
            "la fin doit suivre le début dans la même journée",
        ),
        ("unknown time zone", None, "fuseau horaire inconnu"),
    ],
)
def test_the_reasons_of_a_refused_input_are_said_in_french(
    reason: str, field: str | None, said: str
) -> None:
    fields = {"reason": reason, **({"field": field} if field else {})}

    assert translate("invalid_input", "fr", fields) == f"La requête n'est pas valide\u00a0: {said}"


def test_the_reasons_read_as_english_sentences_too() -> None:
    fields = {"reason": "Expected `int` <= 1440 - at `$.minutes`"}

    said = translate("invalid_input", "en", fields)

    assert (
        said
        == "The request is not valid: a whole number of at most 1440 expected (field “minutes”)"
    )


def test_french_punctuation_never_starts_a_line() -> None:
    """A non-breaking space before : ; ? ! and inside « », as French
    writes them: a narrow screen never puts the sign alone on a line."""
    tables = [MESSAGES, reasons.FIXED, reasons.TYPES, reasons.BOUNDS, reasons.LENGTHS]
    tables += [reasons.UNITS, reasons.SAYINGS]
    french = [words["fr"] for table in tables for words in table.values()]

    breakable = [text for text in french if re.search(r" [:;?!»]|« ", text)]

    assert breakable == []
