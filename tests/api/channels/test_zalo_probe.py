"""The probe's Zalo findings against the real app and a fake Zalo server.

A signed event needs a readable timestamp; a forged event's ``event_name`` cannot
inject lines into the log; nested JSON is a 400; the OA tokens are stored
encrypted, yet the replies still carry the right token, also after a refresh.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fake_zalo import FakeZalo
from sqlalchemy import create_engine, text
from zalo_harness import (
    all_done,
    http_client,
    post_event,
    signed,
    text_event,
    wait_until,
)


@pytest.mark.parametrize("stamp", [None, "", "soon", "-5", "0"])
def test_a_signed_event_needs_a_valid_timestamp(serve, zalo_settings, fake_zalo: FakeZalo,
                                                stamp: str | None) -> None:
    app = serve(zalo_settings)
    event = text_event("8101", "xin chào", f"msg-ts-{stamp}")
    if stamp is None:
        del event["timestamp"]
    else:
        event["timestamp"] = stamp
    raw, headers = signed(event, timestamp=stamp or "")
    with http_client() as client:
        response = client.post(f"{app.url}/webhooks/zalo", content=raw, headers=headers)
    assert response.status_code == 401, response.text
    assert fake_zalo.received == []


def test_a_forged_event_name_cannot_inject_log_lines(serve, zalo_settings,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    app = serve(zalo_settings)
    event = text_event("8102", "x", "msg-inject",
                       event_name="user_send_text\nINFO api.auth: admin logged in 0912345678")
    with http_client() as client:
        response = client.post(f"{app.url}/webhooks/zalo", json=event,
                               headers={"X-ZEvent-Signature": "mac=forged"})
        nested = client.post(f"{app.url}/webhooks/zalo", content=b"[" * 60_000 + b"]" * 60_000,
                             headers={"X-ZEvent-Signature": "mac=forged",
                                      "Content-Type": "application/json"})
    assert response.status_code == 401
    assert nested.status_code in (400, 413)
    rejected = [r.getMessage() for r in caplog.records if "bad signature" in r.getMessage()]
    assert rejected, "the forged event was not logged"
    assert all("\n" not in line and "0912345678" not in line for line in rejected), rejected


def _token_row(database_url: str) -> tuple[str, str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return tuple(connection.execute(text(
                "SELECT access_token, refresh_token FROM zalo_tokens WHERE id = 1")).one())
    finally:
        engine.dispose()


def test_oa_tokens_are_encrypted_at_rest(serve, zalo_settings, fake_zalo: FakeZalo,
                                         database_url: str) -> None:
    app = serve(zalo_settings)
    stored = _token_row(database_url)
    assert all(value.startswith("enc1:") for value in stored), stored
    assert "AT-0" not in "".join(stored) and "RT-0" not in "".join(stored)
    fake_zalo.expire_token()  # the next send is refused once: the app refreshes the pair
    with http_client() as client:
        assert post_event(client, app.url, text_event("8103", "xin chào", "msg-enc")
                          ).status_code == 200
    assert wait_until(lambda: all_done(database_url) and fake_zalo.messages_for("8103"))
    replies = fake_zalo.messages_for("8103")
    assert replies and replies[-1].token == fake_zalo.access_token != "AT-0"
    rotated = _token_row(database_url)
    assert all(value.startswith("enc1:") for value in rotated) and rotated != stored
    assert fake_zalo.access_token not in "".join(rotated)
    assert fake_zalo.refresh_token not in "".join(rotated)
    files = b"".join(path.read_bytes() for path in Path(database_url.removeprefix("sqlite:///"))
                     .parent.glob("kb.db*"))
    assert fake_zalo.access_token.encode() not in files
