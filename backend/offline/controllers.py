"""The sync endpoints: push and pull, conflicts, blobs (PROTOCOL.md)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody

from backend.dependencies import AppSettings, Db, Mutators, SignedIn
from backend.lib.http import decode_body, read_body, request_language
from backend.lib.i18n import translate
from backend.offline.blobs import check_name, check_type, check_upload, read_blob, store_blob
from backend.offline.devices import describe_agent, list_devices
from backend.offline.resolution import describe_conflicts, list_conflicts, resolve_conflict
from backend.offline.schemas import BlobOut, ConflictOut, DeviceList, ResolveRequest
from backend.offline.services import SeqGap, run_pull, run_push
from sync.messages import MAX_PUSH_BYTES, PullRequest, PullResponse, PushRequest, PushResponse

# A pull request is a few fields; anything bigger is not one.
MAX_PULL_BYTES = 4096


class SeqGapBody(msgspec.Struct):
    code: str
    message: str
    details: dict[str, Any]
    expected: int


class ConflictController(Controller):
    """Conflicts for review: who may see them lists them, who oversees their
    author resolves them."""

    path = "/api/conflicts"

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, State],
        actor: SignedIn,
        db: Db,
        status: FromQuery[Literal["open", "resolved", "all"]] = "open",
    ) -> list[ConflictOut]:
        async with db.reading() as session:
            return await list_conflicts(
                session,
                actor,
                status=None if status == "all" else status,
                language=request_language(request),
            )

    @post("/{conflict_id:uuid}/resolve", status_code=200)
    async def resolve(
        self,
        request: Request[Any, Any, State],
        conflict_id: FromPath[uuid.UUID],
        data: JSONBody[ResolveRequest],
        actor: SignedIn,
        db: Db,
        mutators: Mutators,
    ) -> ConflictOut:
        async with db.writing() as session:
            conflict = await resolve_conflict(session, actor, conflict_id, data.keep, mutators)
            [described] = await describe_conflicts(session, [conflict], request_language(request))
        return described


# A blob never changes under its hash: a device may keep it as long as it likes.
BLOB_CACHE = "private, max-age=31536000, immutable"


class BlobController(Controller):
    """Photos and signatures: raw bytes named by their SHA-256."""

    path = "/api/blobs"

    # The size limit is the settings', checked while the body streams in.
    @put("/{sha256:str}", status_code=201, request_max_body_size=None)
    async def upload(
        self,
        request: Request[Any, Any, State],
        sha256: FromPath[str],
        actor: SignedIn,
        db: Db,
        settings: AppSettings,
        mutators: Mutators,
    ) -> Response[BlobOut]:
        """201 when the blob is new, 200 when the server held it already."""
        name = check_name(sha256)
        content_type = check_type(request.headers.get("content-type"))
        data = await read_body(request, max_bytes=settings.blob_max_bytes)
        upload = check_upload(name, content_type, data)
        async with db.writing() as session:
            stored = await store_blob(session, actor, upload, mutators)
        return Response(stored, status_code=201 if stored.created else 200)

    @get("/{sha256:str}")
    async def download(self, sha256: FromPath[str], actor: SignedIn, db: Db) -> Response[bytes]:
        async with db.reading() as session:
            blob = await read_blob(session, actor, sha256)
        return Response(
            blob.data,
            media_type=blob.content_type,
            headers={"Cache-Control": BLOB_CACHE, "ETag": f'"{blob.sha256}"'},
        )


class DeviceController(Controller):
    """The installs of the app, for those who look after the people using them."""

    path = "/api/devices"

    @get("/")
    async def index(self, actor: SignedIn, db: Db, settings: AppSettings) -> DeviceList:
        async with db.reading() as session:
            devices = await list_devices(
                session, actor, silent_after=dt.timedelta(days=settings.device_silent_days)
            )
        return DeviceList(silent_after_days=settings.device_silent_days, devices=devices)


class SyncController(Controller):
    path = "/api/sync"

    @post("/push", status_code=200)
    async def push(
        self,
        request: Request[Any, Any, State],
        actor: SignedIn,
        db: Db,
        settings: AppSettings,
        mutators: Mutators,
    ) -> Response[PushResponse] | Response[SeqGapBody]:
        body = decode_body(
            await request.body(),
            PushRequest,
            max_bytes=MAX_PUSH_BYTES,
            encoding=request.headers.get("content-encoding"),
        )
        language = request_language(request)
        try:
            outcome, checkpoint = await run_push(
                db,
                mutators,
                actor,
                body,
                settings=settings,
                language=language,
                agent=describe_agent(request.headers.get("user-agent")),
            )
        except SeqGap as gap:
            message = translate("seq_gap", language, {"expected": gap.expected})
            return Response(
                SeqGapBody("seq_gap", message, {"expected": gap.expected}, gap.expected),
                status_code=409,
            )
        return Response(
            PushResponse(last_seq=outcome.last_seq, checkpoint=checkpoint, results=outcome.results)
        )

    @post("/pull", status_code=200)
    async def pull(
        self,
        request: Request[Any, Any, State],
        actor: SignedIn,
        db: Db,
        settings: AppSettings,
    ) -> PullResponse:
        body = decode_body(
            await request.body(),
            PullRequest,
            max_bytes=MAX_PULL_BYTES,
            encoding=request.headers.get("content-encoding"),
        )
        return await run_pull(
            db,
            actor,
            body,
            settings=settings,
            agent=describe_agent(request.headers.get("user-agent")),
        )
