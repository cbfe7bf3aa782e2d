"""Device clock offsets, measured and smoothed, and corrected times."""

from __future__ import annotations

import datetime as dt

import pytest

from sync.clock import (
    EARLIEST_CHANGE,
    RESET_OFFSET_MS,
    corrected_time,
    measure_offset_ms,
    smooth_offset_ms,
)

NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("sent_at", "offset"),
    [
        (NOW, 0),
        (NOW + dt.timedelta(hours=1), 3_600_000),
        (NOW - dt.timedelta(seconds=2, milliseconds=500), -2_500),
        (dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))), 0),
    ],
)
def test_measure_offset(sent_at: dt.datetime, offset: int) -> None:
    assert measure_offset_ms(sent_at, NOW) == offset


@pytest.mark.parametrize(
    ("previous", "measured", "kept"),
    [
        (None, 500, 500),
        (1000, 1400, 1100),
        (1000, 1000 + RESET_OFFSET_MS, 1000 + RESET_OFFSET_MS),
    ],
)
def test_smooth_offset(previous: int | None, measured: int, kept: int) -> None:
    assert smooth_offset_ms(previous, measured) == kept


def test_an_hour_fast_clock_is_corrected_back() -> None:
    device_time = dt.datetime(2026, 12, 4, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))

    corrected = corrected_time(device_time, 3_600_000, NOW + dt.timedelta(minutes=5))

    assert corrected == dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    assert corrected.tzinfo == dt.UTC


@pytest.mark.parametrize(
    ("at", "offset_ms"),
    [
        # sent_at said 1970: the offset would carry "an hour ago" to 2083.
        (NOW - dt.timedelta(hours=1), -1_780_000_000_000),
        # A clock at the end of time cannot overflow the correction.
        (dt.datetime(9999, 12, 31, tzinfo=dt.UTC), -10_000_000),
        (dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.UTC), 3_600_000),
    ],
)
def test_a_corrected_time_is_never_after_its_arrival(at: dt.datetime, offset_ms: int) -> None:
    corrected = corrected_time(at, offset_ms, NOW)

    assert EARLIEST_CHANGE <= corrected <= NOW


@pytest.mark.parametrize(
    ("at", "offset_ms"),
    [
        (dt.datetime(1, 1, 1, tzinfo=dt.UTC), 0),
        # The correction itself would fall before year 1.
        (dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.UTC), 7_200_000),
        (dt.datetime(1999, 12, 31, tzinfo=dt.UTC), 0),
    ],
)
def test_a_broken_clock_s_change_is_not_dated_before_the_product(
    at: dt.datetime, offset_ms: int
) -> None:
    assert corrected_time(at, offset_ms, NOW) == EARLIEST_CHANGE
