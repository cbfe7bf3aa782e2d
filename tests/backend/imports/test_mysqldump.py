"""The MySQL dump reader: statements, values, escapes and refusals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from backend.imports.mysqldump import MalformedDump, parse_dump, read_dump
from backend.lib.errors import AppError, InvalidInput

DOLIBARR_DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "dolibarr"

PEOPLE_TABLE = """
CREATE TABLE `people` (
  `rowid` int(11) NOT NULL AUTO_INCREMENT,
  `name` varchar(50) DEFAULT 'a, (b)' COMMENT 'the name; or not',
  `kind` enum('x','y') DEFAULT NULL,
  `amount` double(24,8) DEFAULT NULL,
  PRIMARY KEY (`rowid`),
  UNIQUE KEY `uk_name` (`name`,`kind`),
  CONSTRAINT `fk_x` FOREIGN KEY (`rowid`) REFERENCES `other` (`rowid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
"""


def people(values: str) -> list[dict[str, object]]:
    """The rows of ``people`` after an INSERT without a column list."""
    rows = parse_dump(PEOPLE_TABLE + f"INSERT INTO `people` VALUES {values};\n")["people"]
    return [dict(row) for row in rows]


def test_values_follow_the_create_table_column_order() -> None:
    rows = people("(1,'Ada','x',12.50000000)")

    assert rows == [{"rowid": 1, "name": "Ada", "kind": "x", "amount": Decimal("12.50000000")}]


def test_an_insert_column_list_decides_the_order() -> None:
    text = (
        PEOPLE_TABLE
        + "INSERT INTO `people` (`name`, `rowid`, `kind`, `amount`) VALUES ('B',2,NULL,0);"
    )

    rows = parse_dump(text)["people"]

    assert rows == [{"name": "B", "rowid": 2, "kind": None, "amount": 0}]


def test_an_extended_insert_gives_every_row_in_order() -> None:
    rows = people("(1,'a',NULL,NULL),\n(2,'b','y',-3),(3,'c',NULL,1.5E3)")

    assert [row["rowid"] for row in rows] == [1, 2, 3]
    assert rows[1]["amount"] == -3
    assert rows[2]["amount"] == Decimal("1500")
    assert rows[0]["kind"] is None


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r"'it\'s'", "it's"),
        ("'it''s'", "it's"),
        (r"'back\\slash'", "back\\slash"),
        (r"'line\nbreak'", "line\nbreak"),
        (r"'carriage\rreturn'", "carriage\rreturn"),
        (r"'tab\there'", "tab\there"),
        (r"'nul\0byte'", "nul\0byte"),
        (r"'ctrl\Zz'", "ctrl\x1az"),
        (r"'say \"hi\"'", 'say "hi"'),
        (r"'like 50\% \_'", "like 50\\% \\_"),
        (r"'other \q'", "other q"),
        ('"double quoted"', "double quoted"),
        ("''", ""),
        ("'NULL'", "NULL"),
        ("'Siège: 1, place'", "Siège: 1, place"),
    ],
)
def test_strings_decode_mysql_escapes(literal: str, value: str) -> None:
    rows = people(f"(1,{literal},NULL,NULL)")

    assert rows[0]["name"] == value


def test_semicolons_and_parentheses_inside_strings_belong_to_the_string() -> None:
    rows = people(r"(1,'a); DROP TABLE x; (',NULL,NULL),(2,'it\'s ); ok',NULL,NULL)")

    assert [row["name"] for row in rows] == ["a); DROP TABLE x; (", "it's ); ok"]


def test_other_statements_and_comments_are_passed_over() -> None:
    text = (
        "-- MySQL dump 10.19\n"
        "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
        "SET NAMES utf8mb4;\n"
        "# a hash comment with a quote '\n"
        "DROP TABLE IF EXISTS `people`;\n" + PEOPLE_TABLE + "LOCK TABLES `people` WRITE;\n"
        "/*!40000 ALTER TABLE `people` DISABLE KEYS */;\n"
        "INSERT INTO `people` VALUES (1,'a;b',NULL,NULL);\n"
        "UNLOCK TABLES;\n"
        "SET @x = 'text with ; inside';\n"
    )

    tables = parse_dump(text)

    assert tables == {"people": [{"rowid": 1, "name": "a;b", "kind": None, "amount": None}]}


def test_routines_under_another_delimiter_are_passed_over() -> None:
    text = (
        PEOPLE_TABLE
        + "DELIMITER ;;\n"
        + "CREATE PROCEDURE p() BEGIN INSERT INTO ghost VALUES (now()); SELECT 1; END ;;\n"
        + "DELIMITER ;\n"
        + "INSERT INTO `people` VALUES (1,'after',NULL,NULL);\n"
    )

    rows = parse_dump(text)["people"]

    assert [row["name"] for row in rows] == ["after"]


def test_a_table_without_rows_is_present_and_empty() -> None:
    assert parse_dump(PEOPLE_TABLE) == {"people": []}


@pytest.mark.parametrize(
    ("literal", "value"),
    [("0x4142", b"AB"), ("X'4142'", b"AB"), ("b'101'", 5), ("_binary 'raw'", "raw")],
)
def test_hex_bit_and_binary_literals(literal: str, value: object) -> None:
    rows = people(f"(1,'a',NULL,{literal})")

    assert rows[0]["amount"] == value


def test_replace_statements_carry_rows_like_inserts() -> None:
    tables = parse_dump(PEOPLE_TABLE + "REPLACE INTO `people` VALUES (7,'r',NULL,NULL);")

    assert [row["rowid"] for row in tables["people"]] == [7]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            PEOPLE_TABLE + "INSERT INTO `people` VALUES (1,'never closed,NULL,NULL);",
            11,
            "never closed",
        ),
        (PEOPLE_TABLE + "INSERT INTO `people` VALUES (1,'a',NULL);", 11, "3 values"),
        (PEOPLE_TABLE + "INSERT INTO `people` VALUES (1,'a',NULL,NULL)", 11, "end of the dump"),
        (PEOPLE_TABLE + "INSERT INTO `people` VALUES (1,'a',NULL,NULL x);", 11, "',' or ')'"),
        (PEOPLE_TABLE + "INSERT INTO `people` VALUES (1,now(),NULL,NULL);", 11, "expected a value"),
        (PEOPLE_TABLE + "INSERT INTO `people` VALUES (1,'a',NULL,12abc);", 11, "not a number"),
        ("INSERT INTO `ghost` VALUES (1);", 1, "no CREATE TABLE"),
        ("SET NAMES utf8mb4;\nSET x = 'cut", 2, "never closed"),
        ("SET NAMES utf8mb4;\nDROP TABLE `t`", 2, "not ended by ';'"),
        ("CREATE TABLE `t` (\n  `a` int(11)\n", 3, "never closed"),
    ],
)
def test_a_malformed_dump_is_refused_with_its_place(text: str, line: int, reason: str) -> None:
    with pytest.raises(MalformedDump) as refused:
        parse_dump(text, source="bad.sql")

    assert isinstance(refused.value, InvalidInput)
    assert isinstance(refused.value, AppError)
    assert refused.value.code == "malformed_dump"
    assert refused.value.details["line"] == line
    assert refused.value.details["source"] == "bad.sql"
    assert reason in refused.value.message
    assert refused.value.message.startswith(f"bad.sql:{line}:")


def test_an_unreadable_file_is_a_malformed_dump(tmp_path: Path) -> None:
    with pytest.raises(MalformedDump):
        read_dump(tmp_path / "missing.sql")


@pytest.mark.skipif(
    not DOLIBARR_DATA.is_dir(), reason=f"the Dolibarr demo data is not at {DOLIBARR_DATA}"
)
def test_reads_every_row_of_the_dolibarr_demo_subset() -> None:
    tables = read_dump(DOLIBARR_DATA / "affairs-subset-24.0.0.sql")

    counts = {table: len(rows) for table, rows in tables.items()}
    assert len(counts) == 25
    assert counts["llx_actioncomm"] == 1126
    assert counts["llx_propaldet"] == 116
    assert counts["llx_societe"] == 27
    assert counts["llx_element_contact"] == 66
    address = next(row["address"] for row in tables["llx_societe"] if row["rowid"] == 34)
    assert address == (
        "Direction des systèmes d'information\r\n98-102 rue de Richelieu 75002 Paris.\r\n"
        "Siège: 1, place du Palais Royal, 75001"
    )
