"""A maintenance contract's visits reach their technician's phone, each
on the day it is due."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.pwa.conftest import phone_today, sign_in, wait_synced

pytestmark = pytest.mark.browser


def test_the_contracts_coming_visit_shows_on_its_day(phone: Any) -> None:
    page = phone().new_page()
    sign_in(page, "tech1@demo.test")
    wait_synced(page)
    due = (phone_today() + dt.timedelta(days=10)).isoformat()

    day = page.locator(f"section.day-group[aria-labelledby='day-{due}']")
    day.locator(".order-card", has_text="Maintenance visit").wait_for()

    assert (
        page.locator(
            "section[aria-labelledby='day-none'] .order-card", has_text="Maintenance visit"
        ).count()
        == 0
    )
    assert day.locator(".order-card .card-meta").inner_text().endswith(due.replace("-", ""))
