"""The app's keep-alive client for messages to Rasa, against real sockets on 127.0.0.1.

A small HTTP server stands in for Rasa's REST channel: it echoes the request,
counts connections, and can close idle connections, answer chunked, stall or
refuse. ``RasaClient.send`` is checked over it too (moving to the next server only
when nothing was delivered).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from api.rasa_client import RasaClient, RasaUnavailableError
from api.rasa_http import IDLE_SECONDS, HttpFailedError, KeepAlivePool

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """The app runs on asyncio (uvicorn)."""
    return "asyncio"


@dataclass
class FakeRasa:
    """How the fake server behaves, and what it saw."""

    chunked: bool = False
    close_after: bool = False  # "Connection: close" on every answer
    stall: float = 0.0
    connections: int = 0
    requests: list[dict] = field(default_factory=list)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                body = json.loads(await reader.readexactly(length))
                self.requests.append(body)
                await asyncio.sleep(self.stall)
                payload = json.dumps([{"recipient_id": body["sender"],
                                       "text": f"echo {body['message']}"}],
                                     ensure_ascii=False).encode()
                extra = b"Connection: close\r\n" if self.close_after else b""
                if self.chunked:
                    half = len(payload) // 2
                    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p)
                                      for p in (payload[:half], payload[half:]))
                    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" + extra
                                 + b"\r\n" + chunks + b"0\r\n\r\n")
                else:
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 + extra + b"Content-Length: %d\r\n\r\n" % len(payload)
                                 + payload)
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def drop_idle_connections(self) -> None:
        for writer in self.writers:
            writer.close()


@asynccontextmanager
async def serving(fake: FakeRasa) -> AsyncIterator[str]:
    server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        fake.drop_idle_connections()


def _message(sender: str, text: str) -> dict:
    return {"sender": sender, "message": text, "metadata": {"channel": "web"}}


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_answers_come_back_on_one_kept_alive_connection() -> None:
    fake = FakeRasa()
    async with serving(fake) as url:
        pool = KeepAlivePool(url, 1.0, 5.0)
        for i in range(5):
            answer = await pool.post_json("/webhooks/rest/webhook", _message(f"s{i}", "chào"))
            assert answer.status == 200
            assert answer.json() == [{"recipient_id": f"s{i}", "text": "echo chào"}]
        await pool.close()
    assert fake.connections == 1
    assert fake.requests[0] == _message("s0", "chào")  # the body arrives as sent


async def test_concurrent_messages_each_get_their_own_answer() -> None:
    fake = FakeRasa(stall=0.01)
    async with serving(fake) as url:
        pool = KeepAlivePool(url, 1.0, 5.0)
        answers = await asyncio.gather(*(
            pool.post_json("/webhooks/rest/webhook", _message(f"s{i}", f"m{i}"))
            for i in range(20)))
        assert [a.json()[0]["text"] for a in answers] == [f"echo m{i}" for i in range(20)]
        again = await asyncio.gather(*(
            pool.post_json("/webhooks/rest/webhook", _message(f"t{i}", "x")) for i in range(20)))
        assert all(a.status == 200 for a in again)
        await pool.close()
    assert fake.connections == 20  # reused the second time


async def test_chunked_answers_and_connection_close_are_read() -> None:
    fake = FakeRasa(chunked=True, close_after=True)
    async with serving(fake) as url:
        pool = KeepAlivePool(url, 1.0, 5.0)
        for i in range(3):
            answer = await pool.post_json("/webhooks/rest/webhook", _message("s", f"m{i}"))
            assert answer.json()[0]["text"] == f"echo m{i}"
        await pool.close()
    assert fake.connections == 3


async def test_a_connection_the_server_closed_while_idle_is_replaced() -> None:
    fake = FakeRasa()
    async with serving(fake) as url:
        pool = KeepAlivePool(url, 1.0, 5.0)
        await pool.post_json("/webhooks/rest/webhook", _message("s", "1"))
        fake.drop_idle_connections()
        answer = await pool.post_json("/webhooks/rest/webhook", _message("s", "2"))
        assert answer.json()[0]["text"] == "echo 2"
        await pool.close()
    assert fake.connections == 2
    assert [r["message"] for r in fake.requests] == ["1", "2"]  # nothing sent twice


async def test_a_refused_connection_is_not_delivered_and_a_stall_times_out() -> None:
    pool = KeepAlivePool(f"http://127.0.0.1:{_free_port()}", 1.0, 5.0)
    with pytest.raises(HttpFailedError) as refused:
        await pool.post_json("/webhooks/rest/webhook", _message("s", "x"))
    assert refused.value.delivered is False
    fake = FakeRasa(stall=2.0)
    async with serving(fake) as url:
        slow = KeepAlivePool(url, 1.0, 0.2)
        with pytest.raises(HttpFailedError) as stalled:
            await slow.post_json("/webhooks/rest/webhook", _message("s", "x"))
        assert stalled.value.delivered is True
        await slow.close()


async def test_the_rasa_client_moves_on_only_when_nothing_was_delivered() -> None:
    fake = FakeRasa()
    async with serving(fake) as url:
        dead = f"http://127.0.0.1:{_free_port()}"
        client = RasaClient(f"{dead},{url}", 1.0, 5.0)
        for sender in ("a", "b", "c", "d"):  # whichever server each prefers
            reply = await client.send(sender, "xin chào", "web")
            assert reply.messages == [{"text": "echo xin chào", "buttons": []}]
        await client.close()
    fake = FakeRasa(stall=2.0)
    async with serving(fake) as url:
        client = RasaClient(url, 1.0, 0.2)
        with pytest.raises(RasaUnavailableError):
            await client.send("a", "xin chào", "web")
        await client.close()


async def test_connections_left_idle_too_long_are_closed() -> None:
    fake = FakeRasa(stall=0.01)
    async with serving(fake) as url:
        pool = KeepAlivePool(url, 1.0, 5.0)
        await asyncio.gather(*(pool.post_json("/webhooks/rest/webhook", _message(f"s{i}", "x"))
                               for i in range(3)))
        assert len(pool._idle) == 3
        oldest = pool._idle[0]
        oldest.idle_since -= IDLE_SECONDS + 1  # unused for longer than a connection is kept
        await pool.post_json("/webhooks/rest/webhook", _message("s", "y"))  # takes the newest
        assert len(pool._idle) == 2 and oldest not in pool._idle
        assert oldest.writer.is_closing()
        await pool.close()
    assert fake.connections == 3


async def test_a_message_read_by_a_server_that_then_died_never_goes_to_another() -> None:
    # Server A reads the second message on the kept-alive connection and dies
    # without answering; the retry finds A gone. B must not get the message too.
    seen: list[str] = []
    state = {"served": 0}

    async def dying(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                seen.append(json.loads(await reader.readexactly(length))["message"])
                state["served"] += 1
                if state["served"] == 2:
                    server.close()  # dies with the message read, no answer
                    break
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(dying, "127.0.0.1", 0)
    url_a = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    fake_b = FakeRasa()
    async with serving(fake_b) as url_b:
        client = RasaClient(f"{url_a},{url_b}", 1.0, 5.0)
        sender = next(s for s in (f"s{i}" for i in range(50)) if _prefers(client, s, url_a))
        await client.send(sender, "chào", "web")
        with pytest.raises(RasaUnavailableError):
            await client.send(sender, "xác nhận đặt lịch", "web")
        await client.close()
    assert seen == ["chào", "xác nhận đặt lịch"]
    assert fake_b.requests == []


def _prefers(client: RasaClient, sender: str, url: str) -> bool:
    from api.rasa_client import preferred_order
    return preferred_order(client.servers, sender)[0].url == url


async def test_an_answer_without_a_length_is_read_to_the_end() -> None:
    async def no_length(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n[{\"text\": \"hi\"}]")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(no_length, "127.0.0.1", 0)
    pool = KeepAlivePool(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", 1.0, 5.0)
    answer = await pool.post_json("/webhooks/rest/webhook", _message("s", "x"))
    assert answer.json() == [{"text": "hi"}]
    assert pool._idle == []  # never reused: the body ended with the connection
    await pool.close()
    server.close()
