"""Read the rows of a MySQL or MariaDB dump without a MySQL server.

A dump is a list of statements. Only two kinds carry data and are read
here: ``CREATE TABLE`` (for the column order) and ``INSERT INTO ...
VALUES (...), (...)`` (the rows, possibly many in one extended insert;
``REPLACE`` alike). Every other statement (``SET``, ``DROP``, ``LOCK``,
``/*!40101 ... */``, routines under a ``DELIMITER``) is skipped whole,
with its quoted strings honoured so a ``;`` inside a string never ends it.

Values come back as Python values that lose nothing of the dump's text:

- a quoted string -> ``str``, with MySQL's backslash escapes decoded;
- an integer literal -> ``int``; a literal with a point or exponent ->
  ``Decimal`` (never float: amounts must keep their exact digits);
- ``NULL`` -> ``None``; a hex literal (``0x1F``, ``X'1F'``) -> ``bytes``;
  a bit literal (``b'101'``) -> ``int``.

Dates stay strings (``'2012-07-09 00:00:00'``): what they mean (which
time zone, whether ``0000-00-00`` is "no date") is the importer's call.

A file that does not follow this grammar raises ``MalformedDump`` naming
the line and column where reading stopped; nothing is guessed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn

from backend.lib.errors import InvalidInput

DumpValue = str | int | Decimal | bytes | None
DumpRow = dict[str, DumpValue]

# MySQL's escapes inside a quoted string; any other escaped character
# stands for itself. ``\%`` and ``\_`` keep their backslash, as in MySQL,
# because they only mean something in a LIKE pattern.
ESCAPES = {
    "0": "\0",
    "'": "'",
    '"': '"',
    "b": "\b",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "Z": "\x1a",
    "\\": "\\",
    "%": "\\%",
    "_": "\\_",
}

# Words that open a key or constraint line of a CREATE TABLE, not a column.
KEY_WORDS = frozenset(
    {"PRIMARY", "KEY", "UNIQUE", "INDEX", "CONSTRAINT", "FOREIGN", "FULLTEXT", "SPATIAL", "CHECK"}
)


class MalformedDump(InvalidInput):
    """The dump does not read as MySQL statements; ``details`` has the place."""

    code = "malformed_dump"


def read_dump(path: Path) -> dict[str, list[DumpRow]]:
    """Every table's rows in the dump file at ``path``, in file order.

    Tables are keyed by their name without quotes; a table created but
    never filled maps to an empty list. Raises ``MalformedDump`` for an
    unreadable file or one that breaks the grammar.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise MalformedDump(f"{path}: cannot be read ({reason})", source=str(path)) from exc

    return parse_dump(text, source=str(path))


def parse_dump(text: str, *, source: str = "<dump>") -> dict[str, list[DumpRow]]:
    """The rows of the dump ``text``; ``source`` names it in errors."""
    return _DumpReader(text, source).read_tables()


