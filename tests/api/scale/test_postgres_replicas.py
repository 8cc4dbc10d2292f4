"""Two app replicas on one PostgreSQL database behind a round-robin in the test.

Scope: the app tier (``TTHC_DATABASE_URL`` → PostgreSQL). Rasa is not started here, so
the replicas answer through the degraded mode (the same conversation loop, the
knowledge base directly); the conversation context (topic) lives in the shared
database, so turns alternating between replicas keep it. An FAQ saved through
replica A must be answered by replica B within 5 s, and no message is stored or
answered twice.
"""

from __future__ import annotations

import itertools
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.config import AppSettings
from api.db_models import ConversationRow, TurnRow
from ops.processes import app_ready, stack_env, start_app, wait_for
from tests.api.scale.faq_check import faq_saved_on_a_answered_by_b
from tests.api.scale.postgres import Postgres, free_port, pg_bin
from tests.conftest import SUBSET, TTHC, copy_subset, run_tthc

pytestmark = pytest.mark.skipif(pg_bin("initdb") is None, reason="PostgreSQL is not installed")
ADMIN, PASSWORD = "scale.admin", "scale admin passphrase"
LIVE_DEADLINE_S = 5.0


@pytest.fixture(scope="module")
def replicas() -> Iterator[tuple[Postgres, list[str]]]:
    pg = Postgres.start()
    workdir = Path(tempfile.mkdtemp(prefix="tthc-scale-"))
    children = []
    try:
        copy_subset(workdir / "catalog", SUBSET)
        env = {"TTHC_DATABASE_URL": pg.url, "TTHC_INDEX_DIR": str(workdir / "index"),
               "TTHC_CATALOG_DIR": str(workdir / "catalog"), "TTHC_CHAT_UNSIGNED_SENDERS": "true"}
        full = stack_env(AppSettings(_env_file=None), env)
        run_tthc(full, "kb", "import")
        run_tthc(full, "kb", "build")
        subprocess.run([TTHC, "users", "add", ADMIN, "--role", "admin"], input=PASSWORD + "\n",
                       env=full, text=True, check=True, capture_output=True, timeout=120)
        urls = []
        for name in ("a", "b"):
            settings = AppSettings(_env_file=None, port=free_port(),
                                   rasa_url=f"http://127.0.0.1:{free_port()}")
            child = start_app(settings, stack_env(settings, env), workdir / f"app-{name}.log")
            children.append(child)
            urls.append(f"http://127.0.0.1:{settings.port}")
            # One after the other: concurrent first starts race on CREATE TABLE (reported).
            assert wait_for(lambda u=urls[-1]: app_ready(u), child, 300), child.tail()
        yield pg, urls
    finally:
        for child in children:
            child.stop()
        pg.stop()


def turns_of(url: str, sender: str) -> list[TurnRow]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return list(session.scalars(
                select(TurnRow).join(ConversationRow, TurnRow.conversation_id == ConversationRow.id)
                .where(ConversationRow.sender_id == f"web:{sender}").order_by(TurnRow.id)))
    finally:
        engine.dispose()


def test_turns_alternate_replicas_and_keep_context(replicas) -> None:
    pg, urls = replicas
    balancer = itertools.cycle(urls)
    texts = ["dk khai sinh can giay to gi", "le phi bao nhieu", "nộp ở đâu", "mất bao lâu"]
    with httpx.Client(timeout=120) as client:
        for text in texts:
            reply = client.post(f"{next(balancer)}/api/chat",
                                json={"sender_id": "scale-rr-1", "text": text})
            assert reply.status_code == 200, reply.text
            assert "1.001193" in reply.json()["messages"][-1]["text"], (text, reply.json())
    stored = turns_of(pg.url, "scale-rr-1")
    assert [t.text for t in stored] == texts  # each message stored once, in order
    assert all(t.replies for t in stored)


def test_faq_saved_on_one_replica_is_answered_by_the_other(replicas) -> None:
    pg, (replica_a, replica_b) = replicas
    senders, _ = faq_saved_on_a_answered_by_b(replica_a, replica_b, ADMIN, PASSWORD,
                                              "scale-faq-", LIVE_DEADLINE_S)
    assert all(len(turns_of(pg.url, sender)) == 1 for sender in senders)
