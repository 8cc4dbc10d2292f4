"""``POST /webhooks/zalo``: verify, queue, acknowledge. Nothing else happens in the request.

Zalo wants a 200 within about two seconds or it retries and finally disables
the webhook, so the request only checks the signature over the raw bytes and
stores the event; replies are sent by the background worker.
"""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from api.channels.zalo import signature
from api.channels.zalo.events import parse_event, timestamp_ms
from api.channels.zalo.queue import QueueUnavailableError
from api.channels.zalo.settings import secret
from api.deps import ServicesDep
from api.log_safety import clean_field
from knowledge_base.db import utcnow

log = logging.getLogger(__name__)
router = APIRouter(tags=["zalo"])
FUTURE_SKEW_MS = 10 * 60 * 1000


class _TooLarge(Exception):
    pass


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _TooLarge
    return bytes(body)


def _fresh(stamp: int | None, max_age_hours: float) -> bool:
    """A signed event must state a readable time, inside the window when there is one."""
    if stamp is None or stamp <= 0:
        return False
    if not max_age_hours:
        return True
    now_ms = utcnow().timestamp() * 1000
    return now_ms - max_age_hours * 3_600_000 <= stamp <= now_ms + FUTURE_SKEW_MS


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


@router.post("/webhooks/zalo")
async def zalo_webhook(request: Request, services: ServicesDep) -> JSONResponse:
    """Receive one Zalo OA event."""
    channel = services.zalo
    if channel is None or not channel.running:
        missing = services.zalo_settings.missing
        detail = (f"The Zalo channel is disabled: set {', '.join(missing)}." if missing
                  else "The Zalo channel is not running.")
        return _error(503, detail)
    settings = channel.settings
    try:
        raw = await _read_body(request, settings.max_body_bytes)
    except _TooLarge:
        log.warning("zalo webhook: body over %d bytes from %s rejected",
                    settings.max_body_bytes, _client(request))
        return _error(413, f"Body larger than {settings.max_body_bytes} bytes.")
    header = request.headers.get(signature.SIGNATURE_HEADER)
    if not header:
        log.warning("zalo webhook: unsigned request from %s rejected", _client(request))
        return _error(401, f"Missing {signature.SIGNATURE_HEADER} header.")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _error(400, "Body is not valid JSON.")
    if not isinstance(data, dict):
        return _error(400, "Body must be a JSON object.")
    stamp = data.get("timestamp")
    stamp_text = "" if stamp is None else str(stamp)
    if not signature.verify(header, settings.app_id or "", raw, stamp_text,
                            secret(settings.oa_secret_key)):
        log.warning("zalo webhook: bad signature from %s rejected (event %s)",
                    _client(request), clean_field(data.get("event_name"), 40))
        return _error(401, "Invalid signature.")
    if not _fresh(timestamp_ms(stamp), settings.max_event_age_hours):
        log.warning("zalo webhook: missing, stale or future timestamp from %s rejected",
                    _client(request))
        return _error(401, "Event timestamp missing or out of range.")
    event = parse_event(data)
    if event is None:
        return JSONResponse({"status": "ignored"})
    try:
        new = await run_in_threadpool(channel.accept, event)
    except (SQLAlchemyError, QueueUnavailableError):
        log.exception("zalo webhook: could not queue an event")
        return _error(503, "Event not stored; please retry.")
    return JSONResponse({"status": "queued" if new else "duplicate"})
