"""The sync endpoints: push and pull (PROTOCOL.md)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, post
from litestar.datastructures import State

from backend.dependencies import AppSettings, Db, Mutators, SignedIn
from backend.lib.http import decode_body, request_language
from backend.lib.i18n import translate
from backend.offline.services import SeqGap, run_pull, run_push
from sync.messages import MAX_PUSH_BYTES, PullRequest, PullResponse, PushRequest, PushResponse

# A pull request is a few fields; anything bigger is not one.
MAX_PULL_BYTES = 4096


class SeqGapBody(msgspec.Struct):
    code: str
    message: str
    details: dict[str, Any]
    expected: int


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
                db, mutators, actor, body, settings=settings, language=language
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
        return await run_pull(db, actor, body, settings=settings)
