"""The printable service report: what was merged, the signature, escaped."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import (
    Blob,
    Equipment,
    PartAction,
    RepairStep,
    ServiceOrder,
    ServiceOrderKind,
    ServiceOrderPart,
    ServiceOrderStep,
    WarrantyBasis,
)
from backend.lib.time import utc_now
from sync.ids import uuid7
from tests.factories import Company, photo_bytes


async def sign_the_order(db: Database, company: Company) -> str:
    signature = photo_bytes(shade=40, side=4)
    sha256 = hashlib.sha256(signature).hexdigest()
    async with db.writing() as session:
        boiler = Equipment(
            id=uuid7(), affair_id=company.affair_id, label="Boiler", serial_number="B-7"
        )
        session.add_all(
            [
                boiler,
                Blob(
                    sha256=sha256,
                    content_type="image/png",
                    size=len(signature),
                    data=signature,
                    created_by_id=company.users["tech"],
                ),
            ]
        )
        await session.flush()
        await session.execute(
            sa.update(ServiceOrder)
            .where(ServiceOrder.id == company.order_id)
            .values(
                kind=ServiceOrderKind.REPAIR,
                step=RepairStep.RETURNED,
                equipment_id=boiler.id,
                symptoms="Noise <script>alert(1)</script>",
                diagnosis="Worn pump",
                repair_report="Pump replaced",
                warranty=WarrantyBasis.MANUFACTURER_WARRANTY,
                warranty_reason="manufacturer_warranty_running",
                signature_sha256=sha256,
                signed_by="Mme Fournier",
                returned_at=utc_now(),
            )
        )
        session.add_all(
            [
                ServiceOrderPart(
                    id=uuid7(),
                    service_order_id=company.order_id,
                    label="Gasket",
                    quantity=2,
                    action=PartAction.USE,
                    used_by_id=company.users["tech"],
                    used_at=utc_now(),
                ),
                ServiceOrderStep(
                    id=uuid7(),
                    service_order_id=company.order_id,
                    step=RepairStep.RETURNED,
                    by_id=company.users["tech"],
                    at=utc_now(),
                ),
            ]
        )
    return sha256


async def test_the_report_holds_the_work_and_the_signature(
    device_of: Any, company: Company, db: Database
) -> None:
    await sign_the_order(db, company)
    tech = await device_of("tech")
    await tech.send(
        "checklist.answer", {"run_id": str(company.run_id), "item_key": "pressure", "value": 3.5}
    )
    await tech.send(
        "checklist.answer", {"run_id": str(company.run_id), "item_key": "power_off", "value": True}
    )

    response = await tech.client.get(f"/api/service-orders/{company.order_id}/report")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for shown in ("SO-2026-0001", "Boiler (serial B-7)", "Worn pump", "Pump replaced"):
        assert shown in page
    assert "Manufacturer warranty (the manufacturer warranty ran on the day received)" in page
    assert "Signed by Mme Fournier" in page
    assert 'src="data:image/png;base64,' in page
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "3.5 bar (outside 1 – 2.5)" in page
    assert "Gasket</th><td>2 × used" in page
    assert '<th scope="row">Returned</th><td>' in page
    assert "· Tech</td>" in page
    assert '<tr class="flagged">' in page


async def test_the_report_speaks_the_readers_language(
    device_of: Any, company: Company, db: Database
) -> None:
    await sign_the_order(db, company)
    tech = await device_of("tech")
    await tech.send(
        "checklist.answer", {"run_id": str(company.run_id), "item_key": "pressure", "value": 1.5}
    )

    page = (
        await tech.client.get(
            f"/api/service-orders/{company.order_id}/report",
            headers={"Accept-Language": "fr-FR,fr;q=0.9"},
        )
    ).text

    assert "Rapport d’intervention" in page
    assert "Garantie constructeur" in page
    assert "1,5 bar" in page


async def test_an_unsigned_order_says_so(device_of: Any, company: Company) -> None:
    supervisor = await device_of("supervisor")

    page = (await supervisor.client.get(f"/api/service-orders/{company.order_id}/report")).text

    assert "Not signed yet." in page


async def test_the_report_prints_on_a4(app_client: Any) -> None:
    response = await app_client.get("/api/service-orders/report.css")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "@media print" in response.text


@pytest.mark.parametrize("someone", ["outsider", "tech2", "employee", "sales"])
async def test_the_report_is_not_shown_to_who_does_not_see_the_order(
    device_of: Any, company: Company, someone: str
) -> None:
    device = await device_of(someone)

    response = await device.client.get(f"/api/service-orders/{company.order_id}/report")

    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "details"}


async def test_the_report_needs_a_session(app_client: Any, company: Company) -> None:
    response = await app_client.get(f"/api/service-orders/{company.order_id}/report")

    assert response.status_code == 401


async def test_an_unknown_order_has_no_report(device_of: Any, company: Company) -> None:
    manager = await device_of("manager")

    response = await manager.client.get(f"/api/service-orders/{uuid7()}/report")

    assert response.status_code == 404


async def test_the_demos_returned_repair_prints_with_its_signature(db: Database) -> None:
    from backend.access.actors import Actor
    from backend.aftersales.report import render_report, service_report
    from backend.db.models import Role, User
    from backend.demo import load_demo

    await load_demo(db, dt.date(2026, 12, 4))
    async with db.reading() as session:
        order_id = await session.scalar(
            sa.select(ServiceOrder.id).where(ServiceOrder.number == "SO-2026-0206")
        )
        manager = await session.scalar(sa.select(User).where(User.role == Role.MANAGER))
        assert order_id is not None and manager is not None
        actor = Actor(id=manager.id, role=Role.MANAGER, name=manager.name)
        page = render_report(await service_report(session, actor, order_id, "fr"))

    assert 'src="data:image/png;base64,' in page
    assert "Signé par M. Vidal" in page
    assert "Rendu" in page
