"""Devices: one install of the app, its sequence, its clock, and when it
was last heard from.

A supervisor's list of devices says, for each install of the people they
look after, whether it is in use::

    status     when
    ---------  ------------------------------------------------------------
    replaced   the same person has a device first seen after this one was
               last seen (a new phone, or this one's storage was wiped and
               the app came back with a new client id); "after" by more
               than the minute a last contact may be behind
    silent     not heard from (no push, no pull) for ``silent_after``
    active     otherwise
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from backend.access import policy
from backend.access.actors import Actor
from backend.db.models import ConflictRecord, ConflictStatus, Device, User
from backend.db.upsert import insert_ignoring_duplicates
from backend.lib.errors import Forbidden
from backend.lib.time import utc_now
from backend.offline.schemas import DeviceOut
from sync.clock import measure_offset_ms, smooth_offset_ms

# A pull is written down at most this often for a device: a pull with
# nothing new must stay a read (see the pull figures of the benchmarks).
SEEN_EVERY = dt.timedelta(minutes=1)

DeviceStatus = Literal["active", "silent", "replaced"]
DEVICE = (
    sa.select(Device)
    .where(Device.client_id == sa.bindparam("client_id"))
    .execution_options(populate_existing=True)
)
DEVICE_FOR_UPDATE = DEVICE.with_for_update()


async def device_for(
    session: AsyncSession,
    actor: Actor,
    client_id: uuid.UUID,
    *,
    for_update: bool,
    agent: str | None = None,
) -> Device:
    """The device row, made on first contact and locked for a push.

    The row lock makes two pushes of the same device (a retry racing the
    original) take turns, so the second sees the first one's ``last_seq``.
    """
    query = DEVICE_FOR_UPDATE if for_update else DEVICE
    device = (await session.scalars(query, {"client_id": client_id})).one_or_none()
    if device is None:
        # First contact; a second first contact racing this one makes the
        # same row, so whichever insert loses leaves it as the winner made it.
        await session.execute(
            insert_ignoring_duplicates(session, Device).values(
                client_id=client_id,
                user_id=actor.id,
                last_seq=0,
                clock_offset_ms=0,
                schema=1,
                agent=agent,
            )
        )
        device = (await session.scalars(query, {"client_id": client_id})).one()
    if device.user_id != actor.id:
        # A client id belongs to one person's install; another person signing
        # in on the same browser gets a fresh client id from the app.
        raise Forbidden("device_of_another_user", code="device_of_another_user")
    if agent and device.agent != agent:
        device.agent = agent
    return device


def note_push(
    device: Device, *, sent_at: dt.datetime, received_at: dt.datetime, schema: int
) -> dict[str, Any]:
    """The device's clock offset and that it was seen: what a push writes
    of its device besides ``last_seq``.

    They are set on ``device`` as if stored already, and the push writes
    them itself with its ``last_seq``, in one plain UPDATE
    (``SqlPushStore.advance``): no unit of work for one row.
    """
    measured = measure_offset_ms(sent_at, received_at)
    first_push = device.last_seq == 0
    noted = {
        "clock_offset_ms": smooth_offset_ms(
            None if first_push else device.clock_offset_ms, measured
        ),
        "last_seen_at": received_at,
        "last_push_at": received_at,
        "schema": schema,
    }
    for name, value in noted.items():
        set_committed_value(device, name, value)
    return noted


def pull_worth_noting(device: Device | None, received_at: dt.datetime) -> bool:
    """Should this pull be written down?

    Always for a new device and for the first pull after a push (it tells
    that the device received the answers to what it sent); otherwise once
    every ``SEEN_EVERY``.
    """
    if device is None or device.last_pull_at is None:
        return True
    if device.last_push_at is not None and device.last_push_at >= device.last_pull_at:
        return True
    return received_at - device.last_pull_at >= SEEN_EVERY


def note_pull(device: Device, *, received_at: dt.datetime) -> None:
    device.last_pull_at = received_at
    device.last_seen_at = max(device.last_seen_at, received_at)


# (pattern in the User-Agent header, the words shown), first match wins.
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)
_BROWSERS = (
    ("SamsungBrowser/", "Samsung Internet"),
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)


def describe_agent(user_agent: str | None) -> str | None:
    """The system and browser of a User-Agent header: "Android · Chrome".

    Only these two words are kept, never the header itself; None when
    neither is recognised.
    """
    if not user_agent:
        return None
    words = user_agent[:512]
    system = next((name for mark, name in _SYSTEMS if mark in words), None)
    browser = next((name for mark, name in _BROWSERS if mark in words), None)
    found = [name for name in (system, browser) if name]
    return " · ".join(found) if found else None


async def list_devices(
    session: AsyncSession, actor: Actor, *, silent_after: dt.timedelta
) -> list[DeviceOut]:
    """The devices of the people ``actor`` looks after, each with its status.

    Technicians, employees and sales people look after nobody's devices:
    ``Forbidden``.
    """
    if not policy.reviews_devices(actor):
        raise Forbidden()

    rows = await session.execute(
        sa.select(Device, User.name)
        .join(User, User.id == Device.user_id)
        .where(policy.visible_devices(actor))
    )
    found = [(device, name) for device, name in rows]
    open_conflicts = await _open_conflicts_by_device(session, actor)

    by_person: dict[uuid.UUID, list[Device]] = defaultdict(list)
    for device, _ in found:
        by_person[device.user_id].append(device)
    now = utc_now()
    listed = [
        _describe(
            device,
            name,
            by_person[device.user_id],
            open_conflicts.get(device.client_id, 0),
            now - silent_after,
        )
        for device, name in found
    ]
    return sorted(listed, key=lambda d: (d.user_name, -d.last_seen_at.timestamp()))


async def _open_conflicts_by_device(session: AsyncSession, actor: Actor) -> dict[uuid.UUID, int]:
    listed = sa.select(Device.client_id).where(policy.visible_devices(actor))
    rows = await session.execute(
        sa.select(ConflictRecord.client_id, sa.func.count())
        .where(
            ConflictRecord.status == ConflictStatus.OPEN,
            ConflictRecord.client_id.in_(listed),
        )
        .group_by(ConflictRecord.client_id)
    )
    return {client_id: int(count) for client_id, count in rows}


def _describe(
    device: Device,
    user_name: str,
    same_person: list[Device],
    open_conflicts: int,
    silent_before: dt.datetime,
) -> DeviceOut:
    # ``last_seen_at`` may lag a pull by up to ``SEEN_EVERY``: a device
    # first seen within that time is not taken for its successor.
    seen_until = device.last_seen_at + SEEN_EVERY
    newer = [other for other in same_person if other.first_seen_at > seen_until]
    successor = min(newer, key=lambda other: other.first_seen_at) if newer else None
    status: DeviceStatus = "active"
    if successor is not None:
        status = "replaced"
    elif device.last_seen_at < silent_before:
        status = "silent"
    # Its last push was never followed by a pull: the device may not know
    # that what it sent arrived (it sends it again, harmlessly, if it ever
    # comes back).
    unconfirmed = device.last_push_at is not None and (
        device.last_pull_at is None or device.last_pull_at < device.last_push_at
    )
    return DeviceOut(
        client_id=device.client_id,
        user_id=device.user_id,
        user_name=user_name,
        agent=device.agent,
        status=status,
        first_seen_at=device.first_seen_at,
        last_seen_at=device.last_seen_at,
        last_push_at=device.last_push_at,
        last_pull_at=device.last_pull_at,
        last_seq=device.last_seq,
        unconfirmed=unconfirmed,
        open_conflicts=open_conflicts,
        replaced_by=successor.client_id if successor else None,
        replaced_at=successor.first_seen_at if successor else None,
    )
