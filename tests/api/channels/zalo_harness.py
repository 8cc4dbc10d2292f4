"""Test harness for the Zalo channel: the app served for real, signed events.

The app runs under uvicorn on a free 127.0.0.1 port in a background thread, so
the webhook sees the exact bytes sent (the signature is over the raw body).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import uvicorn
from fake_zalo import FakeZalo
from fastapi import FastAPI

from api.channels import zalo
from api.channels.zalo.routes import router
from api.channels.zalo.settings import ZaloSettings
from api.channels.zalo.signature import signature_header
from api.schemas import ButtonOut, OutMessage
from knowledge_base.db import create_db_engine

APP_ID = "4291763606161179100"
OA_SECRET = "oa-secret-for-tests"
APP_SECRET = "app-secret-for-tests"


class EchoConversation:
    """Stand-in conversation loop: echoes each text; " | " separates several bot messages.

    The last message carries two buttons, like the real loop's quick replies.
    """

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()

    def handle(self, channel: str, user_id: str, text: str) -> list[OutMessage]:
        with self.lock:
            self.seen.append((channel, user_id, text))
        pieces = text.split(" | ")
        messages = [OutMessage(text=f"Trả lời: {piece}") for piece in pieces]
        messages[-1].buttons = [ButtonOut(title="Lệ phí", payload="/ask_fee"),
                                ButtonOut(title="Gặp cán bộ", payload="/request_human")]
        return messages

    def texts_for(self, user_id: str) -> list[str]:
        with self.lock:
            return [text for _, user, text in self.seen if user == user_id]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """One app served by uvicorn in a thread; ``stop`` shuts it down like Ctrl-C."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        self.thread.start()
        deadline = time.monotonic() + 120
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("app did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)


def standin_app(settings: ZaloSettings, database_url: str,
                conversation: EchoConversation) -> FastAPI:
    """A minimal app with the Zalo router and lifespan hooks around a stand-in loop."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = create_db_engine(database_url)
        app.state.conversation = conversation
        await zalo.start(app, settings)
        yield
        await zalo.stop(app)
        app.state.engine.dispose()

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    return app


def make_settings(fake: FakeZalo, **overrides: Any) -> ZaloSettings:
    values: dict[str, Any] = {
        "app_id": APP_ID, "oa_secret_key": OA_SECRET, "app_secret": APP_SECRET,
        "access_token": "AT-0", "refresh_token": "RT-0",
        "api_base": fake.base_url, "oauth_base": fake.base_url,
        "retry_backoff": 0.05, "retry_backoff_max": 0.2, "poll_interval": 0.2,
        "read_timeout": 5.0, "lease_seconds": 10.0,
    }
    values.update(overrides)
    return ZaloSettings(_env_file=None, **values)


# --- building signed events ---------------------------------------------------------
def text_event(user_id: str, text: str, msg_id: str, *, timestamp: int | None = None,
               event_name: str = "user_send_text") -> dict[str, Any]:
    stamp = timestamp if timestamp is not None else int(time.time() * 1000)
    return {"app_id": APP_ID, "user_id_by_app": f"app-{user_id}", "event_name": event_name,
            "timestamp": str(stamp), "sender": {"id": user_id},
            "recipient": {"id": "oa-579745863508352884"},
            "message": {"msg_id": msg_id, "text": text}}


def signed(event: dict[str, Any], *, secret: str = OA_SECRET,
           timestamp: str | None = None) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(event, ensure_ascii=False).encode("utf-8")
    stamp = timestamp if timestamp is not None else str(event.get("timestamp", ""))
    return raw, {"Content-Type": "application/json",
                 "X-ZEvent-Signature": signature_header(APP_ID, raw, stamp, secret)}


def post_event(client: httpx.Client, url: str, event: dict[str, Any]) -> httpx.Response:
    raw, headers = signed(event)
    return client.post(f"{url}/webhooks/zalo", content=raw, headers=headers)


@contextmanager
def http_client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0) as client:
        yield client


def run(coro: Any) -> Any:
    return asyncio.run(coro)
