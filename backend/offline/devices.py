"""Devices: one install of the app, its sequence and its clock."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor
from backend.db.models import Device
from backend.db.upsert import insert_ignoring_duplicates
from backend.lib.errors import Forbidden
from sync.clock import measure_offset_ms, smooth_offset_ms


async def device_for(
    session: AsyncSession, actor: Actor, client_id: uuid.UUID, *, for_update: bool
) -> Device:
    """The device row, made on first contact and locked for a push.

    The row lock makes two pushes of the same device (a retry racing the
    original) take turns, so the second sees the first one's ``last_seq``.
    """
    await session.execute(
        insert_ignoring_duplicates(session, Device).values(
            client_id=client_id, user_id=actor.id, last_seq=0, clock_offset_ms=0, schema=1
        )
    )
    query = sa.select(Device).where(Device.client_id == client_id)
    if for_update:
        query = query.with_for_update()
    device = (await session.scalars(query.execution_options(populate_existing=True))).one()
    if device.user_id != actor.id:
        # A client id belongs to one person's install; another person signing
        # in on the same browser gets a fresh client id from the app.
        raise Forbidden("device_of_another_user", code="device_of_another_user")
    return device


def note_push(
    device: Device, *, sent_at: dt.datetime, received_at: dt.datetime, schema: int
) -> None:
    """Record the device's clock offset and that it was seen."""
    measured = measure_offset_ms(sent_at, received_at)
    first_push = device.last_seq == 0
    device.clock_offset_ms = smooth_offset_ms(
        None if first_push else device.clock_offset_ms, measured
    )
    device.last_seen_at = received_at
    device.schema = schema
