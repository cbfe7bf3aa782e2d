"""The server the benchmarks measure: `affaires serve` on 127.0.0.1,
with the demo company on a fresh SQLite file, or on a given database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

AFFAIRES = str(Path(sys.executable).with_name("affaires"))


@dataclass
class DemoServer:
    url: str
    pid: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def demo_server() -> Iterator[DemoServer]:
    """A running server; stopped, and its database removed, on leaving."""
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite+aiosqlite:///{folder}/bench.db"
        subprocess.run([AFFAIRES, "demo", "--database", database], check=True, capture_output=True)
        with running_server(database) as server:
            yield server


@contextmanager
def running_server(database: str, workers: int = 1) -> Iterator[DemoServer]:
    """``affaires serve`` on 127.0.0.1 over ``database``, in ``workers``
    processes (PostgreSQL only); stopped on leaving."""
    port = free_port()
    process = subprocess.Popen(
        [AFFAIRES, "serve", "--port", str(port), "--database", database],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "AFFAIRES_LOG_LEVEL": "warning", "AFFAIRES_WORKERS": str(workers)},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url)
        yield DemoServer(url, process.pid)
    finally:
        process.terminate()
        process.wait(10)


def _wait_until_up(url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(url + "/api/build", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")
