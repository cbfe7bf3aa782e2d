"""Why a request's input was refused, in the person's language.

A refusal's ``reason`` stays in ``details`` as the server wrote it (in
English, or as the decoder worded it: developers read it there). The
sentence shown to a person is said again here in their language: the
server's own fixed reasons from a table, and the decoder's wording
("Expected `int` >= 1 - at `$.minutes`") by its shape. A reason of
neither kind is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# The server's own reasons, as its mutators and its HTTP layer word them.
FIXED: dict[str, dict[str, str]] = {
    "the body is not JSON": {"en": "the body is not JSON", "fr": "le corps n'est pas du JSON"},
    "args are not JSON": {
        "en": "the change's values are not JSON",
        "fr": "les valeurs de la modification ne sont pas du JSON",
    },
    "nested too deeply": {"en": "nested too deeply", "fr": "trop d'imbrications"},
    "the body is not valid gzip": {
        "en": "the body is not valid gzip",
        "fr": "le corps n'est pas du gzip valide",
    },
    "a value cannot be stored": {
        "en": "a value cannot be stored",
        "fr": "une valeur ne peut pas être enregistrée",
    },
    "cannot be stored": {
        "en": "a value cannot be stored",
        "fr": "une valeur ne peut pas être enregistrée",
    },
    "unknown time zone": {"en": "unknown time zone", "fr": "fuseau horaire inconnu"},
    "text holds a NUL": {
        "en": "a text holds a NUL character",
        "fr": "un texte contient un caractère NUL",
    },
    "the service order belongs to another affair": {
        "en": "the service order belongs to another affair",
        "fr": "l'intervention appartient à une autre affaire",
    },
    "a time out of range": {"en": "a time out of range", "fr": "une heure hors limites"},
    "the start is not on the work date": {
        "en": "the start is not on the work date",
        "fr": "le début n'est pas le jour travaillé",
    },
    "the end must follow the start within a day": {
        "en": "the end must follow the start within a day",
        "fr": "la fin doit suivre le début dans la même journée",
    },
    "64 lower-case hex digits": {
        "en": "64 lower-case hex digits expected",
        "fr": "64 chiffres hexadécimaux en minuscules attendus",
    },
    "yes or no expected": {"en": "yes or no expected", "fr": "oui ou non attendu"},
    "one of the choices expected": {
        "en": "one of the choices expected",
        "fr": "l'un des choix attendu",
    },
    "a number expected": {"en": "a number expected", "fr": "un nombre attendu"},
    "a reason is needed": {"en": "a reason is needed", "fr": "il faut un motif"},
    "a period must end after it starts": {
        "en": "a period must end after it starts",
        "fr": "une plage horaire doit finir après son début",
    },
    "two periods of a day overlap": {
        "en": "two periods of a day overlap",
        "fr": "deux plages horaires d'un même jour se chevauchent",
    },
    "a day between 2000 and 2100 expected": {
        "en": "a day between 2000 and 2100 expected",
        "fr": "une date entre 2000 et 2100 attendue",
    },
    "the end is before the start": {
        "en": "the end is before the start",
        "fr": "la fin est avant le début",
    },
    "a text expected": {"en": "a text expected", "fr": "un texte attendu"},
}

# The decoder's names of JSON types.
TYPES: dict[str, dict[str, str]] = {
    "int": {"en": "a whole number", "fr": "un nombre entier"},
    "float": {"en": "a number", "fr": "un nombre"},
    "str": {"en": "a text", "fr": "un texte"},
    "bool": {"en": "true or false", "fr": "vrai ou faux"},
    "null": {"en": "nothing (null)", "fr": "rien (null)"},
    "object": {"en": "an object", "fr": "un objet"},
    "array": {"en": "a list", "fr": "une liste"},
    "uuid": {"en": "an identifier (UUID)", "fr": "un identifiant (UUID)"},
    "datetime": {"en": "a date and time", "fr": "une date et heure"},
    "date": {"en": "a date", "fr": "une date"},
    "time": {"en": "a time", "fr": "une heure"},
    "bytes": {"en": "bytes", "fr": "des octets"},
}
OR = {"en": " or ", "fr": " ou "}

BOUNDS: dict[str, dict[str, str]] = {
    ">=": {"en": "of at least", "fr": "valant au moins"},
    "<=": {"en": "of at most", "fr": "valant au plus"},
    ">": {"en": "of more than", "fr": "valant plus de"},
    "<": {"en": "of less than", "fr": "valant moins de"},
}
LENGTHS: dict[str, dict[str, str]] = {
    ">=": {"en": "of at least", "fr": "d'au moins"},
    "<=": {"en": "of at most", "fr": "d'au plus"},
    ">": {"en": "of more than", "fr": "de plus de"},
    "<": {"en": "of less than", "fr": "de moins de"},
}
# What a length counts, by the type it is the length of.
UNITS: dict[str, dict[str, str]] = {
    "str": {"en": "characters", "fr": "caractères"},
    "array": {"en": "items", "fr": "éléments"},
    "object": {"en": "entries", "fr": "entrées"},
    "bytes": {"en": "bytes", "fr": "octets"},
}
# The same, for a length of one.
UNIT: dict[str, dict[str, str]] = {
    "str": {"en": "character", "fr": "caractère"},
    "array": {"en": "item", "fr": "élément"},
    "object": {"en": "entry", "fr": "entrée"},
    "bytes": {"en": "byte", "fr": "octet"},
}

SAYINGS: dict[str, dict[str, str]] = {
    "wrong_type": {"en": "{want} expected, not {got}", "fr": "il faut {want}, pas {got}"},
    "bound": {"en": "{want} {bound} {limit} expected", "fr": "il faut {want} {bound} {limit}"},
    "length": {
        "en": "{want} {bound} {limit} {unit} expected",
        "fr": "il faut {want} {bound} {limit} {unit}",
    },
    "form": {
        "en": "the text does not have the expected form",
        "fr": "le texte n'a pas la forme attendue",
    },
    "uuid": {"en": "not a valid identifier (UUID)", "fr": "identifiant (UUID) non valide"},
    "date": {"en": "not a valid date (YYYY-MM-DD)", "fr": "date non valide (AAAA-MM-JJ)"},
    "datetime": {
        "en": "not a valid date and time (RFC 3339)",
        "fr": "date et heure non valides (RFC 3339)",
    },
    "time": {"en": "not a valid time (HH:MM)", "fr": "heure non valide (HH:MM)"},
    "zone_needed": {
        "en": "a date and time with its offset from UTC expected",
        "fr": "il faut une date et heure avec son décalage par rapport à UTC",
    },
    "zone_refused": {
        "en": "a date and time without an offset expected",
        "fr": "il faut une date et heure sans décalage",
    },
    "not_a_choice": {
        "en": "“{value}” is not one of the accepted values",
        "fr": "« {value} » ne fait pas partie des valeurs acceptées",
    },
    "missing": {"en": "the field “{name}” is missing", "fr": "le champ « {name} » manque"},
    "unknown": {"en": "unknown field “{name}”", "fr": "champ inconnu « {name} »"},
    "malformed": {"en": "the body is not valid JSON", "fr": "le corps n'est pas du JSON valide"},
    "truncated": {"en": "the body is cut short", "fr": "le corps est tronqué"},
    "at_most_bytes": {"en": "at most {limit} bytes", "fr": "au plus {limit} octets"},
    "at_most_mutations": {
        "en": "at most {limit} changes at once",
        "fr": "au plus {limit} modifications à la fois",
    },
    "in_field": {"en": "{said} (field “{field}”)", "fr": "{said} (champ « {field} »)"},
    "not_a_week": {
        "en": "{week} is not a week of the calendar",
        "fr": "{week} n'est pas une semaine du calendrier",
    },
}

# "... - at `$.minutes`", "... - at `$[0].value`": where in the input.
WHERE = re.compile(r"\A(?P<what>.*) - at `\$(?P<path>[^`]*)`\Z", re.S)

Saying = tuple[str, dict[str, str]]


def _types(names: str, language: str) -> str:
    """Type names in words: `bool | null` is "true or false or nothing (null)"."""
    words = [TYPES.get(name.strip(), {}).get(language, name.strip()) for name in names.split("|")]
    return OR[language].join(words)


def _wrong_type(m: re.Match[str], language: str) -> Saying:
    return "wrong_type", {
        "want": _types(m["want"], language),
        "got": _types(m["got"], language),
    }


def _length(m: re.Match[str], language: str) -> Saying:
    units = UNIT if m["limit"] == "1" else UNITS
    unit = units.get(m["want"], units["array"])
    return "length", {
        "want": _types(m["want"], language),
        "bound": LENGTHS[m["op"]][language],
        "limit": m["limit"],
        "unit": unit[language],
    }


def _bound(m: re.Match[str], language: str) -> Saying:
    return "bound", {
        "want": _types(m["want"], language),
        "bound": BOUNDS[m["op"]][language],
        "limit": m["limit"],
    }


def _named(key: str, group: str) -> Callable[[re.Match[str], str], Saying]:
    return lambda m, _language: (key, {group: m[group]} if group else {})


# The decoder's wordings (msgspec's, and Litestar's reading of them), by shape.
SHAPES: list[tuple[re.Pattern[str], Callable[[re.Match[str], str], Saying]]] = [
    (re.compile(r"Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`"), _wrong_type),
    (
        re.compile(r"Expected `(?P<want>[^`]+)` of length (?P<op>[<>]=?) (?P<limit>\d+)"),
        _length,
    ),
    (re.compile(r"Expected `(?P<want>[^`]+)` (?P<op>[<>]=?) (?P<limit>-?[\d.e+]+)"), _bound),
    (re.compile(r"Expected `str` matching regex"), _named("form", "")),
    (re.compile(r"Expected `datetime` with a timezone"), _named("zone_needed", "")),
    (re.compile(r"Expected `datetime` with no timezone"), _named("zone_refused", "")),
    (re.compile(r"Invalid UUID"), _named("uuid", "")),
    (re.compile(r"Invalid RFC3339 encoded datetime"), _named("datetime", "")),
    (re.compile(r"Invalid RFC3339 encoded date"), _named("date", "")),
    (re.compile(r"Invalid RFC3339 encoded time"), _named("time", "")),
    (
        re.compile(r"Invalid (?:enum )?value '?(?P<value>.*?)'?\Z", re.S),
        _named("not_a_choice", "value"),
    ),
    (re.compile(r"Object missing required field `(?P<name>[^`]+)`"), _named("missing", "name")),
    (re.compile(r"Missing required parameter '(?P<name>[^']+)'"), _named("missing", "name")),
    (re.compile(r"Object contains unknown field `(?P<name>[^`]+)`"), _named("unknown", "name")),
    (re.compile(r"JSON is malformed"), _named("malformed", "")),
    (re.compile(r"Input data was truncated"), _named("truncated", "")),
    (re.compile(r"at most (?P<limit>\d+) bytes"), _named("at_most_bytes", "limit")),
    (re.compile(r"at most (?P<limit>\d+) mutations"), _named("at_most_mutations", "limit")),
    (re.compile(r"(?P<week>\S+) is not a week of the calendar"), _named("not_a_week", "week")),
]


# Sayings that name their own place, or speak of the whole request.
WHOLE = frozenset(
    {"missing", "unknown", "malformed", "truncated", "at_most_bytes", "at_most_mutations"}
)


def explain_reason(reason: str, language: str, field: str | None = None) -> str:
    """``reason`` said in ``language``, naming the field at fault when the
    reason or ``field`` names one; as written when its shape is unknown."""
    if reason in FIXED:
        return FIXED[reason][language]
    where = WHERE.match(reason)
    what = where["what"] if where else reason
    if what in FIXED:
        # The server's own words, raised where the decoder names the place.
        found: tuple[str, str] | None = ("fixed", FIXED[what][language])
    else:
        found = _said(what, language)
    if found is None:
        return reason

    key, said = found
    path = where["path"].lstrip(".") if where else ""
    if not path and key not in WHOLE:
        path = field or ""
    if not path:
        return said
    return SAYINGS["in_field"][language].format(field=path, said=said)


def _said(what: str, language: str) -> tuple[str, str] | None:
    """Which saying fits ``what``, and its words; None for none."""
    for shape, words in SHAPES:
        found = shape.match(what)
        if found:
            key, values = words(found, language)
            return key, SAYINGS[key][language].format(**values)
    return None
