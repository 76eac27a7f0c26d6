"""The ASGI app that receives Greenhouse webhooks.

A delivery is read raw, size-checked, signature-checked, and committed to the inbox before the
200 goes back; Greenhouse treats any other status as a failure and retries up to 7 times over
about 15 hours (reference notes §5.3), so only a delivery we could not store gets a non-200.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from webhook_receiver.errors import InboxUnavailableError
from webhook_receiver.inbox import Inbox
from webhook_receiver.normaliser import read_keys
from webhook_receiver.signature import Verdict, check_signature
from webhook_receiver.worker import InboxWorker

logger = logging.getLogger(__name__)

WEBHOOK_PATH: Final = "/webhooks/greenhouse"
EVENT_ID_HEADER: Final = "Greenhouse-Event-ID"
SIGNATURE_HEADER: Final = "Signature"


class BodyTooLargeError(Exception):
    """The body is over the configured limit; answered with 413."""


async def read_limited(request: Request, limit: int) -> bytes:
    """The raw body, refusing more than ``limit`` bytes whatever Content-Length claims."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(
    *,
    webhook_secret: str,
    inbox: Inbox,
    worker: InboxWorker | None = None,
    max_body_bytes: int = 1024 * 1024,
) -> Starlette:
    """The receiver app; the worker (if given) runs for the app's lifetime."""

    async def receive(request: Request) -> Response:
        event_header = request.headers.get(EVENT_ID_HEADER)
        named = (
            f"delivery {event_header}" if event_header else f"delivery without {EVENT_ID_HEADER}"
        )
        try:
            body = await read_limited(request, max_body_bytes)
        except BodyTooLargeError:
            logger.warning("%s refused: body over %s bytes", named, max_body_bytes)
            return PlainTextResponse("body too large", status_code=413)

        verdict = check_signature(body, request.headers.get(SIGNATURE_HEADER), webhook_secret)
        if verdict is not Verdict.VALID:
            logger.warning("%s refused: signature %s", named, verdict.value)
            return PlainTextResponse("signature not valid", status_code=401)

        # Greenhouse always sends the header; a body hash keeps a delivery without it idempotent.
        delivery_key = event_header or "body-sha256:" + hashlib.sha256(body).hexdigest()
        keys = read_keys(body)
        try:
            stored = await run_in_threadpool(inbox.store, delivery_key, body, keys)
        except InboxUnavailableError:
            logger.exception("delivery %s not stored; Greenhouse will retry it", delivery_key)
            return PlainTextResponse("inbox unavailable", status_code=503)

        if worker is not None and stored.new and stored.status == "pending":
            worker.wake()
        result = stored.status if stored.new else "repeat"
        logger.info("delivery %s action=%s result=%s", delivery_key, keys.action, result)
        return PlainTextResponse("ok", status_code=200)

    async def health(request: Request) -> Response:
        counts = await run_in_threadpool(inbox.counts)
        return JSONResponse({"status": "ok", "inbox": counts})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)

    return Starlette(
        routes=[
            Route(WEBHOOK_PATH, receive, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
