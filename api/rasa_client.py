"""The one place that talks to the Rasa server (REST channel), with timeouts.

Rasa's reply is a list of messages; actions add one ``custom`` message with the
machine-readable turn summary (conversation contract). This client separates
what the citizen sees from that summary.
"""

from __future__ import annotations

import logging
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.rasa_http import HttpFailedError, KeepAlivePool

logger = logging.getLogger(__name__)


class RasaUnavailableError(Exception):
    """Rasa could not be reached or answered with an error; carries the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"rasa unavailable: {reason}")
        self.reason = reason


@dataclass
class RasaReply:
    """Messages for the citizen plus the turn summary, handoff and rating the actions sent."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    turn: dict[str, Any] = field(default_factory=dict)
    handoff: dict[str, Any] | None = None
    rating: int | None = None


def parse_reply(payload: list[dict[str, Any]]) -> RasaReply:
    """Split Rasa's REST output into visible messages and the actions' ``custom`` data."""
    reply = RasaReply()
    for item in payload:
        custom = item.get("custom")
        if isinstance(custom, dict):
            reply.turn = custom.get("turn") or reply.turn
            reply.handoff = custom.get("handoff") or reply.handoff
            if custom.get("rating") is not None:
                reply.rating = int(custom["rating"])
            continue
        text = item.get("text")
        buttons = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                   for b in item.get("buttons") or [] if isinstance(b, dict)]
        if text or buttons:
            reply.messages.append({"text": text or "", "buttons": buttons})
    return reply


@dataclass
class RasaServer:
    """One Rasa process and, after a failure, until when it is left alone."""

    url: str
    down_until: float = 0.0

    def known_down(self, now: float) -> bool:
        """True for a few seconds after a failure, so citizens don't wait on a dead server."""
        return now < self.down_until


def preferred_order(servers: list[RasaServer], sender: str) -> list[RasaServer]:
    """Servers ordered for ``sender`` by rendezvous hashing.

    A conversation always goes to the same Rasa process while it is up, so that
    process's tracker cache stays warm and its in-memory lock serialises the
    conversation. A server that stops only moves its own conversations.
    """
    def weight(server: RasaServer) -> int:
        return zlib.crc32(f"{server.url}|{sender}".encode())
    return sorted(servers, key=weight, reverse=True)


def summarize(statuses: dict[str, str]) -> str:
    """One word for ``/health``: ``ok``, the one server's problem, or how many servers answer."""
    bad = [status for status in statuses.values() if status != "ok"]
    if not bad:
        return "ok"
    if len(statuses) == 1:
        return bad[0]
    return f"{len(statuses) - len(bad)}/{len(statuses)} servers ok"


class RasaClient:
    """Async client of one or several Rasa servers (REST webhook, status endpoint).

    ``base_url`` may list several servers, comma-separated (``make run`` starts
    ``TTHC_RASA_PROCESSES`` of them). Each conversation sticks to one server. If
    that server refuses the connection, the message goes to the next one (nothing
    was delivered, so nothing is answered twice); any other failure marks the
    server down and the app answers in degraded mode.
    """

    def __init__(self, base_url: str, connect_timeout: float, read_timeout: float,
                 retry_after: float = 5.0) -> None:
        self.servers = [RasaServer(url.strip().rstrip("/"))
                        for url in base_url.split(",") if url.strip()]
        self.base_url = self.servers[0].url
        self.retry_after = retry_after
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._http = httpx.AsyncClient(timeout=timeout,
                                       limits=httpx.Limits(max_connections=50))
        # messages, the hot path, go through a lighter client (api/rasa_http.py)
        self._pools = {server.url: KeepAlivePool(server.url, connect_timeout, read_timeout)
                       for server in self.servers}

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self._http.aclose()
        for pool in self._pools.values():
            await pool.close()

    @property
    def known_down(self) -> bool:
        """True while every server failed within the last few seconds."""
        now = time.monotonic()
        return all(server.known_down(now) for server in self.servers)

    async def send(self, sender: str, text: str, channel: str) -> RasaReply:
        """Send one message through the REST channel; raise RasaUnavailableError on failure."""
        now = time.monotonic()
        candidates = [s for s in preferred_order(self.servers, sender) if not s.known_down(now)]
        if not candidates:
            raise RasaUnavailableError("recently unreachable")
        body = {"sender": sender, "message": text, "metadata": {"channel": channel}}
        reason = "unreachable"
        for server in candidates:
            try:
                response = await self._pools[server.url].post_json("/webhooks/rest/webhook",
                                                                   body)
            except HttpFailedError as error:
                self._mark_down(server)
                if not error.delivered:
                    reason = error.reason
                    continue  # never delivered: the next server may take it
                raise RasaUnavailableError(error.reason) from error
            if response.status >= 400:
                self._mark_down(server)
                raise RasaUnavailableError(f"status {response.status}")
            try:
                payload = response.json()
            except ValueError as error:
                self._mark_down(server)
                raise RasaUnavailableError("answer is not JSON") from error
            server.down_until = 0.0
            return parse_reply(payload if isinstance(payload, list) else [])
        raise RasaUnavailableError(reason)

    async def statuses(self) -> dict[str, str]:
        """``ok`` or a short reason for each server."""
        return {server.url: await self._status(server.url) for server in self.servers}

    async def _status(self, url: str) -> str:
        try:
            response = await self._http.get(f"{url}/", timeout=2.0)
        except httpx.HTTPError as error:
            return f"unreachable ({type(error).__name__})"
        return "ok" if response.status_code == 200 else f"status {response.status_code}"

    def _mark_down(self, server: RasaServer) -> None:
        server.down_until = time.monotonic() + self.retry_after
        logger.warning("rasa unreachable at %s; leaving it alone for %.0fs", server.url,
                       self.retry_after)
