"""The size of a first load: every file the service worker precaches."""

from __future__ import annotations

import gzip
import json
import re

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


def test_catalogues_have_the_same_keys() -> None:
    en = json.loads((ROOT / "pwa" / "i18n" / "en.json").read_text())
    fr = json.loads((ROOT / "pwa" / "i18n" / "fr.json").read_text())

    assert set(en) == set(fr)


def test_french_punctuation_never_starts_a_line() -> None:
    """French puts a space before : ; ? ! and inside « »: a non-breaking
    one, or a narrow screen may put the sign alone at the start of a line."""
    fr = json.loads((ROOT / "pwa" / "i18n" / "fr.json").read_text())

    breakable = {key: text for key, text in fr.items() if re.search(r" [:;?!»]|« ", text)}

    assert breakable == {}


def test_no_inline_script_or_style_in_the_page() -> None:
    page = (ROOT / "pwa" / "index.html").read_text()

    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page and "style=" not in page
