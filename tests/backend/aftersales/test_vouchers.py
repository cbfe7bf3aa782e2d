"""Vouchers: issued by the office, checked and redeemed online or offline."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.aftersales.vouchers.services import read_code
from backend.db.engine import Database
from backend.db.models import Customer, ProductKind, Voucher
from sync.ids import uuid7
from tests.backend.conftest import PARIS
from tests.factories import Company
from tests.voucher_factories import (
    TODAY,
    make_voucher,
    redemption_count,
    stored_voucher,
    voucher_product,
)

CODE = re.compile(r"\A[A-HJ-KMNP-Z2-9]{4}(-[A-HJ-KMNP-Z2-9]{4}){3}\Z")


async def voucher_total(db: Database) -> int:
    async with db.reading() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(Voucher)) or 0)


# --- issuing -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "admin", "sales"])
async def test_office_issues_a_voucher_with_a_readable_code(
    device_of: Any, db: Database, who: str
) -> None:
    product_id = await voucher_product(db)
    person = await device_of(who)
    until = TODAY + dt.timedelta(days=365)

    response = await person.client.post(
        "/api/vouchers/",
        json={"product_id": str(product_id), "limit_cents": 5000, "valid_until": str(until)},
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert CODE.match(body["code"])
    assert (body["balance_cents"], body["state"], body["issued_on"]) == (5000, "valid", str(TODAY))


@pytest.mark.parametrize("who", ["tech", "supervisor", "employee"])
async def test_field_people_may_not_issue_vouchers(device_of: Any, db: Database, who: str) -> None:
    product_id = await voucher_product(db)
    person = await device_of(who)

    response = await person.client.post(
        "/api/vouchers/",
        json={"product_id": str(product_id), "limit_cents": 5000, "valid_until": "2030-01-01"},
    )

    assert response.status_code == 403
    assert await voucher_total(db) == 0


async def test_signed_out_client_reaches_no_voucher_endpoint(
    app_client: httpx.AsyncClient, db: Database
) -> None:
    voucher = await make_voucher(db)
    body = {"redemption_id": str(uuid7()), "amount_cents": 100}

    answers = [
        await app_client.post("/api/vouchers/", json={}),
        await app_client.get("/api/vouchers/"),
        await app_client.get(f"/api/vouchers/{voucher.code}"),
        await app_client.post(f"/api/vouchers/{voucher.code}/redemptions", json=body),
    ]

    assert [answer.status_code for answer in answers] == [401] * 4
    assert await redemption_count(db, voucher.id) == 0


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"colour": "red"}, 400, None),
        ({"limit_cents": 0}, 400, "limit_cents"),
        ({"valid_until": "someday"}, 400, "valid_until"),
        ({"issued_on": "2031-01-01"}, 400, "valid_until"),
        ({"issued_on": "1900-01-01"}, 400, "issued_on"),
        ({"valid_until": "9999-12-31"}, 400, "valid_until"),
        ({"product_id": str(uuid7())}, 404, "product_id"),
        ({"affair_id": str(uuid7())}, 404, "affair_id"),
    ],
)
async def test_bad_issue_request_writes_nothing(
    device_of: Any, db: Database, change: dict[str, Any], status: int, field: str | None
) -> None:
    product_id = await voucher_product(db)
    manager = await device_of("manager")
    body = {"product_id": str(product_id), "limit_cents": 5000, "valid_until": "2030-01-01"}

    response = await manager.client.post("/api/vouchers/", json={**body, **change})

    assert response.status_code == status, response.text
    error = response.json()
    assert set(error) == {"code", "message", "details"}
    if field is not None:
        assert field in str(error["details"])
    assert await voucher_total(db) == 0


async def test_a_product_that_is_not_a_voucher_cannot_be_issued(
    device_of: Any, db: Database
) -> None:
    product_id = await voucher_product(db, ProductKind.SERVICE)
    manager = await device_of("manager")

    response = await manager.client.post(
        "/api/vouchers/",
        json={"product_id": str(product_id), "limit_cents": 5000, "valid_until": "2030-01-01"},
    )

    assert response.status_code == 422
    assert response.json()["code"] == "not_a_voucher_product"
    assert await voucher_total(db) == 0


# --- checking and listing ------------------------------------------------------


async def test_technician_checks_a_code_as_typed(device_of: Any, db: Database) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    tech = await device_of("tech")
    typed = voucher.code.replace("-", " ").lower()

    response = await tech.client.get(f"/api/vouchers/{typed}")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["code"], body["balance_cents"], body["redemptions"]) == (voucher.code, 5000, [])


async def test_unknown_code_is_not_found(device_of: Any, db: Database) -> None:
    tech = await device_of("tech")

    answers = [
        await tech.client.get("/api/vouchers/AAAA-BBBB-CCCC-DDDD"),
        await tech.client.get("/api/vouchers/not-a-code"),
    ]

    assert [answer.status_code for answer in answers] == [404, 404]
    assert {answer.json()["code"] for answer in answers} == {"voucher_unknown"}


async def test_employee_may_not_check_a_code(device_of: Any, db: Database) -> None:
    voucher = await make_voucher(db)
    employee = await device_of("employee")

    response = await employee.client.get(f"/api/vouchers/{voucher.code}")

    assert response.status_code == 403


@pytest.mark.parametrize(("who", "status"), [("manager", 200), ("supervisor", 200), ("sales", 200)])
async def test_office_lists_vouchers(device_of: Any, db: Database, who: str, status: int) -> None:
    await make_voucher(db)
    await make_voucher(db)
    person = await device_of(who)

    response = await person.client.get("/api/vouchers/?limit=1")

    assert response.status_code == status
    body = response.json()
    assert (body["total"], len(body["items"])) == (2, 1)


@pytest.mark.parametrize("who", ["tech", "employee"])
async def test_field_people_may_not_list_vouchers(device_of: Any, db: Database, who: str) -> None:
    person = await device_of(who)

    response = await person.client.get("/api/vouchers/")

    assert response.status_code == 403


async def test_office_cancels_a_voucher_and_it_pays_no_more(device_of: Any, db: Database) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    manager, tech = await device_of("manager"), await device_of("tech")
    await redeem_online(tech, voucher.code, 1000)

    cancelled = await manager.client.post(f"/api/vouchers/{voucher.code}/cancel", json={})
    again = await manager.client.post(f"/api/vouchers/{voucher.code}/cancel", json={})
    refused = await redeem_online(tech, voucher.code, 1000)

    assert (cancelled.status_code, again.status_code) == (200, 200)
    assert (cancelled.json()["state"], cancelled.json()["balance_cents"]) == ("cancelled", 4000)
    assert (refused.status_code, refused.json()["code"]) == (422, "voucher_cancelled")
    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 1000


@pytest.mark.parametrize(("who", "status"), [("tech", 403), ("supervisor", 403), (None, 401)])
async def test_only_issuers_cancel_vouchers(
    device_of: Any, app_client: httpx.AsyncClient, db: Database, who: str | None, status: int
) -> None:
    voucher = await make_voucher(db)
    client = (await device_of(who)).client if who else app_client

    response = await client.post(f"/api/vouchers/{voucher.code}/cancel", json={})

    assert response.status_code == status
    assert (await stored_voucher(db, voucher.id)).cancelled_at is None


# --- redeeming online ----------------------------------------------------------


async def redeem_online(device: Any, code: str, amount: int, **extra: Any) -> httpx.Response:
    body = {"redemption_id": str(extra.pop("redemption_id", uuid7())), "amount_cents": amount}
    response: httpx.Response = await device.client.post(
        f"/api/vouchers/{code}/redemptions", json={**body, **extra}
    )
    return response


async def test_online_redemption_takes_the_amount_once(
    device_of: Any, db: Database, company: Company
) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    tech = await device_of("tech")
    redemption_id = uuid7()

    first = await redeem_online(
        tech,
        voucher.code,
        3000,
        redemption_id=redemption_id,
        service_order_id=str(company.order_id),
    )
    again = await redeem_online(
        tech,
        voucher.code,
        3000,
        redemption_id=redemption_id,
        service_order_id=str(company.order_id),
    )

    assert (first.status_code, again.status_code) == (201, 201), first.text
    assert first.json()["balance_cents"] == again.json()["balance_cents"] == 2000
    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 3000
    assert await redemption_count(db, voucher.id) == 1


async def test_online_redemption_over_the_limit_says_what_is_left(
    device_of: Any, db: Database
) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    tech = await device_of("tech")
    await redeem_online(tech, voucher.code, 4000)

    response = await redeem_online(tech, voucher.code, 1500)

    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "voucher_over_limit"
    assert error["details"]["balance_cents"] == 1000
    assert "10.00" in error["message"]
    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 4000


async def test_online_redemption_on_someone_elses_order_is_refused(
    device_of: Any, db: Database, company: Company
) -> None:
    voucher = await make_voucher(db)
    tech = await device_of("tech")

    response = await redeem_online(
        tech, voucher.code, 100, service_order_id=str(company.other_order_id)
    )

    assert response.status_code == 422
    assert response.json()["code"] == "not_found"
    assert await redemption_count(db, voucher.id) == 0


@pytest.mark.parametrize("who", ["employee", "sales"])
async def test_people_outside_the_field_may_not_redeem(
    device_of: Any, db: Database, who: str
) -> None:
    voucher = await make_voucher(db)
    person = await device_of(who)

    response = await redeem_online(person, voucher.code, 100)

    assert response.status_code == 403
    assert await redemption_count(db, voucher.id) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"redemption_id": "nope", "amount_cents": 100},
        {"redemption_id": str(uuid7()), "amount_cents": 0},
        {"redemption_id": str(uuid7()), "amount_cents": -5},
        {"redemption_id": str(uuid7()), "amount_cents": 100, "tip": 1},
        {"redemption_id": str(uuid7())},
    ],
)
async def test_bad_redemption_request_writes_nothing(
    device_of: Any, db: Database, body: dict[str, Any]
) -> None:
    voucher = await make_voucher(db)
    tech = await device_of("tech")

    response = await tech.client.post(f"/api/vouchers/{voucher.code}/redemptions", json=body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert await redemption_count(db, voucher.id) == 0


# --- redeeming offline (voucher.redeem) ------------------------------------------


def redeem_args(code: str, amount: int, **extra: Any) -> dict[str, Any]:
    return {"redemption_id": str(uuid7()), "code": code, "amount_cents": amount, **extra}


async def test_offline_redemption_applies_and_a_resend_changes_nothing(
    device_of: Any, db: Database
) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    tech = await device_of("tech")
    args = redeem_args(voucher.code, 1200)
    mutation = tech.mutation("voucher.redeem", args)

    first = (await tech.push(mutation)).json()["results"][0]
    resent = (await tech.push(mutation)).json()["results"][0]
    again = await tech.send("voucher.redeem", args)

    assert (first["status"], resent["status"], again["status"]) == (
        "applied",
        "duplicate",
        "applied",
    )
    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 1200
    assert await redemption_count(db, voucher.id) == 1


async def test_another_redemption_under_a_used_id_is_kept_as_conflict(
    device_of: Any, db: Database
) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    tech = await device_of("tech")
    args = redeem_args(voucher.code, 1200)
    await tech.send("voucher.redeem", args)

    result = await tech.send("voucher.redeem", {**args, "amount_cents": 1300})

    assert (result["status"], result["code"]) == ("conflict", "duplicate_id")
    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 1200


YESTERDAY = TODAY - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("voucher_options", "amount", "code"),
    [
        ({"limit_cents": 1000}, 1001, "voucher_over_limit"),
        ({"valid_until": YESTERDAY, "issued_on": YESTERDAY}, 100, "voucher_expired"),
        ({"issued_on": TOMORROW}, 100, "voucher_not_yet_valid"),
        ({"cancelled": True}, 100, "voucher_cancelled"),
    ],
)
async def test_offline_redemption_that_does_not_fit_is_rejected_with_the_balance(
    device_of: Any, db: Database, voucher_options: dict[str, Any], amount: int, code: str
) -> None:
    voucher = await make_voucher(db, **voucher_options)
    tech = await device_of("tech")

    result = await tech.send("voucher.redeem", redeem_args(voucher.code, amount))

    assert (result["status"], result["code"]) == ("rejected", code)
    assert result["details"]["balance_cents"] == voucher.limit_cents
    assert result["details"]["valid_until"] == str(voucher.valid_until)
    assert await redemption_count(db, voucher.id) == 0


async def test_offline_redemption_of_an_unknown_code_is_rejected(device_of: Any) -> None:
    tech = await device_of("tech")

    result = await tech.send("voucher.redeem", redeem_args("ZZZZ-ZZZZ-ZZZZ-ZZZZ", 100))

    assert (result["status"], result["code"]) == ("rejected", "voucher_unknown")


async def test_redemption_made_on_the_last_valid_day_counts_when_it_arrives_later(
    device_of: Any, db: Database
) -> None:
    voucher = await make_voucher(db, issued_on=YESTERDAY, valid_until=YESTERDAY)
    tech = await device_of("tech")
    made = dt.datetime.combine(YESTERDAY, dt.time(15, 0), tzinfo=PARIS)

    result = await tech.send("voucher.redeem", redeem_args(voucher.code, 700), at=made)

    assert result["status"] == "applied", result
    assert (await stored_voucher(db, voucher.id)).redeemed_cents == 700


@pytest.mark.parametrize("who", ["employee", "sales"])
async def test_offline_redemption_by_someone_outside_the_field_is_refused(
    device_of: Any, db: Database, who: str
) -> None:
    voucher = await make_voucher(db)
    person = await device_of(who)

    result = await person.send("voucher.redeem", redeem_args(voucher.code, 100))

    assert (result["status"], result["code"]) == ("rejected", "forbidden")
    assert await redemption_count(db, voucher.id) == 0


async def test_offline_redemption_with_bad_args_is_rejected(device_of: Any, db: Database) -> None:
    voucher = await make_voucher(db)
    tech = await device_of("tech")

    result = await tech.send("voucher.redeem", redeem_args(voucher.code, 0))

    assert (result["status"], result["code"]) == ("rejected", "invalid_input")


async def test_the_redeeming_phone_receives_the_voucher_and_others_do_not(
    device_of: Any, db: Database
) -> None:
    voucher = await make_voucher(db, limit_cents=5000)
    tech, other = await device_of("tech"), await device_of("tech2")
    await tech.send("voucher.redeem", redeem_args(voucher.code, 1000))

    mine = {(c["type"], c["id"]) for c in await tech.pull()}
    theirs = {c["type"] for c in await other.pull()}

    assert ("voucher", str(voucher.id)) in mine
    assert "voucher_redemption" in {kind for kind, _ in mine}
    assert not {"voucher", "voucher_redemption"} & theirs


def test_codes_are_read_as_typed() -> None:
    assert read_code("abcd efgh jkmn pqrs") == "ABCD-EFGH-JKMN-PQRS"
    assert read_code("ABCD-EFGH-JKMN-PQR0") is None
    assert read_code("ABCD") is None


async def test_a_voucher_pays_only_for_an_open_order_of_its_customer(
    device_of: Any, db: Database, company: Company
) -> None:
    voucher = await make_voucher(db)
    async with db.writing() as session:
        stranger = Customer(id=uuid7(), name="Imprimerie Vidal")
        session.add(stranger)
        await session.flush()
        await session.execute(
            sa.update(Voucher).where(Voucher.id == voucher.id).values(customer_id=stranger.id)
        )
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    order = str(company.order_id)

    elsewhere = await redeem_online(tech, voucher.code, 100, service_order_id=order)
    async with db.writing() as session:
        await session.execute(
            sa.update(Voucher)
            .where(Voucher.id == voucher.id)
            .values(customer_id=company.customer_id)
        )
    await supervisor.send("service_order.set_status", {"id": order, "status": "cancelled"})
    closed = await redeem_online(tech, voucher.code, 100, service_order_id=order)

    assert elsewhere.status_code == 422
    assert elsewhere.json()["code"] == "voucher_of_another_customer"
    assert closed.status_code == 422
    assert closed.json()["code"] == "voucher_order_closed"
    assert "cancelled" in closed.json()["message"]
    assert await redemption_count(db, voucher.id) == 0
