"""API fixtures: the real application on the test database, and devices."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from litestar import Litestar

from backend.app import create_app
from backend.db.engine import Database
from backend.db.models import AuthSession
from backend.lib.tokens import new_token, token_hash
from backend.people.auth import SESSION_COOKIE
from backend.settings import Settings
from sync.ids import uuid7
from tests.factories import PASSWORD, Company, make_company

PARIS = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
async def company(db: Database) -> Company:
    return await make_company(db)


@pytest.fixture
def app(db: Database, database_url: str) -> Litestar:
    return create_app(Settings(database_url=database_url, log_level="warning"), database=db)


def api_client(app: Litestar) -> httpx.AsyncClient:
    """A client of the real application, in the test's own event loop (the
    database's connections belong to that loop)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    )


@pytest.fixture
async def app_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app) as client:
        yield client


@dataclass
class Device:
    """A signed-in install of the app: its client id, its seq counter."""

    client: httpx.AsyncClient
    client_id: uuid.UUID = field(default_factory=uuid7)
    seq: int = 0
    cursor: str | None = None
    clock_skew: dt.timedelta = dt.timedelta(0)

    def mutation(
        self,
        name: str,
        args: dict[str, Any],
        *,
        base: int | None = None,
        at: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """The next mutation of this device, numbered as the outbox would."""
        self.seq += 1
        moment = (at or dt.datetime.now(PARIS)) + self.clock_skew
        mutation: dict[str, Any] = {
            "seq": self.seq,
            "id": str(uuid7()),
            "name": name,
            "args": args,
            "at": moment.isoformat(),
            "tz": "Europe/Paris",
        }
        if base is not None:
            mutation["base"] = base
        return mutation

    async def push(self, *mutations: dict[str, Any], schema: int = 1) -> httpx.Response:
        sent_at = dt.datetime.now(PARIS) + self.clock_skew
        return await self.client.post(
            "/api/sync/push",
            json={
                "protocol": 1,
                "schema": schema,
                "client_id": str(self.client_id),
                "sent_at": sent_at.isoformat(),
                "mutations": list(mutations),
            },
        )

    async def send(self, name: str, args: dict[str, Any], **options: Any) -> dict[str, Any]:
        """Push one mutation and answer its result."""
        response = await self.push(self.mutation(name, args, **options))
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["results"][0]
        return result

    async def pull(self, *, limit: int = 1000) -> list[dict[str, Any]]:
        """Pull until nothing is left; answer every change received."""
        changes: list[dict[str, Any]] = []
        while True:
            response = await self.client.post(
                "/api/sync/pull",
                json={
                    "protocol": 1,
                    "schema": 1,
                    "client_id": str(self.client_id),
                    "cursor": self.cursor,
                    "limit": limit,
                },
            )
            assert response.status_code == 200, response.text
            page = response.json()
            changes.extend(page["changes"])
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return changes


async def session_token(db: Database, user_id: uuid.UUID) -> str:
    """A signed-in session made directly: password hashing is slow on
    purpose, and signing in itself is tested in tests/backend/people."""
    token = new_token()
    async with db.writing() as session:
        session.add(
            AuthSession(
                token_hash=token_hash(token),
                user_id=user_id,
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
            )
        )
    return token


async def sign_in(client: httpx.AsyncClient, email: str) -> httpx.Response:
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response


@pytest.fixture
async def device_of(db: Database, app: Litestar, company: Company) -> AsyncIterator[Any]:
    """``await device_of("tech")``: a fresh device signed in as that person."""
    opened: list[httpx.AsyncClient] = []

    async def make(key: str) -> Device:
        client = api_client(app)
        opened.append(client)
        client.cookies.set(SESSION_COOKIE, await session_token(db, company.users[key]))
        return Device(client=client)

    yield make
    for client in opened:
        await client.aclose()


@pytest.fixture(autouse=True)
def fresh_sign_in_throttle() -> None:
    """Failed sign-ins of one test must not slow down the next one."""
    from backend.people.controllers import SIGN_IN_THROTTLE

    SIGN_IN_THROTTLE._failures.clear()
