"""The one place that talks to the Rasa server (REST channel), with timeouts.

Rasa's reply is a list of messages; actions add one ``custom`` message with the
machine-readable turn summary (conversation contract). This client separates
what the citizen sees from that summary.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

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


class RasaClient:
    """Async client of Rasa's REST webhook and status endpoint."""

    def __init__(self, base_url: str, connect_timeout: float, read_timeout: float,
                 retry_after: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry_after = retry_after
        self._down_until = 0.0
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._http = httpx.AsyncClient(timeout=timeout,
                                       limits=httpx.Limits(max_connections=50))

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self._http.aclose()

    @property
    def known_down(self) -> bool:
        """True for a few seconds after a failure, so citizens don't wait on a dead server."""
        return time.monotonic() < self._down_until

    async def send(self, sender: str, text: str, channel: str) -> RasaReply:
        """Send one message through the REST channel; raise RasaUnavailableError on failure."""
        if self.known_down:
            raise RasaUnavailableError("recently unreachable")
        body = {"sender": sender, "message": text, "metadata": {"channel": channel}}
        try:
            response = await self._http.post(f"{self.base_url}/webhooks/rest/webhook", json=body)
        except httpx.HTTPError as error:
            self._mark_down()
            raise RasaUnavailableError(type(error).__name__) from error
        if response.status_code >= 400:
            self._mark_down()
            raise RasaUnavailableError(f"status {response.status_code}")
        self._down_until = 0.0
        payload = response.json()
        return parse_reply(payload if isinstance(payload, list) else [])

    async def status(self) -> str:
        """``ok`` when Rasa answers on its root URL, else a short reason."""
        try:
            response = await self._http.get(f"{self.base_url}/", timeout=2.0)
        except httpx.HTTPError as error:
            return f"unreachable ({type(error).__name__})"
        return "ok" if response.status_code == 200 else f"status {response.status_code}"

    def _mark_down(self) -> None:
        self._down_until = time.monotonic() + self.retry_after
        logger.warning("rasa unreachable at %s; degraded mode for %.0fs", self.base_url,
                       self.retry_after)
