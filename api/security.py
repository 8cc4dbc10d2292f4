"""HTTP hardening in one place: security headers, CORS, body size limit, no stack traces.

``install_security(app, settings)`` is called by ``create_app``. Why each part:

- Pages get a Content-Security-Policy that forbids inline script (every page here
  loads only external JS/CSS files from this origin), ``X-Content-Type-Options:
  nosniff`` everywhere, and frame options from ``TTHC_FRAME_ANCESTORS`` so a ward
  can allow its own portal to frame the demo page. Pages that set their own CSP
  (the staff consoles) keep it.
- CORS only for the widget's routes (``/api/chat``, ``/api/chat/updates``) and only
  for the origins in ``TTHC_WIDGET_ORIGINS``; no credentials cross-origin.
- Bodies over ``TTHC_MAX_BODY_BYTES`` get a 413 JSON answer before the app reads
  them (declared length) or as soon as they exceed it (chunked), and the app
  keeps serving.
- Unhandled errors become a generic JSON 500; the traceback goes to the log only.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.config import AppSettings
from api.hardening import (
    ClientAddressMiddleware,
    PathGuardMiddleware,
    TransportHeadersMiddleware,
)

logger = logging.getLogger(__name__)
TEXTS_FILE = Path(__file__).resolve().parent / "data" / "security.yml"
WIDGET_PREFIX = "/api/chat"
# FastAPI's own API docs load Swagger/ReDoc from a CDN with inline script: they keep
# their default (no CSP) so developers can still use them; they hold no citizen data.
CSP_EXEMPT = ("/docs", "/redoc")
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors {ancestors}")


@lru_cache(maxsize=1)
def texts() -> dict[str, str]:
    """Citizen-facing texts of the limits (data, not code)."""
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def text(key: str, **values: Any) -> str:
    """One text with its placeholders filled."""
    return " ".join(texts()[key].split()).format(**values)


def _frame_options(ancestors: str) -> str | None:
    """Return the legacy X-Frame-Options equivalent of a frame-ancestors list, when there is one."""
    value = ancestors.strip()
    if value == "'none'":
        return "DENY"
    if value == "'self'":
        return "SAMEORIGIN"
    return None  # other hosts: browsers use CSP frame-ancestors


class SecurityHeadersMiddleware:
    """Adds security headers to every response (CSP and frame options to HTML pages)."""

    def __init__(self, app: ASGIApp, frame_ancestors: str) -> None:
        self.app = app
        self.csp = PAGE_CSP.format(ancestors=frame_ancestors.strip() or "'self'")
        self.frame_options = _frame_options(frame_ancestors or "'self'")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: D102
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exempt = scope["path"].startswith(CSP_EXEMPT)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._headers(list(message.get("headers", [])), exempt)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers(self, headers: list[tuple[bytes, bytes]],
                 exempt: bool) -> list[tuple[bytes, bytes]]:
        present = {name.lower() for name, _ in headers}
        content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
        wanted = [(b"x-content-type-options", b"nosniff"),
                  (b"referrer-policy", b"strict-origin-when-cross-origin")]
        if content_type.startswith(b"text/html") and not exempt:
            wanted.append((b"content-security-policy", self.csp.encode()))
            if self.frame_options:
                wanted.append((b"x-frame-options", self.frame_options.encode()))
        return headers + [(n, v) for n, v in wanted if n not in present]


class BodyLimitMiddleware:
    """Refuses request bodies larger than ``max_bytes`` with a 413 JSON answer."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: D102
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, detail=text("body_too_large"))
            return message

        await self.app(scope, counting_receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        logger.warning("refused a %s-byte body on %s (limit %d)",
                       dict(scope["headers"]).get(b"content-length", b"?").decode(),
                       scope["path"], self.max_bytes)
        response = JSONResponse(status_code=413, content={
            "detail": text("body_too_large"), "max_bytes": self.max_bytes},
            headers={"Connection": "close"})
        await response(scope, receive, send)


class WidgetCORSMiddleware:
    """CORS for the widget's routes only, from the configured origins only."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=origins, allow_methods=["GET", "POST"],
                                   allow_headers=["Content-Type", "Accept"],
                                   allow_credentials=False, max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: D102
        if scope["type"] == "http" and scope["path"].startswith(WIDGET_PREFIX):
            await self.cors(scope, receive, send)
            return
        await self.app(scope, receive, send)


def origins(raw: str) -> list[str]:
    """Parse the comma-separated ``TTHC_WIDGET_ORIGINS`` setting."""
    return [item.strip().rstrip("/") for item in raw.split(",") if item.strip()]


def install_security(app: FastAPI, settings: AppSettings) -> None:
    """Wire the middlewares into ``app`` (CORS outermost); errors: :mod:`api.errors`."""
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware, frame_ancestors=settings.frame_ancestors)
    app.add_middleware(TransportHeadersMiddleware,
                       hsts_max_age=settings.hsts_max_age)
    allowed = origins(settings.widget_origins)
    if allowed:
        app.add_middleware(WidgetCORSMiddleware, origins=allowed)
    app.add_middleware(PathGuardMiddleware)
    app.add_middleware(ClientAddressMiddleware, trusted=settings.trusted_proxies)
