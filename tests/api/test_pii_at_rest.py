"""The probe's number formats never reach the database files, the WAL or the log raw.

A real app (uvicorn, real HTTP, degraded mode) gets messages typed the ways the
probe found masking missed; then the SQLite file, its WAL and the app's log are
grepped for the digits, with any separators between them. ``tthc pii scrub``
re-masks rows stored before masking knew a format, in the app database and in
Rasa's tracker store, and says how many it changed; a second run changes none.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from api.db_models import TurnRow
from api.masking import mask_pii
from api.pii import PiiRow
from tests.api.live_app import live_app
from tests.conftest import copy_database, kb_env

# message -> the digits it carries
PROBE = {
    "cccd001203045069 cần làm lại không": "001203045069",
    "sdt0987654323 gọi lại giúp tôi": "0987654323",
    "CCCD 0012  0304  5071 bị mất": "001203045071",
    "gọi (098) 765 4325 nhé": "0987654325",
    "số: 001.203.045.072 còn hạn không": "001203045072",
    "cmnd 013/456/789 hết hạn": "013456789",
    "sđt 0987-654-326, cccd 001 203 045 076": "0987654326",
    '/choose_procedure{"code":"001203045073"}': "001203045073",
    '/choose_procedure{"faq_id":"001203045074"}': "001203045074",
    "/ask 001203045075": "001203045075",
}
KEPT = "thủ tục 1.001193 lệ phí 10,000 đồng năm 2025, hẹn 01/01/2025 lúc 8:00"


def digits_pattern(digits: str) -> re.Pattern[str]:
    """The digits in order with up to 3 non-digits between them (any way of typing them)."""
    return re.compile(r"\D{0,3}".join(digits))


def raw_hits(text: str) -> list[str]:
    return [digits for digits in PROBE.values() if digits_pattern(digits).search(text)]


def file_text(path: Path) -> str:
    return path.read_bytes().decode("latin-1") if path.exists() else ""


def sqlite_files(database: Path) -> str:
    return "".join(file_text(Path(f"{database}{suffix}")) for suffix in ("", "-wal", "-shm"))


@pytest.mark.parametrize("text", list(PROBE))
def test_every_probe_format_is_masked(text: str) -> None:
    masked = mask_pii(text)
    assert not raw_hits(masked), masked
    assert "***" in masked
    assert mask_pii(masked) == masked  # idempotent


def test_short_numbers_stay_readable() -> None:
    assert mask_pii(KEPT) == KEPT


def test_a_conversation_leaves_no_raw_numbers_in_files_or_log(kb_workdir: Path,
                                                               tmp_path: Path) -> None:
    database = copy_database(kb_workdir / "kb.db", tmp_path / "kb.db")
    url = f"sqlite:///{database}"
    with live_app(url, kb_workdir, tmp_path / "app.log") as app:
        with httpx.Client(timeout=120) as client:
            for i, text in enumerate(PROBE):
                reply = client.post(f"{app.url}/api/chat",
                                    json={"sender_id": f"probe-{i % 3}", "text": text})
                assert reply.status_code == 200, reply.text
                assert reply.json()["messages"]
        log = app.log_text()
    assert "conversation" in log or "INFO" in log or "DEBUG" in log, "nothing was logged"
    assert raw_hits(log) == [], "raw numbers in the app log"
    assert raw_hits(sqlite_files(database)) == [], "raw numbers in the SQLite files"
    engine = create_engine(url)
    with Session(engine) as session:
        texts = list(session.scalars(select(TurnRow.text)))
        kept = session.scalar(select(func.count()).select_from(PiiRow))
    engine.dispose()
    assert len(texts) == len(PROBE) and all("***" in text for text in texts), texts
    assert kept == len(PROBE)  # staff can still call back: the originals are encrypted


def _tracker(path: Path, texts: list[str]) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, "
                   "type_name TEXT, timestamp REAL, intent_name TEXT, action_name TEXT, "
                   "data TEXT)")
        for i, text in enumerate(texts):
            data = {"event": "user", "text": text, "parse_data": {
                "text": text, "entities": [{"entity": "faq_id", "value": text}]}}
            db.execute("INSERT INTO events (sender_id, type_name, timestamp, data) "
                       "VALUES (?, 'user', ?, ?)", (f"web:s{i}", float(i), json.dumps(data)))
        db.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES "
                   "('web:s0', 'bot', 99.0, '{\"event\": \"bot\", \"text\": \"Xin chào\"}')")


def _old_turns(url: str, texts: list[str]) -> None:
    """Rows as an older version stored them: masked by the former rules, i.e. not at all."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        db.execute("INSERT INTO conversations (sender_id, channel, user_id, owner, topic, "
                   "created_at, updated_at) VALUES ('web:old', 'web', 'old', 'bot', '{}', "
                   "datetime('now'), datetime('now'))")
        conversation = db.execute("SELECT id FROM conversations WHERE sender_id = 'web:old'"
                                  ).fetchone()[0]
        for text in texts:
            db.execute("INSERT INTO conversation_turns (conversation_id, text, replies, source, "
                       "latency_ms, error, at) VALUES (?, ?, '[]', 'rasa', 1.0, 0, "
                       "datetime('now'))", (conversation, text))


def _scrub(env: dict[str, str]) -> str:
    done = subprocess.run([str(Path(sys.executable).parent / "tthc"), "pii", "scrub"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stderr + done.stdout


def test_scrub_remasks_stored_turns_and_tracker_events(kb_workdir: Path, tmp_path: Path) -> None:
    database = copy_database(kb_workdir / "kb.db", tmp_path / "kb.db")
    url = f"sqlite:///{database}"
    with live_app(url, kb_workdir, tmp_path / "app.log"):
        pass  # creates the conversation tables as the app does
    texts = list(PROBE) + [KEPT]
    _old_turns(url, texts)
    _tracker(tmp_path / "tracker.db", texts)
    assert raw_hits(sqlite_files(database)) and raw_hits(file_text(tmp_path / "tracker.db"))
    env = {**kb_env(kb_workdir), "TTHC_DATABASE_URL": url,
           "TTHC_RASA_TRACKER_DB": str(tmp_path / "tracker.db"), "TTHC_RASA_TRACKER_URL": ""}

    first = _scrub(env)
    assert f"conversation_turns.text: {len(PROBE)} of {len(texts)} rows re-masked" in first, first
    assert f"events.data: {len(PROBE)} of {len(texts)} rows re-masked" in first, first
    assert raw_hits(sqlite_files(database)) == []
    assert raw_hits(sqlite_files(tmp_path / "tracker.db")) == []
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        bot = db.execute("SELECT data FROM events WHERE type_name = 'bot'").fetchone()[0]
        stored = [json.loads(row[0]) for row in db.execute(
            "SELECT data FROM events WHERE type_name = 'user' ORDER BY id")]
    assert "Xin chào" in bot
    assert stored[-1]["text"] == KEPT
    assert stored[0]["parse_data"]["entities"][0]["value"] == "cccd*** cần làm lại không"

    second = _scrub(env)
    assert "scrubbed: 0 rows changed" in second, second
