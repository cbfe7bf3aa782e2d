"""index.html preloads what the first screen needs, in step with the files.

Without these links the browser learns of a module only once the module
importing it has arrived: the import chain of the app is several levels
deep, one round trip each on a phone network. The list is written by
hand in index.html (no build step); these tests keep it in step.
"""

from __future__ import annotations

import re

from tests.pwa.conftest import ROOT

PWA = ROOT / "pwa"
ENTRY = "src/app.js"
# `import {a, b} from "./x.js";`, `import * as x from "../y.js";`,
# `export {c} from "./z.js";`, `import "./w.js";`: static imports only.
STATIC_IMPORT = re.compile(
    r'^(?:import|export)\s+(?:[\w$*{},\s]+?\s+from\s+)?"(\.{1,2}/[^"]+)"',
    re.MULTILINE,
)


def page() -> str:
    return (PWA / "index.html").read_text()


def imports_of(module: str) -> list[str]:
    """The modules `module` (a path under pwa/) imports statically."""
    folder = (PWA / module).parent
    return [
        (folder / target).resolve().relative_to(PWA.resolve()).as_posix()
        for target in STATIC_IMPORT.findall((PWA / module).read_text())
    ]


def start_modules() -> set[str]:
    """Every module the browser must have before the app can start."""
    found: set[str] = set()
    waiting = [ENTRY]
    while waiting:
        module = waiting.pop()
        if module in found:
            continue
        assert (PWA / module).is_file(), f"{module} is imported but missing"
        found.add(module)
        waiting.extend(imports_of(module))
    return found


def test_the_import_reader_sees_the_imports() -> None:
    assert {"src/html.js", "src/store.js", "src/views/time.js"} <= set(imports_of(ENTRY))
    assert "src/dates.js" in imports_of("src/store.js")
    assert "src/views/parts.js" in imports_of("src/views/time.js")


def test_every_module_of_the_start_is_preloaded_once() -> None:
    preloaded = re.findall(r'<link rel="modulepreload" href="/([^"]+)">', page())

    assert len(preloaded) == len(set(preloaded)), "a module is preloaded twice"
    assert set(preloaded) == start_modules()
    assert preloaded[0] == ENTRY


def test_the_catalogues_are_preloaded_the_way_the_app_fetches_them() -> None:
    # i18n.js fetches every catalogue with fetch()'s defaults (same-origin
    # credentials): only `as="fetch" crossorigin` lets it use the preload.
    preloaded = re.findall(r'<link rel="preload" href="/([^"]+)"([^>]*)>', page())
    catalogues = {f"i18n/{path.name}" for path in (PWA / "i18n").glob("*.json")}

    assert {href for href, _ in preloaded} == catalogues
    assert all(attributes == ' as="fetch" crossorigin' for _, attributes in preloaded)
    languages = re.search(r"LANGUAGES = \[([^\]]*)\]", (PWA / "src" / "i18n.js").read_text())
    assert languages is not None
    assert {f"i18n/{name}.json" for name in re.findall(r'"(\w+)"', languages[1])} == catalogues


def test_preloads_come_before_the_script() -> None:
    text = page()
    script = text.index('<script type="module" src="/src/app.js">')

    assert text.rindex('rel="modulepreload"') < script
    assert text.rindex('rel="preload"') < script


def test_the_start_never_imports_an_office_screen() -> None:
    # Office screens are not precached: one imported by the start would
    # stop the app from starting offline. They come through office.js.
    start = start_modules()

    assert "src/office.js" in start
    assert [module for module in start if module.startswith("src/office/")] == []


def test_office_screens_import_only_what_the_app_holds() -> None:
    office = sorted(
        path.relative_to(PWA).as_posix() for path in (PWA / "src" / "office").glob("*.js")
    )
    assert office, "no office screen found"
    for module in office:
        for target in imports_of(module):
            assert (PWA / target).is_file(), f"{module} imports {target}, missing"
