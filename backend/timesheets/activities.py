"""The activities the company's time is entered under, for the entry form.

An activity is free words on a time entry; some have an hourly rate of
their own. The app offers the words already in use so that people pick
the same ones (a rate applies to its exact words), and may type others.
Only the words go out: what an activity costs stays on the server.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import HourlyRate, TimeEntry
from backend.lib.time import utc_now

# Words typed on entries older than this have fallen out of use; those of
# a rate stay offered as long as the rate exists.
RECENT_DAYS = 90
# Enough for a company's vocabulary; beyond it, typos of the free words.
MAX_ACTIVITIES = 100


async def known_activities(session: AsyncSession) -> list[str]:
    """The distinct activities of the hourly rates and of the entries of
    the last ``RECENT_DAYS`` days, sorted as people read them (case
    aside), at most ``MAX_ACTIVITIES``: those of rates first."""
    since = utc_now().date() - dt.timedelta(days=RECENT_DAYS)
    of_rates = await session.scalars(
        sa.select(HourlyRate.activity).where(HourlyRate.activity != "").distinct()
    )
    of_entries = await session.scalars(
        sa.select(TimeEntry.activity)
        .where(
            TimeEntry.activity.is_not(None),
            TimeEntry.deleted_at.is_(None),
            TimeEntry.work_date >= since,
        )
        .distinct()
        .limit(MAX_ACTIVITIES)
    )

    rated = set(of_rates)
    typed = sorted({word for word in of_entries if word} - rated, key=str.casefold)
    kept = [*sorted(rated, key=str.casefold), *typed][:MAX_ACTIVITIES]
    return sorted(kept, key=str.casefold)
