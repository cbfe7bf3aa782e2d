"""Money is integer cents; rates are cents per hour."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MINUTES_PER_HOUR = 60


def labour_cost_cents(minutes: int, rate_cents_per_hour: int) -> int:
    """Cost of ``minutes`` of work at an hourly rate, rounded half up to the cent."""
    exact = Decimal(minutes) * Decimal(rate_cents_per_hour) / MINUTES_PER_HOUR
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def decimal_to_cents(amount: str | Decimal | float | None) -> int | None:
    """A decimal amount of currency (``"1250.50000000"``) as cents, or None."""
    if amount is None or amount == "":
        return None
    cents = Decimal(str(amount)) * 100
    return int(cents.quantize(Decimal(1), rounding=ROUND_HALF_UP))