class _DumpReader:
    """A cursor over the dump text that reads one statement at a time."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.pos = 0
        self.delimiter = ";"
        self.columns: dict[str, list[str]] = {}
        self.tables: dict[str, list[DumpRow]] = {}

    def read_tables(self) -> dict[str, list[DumpRow]]:
        while True:
            self.skip_blanks()
            if self.pos >= len(self.text):
                return self.tables

            if self.at_words("CREATE", "TABLE"):
                self.read_create_table()
            elif self.at_words("INSERT") or self.at_words("REPLACE"):
                self.read_insert()
            elif self.at_words("DELIMITER"):
                self.read_delimiter()
            else:
                self.skip_statement()

    # -- statements ---------------------------------------------------------

    def read_create_table(self) -> None:
        self.expect_word("CREATE")
        self.expect_word("TABLE")
        if self.at_words("IF", "NOT", "EXISTS"):
            for word in ("IF", "NOT", "EXISTS"):
                self.expect_word(word)
        table = self.read_name()
        self.expect("(")

        columns: list[str] = []
        while True:
            self.skip_blanks()
            if not self.at_key_definition():
                columns.append(self.read_name())
            # The rest of a definition (type, DEFAULT 'a,b', COMMENT, enum
            # lists) is skipped: only the names and their order matter.
            closer = self.skip_definition()
            if closer == ")":
                break

        self.columns[table] = columns
        self.tables.setdefault(table, [])
        self.skip_statement()

    def read_insert(self) -> None:
        # ``mysqldump --replace`` writes REPLACE where it would write INSERT.
        self.expect_word("INSERT" if self.at_words("INSERT") else "REPLACE")
        for modifier in ("LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE"):
            if self.at_words(modifier):
                self.expect_word(modifier)
        if self.at_words("INTO"):
            self.expect_word("INTO")
        start = self.pos
        table = self.read_name()

        self.skip_blanks()
        columns = self.read_name_list() if self.peek() == "(" else self.columns.get(table)
        if columns is None:
            self.fail("INSERT into a table with no CREATE TABLE before it", at=start)
        self.expect_word("VALUES")

        rows = self.tables.setdefault(table, [])
        while True:
            row_start = self.pos
            values = self.read_tuple()
            if len(values) != len(columns):
                self.fail(
                    f"row has {len(values)} values but {table} has {len(columns)} columns",
                    at=row_start,
                )
            rows.append(dict(zip(columns, values, strict=True)))

            self.skip_blanks()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect(";")
            return

    def skip_statement(self) -> None:
        """Move past the next delimiter that is outside strings and comments."""
        start = self.pos
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in "'\"`":
                self.read_quoted(char)
            elif self.at_comment():
                self.skip_comment()
            elif self.text.startswith(self.delimiter, self.pos):
                self.pos += len(self.delimiter)
                return
            else:
                self.pos += 1
        # mysqldump ends every statement: a last one left open is a cut file.
        self.fail(f"statement is not ended by {self.delimiter!r}", at=start)

    def read_delimiter(self) -> None:
        """``DELIMITER ;;``: routines' bodies hold ``;``, so their statements end otherwise."""
        self.expect_word("DELIMITER")
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1
        start = self.pos
        while self.pos < len(self.text) and not self.text[self.pos].isspace():
            self.pos += 1
        if self.pos == start:
            self.fail("DELIMITER names no delimiter")
        self.delimiter = self.text[start : self.pos]

    # -- pieces of statements ------------------------------------------------

    def read_tuple(self) -> list[DumpValue]:
        self.expect("(")
        values: list[DumpValue] = []
        while True:
            values.append(self.read_value())
            self.skip_blanks()
            char = self.peek()
            self.pos += 1
            if char == ")":
                return values
            if char != ",":
                self.fail("expected ',' or ')' between values", at=self.pos - 1)

    def read_value(self) -> DumpValue:
        self.skip_blanks()
        char = self.peek()

        if char in "'\"":
            return self.read_quoted(char)
        if self.text.startswith("_binary", self.pos):
            # MariaDB marks binary strings: the literal that follows is the value.
            self.pos += len("_binary")
            self.skip_blanks()
            return self.read_quoted(self.peek())
        if self.text[self.pos : self.pos + 2].lower() == "0x":
            return self.read_hex()
        if self.text[self.pos : self.pos + 2].lower() in ("x'", "b'"):
            return self.read_prefixed_literal()
        if self.at_words("NULL"):
            self.pos += len("NULL")
            return None
        if char.isdigit() or char in "-+.":
            return self.read_number()

        self.fail("expected a value (a quoted string, a number or NULL)")

    def read_quoted(self, quote: str) -> str:
        """A quoted string or identifier from its opening ``quote`` on.

        Backslash escapes apply to strings, not to backquoted names; in
        both, the quote character doubled stands for itself.
        """
        if self.peek() != quote:
            self.fail("expected a quoted string")
        start = self.pos
        self.pos += 1
        escapes = quote != "`"
        parts: list[str] = []

        while True:
            stop = self.next_special(quote, escapes)
            if stop < 0:
                self.fail("string is never closed", at=start)
            parts.append(self.text[self.pos : stop])
            self.pos = stop

            if self.text[stop] == "\\":
                escaped = self.text[stop + 1 : stop + 2]
                if not escaped:
                    self.fail("string is never closed", at=start)
                parts.append(ESCAPES.get(escaped, escaped))
                self.pos = stop + 2
            elif self.text.startswith(quote * 2, stop):
                parts.append(quote)
                self.pos = stop + 2
            else:
                self.pos = stop + 1
                return "".join(parts)

    def next_special(self, quote: str, escapes: bool) -> int:
        """Offset of the next quote (or backslash, in strings); -1 at the end."""
        closing = self.text.find(quote, self.pos)
        if not escapes:
            return closing
        backslash = self.text.find("\\", self.pos, closing if closing >= 0 else None)
        return backslash if backslash >= 0 else closing

    def read_number(self) -> int | Decimal:
        start = self.pos
        if self.peek() in "-+":
            self.pos += 1
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] in ".+-"
        ):
            # A sign belongs to the number only right after an exponent mark.
            if self.text[self.pos] in "+-" and self.text[self.pos - 1] not in "eE":
                break
            self.pos += 1

        literal = self.text[start : self.pos]
        try:
            if literal.lstrip("+-").isdigit():
                return int(literal)
            return Decimal(literal)
        except (ValueError, InvalidOperation):
            self.fail(f"not a number: {literal!r}", at=start)

    def read_hex(self) -> bytes:
        start = self.pos
        self.pos += 2
        while self.pos < len(self.text) and self.text[self.pos] in "0123456789abcdefABCDEF":
            self.pos += 1
        digits = self.text[start + 2 : self.pos]
        if not digits or len(digits) % 2:
            self.fail("hex literal needs an even number of digits", at=start)
        return bytes.fromhex(digits)

    def read_prefixed_literal(self) -> bytes | int:
        """``X'4142'`` (bytes) or ``b'101'`` (a BIT column's value, as an integer)."""
        start = self.pos
        prefix = self.text[self.pos].lower()
        self.pos += 1
        digits = self.read_quoted("'")
        try:
            return bytes.fromhex(digits) if prefix == "x" else int(digits, 2)
        except ValueError:
            self.fail(f"not a {'hex' if prefix == 'x' else 'bit'} literal", at=start)

    def read_name(self) -> str:
        """A table or column name, backquoted or bare; ``db.table`` keeps ``table``."""
        self.skip_blanks()
        if self.peek() == "`":
            name = self.read_quoted("`")
        else:
            start = self.pos
            while self.pos < len(self.text) and (
                self.text[self.pos].isalnum() or self.text[self.pos] in "_$"
            ):
                self.pos += 1
            name = self.text[start : self.pos]
            if not name:
                self.fail("expected a name")

        if self.peek() == ".":
            self.pos += 1
            return self.read_name()
        return name

    def read_name_list(self) -> list[str]:
        self.expect("(")
        names: list[str] = []
        while True:
            names.append(self.read_name())
            self.skip_blanks()
            char = self.peek()
            self.pos += 1
            if char == ")":
                return names
            if char != ",":
                self.fail("expected ',' or ')' between column names", at=self.pos - 1)

    def skip_definition(self) -> str:
        """Move past one CREATE TABLE definition; the ``,`` or ``)`` that ended it."""
        depth = 0
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in "'\"`":
                self.read_quoted(char)
                continue
            self.pos += 1
            if char == "(":
                depth += 1
            elif char == ")" and depth > 0:
                depth -= 1
            elif char in ",)" and depth == 0:
                return char
            elif char == ";":
                self.fail("CREATE TABLE ends before its column list is closed", at=self.pos - 1)
        self.fail("CREATE TABLE is never closed")

    def at_key_definition(self) -> bool:
        if self.peek() == "`":
            return False
        end = self.pos
        while end < len(self.text) and self.text[end].isalpha():
            end += 1
        return self.text[self.pos : end].upper() in KEY_WORDS

    # -- characters, blanks and comments ------------------------------------

    def peek(self) -> str:
        if self.pos >= len(self.text):
            self.fail("unexpected end of the dump")
        return self.text[self.pos]

    def expect(self, char: str) -> None:
        self.skip_blanks()
        if self.pos >= len(self.text) or self.text[self.pos] != char:
            self.fail(f"expected {char!r}")
        self.pos += 1

    def at_words(self, *words: str) -> bool:
        """Whether the next words are ``words`` (any case, whole words)."""
        saved = self.pos
        try:
            for word in words:
                self.skip_blanks()
                end = self.pos + len(word)
                if self.text[self.pos : end].upper() != word:
                    return False
                if end < len(self.text) and (self.text[end].isalnum() or self.text[end] == "_"):
                    return False
                self.pos = end
            return True
        finally:
            self.pos = saved

    def expect_word(self, word: str) -> None:
        if not self.at_words(word):
            self.fail(f"expected {word}")
        self.skip_blanks()
        self.pos += len(word)

    def skip_blanks(self) -> None:
        while self.pos < len(self.text):
            if self.text[self.pos].isspace():
                self.pos += 1
            elif self.at_comment():
                self.skip_comment()
            else:
                return

    def at_comment(self) -> bool:
        ahead = self.text[self.pos : self.pos + 3]
        # MySQL wants a blank after "--"; "--1" would be minus minus one.
        return ahead.startswith("/*") or ahead[:1] == "#" or ahead in ("-- ", "--\n", "--\t")

    def skip_comment(self) -> None:
        start = self.pos
        if self.text.startswith("/*", self.pos):
            end = self.text.find("*/", self.pos + 2)
            if end < 0:
                self.fail("comment is never closed", at=start)
            self.pos = end + 2
            # Versioned comments (/*!40101 SET ... */) end with their own ';'.
            return
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end + 1

    def fail(self, reason: str, *, at: int | None = None) -> NoReturn:
        offset = self.pos if at is None else at
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        raise MalformedDump(
            f"{self.source}:{line}:{column}: {reason}",
            source=self.source,
            line=line,
            column=column,
            offset=offset,
        )
