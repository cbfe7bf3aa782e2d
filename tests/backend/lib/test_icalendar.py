"""iCalendar text: escaping, folding at 75 octets, the calendar's lines."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from backend.lib.icalendar import Event, calendar, escape_text, fold


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def unescape(value: str) -> str:
    out, index = [], 0
    while index < len(value):
        if value[index] == "\\":
            following = value[index + 1]
            out.append("\n" if following in "nN" else following)
            index += 2
        else:
            out.append(value[index])
            index += 1
    return "".join(out)


def test_text_escapes_backslash_comma_semicolon_and_newlines() -> None:
    assert escape_text("a\\b, c; d\r\ne\nf\rg") == "a\\\\b\\, c\\; d\\ne\\nf\\ng"


def test_control_characters_are_dropped() -> None:
    assert escape_text("bell\x07\ttab") == "bell\ttab"


def test_a_short_line_is_not_folded() -> None:
    assert fold("SUMMARY:" + "x" * 67) == "SUMMARY:" + "x" * 67


def test_a_long_line_folds_at_75_octets_without_cutting_a_character() -> None:
    line = "SUMMARY:" + "é" * 100

    folded = fold(line)

    pieces = folded.split("\r\n")
    assert all(len(piece.encode()) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert len(pieces[0].encode()) in (74, 75)
    assert unfold(folded) == [line]


@given(st.text(min_size=0, max_size=400))
def test_any_text_survives_escaping_and_folding(text: str) -> None:
    line = "DESCRIPTION:" + escape_text(text)

    folded = fold(line)

    assert all(len(piece.encode()) <= 75 for piece in folded.split("\r\n"))
    [unfolded] = unfold(folded)
    expected = "".join(
        c for c in text.replace("\r\n", "\n").replace("\r", "\n") if c >= " " or c in "\t\n"
    )
    expected = expected.replace("\x7f", "")
    assert unescape(unfolded.removeprefix("DESCRIPTION:")) == expected


def test_a_calendar_has_its_events_with_utc_times() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    event = Event(
        uid="abc@affaires",
        starts_at=dt.datetime(2026, 12, 7, 9, 30, tzinfo=paris),
        ends_at=dt.datetime(2026, 12, 7, 11, 0, tzinfo=paris),
        summary="AFF-1 Visit",
        sequence=12,
        location="Main, Lyon",
    )

    text = calendar("Tech", [event], stamped_at=dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC))

    lines = unfold(text.decode())
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-2:] == ["END:VCALENDAR", ""]
    assert "DTSTART:20261207T083000Z" in lines
    assert "DTEND:20261207T100000Z" in lines
    assert "DTSTAMP:20261205T080000Z" in lines
    assert "LOCATION:Main\\, Lyon" in lines
    assert "SEQUENCE:12" in lines
    assert "STATUS:CONFIRMED" in lines
