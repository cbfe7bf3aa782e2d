"""Device clocks are not trusted: each device's offset is measured.

When a push arrives, the device's ``sent_at`` is compared with the server
clock. The difference (minus a network delay we cannot see) is the
device's offset; ``at - offset`` is the device time corrected to the
server's clock, which is what decides between two concurrent changes. A
phone whose clock is an hour fast thus does not win every tie.
"""

from __future__ import annotations

import datetime as dt

# A measurement this far from the last one replaces it at once (the clock
# was set); smaller drifts are smoothed so one slow request cannot swing it.
RESET_OFFSET_MS = 60_000
SMOOTHING = 0.25
# No change of this product was made before it: a device time earlier than
# this is a clock gone wrong (year 1), not a change made long ago.
EARLIEST_CHANGE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def measure_offset_ms(sent_at: dt.datetime, received_at: dt.datetime) -> int:
    """Device clock minus server clock, in milliseconds."""
    return round((sent_at - received_at).total_seconds() * 1000)


def smooth_offset_ms(previous: int | None, measured: int) -> int:
    """The offset to keep after a new measurement."""
    if previous is None or abs(measured - previous) >= RESET_OFFSET_MS:
        return measured
    return round(previous + SMOOTHING * (measured - previous))


def corrected_time(at: dt.datetime, offset_ms: int, received_at: dt.datetime) -> dt.datetime:
    """Device time ``at`` moved onto the server's clock, in UTC.

    Never later than ``received_at``: a change cannot have been made after
    it arrived. A device whose ``sent_at`` and ``at`` disagree (its clock was
    set between the change and the push) thus never wins every later tie.
    Never earlier than ``EARLIEST_CHANGE``: a broken clock's change loses
    its ties, and no record says it was made in year 1.
    """
    try:
        corrected = (at - dt.timedelta(milliseconds=offset_ms)).astimezone(dt.UTC)
    except OverflowError:
        # Past either end of the calendar: the end it fell off decides.
        return received_at if at.year > 1 else EARLIEST_CHANGE
    return max(EARLIEST_CHANGE, min(corrected, received_at))
