"""The PWA's app shell: which files to precache, and the build they make.

The service worker is served with the list of the app's files and a build
id made from their hashes, so any change to any file changes the worker's
bytes, and the browser installs the new version (keeping the outbox, which
lives in IndexedDB, not in the cache).

The office's screens (``src/office/``) need the server anyway: they are
left out of the precache list, so the first load and the phones in the
field do not carry them, and the app loads them when their route opens.
They still count in the build id, so that a change to them is a new
version like any other (the app and its office screens stay in step).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

WORKER_SOURCE = "service-worker.js"
WORKER_URL = "/sw.js"
SHELL_SUFFIXES = (".html", ".js", ".css", ".json", ".webmanifest", ".png", ".svg", ".ico")
ON_DEMAND = "src/office/"


@dataclass(frozen=True)
class Shell:
    build: str
    files: tuple[str, ...]
    worker: bytes


_cache: dict[Path, tuple[float, Shell]] = {}


def _shell_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and path.suffix in SHELL_SUFFIXES and path.name != WORKER_SOURCE
    )


def app_shell(root: Path) -> Shell:
    """The shell of the PWA in ``root``, recomputed when a file changes."""
    files = _shell_files(root)
    stamp = max((path.stat().st_mtime for path in files), default=0.0)
    stamp = max(stamp, (root / WORKER_SOURCE).stat().st_mtime)
    cached = _cache.get(root)
    if cached is not None and cached[0] == stamp:
        return cached[1]

    digest = hashlib.sha256()
    urls: list[str] = []
    for path in files:
        relative = path.relative_to(root).as_posix()
        digest.update(relative.encode())
        digest.update(path.read_bytes())
        if not relative.startswith(ON_DEMAND):
            urls.append("/" if relative == "index.html" else f"/{relative}")
    worker_source = (root / WORKER_SOURCE).read_bytes()
    digest.update(worker_source)
    build = digest.hexdigest()[:16]

    header = f"const BUILD = {json.dumps(build)};\nconst PRECACHE = {json.dumps(urls)};\n"
    shell = Shell(build=build, files=tuple(urls), worker=header.encode() + worker_source)
    _cache[root] = (stamp, shell)
    return shell
