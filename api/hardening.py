"""More HTTP hardening: the real client address, hostile paths and bodies, HSTS, no-store.

Wired by :func:`api.security.install_security`. Why each part:

- ``ClientAddressMiddleware``: ``X-Forwarded-For`` is believed only from the
  reverse proxies listed in ``TTHC_TRUSTED_PROXIES`` (the launcher runs uvicorn
  with ``--no-proxy-headers``, so uvicorn does not trust loopback on its own).
  Otherwise anyone could pick the address rate limits and login throttling count.
- ``PathGuardMiddleware``: a NUL or control character in the path made the static
  file server fail with a 500; such paths name nothing, so they get a 404.
- (:func:`api.errors.bad_body`: a JSON array nested 200,000 deep makes the parser
  raise ``RecursionError``; that is a malformed body, 400, not a server error.)
- HSTS over https (``TTHC_HSTS_MAX_AGE``) and ``Cache-Control: no-store`` on staff
  routes and pages (they show personal data that must not sit in shared caches).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
STAFF_PREFIXES = ("/api/support", "/api/admin", "/api/auth", "/support", "/admin", "/login")


def parse_networks(raw: str) -> list[Network]:
    """``TTHC_TRUSTED_PROXIES``: comma-separated addresses or networks; bad entries logged."""
    networks: list[Network] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            logger.error("TTHC_TRUSTED_PROXIES: %r is not an address or network; ignored", item)
    return networks


def _in(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def forwarded_client(peer: str, forwarded_for: str, networks: list[Network]) -> str:
    """The client a chain of trusted proxies reports: the rightmost untrusted hop.

    Example:
        >>> nets = parse_networks("10.0.0.0/8")
        >>> forwarded_client("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.1", nets)
        '203.0.113.9'
        >>> forwarded_client("198.51.100.7", "1.2.3.4", nets)
        '198.51.100.7'

    """
    if not networks or not _in(peer, networks) or not forwarded_for.strip():
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _in(hop, networks):
            return hop if _valid_ip(hop) else peer
    return peer


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class ClientAddressMiddleware:
    """Sets ``scope["client"]`` (and the scheme) from trusted proxies' headers only."""

    def __init__(self, app: ASGIApp, trusted: str) -> None:
        self.app = app
        self.networks = parse_networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: D102
        if scope["type"] == "http" and self.networks and scope.get("client"):
            peer = scope["client"][0]
            if _in(peer, self.networks):
                headers = {k.lower(): v for k, v in scope.get("headers", [])}
                forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
                scope = dict(scope, client=(forwarded_client(peer, forwarded, self.networks), 0))
                proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = proto
        await self.app(scope, receive, send)


class PathGuardMiddleware:
    """404 for paths holding NUL or other control characters (they name no resource)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: D102
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
            response = JSONResponse({"detail": "Not found"}, status_code=404,
                                    headers={"X-Content-Type-Options": "nosniff"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class TransportHeadersMiddleware:
    """HSTS over https; ``Cache-Control: no-store`` on staff routes and pages."""

    def __init__(self, app: ASGIApp, hsts_max_age: int) -> None:
        self.app = app
        self.hsts = f"max-age={hsts_max_age}; includeSubDomains".encode() if hsts_max_age else b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: D102
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted: list[tuple[bytes, bytes]] = []
        if self.hsts and scope.get("scheme") == "https":
            wanted.append((b"strict-transport-security", self.hsts))
        if scope["path"].startswith(STAFF_PREFIXES):
            wanted.append((b"cache-control", b"no-store"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and wanted:
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + [(n, v) for n, v in wanted if n not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def restrict_sqlite_files(database_url: str) -> None:
    """Make a SQLite database (and its WAL and shared-memory files) readable by the owner only.

    The launcher starts the servers with umask 077, so new files are private
    already; this also fixes files created before (0644 by default).
    """
    from pathlib import Path  # noqa: PLC0415

    from sqlalchemy.engine import make_url  # noqa: PLC0415

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{url.database}{suffix}")
        try:
            if path.exists() and path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except OSError as error:
            logger.warning("could not restrict %s (%s)", path.name, type(error).__name__)
