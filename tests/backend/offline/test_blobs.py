"""Blobs over HTTP: PUT and GET /api/blobs/{sha256} (PROTOCOL.md)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend.app import create_app
from backend.db.engine import Database
from backend.db.models import Blob
from backend.people.auth import SESSION_COOKIE
from backend.settings import Settings
from tests.backend.conftest import Device, api_client, session_token
from tests.factories import Company, photo_bytes

JPEG = b"\xff\xd8\xff\xe0" + bytes(60)
PNG_START = b"\x89PNG\r\n\x1a\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def upload(
    device: Device | httpx.AsyncClient,
    data: bytes,
    content_type: str = "image/png",
    *,
    name: str | None = None,
    **headers: str,
) -> httpx.Response:
    client: httpx.AsyncClient = getattr(device, "client", device)
    return await client.put(
        f"/api/blobs/{name or sha(data)}",
        content=data,
        headers={"Content-Type": content_type, **headers},
    )


async def blobs_kept(db: Database) -> list[str]:
    async with db.reading() as session:
        return list(await session.scalars(sa.select(Blob.sha256)))


def assert_error_shape(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]


async def test_an_upload_is_kept_once_and_answered_again(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    other = await device_of("tech2")
    photo = photo_bytes(10)

    first = await upload(tech, photo)
    again = await upload(tech, photo)
    by_another = await upload(other, photo)

    assert first.status_code == 201
    assert first.json() == {
        "sha256": sha(photo),
        "content_type": "image/png",
        "size": len(photo),
        "created": True,
        "released": 0,
    }
    assert again.status_code == by_another.status_code == 200
    assert again.json()["created"] is False
    assert await blobs_kept(db) == [sha(photo)]


async def test_bytes_that_do_not_match_their_hash_are_refused(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")

    response = await upload(tech, photo_bytes(1), name=sha(photo_bytes(2)))

    assert_error_shape(response, 400, "hash_mismatch")
    assert response.json()["details"]["field"] == "sha256"
    assert await blobs_kept(db) == []


@pytest.mark.parametrize("name", ["abc", "A" * 64, "g" * 64, sha(b"x") + "0"])
async def test_a_name_that_is_not_a_hash_is_refused(
    device_of: Any, company: Company, db: Database, name: str
) -> None:
    tech = await device_of("tech")

    response = await upload(tech, photo_bytes(1), name=name)

    assert_error_shape(response, 400, "invalid_input")
    assert await blobs_kept(db) == []


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"hello", "text/plain"),
        (b"<svg/>", "image/svg+xml"),
        (photo_bytes(3), "application/octet-stream"),
        (photo_bytes(3), ""),
        # Says it is a JPEG, is a PNG; says it is a PNG, is not an image.
        (photo_bytes(3), "image/jpeg"),
        (b"<html>not a photo</html>", "image/png"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "image/webp"),
    ],
)
async def test_only_photos_are_taken(
    device_of: Any, company: Company, db: Database, data: bytes, content_type: str
) -> None:
    tech = await device_of("tech")

    response = await upload(tech, data, content_type)

    assert_error_shape(response, 415, "unsupported_blob_type")
    assert await blobs_kept(db) == []


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (JPEG, "image/jpeg"),
        (photo_bytes(4), "image/png; charset=binary"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    ],
)
async def test_each_allowed_type_is_taken(
    device_of: Any, company: Company, data: bytes, content_type: str
) -> None:
    tech = await device_of("tech")

    response = await upload(tech, data, content_type)
    fetched = await tech.client.get(f"/api/blobs/{sha(data)}")

    assert response.status_code == 201
    assert fetched.content == data
    assert fetched.headers["content-type"].startswith(content_type.split(";")[0])


async def in_pieces(*pieces: bytes) -> AsyncIterator[bytes]:
    """A body sent without a length, as it streams in."""
    for piece in pieces:
        yield piece


@pytest.fixture
async def small_limit_device(
    db: Database, database_url: str, company: Company
) -> AsyncIterator[Any]:
    """A technician's client of a server that takes blobs up to 1,000 bytes."""
    settings = Settings(database_url=database_url, log_level="warning", blob_max_bytes=1000)
    async with api_client(create_app(settings, database=db)) as client:
        client.cookies.set(SESSION_COOKIE, await session_token(db, company.users["tech"]))
        yield client


async def test_a_blob_over_the_limit_is_413(small_limit_device: Any, db: Database) -> None:
    big = PNG_START + bytes(1001 - len(PNG_START))

    response = await upload(small_limit_device, big)
    streamed = await small_limit_device.put(
        f"/api/blobs/{sha(big)}",
        content=in_pieces(big[:600], big[600:]),
        headers={"Content-Type": "image/png"},
    )
    within = await upload(small_limit_device, photo_bytes(6))

    assert_error_shape(response, 413, "too_large")
    assert_error_shape(streamed, 413, "too_large")
    assert within.status_code == 201
    assert await blobs_kept(db) == [sha(photo_bytes(6))]


async def test_the_default_limit_is_ten_mebibytes(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    eleven = PNG_START + bytes(10 * 1024 * 1024 + 1 - len(PNG_START))

    response = await upload(tech, eleven)

    assert Settings().blob_max_bytes == 10 * 1024 * 1024
    assert_error_shape(response, 413, "too_large")


async def test_blobs_need_someone_signed_in(
    app_client: httpx.AsyncClient, device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    photo = photo_bytes(7)
    await upload(tech, photo)

    put = await upload(app_client, photo_bytes(8))
    get = await app_client.get(f"/api/blobs/{sha(photo)}")

    assert_error_shape(put, 401, "unauthenticated")
    assert_error_shape(get, 401, "unauthenticated")
    assert await blobs_kept(db) == [sha(photo)]


async def test_an_upload_from_another_site_is_refused(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")

    response = await upload(tech, photo_bytes(9), Origin="https://elsewhere.example")

    assert_error_shape(response, 403, "forbidden")
    assert await blobs_kept(db) == []


async def test_the_uploader_fetches_a_blob_others_do_not(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    photo = photo_bytes(11)
    await upload(tech, photo)

    own = await tech.client.get(f"/api/blobs/{sha(photo)}")
    others = {
        key: await (await device_of(key)).client.get(f"/api/blobs/{sha(photo)}")
        for key in ("tech2", "outsider", "employee", "sales", "supervisor")
    }
    manager = await (await device_of("manager")).client.get(f"/api/blobs/{sha(photo)}")

    assert own.status_code == 200
    assert own.content == photo
    assert own.headers["content-type"] == "image/png"
    assert "immutable" in own.headers["cache-control"]
    assert own.headers["etag"] == f'"{sha(photo)}"'
    for response in others.values():
        # Not visible and not there look the same: a hash reveals nothing.
        assert_error_shape(response, 404, "not_found")
    assert manager.status_code == 200


async def test_an_unknown_blob_is_not_found(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")

    unknown = await tech.client.get(f"/api/blobs/{sha(b'never sent')}")
    malformed = await tech.client.get("/api/blobs/not-a-hash")

    assert_error_shape(unknown, 404, "not_found")
    assert_error_shape(malformed, 400, "invalid_input")


async def test_photos_are_served_as_they_are_not_gzipped(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    # Compressed already; gzip would only spend the server's time.
    photo = PNG_START + bytes(5000)
    await upload(tech, photo)

    fetched = await tech.client.get(f"/api/blobs/{sha(photo)}", headers={"Accept-Encoding": "gzip"})

    assert fetched.content == photo
    assert "content-encoding" not in fetched.headers
