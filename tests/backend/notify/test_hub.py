"""The streams of one process: pokes coalesce, silence is broken by a
comment, a stopping server ends every stream."""

from __future__ import annotations

import asyncio
import gc
import uuid

from litestar.response import ServerSentEventMessage

from backend.notify.hub import RETRY_MS, PokeHub


async def test_a_stream_starts_with_the_reconnection_delay() -> None:
    hub = PokeHub()
    stream = hub.stream(hub.watch(uuid.uuid4()))

    first = await anext(stream)

    assert first.retry is not None and RETRY_MS[0] <= first.retry <= RETRY_MS[1]
    assert first.event is None and first.data is None
    await stream.aclose()


async def test_pokes_before_the_stream_writes_coalesce_into_one() -> None:
    hub = PokeHub()
    person = uuid.uuid4()
    stream = hub.stream(hub.watch(person), heartbeat=0.2)
    await anext(stream)

    woken = [hub.poke([person]) for _ in range(3)]
    message = await anext(stream)
    after = await anext(stream)

    assert woken == [1, 0, 0]
    assert message.event == "poke"
    assert after.event is None and after.comment == "keep-alive"
    await stream.aclose()


async def test_only_the_people_poked_get_a_poke() -> None:
    hub = PokeHub()
    poked, other = uuid.uuid4(), uuid.uuid4()
    streams = {person: hub.stream(hub.watch(person), heartbeat=0.2) for person in (poked, other)}
    for stream in streams.values():
        await anext(stream)

    hub.poke([poked])
    got = {person: await anext(stream) for person, stream in streams.items()}

    assert got[poked].event == "poke"
    assert got[other].comment == "keep-alive"
    for stream in streams.values():
        await stream.aclose()


async def test_silence_is_broken_by_a_comment() -> None:
    hub = PokeHub()
    stream = hub.stream(hub.watch(uuid.uuid4()), heartbeat=0.05)
    await anext(stream)

    beat = await asyncio.wait_for(anext(stream), timeout=1)

    assert beat.encode() == ServerSentEventMessage(data=None, comment="keep-alive").encode()
    assert beat.encode().startswith(b": keep-alive")
    await stream.aclose()


async def test_closing_ends_every_stream_and_forgets_it() -> None:
    hub = PokeHub()
    person = uuid.uuid4()
    stream = hub.stream(hub.watch(person))
    await anext(stream)
    waiting = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.01)

    hub.close()

    ended = await asyncio.wait_for(asyncio.gather(waiting, return_exceptions=True), timeout=1)
    assert isinstance(ended[0], StopAsyncIteration)
    assert not hub.is_watching(person)


async def test_a_stream_ends_when_it_is_too_old() -> None:
    hub = PokeHub()
    stream = hub.stream(hub.watch(uuid.uuid4()), heartbeat=10, max_seconds=0.05)
    await anext(stream)

    rest = [message async for message in stream]

    assert rest == []


async def test_a_poke_is_written_without_data_but_dispatched() -> None:
    """A browser drops an event whose data buffer is empty: one empty data
    line makes it dispatch, with nothing in it."""
    hub = PokeHub()
    person = uuid.uuid4()
    stream = hub.stream(hub.watch(person))
    await anext(stream)

    hub.poke([person])
    message = await anext(stream)

    assert message.encode() == b"event: poke\r\ndata: \r\n\r\n"
    await stream.aclose()


async def test_a_stream_never_started_is_forgotten_with_it() -> None:
    """The client went away before the first byte was written."""
    hub = PokeHub()
    person = uuid.uuid4()
    stream = hub.stream(hub.watch(person))
    assert hub.is_watching(person)

    del stream
    gc.collect()

    assert not hub.is_watching(person)
    assert hub.people() == set()
