"""Application status lookup: recognise a code, ask the ward's adapter, classify the answer.

``StatusConnector`` is the interface; :class:`HttpStatusConnector` speaks our
documented contract (``GET {TTHC_STATUS_URL}?code=CODE`` → JSON ``{"code",
"status", "received_at", "due_at", "agency", "note"}``, 404 for an unknown
code), which a ward's integration adapter implements. Timeouts are always set;
anything but a clean answer is :class:`StatusUnavailableError` and the chat
apologises with the portal link.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Protocol

import httpx

from api.masking import MASK

logger = logging.getLogger(__name__)
STATUS_RECEIVED = "received"
STATUS_IN_PROGRESS = "in_progress"
STATUS_NEEDS_MORE = "needs_more_documents"
STATUS_READY = "ready"
STATUSES = (STATUS_RECEIVED, STATUS_IN_PROGRESS, STATUS_NEEDS_MORE, STATUS_READY)


class StatusUnavailableError(Exception):
    """The adapter did not answer usably (down, slow, error status, bad JSON)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ApplicationStatus:
    """What the adapter said about one application."""

    code: str
    status: str
    received_at: str = ""
    due_at: str = ""
    agency: str = ""
    note: str = ""


class StatusConnector(Protocol):
    """Looks an application up by its code; None when the code is unknown."""

    async def lookup(self, code: str) -> ApplicationStatus | None:
        """Raise StatusUnavailableError when the answer cannot be had."""


class _MaskLookupUrls(logging.Filter):
    """httpx logs each request's URL (at INFO): drop the query of lookups from it."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(str(a).startswith(self.url)
                                                  for a in record.args):
            record.args = tuple(f"{self.url}?code={MASK}" if str(a).startswith(self.url) else a
                                for a in record.args)
        return True


class HttpStatusConnector:
    """The HTTP implementation of our status contract."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        logging.getLogger("httpx").addFilter(_MaskLookupUrls(url))

    async def lookup(self, code: str) -> ApplicationStatus | None:
        """``GET {url}?code=CODE``; 404 → None; anything else odd → StatusUnavailableError."""
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(self.url, params={"code": code})
        except httpx.HTTPError as error:
            raise StatusUnavailableError(type(error).__name__) from error
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise StatusUnavailableError(f"http {response.status_code}")
        try:
            data = response.json()
            return ApplicationStatus(code=code, status=str(data["status"]),
                                     **{k: str(data.get(k) or "") for k in
                                        ("received_at", "due_at", "agency", "note")})
        except (ValueError, KeyError, TypeError) as error:
            raise StatusUnavailableError("bad answer") from error


class CodeRecognizer:
    """Finds application codes in a message with the configured patterns."""

    def __init__(self, patterns: list[str]) -> None:
        self.patterns = [re.compile(p, re.IGNORECASE) for p in patterns]

    def find(self, text: str) -> str | None:
        """The first code in ``text`` (upper-cased), or None."""
        for pattern in self.patterns:
            match = pattern.search(text)
            if match:
                return match.group(0).upper()
        return None

    def mask(self, text: str) -> str:
        """``text`` with every code replaced by the mask (for turns and logs)."""
        for pattern in self.patterns:
            text = pattern.sub(MASK, text)
        return text


def masked_code(code: str) -> str:
    """What replies show of a code: only its last four characters."""
    return f"…{code[-4:]}"


def local_date(value: str) -> str:
    """``2025-12-01`` or an ISO timestamp → ``01/12/2025``; other text as it is."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value or "")
    return f"{match.group(3)}/{match.group(2)}/{match.group(1)}" if match else (value or "")
