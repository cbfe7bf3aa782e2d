"""A voucher's balance stays exact, whoever writes: kept by the database.

The services decide a redemption and explain a refusal (the balance left,
the validity). These triggers are the same rule for every writer, the
back office and a hand-run SQL fix included, and the last word when two
devices redeem one voucher at once:

    redemption added (live) ..... refused when the voucher is cancelled,
                                  the day is outside issued_on..valid_until,
                                  or the amount goes past the limit;
                                  otherwise added to redeemed_cents
    redemption tombstoned ....... its amount is given back
    tombstone lifted ............ checked and added again
    amount, day or voucher ...... never change (a redemption is a fact)
    redeemed_cents .............. always the sum of live redemptions

The CHECK on ``vouchers`` (0 <= redeemed_cents <= limit_cents) holds the
limit even where a trigger's own read could be stale: the balance is
moved by ``redeemed_cents = redeemed_cents + amount``, which PostgreSQL
evaluates on the row's latest version, under its row lock.
"""

from __future__ import annotations

import sqlalchemy as sa

# The codes the database refuses with; the services answer the same ones.
CANCELLED = "voucher_cancelled"
NOT_VALID = "voucher_not_valid"
OVER_LIMIT = "voucher_over_limit"
FIXED = "voucher_redemption_fixed"
BALANCE = "voucher_balance"
# The CHECK constraint that holds the limit (named by the metadata's convention).
WITHIN_LIMIT = "ck_vouchers_within_limit"

_LIVE_SUM = (
    "(SELECT COALESCE(SUM(amount_cents), 0) FROM voucher_redemptions "
    "WHERE voucher_id = NEW.id AND deleted_at IS NULL)"
)


def _sqlite_refusals() -> str:
    """Statements refusing a live redemption ``NEW`` that does not fit."""
    voucher = "FROM vouchers WHERE id = NEW.voucher_id AND"
    return (
        f"SELECT RAISE(ABORT, '{CANCELLED}') {voucher} cancelled_at IS NOT NULL; "
        f"SELECT RAISE(ABORT, '{NOT_VALID}') {voucher} "
        "(NEW.redeemed_on < issued_on OR NEW.redeemed_on > valid_until); "
        f"SELECT RAISE(ABORT, '{OVER_LIMIT}') {voucher} "
        "redeemed_cents + NEW.amount_cents > limit_cents;"
    )


def _sqlite_triggers() -> dict[str, str]:
    add = (
        "UPDATE vouchers SET redeemed_cents = redeemed_cents + NEW.amount_cents "
        "WHERE id = NEW.voucher_id;"
    )
    give_back = (
        "UPDATE vouchers SET redeemed_cents = redeemed_cents - OLD.amount_cents "
        "WHERE id = OLD.voucher_id;"
    )
    fixed = (
        "OLD.voucher_id IS NOT NEW.voucher_id OR OLD.amount_cents IS NOT NEW.amount_cents "
        "OR OLD.redeemed_on IS NOT NEW.redeemed_on"
    )
    revived = "OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL"
    return {
        "vouchers_balance_insert": (
            f"BEFORE INSERT ON vouchers WHEN NEW.redeemed_cents <> 0 "
            f"BEGIN SELECT RAISE(ABORT, '{BALANCE}'); END"
        ),
        "vouchers_balance_update": (
            f"BEFORE UPDATE OF redeemed_cents ON vouchers "
            f"WHEN NEW.redeemed_cents IS NOT {_LIVE_SUM} "
            f"BEGIN SELECT RAISE(ABORT, '{BALANCE}'); END"
        ),
        "voucher_redemptions_check_insert": (
            f"BEFORE INSERT ON voucher_redemptions WHEN NEW.deleted_at IS NULL "
            f"BEGIN {_sqlite_refusals()} END"
        ),
        "voucher_redemptions_balance_insert": (
            f"AFTER INSERT ON voucher_redemptions WHEN NEW.deleted_at IS NULL BEGIN {add} END"
        ),
        "voucher_redemptions_fixed": (
            f"BEFORE UPDATE OF voucher_id, amount_cents, redeemed_on ON voucher_redemptions "
            f"WHEN {fixed} BEGIN SELECT RAISE(ABORT, '{FIXED}'); END"
        ),
        "voucher_redemptions_check_revived": (
            f"BEFORE UPDATE OF deleted_at ON voucher_redemptions WHEN {revived} "
            f"BEGIN {_sqlite_refusals()} END"
        ),
        "voucher_redemptions_balance_revived": (
            f"AFTER UPDATE OF deleted_at ON voucher_redemptions WHEN {revived} BEGIN {add} END"
        ),
        "voucher_redemptions_balance_tombstoned": (
            "AFTER UPDATE OF deleted_at ON voucher_redemptions "
            f"WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL BEGIN {give_back} END"
        ),
        "voucher_redemptions_balance_delete": (
            f"AFTER DELETE ON voucher_redemptions WHEN OLD.deleted_at IS NULL BEGIN {give_back} END"
        ),
    }


