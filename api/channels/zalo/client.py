"""The one module that talks to Zalo over HTTP: sending messages and refreshing tokens.

Timeouts are always set. Transport failures, HTTP 429/5xx and Zalo's rate-limit
error are retried with exponential backoff; other non-zero ``error`` codes are
logged with their code and returned to the caller. An invalid or expired access
token (−216, −220) triggers one token refresh and one retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from api.channels.zalo.settings import ZaloSettings, secret

log = logging.getLogger(__name__)

SEND_PATH = "/v3.0/oa/message/cs"
REFRESH_PATH = "/v4/oa/access_token"
TOKEN_ERRORS = frozenset({-216, -220})
RETRYABLE_ERRORS = frozenset({-32})
WINDOW_ERRORS = frozenset({-213, -230, -232, -218, -244})


class ZaloApiError(Exception):
    """Zalo answered with a non-zero ``error`` (or not at all).

    Attributes:
        code: Zalo's error code; 0 for transport or HTTP failures.
        retryable: whether trying again later could succeed.

    """

    def __init__(self, code: int, message: str, *, retryable: bool = False) -> None:
        super().__init__(f"zalo error {code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable


@dataclass(frozen=True)
class TokenGrant:
    """What a successful refresh returns."""

    access_token: str
    refresh_token: str
    expires_in: float | None


@dataclass(frozen=True)
class SendResult:
    """A message Zalo accepted."""

    message_id: str | None


TokenSource = Callable[[], Awaitable[str]]
TokenRefresher = Callable[[str], Awaitable[str]]


def _error_code(data: Any) -> int:
    if not isinstance(data, dict):
        return 0
    try:
        return int(data.get("error") or 0)
    except (TypeError, ValueError):
        return -1


class ZaloClient:
    """HTTP client for the OA API; build one per process and ``aclose`` it at shutdown."""

    def __init__(self, settings: ZaloSettings, http: httpx.AsyncClient | None = None) -> None:
        self._settings = settings
        timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
        self._http = http or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _post_once(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.post(url, **kwargs)
        except httpx.TimeoutException as exc:
            raise ZaloApiError(0, f"timeout ({type(exc).__name__})", retryable=True) from exc
        except httpx.TransportError as exc:
            raise ZaloApiError(0, f"transport ({type(exc).__name__})", retryable=True) from exc
        except httpx.HTTPError as exc:
            raise ZaloApiError(0, f"http ({type(exc).__name__})") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise ZaloApiError(0, f"http {response.status_code}", retryable=True)
        try:
            data = response.json()
        except ValueError as exc:
            raise ZaloApiError(0, f"http {response.status_code}, not JSON",
                               retryable=response.status_code >= 500) from exc
        return data if isinstance(data, dict) else {"error": -1, "message": "not an object"}

    async def _post(self, what: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """POST with retries on transient failures; returns Zalo's JSON answer."""
        delay = self._settings.retry_backoff
        for attempt in range(1, self._settings.send_attempts + 1):
            try:
                data = await self._post_once(url, **kwargs)
                code = _error_code(data)
                if code in RETRYABLE_ERRORS:
                    raise ZaloApiError(code, str(data.get("message", "")), retryable=True)
                return data
            except ZaloApiError as exc:
                if not exc.retryable or attempt == self._settings.send_attempts:
                    raise
                log.warning("zalo %s attempt %d failed (code %d, %s); retrying in %.1fs",
                            what, attempt, exc.code, exc.message, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._settings.retry_backoff_max)
        raise AssertionError("unreachable")

    async def _send_with(self, token: str, user_id: str, message: dict[str, Any]) -> dict[str, Any]:
        return await self._post("send", self._settings.api_base.rstrip("/") + SEND_PATH,
                                json={"recipient": {"user_id": user_id}, "message": message},
                                headers={"access_token": token})

    async def send(self, user_id: str, message: dict[str, Any], token: TokenSource,
                   refresh: TokenRefresher) -> SendResult:
        """Send one message; on −216/−220 refresh the token once and retry once.

        Raises:
            ZaloApiError: Zalo refused the message or could not be reached.

        """
        current = await token()
        data = await self._send_with(current, user_id, message)
        code = _error_code(data)
        if code in TOKEN_ERRORS:
            log.warning("zalo send: access token rejected (code %d); refreshing once", code)
            current = await refresh(current)
            data = await self._send_with(current, user_id, message)
            code = _error_code(data)
        if code != 0:
            log.error("zalo send failed: code %d (%s)", code, data.get("message", ""))
            raise ZaloApiError(code, str(data.get("message", "")))
        found = data.get("data")
        payload: dict[str, Any] = found if isinstance(found, dict) else {}
        message_id = payload.get("message_id") or payload.get("msg_id")
        return SendResult(str(message_id) if message_id else None)

    async def refresh_tokens(self, refresh_token: str) -> TokenGrant:
        """Exchange the single-use refresh token for a new pair.

        Raises:
            ZaloApiError: the refresh was refused (then a re-authorisation is needed).

        """
        data = await self._post(
            "token refresh", self._settings.oauth_base.rstrip("/") + REFRESH_PATH,
            headers={"secret_key": secret(self._settings.app_secret)},
            data={"refresh_token": refresh_token, "app_id": self._settings.app_id or "",
                  "grant_type": "refresh_token"})
        access, new_refresh = data.get("access_token"), data.get("refresh_token")
        if not access or not new_refresh:
            code = _error_code(data) or -1
            description = data.get("error_description") or data.get("message") or "no token"
            log.error("zalo token refresh refused: code %d (%s)", code, description)
            raise ZaloApiError(code, str(description))
        try:
            expires_in: float | None = float(data["expires_in"])
        except (KeyError, TypeError, ValueError):
            expires_in = None
        return TokenGrant(str(access), str(new_refresh), expires_in)
