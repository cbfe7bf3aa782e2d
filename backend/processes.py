"""Several server processes on one port, for PostgreSQL.

One Python process uses one core. On PostgreSQL, ``affaires serve
--workers N`` starts N of them, each with its own app, database pool and
event streams, all taking connections from one listening socket; what
one process commits reaches the streams of the others through the
database (``backend.notify``). SQLite keeps to one process: it has one
writer at a time, and nothing would carry a poke from one process to
another.

The first process started is the one that runs the daily tasks (the
purge of old tombstones), so that they do not run N times over.

The parent only watches: a process that stops on its own is started
again, unless it has stopped ``QUICK_STOPS`` times in a row within
``STARTS_WITHIN`` of its start (it cannot start: the parent stops
everything and says so). SIGTERM or SIGINT to the parent stops every
process, each finishing its requests.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Callable
from types import FrameType

import structlog

logger = structlog.get_logger()

# A process that ends this soon after starting, this many times in a
# row, cannot start.
STARTS_WITHIN = 5.0
QUICK_STOPS = 3
STOPS = (signal.SIGTERM, signal.SIGINT)
# Before starting again a process that ended on its own.
RESTART_PAUSE = 0.5


class ProcessesFailed(Exception):
    """A server process could not start: the others are stopped."""


def listening_socket(host: str, port: int) -> socket.socket:
    """The one socket every process accepts connections on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Said to be TCP: asyncio turns Nagle's algorithm off (TCP_NODELAY)
    # only on connections of a socket that says so, and with it on, an
    # answer written in two parts waited 40 ms for the client's ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve_in_processes(count: int, serve_one: Callable[[int], None]) -> None:
    """Run ``serve_one(index)`` in ``count`` child processes until told to
    stop; ``serve_one`` returns when its server has stopped."""
    children: dict[int, tuple[int, float]] = {}  # pid -> (index, started)
    quick_stops = [0] * count
    stopping = False

    def start(index: int) -> None:
        # Signals wait until the child has its own handlers and the parent
        # knows the child: a stop between the two would miss or misfire.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
        pid = os.fork()
        if pid == 0:
            _run_child(serve_one, index)
        children[pid] = (index, time.monotonic())
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in STOPS}
    try:
        for index in range(count):
            start(index)
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            if pid not in children:
                continue
            index, started = children.pop(pid)
            if stopping:
                continue
            code = os.waitstatus_to_exitcode(status)
            quick = time.monotonic() - started < STARTS_WITHIN
            quick_stops[index] = quick_stops[index] + 1 if quick else 0
            if quick_stops[index] >= QUICK_STOPS:
                stop(signal.SIGTERM, None)
                _wait_all(children)
                raise ProcessesFailed(
                    f"server process {index} stopped {QUICK_STOPS} times as it started "
                    f"(exit code {code}); its log says why"
                )
            logger.warning("server.process_restarted", process=index, exit=code)
            time.sleep(RESTART_PAUSE)
            if not stopping:
                start(index)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_child(serve_one: Callable[[int], None], index: int) -> None:
    """In the child: serve, then leave without running the parent's
    clean-up (it is the parent's)."""
    for sig in STOPS:
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
    code = 0
    try:
        serve_one(index)
    except BaseException:
        # Everything, SystemExit included: nothing may climb back into the
        # parent's loop, which this process holds a copy of.
        logger.exception("server.process_failed", process=index)
        code = 1
    finally:
        os._exit(code)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _wait_all(children: dict[int, tuple[int, float]]) -> None:
    for pid in list(children):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        children.pop(pid, None)
