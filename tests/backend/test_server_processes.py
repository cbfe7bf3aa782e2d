"""``affaires serve --workers N``: several server processes on one port
(PostgreSQL), one standing in for another that died, all stopping
together."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from backend.people.auth import SESSION_COOKIE
from backend.processes import listening_socket
from tests.backend.notify.test_events import company_on, events_of, push_note
from tests.backend.offline.test_crash import AFFAIRES, free_port
from tests.conftest import ON_POSTGRES, DatabaseFactory
from tests.pwa.conftest import start_server, stop_server


def children_of(pid: int) -> set[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {int(child) for child in found}


def wait_for_children(pid: int, count: int, *, other_than: set[int] = frozenset()) -> set[int]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        children = children_of(pid)
        if len(children) == count and not children & other_than:
            return children
        time.sleep(0.1)
    raise AssertionError(f"still {children_of(pid)} under {pid}")


def test_several_processes_are_refused_on_sqlite(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'one.db'}"
    said = subprocess.run(
        [AFFAIRES, "serve", "--workers", "2", "--port", str(free_port()), "--database", database],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert said.returncode != 0
    assert "several server processes need PostgreSQL" in said.stderr
    assert not (tmp_path / "one.db").exists()


@pytest.mark.skipif(not ON_POSTGRES, reason="several server processes need PostgreSQL")
async def test_processes_share_the_port_and_one_stands_in_for_another(
    databases: DatabaseFactory,
) -> None:
    there = await company_on(await asyncio.to_thread(databases.fresh))
    process, url = await asyncio.to_thread(
        start_server, there.database_url, env={"AFFAIRES_WORKERS": "2"}
    )
    try:
        first = await asyncio.to_thread(wait_for_children, process.pid, 2)

        # Whichever process takes the push, a stream held by either hears it.
        async with events_of(url, there.tokens["supervisor"]) as stream:
            await push_note(url, there.tokens["tech"], there.company.order_id, "two processes")
            assert (await stream.next_poke())["event"] == "poke"

        # One dies: another takes its place, and the server keeps answering.
        died = min(first)
        os.kill(died, signal.SIGKILL)
        again = await asyncio.to_thread(wait_for_children, process.pid, 2, other_than={died})
        assert len(again & first) == 1
        cookies = {SESSION_COOKIE: there.tokens["tech"]}
        async with httpx.AsyncClient(base_url=url, cookies=cookies) as client:
            answers = [(await client.get("/api/auth/me")).status_code for _ in range(20)]
        assert answers == [200] * 20
    finally:
        await asyncio.to_thread(stop_server, process)

    # A stop to the parent stopped them all, and the parent said nothing wrong.
    assert process.returncode == 0
    for pid in again:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


async def test_connections_of_the_shared_socket_send_at_once() -> None:
    """Nagle's algorithm is off on the connections the processes accept:
    with it on, an answer written in two parts waits for the client's
    delayed ACK (40 ms a push on this machine)."""
    accepted: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        accepted.set_result(bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
        writer.close()

    sock = listening_socket("127.0.0.1", free_port())
    server = await asyncio.start_server(on_connection, sock=sock)
    async with server:
        _, writer = await asyncio.open_connection(*sock.getsockname())
        assert await asyncio.wait_for(accepted, 5)
        writer.close()
