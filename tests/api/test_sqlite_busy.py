"""A locked SQLite database (another writer holding it) is waited for, not shown to citizens."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.config import AppSettings
from api.db_models import ConversationRow, TurnRow
from api.main import create_app
from api.processes import free_port
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
    from knowledge_base.service import KnowledgeBase

    copy_database(kb_workdir / "kb.db", tmp_path / "kb.db")
    settings = AppSettings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'kb.db'}",
                           index_dir=kb_settings.index_dir, catalog_dir=kb_settings.catalog_dir,
                           rasa_url=f"http://127.0.0.1:{free_port()}", port=free_port())
    kb = KnowledgeBase(settings)
    kb.warm_up()
    with TestClient(create_app(settings, kb)) as client:
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
