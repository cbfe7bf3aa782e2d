"""Catalogue: goods and services a company sells or uses."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, Synced
from backend.db.types import choice


class ProductKind(enum.StrEnum):
    GOOD = "good"
    SERVICE = "service"
    VOUCHER = "voucher"


class Product(Synced, Base):
    __tablename__ = "products"
    sync_type = "product"

    ref: Mapped[str] = mapped_column(sa.String(80), unique=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[ProductKind] = mapped_column(choice(ProductKind, "product_kind"))
    price_cents: Mapped[int | None] = mapped_column(default=None)
    cost_cents: Mapped[int | None] = mapped_column(default=None)
    serialized: Mapped[bool] = mapped_column(default=False)
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)
