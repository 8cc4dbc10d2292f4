"""A locked SQLite database (another writer holding it) is waited for, not shown to citizens."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.db_models import ConversationRow, TurnRow
from tests.api.offline_app import offline_app
from tests.conftest import copy_database

HOLD_SECONDS = 2.0


def hold_write_lock(database: Path, locked: threading.Event) -> None:
    """Another process-like writer: an immediate transaction held for HOLD_SECONDS."""
    db = sqlite3.connect(database, timeout=30, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    locked.set()
    time.sleep(HOLD_SECONDS)
    db.execute("COMMIT")
    db.close()


def test_busy_database_is_waited_for(kb_workdir: Path, kb_settings, tmp_path: Path) -> None:
    copy_database(kb_workdir / "kb.db", tmp_path / "kb.db")
    app, _, kb = offline_app(f"sqlite:///{tmp_path / 'kb.db'}", kb_settings)
    with TestClient(app) as client:
        assert client.post("/api/chat", json={"sender_id": "busy-1", "text": "xin chào"}
                           ).status_code == 200
        locked = threading.Event()
        holder = threading.Thread(target=hold_write_lock, args=(tmp_path / "kb.db", locked))
        holder.start()
        assert locked.wait(10)
        started = time.monotonic()
        reply = client.post("/api/chat", json={"sender_id": "busy-1",
                                               "text": "dk khai sinh can giay to gi"})
        holder.join()
        assert reply.status_code == 200
        assert "1.001193" in reply.json()["messages"][-1]["text"]
        assert time.monotonic() - started >= HOLD_SECONDS * 0.5  # it did wait for the writer
        with kb.store.session() as session:
            conversation = session.scalar(select(ConversationRow).where(
                ConversationRow.sender_id == "web:busy-1"))
            texts = [t.text for t in session.scalars(select(TurnRow).where(
                TurnRow.conversation_id == conversation.id).order_by(TurnRow.id))]
        assert texts == ["xin chào", "dk khai sinh can giay to gi"]
