"""A small keep-alive HTTP/1.1 client for the app's hottest call: one message to Rasa.

Why: under ``make bench`` load httpx spent about 2.5 ms of the app's CPU on every
message it sent to Rasa (a sixth of the app's time), most of it in its connection
pool, which checks every idle connection's socket with a system call on each
request and each response, and in its pure-Python HTTP parser. This client keeps
idle connections on a stack, writes one request in one system call and reads the
answer with asyncio's buffered reader. It speaks only what Rasa's REST channel
needs: a JSON POST, an answer with ``Content-Length`` or chunked encoding.

A connection that the server closed while it was idle is noticed when it is
taken (end of stream) or when the request gets no answer byte at all; the
request then goes once more on a new connection (a failure then counts as
delivered, as the server may have read it before dying).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

IDLE_SECONDS = 30.0  # Rasa keeps idle connections 120 s; drop ours well before
MAX_IDLE = 64
MAX_HEADER_BYTES = 64 * 1024


class HttpFailedError(Exception):
    """The request failed; ``delivered`` is False when the server cannot have read it."""

    def __init__(self, reason: str, delivered: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delivered = delivered


@dataclass
class HttpAnswer:
    """Status and body of one answer."""

    status: int
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (ValueError if it is not)."""
        return json.loads(self.body)


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = field(default_factory=time.monotonic)

    def usable(self, now: float) -> bool:
        return (not self.reader.at_eof() and not self.writer.is_closing()
                and now - self.idle_since < IDLE_SECONDS)

    def close(self) -> None:
        self.writer.close()


class _NoAnswerError(Exception):
    """The connection ended before the first byte of the answer."""


class KeepAlivePool:
    """Keep-alive connections to one ``http(s)://host:port`` server."""

    def __init__(self, base_url: str, connect_timeout: float, read_timeout: float) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s)://host:port URL: {base_url!r}")
        self.tls = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.tls else 80)
        self.prefix = parts.path.rstrip("/")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._idle: list[_Connection] = []
        self._closed = False

    async def post_json(self, path: str, body: Any) -> HttpAnswer:
        """POST ``body`` as JSON to ``path``; raise HttpFailedError on any failure."""
        data = json.dumps(body, ensure_ascii=False).encode()
        head = (f"POST {self.prefix}{path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Content-Type: application/json\r\nAccept: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode()
        connection, reused = self._take()
        if connection is None:
            connection = await self._connect()
        try:
            return await self._exchange(connection, head + data)
        except _NoAnswerError:
            if not reused:
                raise HttpFailedError("connection closed without an answer") from None
        # Most likely the server closed the idle connection as we wrote, so it never
        # read the request; it may also have read it and died. Once more on a new
        # connection, but a failure now counts as delivered: the message must not
        # go to another server as well.
        try:
            return await self._exchange(await self._connect(), head + data)
        except _NoAnswerError:
            raise HttpFailedError("connection closed without an answer") from None
        except HttpFailedError as error:
            raise HttpFailedError(error.reason, delivered=True) from error

    async def close(self) -> None:
        """Close every idle connection, and any in use when its request ends."""
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    # --- connections ------------------------------------------------------------
    def _take(self) -> tuple[_Connection | None, bool]:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if connection.usable(now):
                return connection, True
            connection.close()
        return None, False

    def _give_back(self, connection: _Connection) -> None:
        if self._closed:
            connection.close()
            return
        now = time.monotonic()
        while self._idle and not self._idle[0].usable(now):  # the oldest, unused for long
            self._idle.pop(0).close()
        if len(self._idle) >= MAX_IDLE:
            connection.close()
            return
        connection.idle_since = now
        self._idle.append(connection)

    async def _connect(self) -> _Connection:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, ssl=self.tls or None),
                self.connect_timeout)
        except (OSError, asyncio.TimeoutError) as error:
            raise HttpFailedError(f"connect: {type(error).__name__}", delivered=False) from error
        return _Connection(reader, writer)

    # --- one request --------------------------------------------------------------
    async def _exchange(self, connection: _Connection, request: bytes) -> HttpAnswer:
        try:
            connection.writer.write(request)
            answer, keep = await asyncio.wait_for(self._read(connection.reader),
                                                  self.read_timeout)
        except (_NoAnswerError, asyncio.CancelledError):
            connection.close()
            raise
        except asyncio.TimeoutError:
            connection.close()
            raise HttpFailedError("read timeout") from None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError) as error:
            connection.close()
            raise HttpFailedError(type(error).__name__) from error
        if keep:
            self._give_back(connection)
        else:
            connection.close()
        return answer

    @staticmethod
    async def _read(reader: asyncio.StreamReader) -> tuple[HttpAnswer, bool]:
        """One answer and whether the connection may be reused."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            if not error.partial:
                raise _NoAnswerError from None
            raise
        except ConnectionResetError:
            raise _NoAnswerError from None
        if len(head) > MAX_HEADER_BYTES:
            raise ValueError("answer headers too long")
        lines = head.decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ", 2)[:2]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip().lower()
        connection = headers.get("connection", "")
        keep = "close" not in connection and (version == "HTTP/1.1" or "keep-alive" in connection)
        if "chunked" in headers.get("transfer-encoding", ""):
            body = await _read_chunked(reader)
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        else:  # no length: the body ends with the connection
            body, keep = await reader.read(), False
        return HttpAnswer(int(status), body), keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
