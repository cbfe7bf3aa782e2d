"""Server memory at rest, after start-up and a few requests.

    .venv/bin/python bench/idle_memory.py

Starts `affaires serve` on 127.0.0.1 with the demo company on a fresh
SQLite file, signs in, pulls a technician's data, waits, then reads the
process's resident memory (VmRSS) and prints a table.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

AFFAIRES = str(Path(sys.executable).with_name("affaires"))
TARGET_MB = 150


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite+aiosqlite:///{folder}/memory.db"
        subprocess.run([AFFAIRES, "demo", "--database", database], check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [AFFAIRES, "serve", "--port", str(port), "--database", database],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "AFFAIRES_LOG_LEVEL": "warning"},
        )
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    httpx.get(url + "/api/build", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            started = resident_mb(server.pid)
            with httpx.Client(base_url=url) as client:
                client.post(
                    "/api/auth/login", json={"email": "tech1@demo.test", "password": "demo"}
                )
                for _ in range(20):
                    client.post(
                        "/api/sync/pull",
                        json={"protocol": 1, "schema": 1, "client_id": str(uuid.uuid4())},
                    )
                    client.get("/")
            time.sleep(2)
            idle = resident_mb(server.pid)
        finally:
            server.terminate()
            server.wait(10)

    print("| figure | measured | target | met |")
    print("|---|---|---|---|")
    print(
        f"| server memory after start-up | {started:.0f} MB RSS | < {TARGET_MB} MB | "
        f"{'yes' if started < TARGET_MB else 'no'} |"
    )
    print(
        f"| server idle memory after requests | {idle:.0f} MB RSS | < {TARGET_MB} MB | "
        f"{'yes' if idle < TARGET_MB else 'no'} |"
    )


if __name__ == "__main__":
    main()
