"""Personal data: stored encrypted, shown unmasked only in the opened conversation, purged.

Messages go through the real citizen route (``/api/chat``, Rasa down so the app
answers in degraded mode) and are read back through the support API.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from api.db_models import ConversationRow, TurnRow
from api.pii import PiiRow, key_file_path
from knowledge_base.db import utcnow
from tests.api.staff.harness import ADMIN, SUPPORT, StaffClient, build_app

PHONE = "0359871246"  # unique: other staff tests seed unmasked numbers directly
CCCD = "038095004321"
MESSAGE = f"Tôi cần cán bộ gọi lại, số điện thoại {PHONE}, CCCD {CCCD}"
ROOT = Path(__file__).resolve().parents[3]


def db_file(app) -> Path:
    return Path(make_url(app.state.services.settings.database_url).database)


def citizen_says(client: TestClient, sender: str, text: str = MESSAGE) -> dict:
    response = client.post("/api/chat", json={"sender_id": sender, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def conversation_of(app, sender: str, owner: str = "waiting") -> int:
    """The conversation's id, handed off to staff as the app core would."""
    with app.state.services.kb.store.session.begin() as session:
        row = session.scalar(select(ConversationRow)
                             .where(ConversationRow.sender_id == f"web:{sender}"))
        session.execute(update(ConversationRow).where(ConversationRow.id == row.id)
                        .values(owner=owner, handoff_reason="request_human"))
        return row.id


def copies(app, conversation_id: int) -> list[PiiRow]:
    with app.state.services.kb.store.session() as session:
        return list(session.scalars(select(PiiRow)
                                    .where(PiiRow.conversation_id == conversation_id)))


def citizen_texts(detail: dict) -> list[str]:
    return [e["text"] for e in detail["entries"] if e["speaker"] == "citizen"]


def test_original_is_encrypted_at_rest_and_shown_only_in_the_opened_conversation(
        client, support, admin, staff_app, caplog):
    caplog.set_level(logging.DEBUG)
    answer = citizen_says(client, "pii-visible")
    conversation_id = conversation_of(staff_app, "pii-visible")

    # Stored: the turn masked, the original only as ciphertext, nowhere in the file in clear.
    with staff_app.state.services.kb.store.session() as session:
        turn = session.scalar(select(TurnRow).where(TurnRow.conversation_id == conversation_id))
    assert PHONE not in turn.text and CCCD not in turn.text and "***" in turn.text
    assert [c.turn_id for c in copies(staff_app, conversation_id)] == [turn.id]
    path = db_file(staff_app)
    for part in (path, Path(f"{path}-wal")):
        if part.exists():
            data = part.read_bytes()
            assert PHONE.encode() not in data and CCCD.encode() not in data, part

    # Staff: masked in the inbox, original in the opened conversation (and after claim).
    items = support.get("/api/support/inbox").json()["items"]
    item = next(i for i in items if i["id"] == conversation_id)
    assert PHONE not in item["last_message"] and "***" in item["last_message"]
    detail = support.get(f"/api/support/conversations/{conversation_id}").json()
    assert citizen_texts(detail) == [MESSAGE]
    assert detail["entries"][0]["personal_data"] is True
    assert PHONE not in detail["last_citizen_message"]  # it feeds the suggestions search
    assert detail["personal_data_unreadable"] == 0
    claimed = support.post(f"/api/support/conversations/{conversation_id}/claim").json()
    assert citizen_texts(claimed) == [MESSAGE]

    # Audited once per viewer (the console re-fetches every few seconds).
    audit = admin.get("/api/admin/audit", params={"entity": "conversation_pii"}).json()["items"]
    mine = [a for a in audit if a["entity_id"] == str(conversation_id)]
    assert [(a["actor"], a["action"]) for a in mine] == [(SUPPORT, "view")]
    assert PHONE not in str(mine)
    admin.get(f"/api/support/conversations/{conversation_id}")
    audit = admin.get("/api/admin/audit", params={"entity": "conversation_pii"}).json()["items"]
    assert sorted(a["actor"] for a in audit if a["entity_id"] == str(conversation_id)) == [
        ADMIN, SUPPORT]

    # Never to the citizen, the analytics, or the logs; nothing without a login.
    assert PHONE not in str(answer) and CCCD not in str(answer)
    updates = client.get("/api/chat/updates", params={"sender_id": "pii-visible"})
    assert PHONE not in updates.text
    assert PHONE not in admin.get("/api/admin/analytics").text
    assert client.get(f"/api/support/conversations/{conversation_id}").status_code == 401
    assert PHONE not in caplog.text and CCCD not in caplog.text


