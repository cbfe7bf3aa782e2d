"""iCalendar (RFC 5545) text: events, escaping and line folding.

Only what a subscribed calendar needs: a VCALENDAR of VEVENTs with times
in UTC. Text values are escaped (backslash, comma, semicolon, newline);
every content line is folded to at most 75 octets, never inside a UTF-8
character; lines end with CRLF.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from backend.lib.time import as_utc

# The server adds "; charset=utf-8" to text types.
MEDIA_TYPE = "text/calendar"
LINE_OCTETS = 75
# Control characters RFC 5545 does not allow in a text value (tab is allowed;
# newlines are escaped before this applies).
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, newlines as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return CONTROLS.sub("", value)


def fold(line: str) -> str:
    """A content line cut into pieces of at most 75 octets, each piece after
    the first starting with a space (counted in its 75)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= LINE_OCTETS:
        return line
    pieces: list[str] = []
    start, limit = 0, LINE_OCTETS
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        # Never cut a character in two: back off onto the start of one.
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1
        pieces.append(encoded[start:end].decode("utf-8"))
        start, limit = end, LINE_OCTETS - 1
    return "\r\n ".join(pieces)


def utc_stamp(instant: dt.datetime) -> str:
    return as_utc(instant).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Event:
    uid: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    # Only grows: calendar apps take the higher one as the newer event.
    sequence: int = 0
    location: str | None = None
    description: str | None = None
    cancelled: bool = False


def calendar(name: str, events: list[Event], *, stamped_at: dt.datetime) -> bytes:
    """The whole VCALENDAR, as UTF-8 bytes with CRLF line ends."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Affaires//Appointments//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{utc_stamp(stamped_at)}",
            f"SEQUENCE:{event.sequence}",
            f"DTSTART:{utc_stamp(event.starts_at)}",
            f"DTEND:{utc_stamp(event.ends_at)}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        lines.append("STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")
