"""Every refusal of a part the server can give is said on the phone, in
both languages, naming the change that did not take."""

from __future__ import annotations

import json

import pytest

from tests.pwa.conftest import ROOT

REFUSALS = (
    "serial_required",
    "part_unnamed",
    "no_equipment",
    "part_not_fitted",
    "part_holds_machine",
    "ambiguous_serial",
    "unknown_product",
)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_refusal_of_a_part_has_its_words(language: str) -> None:
    words = json.loads((ROOT / "pwa" / "i18n" / f"{language}.json").read_text())
    source = (ROOT / "backend" / "aftersales" / "parts.py").read_text()

    for code in REFUSALS:
        assert f'"{code}"' in source
        assert "{change}" in words[f"problem.{code}"], code
    for action in ("fit", "remove", "use"):
        assert "{part}" in words[f"change.part_{action}"]
