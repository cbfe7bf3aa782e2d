"""The size of a first load: every file the service worker precaches."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from tests.pwa.conftest import ROOT

# DESIGN.md, Performance: the first load (all files, gzip) under 150 KB.
FIRST_LOAD_BUDGET = 150 * 1024


def shell_files() -> list[str]:
    from backend.appshell.services import app_shell

    return list(app_shell(ROOT / "pwa").files)


def test_first_load_fits_the_budget() -> None:
    total = len(gzip.compress((ROOT / "pwa" / "service-worker.js").read_bytes()))
    for url in shell_files():
        path = ROOT / "pwa" / ("index.html" if url == "/" else url.lstrip("/"))
        total += len(gzip.compress(path.read_bytes(), compresslevel=6))

    assert total < FIRST_LOAD_BUDGET, f"first load is {total} bytes gzipped"


# The app's words, and those of the office's screens, loaded with them.
WORD_FOLDERS = (ROOT / "pwa" / "i18n", ROOT / "pwa" / "src" / "office" / "words")


def words(folder: Path, lang: str) -> dict[str, str]:
    found: dict[str, str] = json.loads((folder / f"{lang}.json").read_text())
    return found


@pytest.mark.parametrize("folder", WORD_FOLDERS, ids=("app", "office"))
def test_catalogues_have_the_same_keys(folder: Path) -> None:
    assert {path.name for path in folder.glob("*.json")} == {"en.json", "fr.json"}
    assert set(words(folder, "en")) == set(words(folder, "fr"))


def test_the_office_words_never_hide_the_apps() -> None:
    # Merged into the catalogue when loaded: one key in both would say
    # one thing before an office screen opens and another after.
    for lang in ("en", "fr"):
        app, office = (words(folder, lang) for folder in WORD_FOLDERS)
        assert office, f"no office words in {lang}"
        assert set(app) & set(office) == set()


@pytest.mark.parametrize("folder", WORD_FOLDERS, ids=("app", "office"))
def test_french_punctuation_never_starts_a_line(folder: Path) -> None:
    """French puts a space before : ; ? ! and inside « »: a non-breaking
    one, or a narrow screen may put the sign alone at the start of a line."""
    fr = words(folder, "fr")

    breakable = {key: text for key, text in fr.items() if re.search(r" [:;?!»]|« ", text)}

    assert breakable == {}


def test_the_office_screens_stay_out_of_the_first_load() -> None:
    from backend.appshell.services import app_shell

    office = ROOT / "pwa" / "src" / "office"
    shell = app_shell(ROOT / "pwa")

    assert "/src/office.js" in shell.files and "/src/views/orders.js" in shell.files
    assert [url for url in shell.files if url.startswith("/src/office/")] == []
    assert {path.name for path in office.glob("*.js")} >= {"planning.js", "calendars.js"}


def test_no_inline_script_or_style_in_the_page() -> None:
    page = (ROOT / "pwa" / "index.html").read_text()

    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page and "style=" not in page


def test_a_changed_office_screen_is_a_new_version(tmp_path: Path) -> None:
    """Not precached, yet part of the build: the app that opens an office
    screen is the version that screen was written for."""
    import os

    from backend.appshell.services import app_shell

    root = tmp_path / "pwa"
    (root / "src" / "office").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html>")
    (root / "service-worker.js").write_text("// worker")
    (root / "src" / "app.js").write_text("// app")
    screen = root / "src" / "office" / "planning.js"
    screen.write_text("// planning, first version")
    before = app_shell(root)

    screen.write_text("// planning, second version")
    later = screen.stat().st_mtime + 10
    os.utime(screen, (later, later))
    after = app_shell(root)

    assert before.files == after.files == ("/", "/src/app.js")
    assert before.build != after.build
