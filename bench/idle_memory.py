"""Server memory at rest, after start-up and a few requests.

    .venv/bin/python bench/idle_memory.py

Starts `affaires serve` on 127.0.0.1 with the demo company on a fresh
SQLite file, signs in, pulls a technician's data, waits, then reads the
process's resident memory (VmRSS) and prints a table.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
from demo_server import demo_server

TARGET_MB = 150


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    with demo_server() as server:
        started = resident_mb(server.pid)
        with httpx.Client(base_url=server.url) as client:
            client.post("/api/auth/login", json={"email": "tech1@demo.test", "password": "demo"})
            for _ in range(20):
                client.post(
                    "/api/sync/pull",
                    json={"protocol": 1, "schema": 1, "client_id": str(uuid.uuid4())},
                )
                client.get("/")
        time.sleep(2)
        idle = resident_mb(server.pid)

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
