"""Vouchers: issue, check the balance, redeem online or from a device."""
