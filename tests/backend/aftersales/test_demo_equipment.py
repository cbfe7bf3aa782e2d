"""The demo's equipment: warranties on both sides of today, a part replaced."""

from __future__ import annotations

import datetime as dt

import httpx
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import Equipment
from backend.demo import DEMO_PASSWORD, load_demo


async def test_demo_equipment_shows_warranties_and_a_replaced_part(
    db: Database, app_client: httpx.AsyncClient
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    await load_demo(db)
    async with db.reading() as session:
        boiler = await session.scalar(
            sa.select(Equipment.id).where(Equipment.serial_number == "VIT-7731-0042")
        )
    signed_in = await app_client.post(
        "/api/auth/login", json={"email": "manager@demo.test", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 200

    page = (await app_client.get(f"/api/equipment/{boiler}")).json()
    months_ago = today - dt.timedelta(days=150)
    back_then = await app_client.get(
        f"/api/equipment/{boiler}/composition", params={"on": months_ago.isoformat()}
    )

    assert [w["state"] for w in page["warranties"]] == ["ended", "running"]
    assert sorted(p["serial_number"] for p in page["composition"]) == ["BR-2291", "CB-5531"]
    assert sorted(p["serial_number"] for p in back_then.json()["parts"]) == ["BR-1187", "CB-5531"]
    assert len(page["history"]) == 3
    assert {o["number"] for o in page["orders"]} >= {"SO-2026-0101", "SO-2026-0090"}
