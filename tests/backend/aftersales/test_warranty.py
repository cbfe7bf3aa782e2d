"""The warranty decision at intake, as a table."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from backend.aftersales.warranty import (
    CUSTOMER_WARRANTY_RUNNING,
    MANUFACTURER_WARRANTY_RUNNING,
    NO_WARRANTY_KNOWN,
    UNDER_CONTRACT,
    WARRANTY_ENDED,
    WarrantyFacts,
    decide_warranty,
)
from backend.db.models import WarrantyBasis as W

END = dt.date(2026, 6, 30)
LATER = dt.date(2027, 6, 30)
CONTRACT = uuid.UUID(int=7)
LAST_DAY = END
DAY_AFTER = dt.date(2026, 7, 1)


@pytest.mark.parametrize(
    ("customer", "manufacturer", "contract", "day", "basis", "reason"),
    [
        # The customer's warranty first, up to and including its last day.
        (END, LATER, CONTRACT, dt.date(2026, 1, 5), W.CUSTOMER_WARRANTY, CUSTOMER_WARRANTY_RUNNING),
        (END, None, None, LAST_DAY, W.CUSTOMER_WARRANTY, CUSTOMER_WARRANTY_RUNNING),
        (END, None, None, DAY_AFTER, W.CHARGEABLE, WARRANTY_ENDED),
        # Then the manufacturer's.
        (END, LATER, None, DAY_AFTER, W.MANUFACTURER_WARRANTY, MANUFACTURER_WARRANTY_RUNNING),
        (None, END, CONTRACT, LAST_DAY, W.MANUFACTURER_WARRANTY, MANUFACTURER_WARRANTY_RUNNING),
        (None, END, None, DAY_AFTER, W.CHARGEABLE, WARRANTY_ENDED),
        # Then a contract covering the equipment that day.
        (END, END, CONTRACT, DAY_AFTER, W.CONTRACT, UNDER_CONTRACT),
        (None, None, CONTRACT, DAY_AFTER, W.CONTRACT, UNDER_CONTRACT),
        # Else the customer pays, and the reason says whether anything was known.
        (END, END, None, DAY_AFTER, W.CHARGEABLE, WARRANTY_ENDED),
        (None, None, None, DAY_AFTER, W.CHARGEABLE, NO_WARRANTY_KNOWN),
    ],
)
def test_warranty_decision_table(
    customer: dt.date | None,
    manufacturer: dt.date | None,
    contract: uuid.UUID | None,
    day: dt.date,
    basis: W,
    reason: str,
) -> None:
    decision = decide_warranty(WarrantyFacts(customer, manufacturer, contract), day)

    assert (decision.basis, decision.reason) == (basis, reason)
    assert decision.contract_id == (contract if basis is W.CONTRACT else None)
