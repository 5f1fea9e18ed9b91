"""`POST /webhooks/inbound-email`: a mail provider posts a reply it received, and it is
recorded as `qualify engage import` records a file (matched to its lead, once per
Message-ID), for the next engage pass to read.

No session: the proof is an HMAC-SHA256 with QUALIFY_INBOUND_WEBHOOK_SECRET over
`<X-Qualify-Timestamp>.` and the raw body, sent as `X-Qualify-Signature: sha256=<hex>`.
The timestamp is inside the signature and must be within five minutes of now, so a
captured post cannot be replayed later (and within the window, the Message-ID is already
recorded). The body is the RFC 822 message itself, or JSON {"raw": "<the message>"}."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.web.console_access import database_url_of
from core.clock import utc_now
from core.settings import get_settings
from graphs.engage.stored_settings import load_engage_settings
from tools.mail.inbound import InboundItem, import_message

router = APIRouter(include_in_schema=False)

WEBHOOK_PATH = "/webhooks/inbound-email"
SIGNATURE_HEADER = "X-Qualify-Signature"
TIMESTAMP_HEADER = "X-Qualify-Timestamp"
MAX_BODY_BYTES = 2 * 1024 * 1024
REPLAY_WINDOW_S = 300


class _TooLarge(Exception):
    pass


def _answer(status: int, detail: str, **extra: object) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=status)


def signature_of(secret: bytes, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of `<timestamp>.<body>`: what the provider sends."""
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def signature_problem(
    secret: bytes, timestamp: str | None, signature: str | None, body: bytes, now_s: float
) -> str | None:
    """Why the post is not the provider's (None: it is)."""
    if not timestamp or not signature:
        return f"sign the post: {TIMESTAMP_HEADER} and {SIGNATURE_HEADER} headers are needed"
    try:
        sent_at = int(timestamp)
    except ValueError:
        return f"{TIMESTAMP_HEADER} must be Unix seconds"
    if abs(now_s - sent_at) > REPLAY_WINDOW_S:
        return f"{TIMESTAMP_HEADER} is more than {REPLAY_WINDOW_S // 60} minutes from now"
    expected = signature_of(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        return f"{SIGNATURE_HEADER} does not match the body"
    return None


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _message_of(content_type: str, body: bytes) -> bytes | str:
    """The raw message, or why there is none."""
    if content_type.split(";")[0].strip().lower() != "application/json":
        return body
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "the JSON body cannot be read"
    raw = payload.get("raw") if isinstance(payload, dict) else None
    if not isinstance(raw, str) or not raw.strip():
        return 'the JSON body needs "raw": the whole RFC 822 message as a string'
    return raw.encode("utf-8")


def _record(database_url: str, raw: bytes) -> InboundItem:
    stops = load_engage_settings(database_url).sender_reputation.company_wide_stop
    return import_message(
        database_url, "inbound-email webhook", raw, now=utc_now(), company_wide_stop=stops
    )


@router.post(WEBHOOK_PATH)
async def inbound_email(request: Request) -> JSONResponse:
    """Record a reply a mail provider posts; 401 unsigned, 413 over 2 MB, 503 unset."""
    secret = get_settings().inbound_webhook_secret
    if secret is None or not secret.get_secret_value():
        return _answer(503, "the inbound-email webhook is off: set QUALIFY_INBOUND_WEBHOOK_SECRET")
    try:
        body = await _body(request)
    except _TooLarge:
        return _answer(413, f"the message is over {MAX_BODY_BYTES // (1024 * 1024)} MB")
    problem = signature_problem(
        secret.get_secret_value().encode(),
        request.headers.get(TIMESTAMP_HEADER),
        request.headers.get(SIGNATURE_HEADER),
        body,
        time.time(),
    )
    if problem is not None:
        return _answer(401, problem)
    raw = _message_of(request.headers.get("content-type", ""), body)
    if isinstance(raw, str):
        return _answer(422, raw)
    item = await run_in_threadpool(_record, database_url_of(request), raw)
    result = {
        "outcome": item.outcome,
        "message_id": item.message_id,
        "lead_id": item.lead_id,
        "matched_by": item.matched_by,
    }
    if item.outcome == "unreadable":
        return _answer(422, item.reason or "the message cannot be read", **result)
    return _answer(200, item.reason or "recorded", **result)