def test_the_local_key_file_is_private_and_survives_a_restart(client, support, staff_app):
    citizen_says(client, "pii-restart")
    conversation_id = conversation_of(staff_app, "pii-restart")
    key_file = key_file_path(staff_app.state.services.settings)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not str(key_file).startswith(str(ROOT))  # tests never write a key into the repo
    with TestClient(staff_app) as restarted:  # a second lifespan reads the same key file
        again = StaffClient.bearer(restarted, SUPPORT)
        detail = again.get(f"/api/support/conversations/{conversation_id}").json()
    assert citizen_texts(detail) == [MESSAGE]


def test_a_message_without_personal_data_keeps_no_copy(client, support, staff_app):
    citizen_says(client, "pii-none", "đăng ký khai sinh cần giấy tờ gì")
    conversation_id = conversation_of(staff_app, "pii-none")
    assert copies(staff_app, conversation_id) == []
    detail = support.get(f"/api/support/conversations/{conversation_id}").json()
    assert detail["entries"][0]["personal_data"] is False


def test_purge_removes_expired_copies(client, support, staff_app):
    citizen_says(client, "pii-old")
    citizen_says(client, "pii-old", f"gọi tôi theo số {PHONE} nhé")
    conversation_id = conversation_of(staff_app, "pii-old")
    first, second = sorted(copies(staff_app, conversation_id), key=lambda c: c.turn_id)
    with staff_app.state.services.kb.store.session.begin() as session:
        session.execute(update(PiiRow).where(PiiRow.turn_id == first.turn_id)
                        .values(at=utcnow() - timedelta(days=31)))

    # Expired copies are hidden at once, even before the purge runs.
    detail = support.get(f"/api/support/conversations/{conversation_id}").json()
    assert [e["personal_data"] for e in detail["entries"] if e["speaker"] == "citizen"] == [
        False, True]

    env = {**os.environ, "TTHC_DATABASE_URL": staff_app.state.services.settings.database_url,
           "TTHC_PII_RETENTION_DAYS": "30"}
    result = subprocess.run([sys.executable, "-c", "from ops.cli import app; app()", "pii", "purge"], env=env,
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "purged 1 " in result.stderr
    assert [c.turn_id for c in copies(staff_app, conversation_id)] == [second.turn_id]
    assert staff_app.state.services.pii.purge() == 0


def test_a_changed_or_broken_key_degrades_to_the_masked_text(client, staff_app, staff_kb):
    citizen_says(client, "pii-rekeyed")
    conversation_id = conversation_of(staff_app, "pii-rekeyed")

    other_key = SecretStr(Fernet.generate_key().decode())
    with TestClient(app_with(staff_kb, pii_key=other_key)) as rekeyed:
        support = StaffClient.bearer(rekeyed, SUPPORT)
        response = support.get(f"/api/support/conversations/{conversation_id}")
        assert response.status_code == 200
        detail = response.json()
        assert PHONE not in str(detail) and detail["personal_data_unreadable"] == 1
        assert detail["entries"][0]["personal_data"] is False

    with TestClient(app_with(staff_kb, pii_key=SecretStr("not a key"))) as broken:
        citizen_says(broken, "pii-broken")
        broken_id = conversation_of(broken.app, "pii-broken")
        assert copies(broken.app, broken_id) == []  # nothing raw is kept without a usable key
        support = StaffClient.bearer(broken, SUPPORT)
        detail = support.get(f"/api/support/conversations/{conversation_id}").json()
        assert PHONE not in str(detail) and detail["personal_data_unreadable"] == 1


def app_with(kb, **overrides):
    """A second app on the same database with other personal-data settings."""
    return build_app(kb, **overrides)
