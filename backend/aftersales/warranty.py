"""Who pays for a repair: the warranty decision made at intake.

The decision is a table read top to bottom, the first line that holds wins:

    customer warranty running on the intake day   -> customer_warranty
    manufacturer warranty running on that day     -> manufacturer_warranty
    an active contract covers the equipment       -> contract
    a warranty end is known (and passed)          -> chargeable, warranty_ended
    nothing known                                 -> chargeable, no_warranty_known

A warranty runs up to and including its last day. The office may override
the decision afterwards, its own words then being the reason.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    ContractEquipment,
    ContractStatus,
    Equipment,
    MaintenanceContract,
    WarrantyBasis,
)

CUSTOMER_WARRANTY_RUNNING = "customer_warranty_running"
MANUFACTURER_WARRANTY_RUNNING = "manufacturer_warranty_running"
UNDER_CONTRACT = "under_contract"
WARRANTY_ENDED = "warranty_ended"
NO_WARRANTY_KNOWN = "no_warranty_known"


class WarrantyFacts(NamedTuple):
    """What the decision reads of a piece of equipment on the intake day."""

    customer_warranty_ends_on: dt.date | None = None
    manufacturer_warranty_ends_on: dt.date | None = None
    contract_id: uuid.UUID | None = None
    """An active contract covering the equipment on that day, if any."""


class WarrantyDecision(NamedTuple):
    basis: WarrantyBasis
    reason: str
    contract_id: uuid.UUID | None = None


def decide_warranty(facts: WarrantyFacts, day: dt.date) -> WarrantyDecision:
    """The basis of a repair received on ``day`` and the reason code."""
    if _running(facts.customer_warranty_ends_on, day):
        return WarrantyDecision(WarrantyBasis.CUSTOMER_WARRANTY, CUSTOMER_WARRANTY_RUNNING)
    if _running(facts.manufacturer_warranty_ends_on, day):
        return WarrantyDecision(WarrantyBasis.MANUFACTURER_WARRANTY, MANUFACTURER_WARRANTY_RUNNING)
    if facts.contract_id is not None:
        return WarrantyDecision(WarrantyBasis.CONTRACT, UNDER_CONTRACT, facts.contract_id)
    known = (facts.customer_warranty_ends_on, facts.manufacturer_warranty_ends_on)
    if any(end is not None for end in known):
        return WarrantyDecision(WarrantyBasis.CHARGEABLE, WARRANTY_ENDED)
    return WarrantyDecision(WarrantyBasis.CHARGEABLE, NO_WARRANTY_KNOWN)


def _running(ends_on: dt.date | None, day: dt.date) -> bool:
    return ends_on is not None and day <= ends_on


async def covering_contract(
    session: AsyncSession, equipment_id: uuid.UUID, day: dt.date
) -> uuid.UUID | None:
    """An active contract covering the equipment on ``day`` (open-ended
    dates count as covering), the one that started first."""
    contract = MaintenanceContract
    return await session.scalar(
        sa.select(contract.id)
        .join(ContractEquipment, ContractEquipment.contract_id == contract.id)
        .where(
            ContractEquipment.equipment_id == equipment_id,
            contract.status == ContractStatus.ACTIVE,
            contract.deleted_at.is_(None),
            sa.or_(contract.starts_on.is_(None), contract.starts_on <= day),
            sa.or_(contract.ends_on.is_(None), contract.ends_on >= day),
        )
        .order_by(contract.starts_on, contract.id)
        .limit(1)
    )


async def warranty_at_intake(
    session: AsyncSession, equipment: Equipment | None, day: dt.date
) -> WarrantyDecision:
    """The decision for a repair of ``equipment`` received on ``day``;
    a repair of no known equipment is chargeable, nothing being known."""
    if equipment is None:
        return decide_warranty(WarrantyFacts(), day)
    facts = WarrantyFacts(
        equipment.customer_warranty_ends_on,
        equipment.manufacturer_warranty_ends_on,
        await covering_contract(session, equipment.id, day),
    )
    return decide_warranty(facts, day)
