"""Each person's appointments as an iCalendar feed a calendar app subscribes to.

A calendar app sends no cookie: the feed's URL carries the person's id and
a token signed with the server's secret and the person's feed key
(backend/lib/signing.py). A wrong token, an address given up for a new
one, or a person who left, is answered like an unknown URL.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor
from backend.db.models import Action, ActionKind, Affair, CalendarKey, Role, Site, User
from backend.lib import icalendar
from backend.lib.errors import Forbidden, NotFound
from backend.lib.signing import is_person_token, new_key, person_token
from backend.lib.time import utc_now

logger = structlog.get_logger()

FEED_PURPOSE = "calendar-feed"
# Past appointments stay this long in the feed; future ones all do.
PAST_KEPT = dt.timedelta(days=90)
# An appointment with a start and no end is shown this long.
DEFAULT_LENGTH = dt.timedelta(hours=1)
UID_DOMAIN = "affaires"


async def feed_key(session: AsyncSession, person_id: uuid.UUID) -> str:
    """The person's feed key; "" until they first renew their address."""
    row = await session.get(CalendarKey, person_id)
    return row.key if row else ""


async def feed_path(session: AsyncSession, secret: bytes, person_id: uuid.UUID) -> str:
    token = person_token(secret, FEED_PURPOSE, person_id, await feed_key(session, person_id))
    return f"/api/calendar/{person_id}/{token}.ics"


async def renew_feed(session: AsyncSession, actor: Actor, person_id: uuid.UUID) -> None:
    """Give the person's feed a new address: the old one stops answering
    (a phone lost, an address shared by mistake). The person themself, or
    an administrator for anybody."""
    if actor.id != person_id and actor.role != Role.ADMIN:
        raise Forbidden()
    person = await session.get(User, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFound()
    row = await session.get(CalendarKey, person_id)
    if row is None:
        session.add(CalendarKey(user_id=person_id, key=new_key(), made_at=utc_now()))
    else:
        row.key, row.made_at = new_key(), utc_now()
    logger.info("calendar.feed_renewed", by_self=actor.id == person_id)


async def appointments_feed(
    session: AsyncSession, secret: bytes, person_id: uuid.UUID, file_name: str
) -> bytes:
    """The person's appointments as iCalendar, or ``NotFound`` when the
    token does not match or the person cannot sign in any more."""
    token = file_name.removesuffix(".ics")
    key = await feed_key(session, person_id)
    if not file_name.endswith(".ics") or not is_person_token(
        secret, FEED_PURPOSE, person_id, token, key
    ):
        raise NotFound()
    person = await session.get(User, person_id)
    if person is None or not person.active or person.deleted_at is not None:
        raise NotFound()

    now = utc_now()
    rows = await session.execute(
        sa.select(Action, Affair.code, Affair.deleted_at, Site)
        .join(Affair, Affair.id == Action.affair_id)
        .outerjoin(Site, Site.id == Affair.site_id)
        .where(
            Action.assignee_id == person_id,
            Action.kind == ActionKind.APPOINTMENT,
            Action.starts_at.is_not(None),
            Action.starts_at >= now - PAST_KEPT,
        )
        .order_by(Action.starts_at, Action.id)
    )
    events = [_event(action, code, gone, site) for action, code, gone, site in rows]
    return icalendar.calendar(f"Affaires – {person.name}", events, stamped_at=now)


def _event(
    action: Action, affair_code: str, affair_deleted_at: dt.datetime | None, site: Site | None
) -> icalendar.Event:
    assert action.starts_at is not None
    if action.ends_at is not None and action.ends_at > action.starts_at:
        ends_at = action.ends_at
    elif action.planned_minutes:
        ends_at = action.starts_at + dt.timedelta(minutes=action.planned_minutes)
    else:
        ends_at = action.starts_at + DEFAULT_LENGTH
    return icalendar.Event(
        uid=f"{action.id}@{UID_DOMAIN}",
        starts_at=action.starts_at,
        ends_at=ends_at,
        summary=f"{affair_code} {action.title}",
        sequence=action.version or 0,
        location=_location(site),
        description=action.description,
        # A deleted appointment (or affair) stays a tombstone for a while:
        # saying it is cancelled takes it off calendars that copied it.
        cancelled=action.deleted_at is not None or affair_deleted_at is not None,
    )


def _location(site: Site | None) -> str | None:
    if site is None or site.deleted_at is not None:
        return None
    town = " ".join(part for part in (site.postcode, site.town) if part)
    parts = [site.name, site.address, town]
    return ", ".join(part.strip() for part in parts if part and part.strip()) or None
