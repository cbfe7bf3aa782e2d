"""Parties: customers and the sites where work is done."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, Synced


class Customer(Synced, Base):
    __tablename__ = "customers"
    sync_type = "customer"

    code: Mapped[str | None] = mapped_column(sa.String(40), default=None)
    name: Mapped[str] = mapped_column(sa.String(200))
    is_prospect: Mapped[bool] = mapped_column(default=False)
    is_supplier: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str | None] = mapped_column(sa.String(254), default=None)
    phone: Mapped[str | None] = mapped_column(sa.String(40), default=None)
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)


class Site(Synced, Base):
    """A place where work is done: the customer's main address or a plant."""

    __tablename__ = "sites"
    sync_type = "site"

    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.Text, default=None)
    postcode: Mapped[str | None] = mapped_column(sa.String(20), default=None)
    town: Mapped[str | None] = mapped_column(sa.String(120), default=None)
    country: Mapped[str | None] = mapped_column(sa.String(2), default=None)
    contact_name: Mapped[str | None] = mapped_column(sa.String(160), default=None)
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40), default=None)
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)


class Contact(Base):
    """A person at a customer (not synced: the site carries who to call)."""

    __tablename__ = "contacts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    job_title: Mapped[str | None] = mapped_column(sa.String(120), default=None)
    email: Mapped[str | None] = mapped_column(sa.String(254), default=None)
    phone: Mapped[str | None] = mapped_column(sa.String(40), default=None)
    external_ref: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)
