"""Dolibarr's values as Affaires wants them.

Dolibarr writes local Paris time without a zone, ``0000-00-00`` for "no
date", durations in seconds, amounts as decimals, empty text for "none"
and rich text as HTML from its editor. Each reader here takes a dump row
and a column and answers the value in Affaires' terms, or raises
``SkipRow`` naming the column when the value cannot be read: a row with
an unreadable value is left out, never guessed at.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from backend.imports.mysqldump import DumpRow
from backend.imports.records import SkipRow

DOLIBARR_ZONE = ZoneInfo("Europe/Paris")
SECONDS_PER_MINUTE = 60
ZERO_DATE = "0000-00-00"


def text_of(row: DumpRow, column: str) -> str | None:
    """The column as trimmed text; empty text is no value."""
    value = row.get(column)
    if value is None or isinstance(value, bytes):
        return None
    text = str(value).strip()
    return text or None


def email_of(row: DumpRow, column: str) -> str | None:
    text = text_of(row, column)
    return text.lower() if text else None


def decimal_of(row: DumpRow, column: str) -> Decimal | None:
    value = row.get(column)
    if value is None or value == "" or isinstance(value, bytes):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise SkipRow(f"{column} is not a number") from exc


def integer_of(row: DumpRow, column: str) -> int | None:
    return whole(decimal_of(row, column))


def whole(number: Decimal | None) -> int | None:
    """The number rounded half up to an integer."""
    if number is None:
        return None
    return int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def minutes_of(row: DumpRow, column: str) -> int:
    """A duration in seconds as whole minutes (half a minute rounds up); 0 when none."""
    seconds = decimal_of(row, column) or Decimal(0)
    return whole(seconds / SECONDS_PER_MINUTE) or 0


def local_moment_of(row: DumpRow, column: str) -> dt.datetime | None:
    """A date or date-time as Dolibarr wrote it: naive, Paris local time."""
    text = text_of(row, column)
    if text is None or text.startswith(ZERO_DATE):
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise SkipRow(f"{column} is not a date") from exc


def local_date_of(row: DumpRow, column: str) -> dt.date | None:
    """The calendar date, as the people in Paris saw it."""
    moment = local_moment_of(row, column)
    return moment.date() if moment else None


def instant_of(row: DumpRow, column: str) -> dt.datetime | None:
    """A Paris date-time as an aware UTC instant."""
    moment = local_moment_of(row, column)
    return moment.replace(tzinfo=DOLIBARR_ZONE).astimezone(dt.UTC) if moment else None


def day_start_of(row: DumpRow, column: str) -> dt.datetime | None:
    """A date's first instant (midnight in Paris) in UTC."""
    day = local_date_of(row, column)
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(), DOLIBARR_ZONE).astimezone(dt.UTC)


def plain_text_of(row: DumpRow, column: str) -> str | None:
    """Rich text (HTML or not) as plain text with its line breaks."""
    text = text_of(row, column)
    return plain_text(text) if text else None


def plain_text(text: str) -> str | None:
    """``text`` without HTML tags or entities; None when nothing is left."""
    reader = _PlainText()
    reader.feed(text)
    reader.close()
    return reader.text() or None


class _PlainText(HTMLParser):
    """The text of an HTML fragment, a line break where a block ends.

    Text with no tag at all keeps its own line breaks. In HTML, source
    line breaks are mere spacing: ``<br>``, ``<p>``, ``<li>``... make lines.
    """

    BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str | None] = []  # None: a line break made by a tag
        self.has_tags = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.has_tags = True
        if tag in self.BREAKS:
            self.parts.append(None)

    def handle_endtag(self, tag: str) -> None:
        self.has_tags = True
        if tag in self.BREAKS and tag != "br":
            self.parts.append(None)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def text(self) -> str:
        joined = "".join("\n" if part is None else self.spaced(part) for part in self.parts)
        lines = [" ".join(line.split()) for line in joined.split("\n")]
        if not self.has_tags:
            lines = [line.strip() for line in joined.replace("\r\n", "\n").split("\n")]

        kept: list[str] = []
        for line in lines:
            # Empty blocks in a row read as one blank line.
            if line or (kept and kept[-1]):
                kept.append(line)
        return "\n".join(kept).strip()

    def spaced(self, data: str) -> str:
        # In HTML, any run of blanks, line breaks included, is one space.
        if not self.has_tags:
            return data
        return data.replace("\r", " ").replace("\n", " ")
