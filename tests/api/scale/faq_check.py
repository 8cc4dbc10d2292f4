"""The whole-city check both replica tests make: an FAQ saved on A is answered by B.

Returns the senders it used (one new citizen per question) and how long it took.
"""

from __future__ import annotations

import time

import httpx

QUESTION = "chỗ cho em bé bú ở trụ sở phường"
NURSING_ROOM_FAQ = {
    "question": "Trụ sở phường có phòng cho mẹ cho con bú không?",
    "answer": "Có phòng riêng cho mẹ và bé ở tầng 1, cạnh quầy một cửa.",
    "phrasings": ["chỗ cho em bé bú ở phường"], "tags": ["tiện ích"], "field": "Khác",
    "owner": "Văn phòng", "last_verified": "2026-11-01", "published": True}


def faq_saved_on_a_answered_by_b(replica_a: str, replica_b: str, admin: str, password: str,
                                 sender_prefix: str, deadline_s: float) -> tuple[list[str], float]:
    """Log in on A, save the FAQ there, ask B until it answers with it (within ``deadline_s``)."""
    with httpx.Client(timeout=120) as client:
        login = client.post(f"{replica_a}/api/auth/login",
                            json={"username": admin, "password": password})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        created = client.post(f"{replica_a}/api/admin/faqs", headers=headers,
                              json=NURSING_ROOM_FAQ)
        assert created.status_code == 201, created.text
        saved_at, senders = time.monotonic(), []
        while True:
            senders.append(f"{sender_prefix}{len(senders) + 1}")  # a new citizen each time
            reply = client.post(f"{replica_b}/api/chat",
                                json={"sender_id": senders[-1], "text": QUESTION})
            assert reply.status_code == 200
            if any("tầng 1" in m["text"] for m in reply.json()["messages"]):
                return senders, time.monotonic() - saved_at
            assert time.monotonic() - saved_at < deadline_s, reply.json()
            time.sleep(0.2)
