"""Public pages: the ward demo page, the embeddable widget and its static assets.

The widget is embedded on other sites by URL (``<script src=".../widget.js">``), so its
URL cannot carry a content hash: it is served with a short ``max-age`` plus an ETag, and
browsers revalidate cheaply. Everything here is static and read from ``api/static``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}

# Pages change with deployments and must never be stale; embedded assets may be cached briefly.
PAGE_CACHE = "no-cache"
ASSET_CACHE = "public, max-age=300"

router = APIRouter(tags=["pages"])


@dataclass(frozen=True)
class StaticFile:
    """A static file's bytes with the headers to serve it."""

    body: bytes
    content_type: str
    etag: str


@lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int) -> StaticFile:
    """Read a file once per modification time (mtime is part of the cache key)."""
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:20]
    return StaticFile(body, CONTENT_TYPES[path.suffix], f'"{digest}"')


def _resolve(name: str) -> Path:
    """Map a request path to a file inside STATIC_DIR, refusing anything outside it."""
    path = (STATIC_DIR / name).resolve()
    inside = path.is_relative_to(STATIC_DIR)
    if not inside or not path.is_file() or path.suffix not in CONTENT_TYPES:
        raise HTTPException(status_code=404, detail="Not found")
    return path


def serve_static(request: Request, name: str, cache_control: str = ASSET_CACHE) -> Response:
    """Serve a file from ``api/static`` with content type, ETag and cache headers.

    Args:
        request: the incoming request (for ``If-None-Match``).
        name: path relative to ``api/static``.
        cache_control: the ``Cache-Control`` value to send.

    """
    path = _resolve(name)
    item = _load(path, path.stat().st_mtime_ns)
    headers = {
        "Cache-Control": cache_control,
        "ETag": item.etag,
        "X-Content-Type-Options": "nosniff",
    }
    if item.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(content=item.body, media_type=item.content_type, headers=headers)


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
def demo_page(request: Request) -> Response:
    """Serve the ward's demo page, which embeds the widget with one script tag."""
    return serve_static(request, "demo.html", PAGE_CACHE)


@router.api_route("/widget.js", methods=["GET", "HEAD"], include_in_schema=False)
def widget_script(request: Request) -> Response:
    """Serve the embeddable widget (vanilla JS, no dependencies)."""
    return serve_static(request, "widget.js")


@router.api_route("/widget.css", methods=["GET", "HEAD"], include_in_schema=False)
def widget_styles(request: Request) -> Response:
    """Serve the widget's styles; widget.js loads them from its own origin."""
    return serve_static(request, "widget.css")


@router.api_route("/static/{name:path}", methods=["GET", "HEAD"], include_in_schema=False)
def static_asset(request: Request, name: str) -> Response:
    """Serve other static assets (page styles, console scripts) under ``api/static``."""
    return serve_static(request, name)
