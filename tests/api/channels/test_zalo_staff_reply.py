"""A support officer's reply to a Zalo citizen goes out through the Zalo channel.

Uses the Zalo channel's harness (fake Zalo server on 127.0.0.1, the real app
under uvicorn): a citizen asks for a human on Zalo, an officer claims the
conversation in the support API and replies; the fake Zalo receives the text.
"""

from __future__ import annotations

import httpx
from fake_zalo import FakeZalo
from zalo_harness import http_client, post_event, rows, text_event, wait_until

from api.auth.models import ensure_tables
from api.auth.users import UserService
from api.db_models import ConversationRow
from knowledge_base.db import create_db_engine, session_factory

PASSWORD = "zalo officer password"


def add_support_user(database_url: str, username: str) -> None:
    engine = create_db_engine(database_url)
    ensure_tables(engine)
    UserService(session_factory(engine)).add(username, "support", PASSWORD)
    engine.dispose()


def test_staff_reply_to_a_zalo_citizen_is_sent_by_the_oa(serve, zalo_settings, database_url,
                                                         fake_zalo: FakeZalo):
    server = serve(zalo_settings)
    add_support_user(database_url, "zalo.officer")
    with http_client() as client:
        assert post_event(client, server.url, text_event("zu-1", "cho tôi gặp cán bộ",
                                                         "m-1")).status_code == 200
        waiting = wait_until(lambda: rows(database_url, ConversationRow,
                                          ConversationRow.sender_id == "zalo:zu-1",
                                          ConversationRow.owner == "waiting"))
        assert waiting, "the Zalo conversation was handed off"
        token = client.post(f"{server.url}/api/auth/login", json={
            "username": "zalo.officer", "password": PASSWORD}).json()["access_token"]
        staff = httpx.Client(base_url=server.url, timeout=10.0,
                             headers={"Authorization": f"Bearer {token}"})
        with staff:
            conversation_id = waiting[0].id
            assert staff.post(f"/api/support/conversations/{conversation_id}/claim"
                              ).status_code == 200
            sent = staff.post(f"/api/support/conversations/{conversation_id}/reply",
                              json={"text": "Chào bạn, cán bộ phường đây."})
            assert sent.status_code == 200 and sent.json()["message"]["delivery"] == "sent"
    texts = [m.text for m in fake_zalo.messages_for("zu-1")]
    assert "Chào bạn, cán bộ phường đây." in texts


def test_staff_reply_is_kept_when_zalo_refuses_it(serve, zalo_settings, database_url,
                                                  fake_zalo: FakeZalo):
    server = serve(zalo_settings)
    add_support_user(database_url, "zalo.officer2")
    with http_client() as client:
        post_event(client, server.url, text_event("zu-2", "cho tôi gặp cán bộ", "m-2"))
        waiting = wait_until(lambda: rows(database_url, ConversationRow,
                                          ConversationRow.sender_id == "zalo:zu-2",
                                          ConversationRow.owner == "waiting"))
        token = client.post(f"{server.url}/api/auth/login", json={
            "username": "zalo.officer2", "password": PASSWORD}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        conversation_id = waiting[0].id
        client.post(f"{server.url}/api/support/conversations/{conversation_id}/claim",
                    headers=headers)
        fake_zalo.fail_next_sends(-230, -230, -230, -230, -230)
        sent = client.post(f"{server.url}/api/support/conversations/{conversation_id}/reply",
                           json={"text": "Tin nhắn sẽ bị từ chối."}, headers=headers)
        assert sent.status_code == 200 and sent.json()["message"]["delivery"] == "failed"
        detail = client.get(f"{server.url}/api/support/conversations/{conversation_id}",
                            headers=headers).json()
        staff_lines = [e for e in detail["entries"] if e["speaker"] == "staff"]
        assert staff_lines[-1]["text"] == "Tin nhắn sẽ bị từ chối."
        assert staff_lines[-1]["delivery"] == "failed"