def _refuse(code: str) -> str:
    return f"RAISE EXCEPTION '{code}' USING ERRCODE = 'check_violation';"


PG_BALANCE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION check_voucher_balance() RETURNS trigger AS $$
BEGIN
    IF NEW.redeemed_cents IS DISTINCT FROM {_LIVE_SUM} THEN
        {_refuse(BALANCE)}
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

PG_REDEMPTION_FUNCTION = f"""
CREATE OR REPLACE FUNCTION keep_voucher_balance() RETURNS trigger AS $$
DECLARE
    held vouchers%ROWTYPE;
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.voucher_id, OLD.amount_cents, OLD.redeemed_on)
        IS DISTINCT FROM (NEW.voucher_id, NEW.amount_cents, NEW.redeemed_on) THEN
        {_refuse(FIXED)}
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL
        AND (TG_OP = 'DELETE' OR NEW.deleted_at IS NOT NULL) THEN
        UPDATE vouchers SET redeemed_cents = redeemed_cents - OLD.amount_cents
        WHERE id = OLD.voucher_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL
        AND (TG_OP = 'INSERT' OR OLD.deleted_at IS NOT NULL) THEN
        -- The row lock makes a second redemption of this voucher wait here
        -- for the first one's transaction, then read what it left.
        SELECT * INTO held FROM vouchers WHERE id = NEW.voucher_id FOR UPDATE;
        IF held.cancelled_at IS NOT NULL THEN
            {_refuse(CANCELLED)}
        END IF;
        IF NEW.redeemed_on < held.issued_on OR NEW.redeemed_on > held.valid_until THEN
            {_refuse(NOT_VALID)}
        END IF;
        IF held.redeemed_cents + NEW.amount_cents > held.limit_cents THEN
            {_refuse(OVER_LIMIT)}
        END IF;
        UPDATE vouchers SET redeemed_cents = redeemed_cents + NEW.amount_cents
        WHERE id = NEW.voucher_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def install_voucher_balance(connection: sa.Connection) -> None:
    """(Re)create the balance's triggers on ``vouchers`` and
    ``voucher_redemptions``."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(PG_BALANCE_FUNCTION)
        connection.exec_driver_sql(PG_REDEMPTION_FUNCTION)
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS vouchers_balance ON vouchers")
        connection.exec_driver_sql(
            "CREATE TRIGGER vouchers_balance "
            "BEFORE INSERT OR UPDATE OF redeemed_cents ON vouchers "
            "FOR EACH ROW EXECUTE FUNCTION check_voucher_balance()"
        )
        connection.exec_driver_sql(
            "DROP TRIGGER IF EXISTS voucher_redemptions_balance ON voucher_redemptions"
        )
        connection.exec_driver_sql(
            "CREATE TRIGGER voucher_redemptions_balance "
            "AFTER INSERT OR UPDATE OR DELETE ON voucher_redemptions "
            "FOR EACH ROW EXECUTE FUNCTION keep_voucher_balance()"
        )
        return
    for name, body in _sqlite_triggers().items():
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql(f"CREATE TRIGGER {name} {body}")


def drop_voucher_balance(connection: sa.Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS vouchers_balance ON vouchers")
        connection.exec_driver_sql(
            "DROP TRIGGER IF EXISTS voucher_redemptions_balance ON voucher_redemptions"
        )
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS check_voucher_balance()")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS keep_voucher_balance()")
        return
    for name in _sqlite_triggers():
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def balance_refusal(exc: BaseException) -> str | None:
    """The code of the balance rule that refused a write, if one did."""
    text = str(exc)
    for code in (CANCELLED, NOT_VALID, OVER_LIMIT, FIXED, BALANCE):
        if code in text:
            return code
    return OVER_LIMIT if WITHIN_LIMIT in text else None
