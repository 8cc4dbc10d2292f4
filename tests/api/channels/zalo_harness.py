"""Test harness for the Zalo channel: the real app served by uvicorn, signed events, queries.

The app runs under uvicorn on a free 127.0.0.1 port in a background thread, so
the webhook sees the exact bytes sent (the signature is over the raw body).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fake_zalo import FakeZalo
from fastapi import FastAPI
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.channels.zalo.models import ZaloInboundRow, ZaloOutboxRow
from api.channels.zalo.settings import ZaloSettings
from api.channels.zalo.signature import signature_header
from api.db_models import ConversationRow, TurnRow
from ops.processes import free_port

APP_ID = "4291763606161179100"
OA_SECRET = "oa-secret-for-tests"
APP_SECRET = "app-secret-for-tests"


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


def real_app(settings: ZaloSettings, database_url: str, kb_workdir: Path) -> FastAPI:
    """The real app (``create_app``): real conversation loop, real knowledge base.

    Rasa is pointed at a port where nothing listens, so answers come from the
    degraded mode: the same loop, without Rasa.
    """
    from api.config import AppSettings
    from api.main import create_app

    app_settings = AppSettings(
        _env_file=None, database_url=database_url, index_dir=kb_workdir / "index",
        catalog_dir=kb_workdir / "catalog", rasa_url=f"http://127.0.0.1:{free_port()}",
        log_level="WARNING", chat_unsigned_senders=True)
    return create_app(app_settings, zalo_settings=settings)


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


# --- reading what the app stored ------------------------------------------------------
def rows(database_url: str, model: Any, *where: Any, order_by: Any = None) -> list[Any]:
    """Rows of ``model`` matching ``where``, read in a fresh session."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            query = select(model).where(*where)
            if order_by is not None:
                query = query.order_by(order_by)
            return list(session.scalars(query))
    finally:
        engine.dispose()


def turn_texts(database_url: str, user_id: str) -> list[str]:
    """The citizen texts the conversation loop stored for a Zalo user, in order."""
    conversations = rows(database_url, ConversationRow,
                         ConversationRow.sender_id == f"zalo:{user_id}")
    if not conversations:
        return []
    return [turn.text for turn in rows(database_url, TurnRow,
                                       TurnRow.conversation_id == conversations[0].id,
                                       order_by=TurnRow.id)]


def sent_texts(database_url: str, user_id: str) -> list[str]:
    """Texts of the replies the outbox marked sent, in event then part order."""
    events = {row.id: row for row in rows(database_url, ZaloInboundRow,
                                          ZaloInboundRow.user_id == user_id)}
    outbox = rows(database_url, ZaloOutboxRow, ZaloOutboxRow.user_id == user_id,
                  ZaloOutboxRow.status == "sent")
    outbox.sort(key=lambda row: (row.inbound_id, row.seq))
    assert all(row.inbound_id in events for row in outbox)
    return [row.body["text"] for row in outbox]


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll ``predicate`` until it is truthy (returns its last value)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def all_done(database_url: str) -> bool:
    """Whether every queued event has been handled."""
    return not rows(database_url, ZaloInboundRow, ZaloInboundRow.status != "done")
