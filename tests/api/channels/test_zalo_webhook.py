"""The Zalo webhook against a fake Zalo server, with the app running for real."""

from __future__ import annotations

import json
import time

import pytest
from fake_zalo import FakeZalo
from zalo_harness import APP_ID, http_client, post_event, signed, text_event

ACK_LIMIT = 0.5


def test_signed_text_event_is_acknowledged_fast_and_answered_with_buttons(
        serve, zalo_settings, fake_zalo: FakeZalo, conversation) -> None:
    app = serve(zalo_settings)
    with http_client() as client:
        started = time.perf_counter()
        response = post_event(client, app.url, text_event("8001", "khai sinh cần gì", "msg-1"))
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "queued"}
    assert elapsed < ACK_LIMIT
    [reply] = fake_zalo.wait_for(1)
    assert reply.user_id == "8001"
    assert reply.token == "AT-0"
    assert reply.text == "Trả lời: khai sinh cần gì"
    assert reply.message["attachment"]["type"] == "template"
    assert reply.buttons == [
        {"title": "Lệ phí", "type": "oa.query.hide", "payload": "/ask_fee"},
        {"title": "Gặp cán bộ", "type": "oa.query.hide", "payload": "/request_human"}]
    assert conversation.seen == [("zalo", "8001", "khai sinh cần gì")]


def _forged(event: dict) -> tuple[bytes, dict[str, str]]:
    return signed(event, secret="not-the-secret")


def _missing_header(event: dict) -> tuple[bytes, dict[str, str]]:
    raw, headers = signed(event)
    del headers["X-ZEvent-Signature"]
    return raw, headers


def _tampered_body(event: dict) -> tuple[bytes, dict[str, str]]:
    raw, headers = signed(event)
    return raw.replace("xin chào".encode(), b"xin chao"), headers


def _wrong_timestamp(event: dict) -> tuple[bytes, dict[str, str]]:
    return signed(event, timestamp=str(int(event["timestamp"]) + 1))


def _garbage_header(event: dict) -> tuple[bytes, dict]:
    raw, headers = signed(event)
    headers["X-ZEvent-Signature"] = b"mac=" + "é".encode("latin-1") * 64
    return raw, headers


@pytest.mark.parametrize("forge", [_forged, _missing_header, _tampered_body, _wrong_timestamp,
                                   _garbage_header])
def test_bad_signatures_are_rejected_and_nothing_is_sent(
        forge, serve, zalo_settings, fake_zalo: FakeZalo, conversation, caplog) -> None:
    app = serve(zalo_settings)
    raw, headers = forge(text_event("8002", "xin chào", "msg-forged"))
    with http_client() as client:
        response = client.post(f"{app.url}/webhooks/zalo", content=raw, headers=headers)
        assert response.status_code == 401
        assert "detail" in response.json()
        # the genuine event afterwards is still accepted: a forgery did not use up its msg_id
        assert post_event(client, app.url, text_event("8003", "xin chào", "msg-ok")).json() == \
            {"status": "queued"}
    fake_zalo.wait_for(1)
    time.sleep(0.3)
    assert [r.user_id for r in fake_zalo.received] == ["8003"]
    assert [user for _, user, _ in conversation.seen] == ["8003"]
    assert any("rejected" in record.getMessage() for record in caplog.records)


def test_stale_events_are_rejected(serve, zalo_settings, fake_zalo: FakeZalo) -> None:
    app = serve(zalo_settings)
    old = int((time.time() - 8 * 24 * 3600) * 1000)
    with http_client() as client:
        response = post_event(client, app.url, text_event("8004", "cũ", "msg-old", timestamp=old))
    assert response.status_code == 401


def test_same_msg_id_twice_is_answered_once(serve, zalo_settings, fake_zalo: FakeZalo) -> None:
    app = serve(zalo_settings)
    event = text_event("8005", "lệ phí bao nhiêu", "msg-dup")
    with http_client() as client:
        first = post_event(client, app.url, event)
        second = post_event(client, app.url, event)
    assert (first.json(), second.json()) == ({"status": "queued"}, {"status": "duplicate"})
    assert second.status_code == 200
    fake_zalo.wait_for(1)
    time.sleep(0.5)
    assert len(fake_zalo.messages_for("8005")) == 1


def test_same_msg_id_after_a_restart_is_answered_once(
        serve, zalo_settings, fake_zalo: FakeZalo) -> None:
    event = text_event("8006", "thường trú", "msg-restart")
    app = serve(zalo_settings)
    with http_client() as client:
        assert post_event(client, app.url, event).json() == {"status": "queued"}
    fake_zalo.wait_for(1)
    app.stop()
    again = serve(zalo_settings)
    with http_client() as client:
        response = post_event(client, again.url, event)
        assert response.json() == {"status": "duplicate"}
        post_event(client, again.url, text_event("8006", "tiếp theo", "msg-restart-2"))
    fake_zalo.wait_for(2)
    time.sleep(0.3)
    assert [r.text for r in fake_zalo.messages_for("8006")] == [
        "Trả lời: thường trú", "Trả lời: tiếp theo"]


def test_malformed_json_and_huge_bodies_get_clear_4xx_and_the_app_keeps_serving(
        serve, zalo_settings, fake_zalo: FakeZalo) -> None:
    app = serve(zalo_settings)
    url = f"{app.url}/webhooks/zalo"
    with http_client() as client:
        broken = b'{"app_id": "1", "event_name": '
        response = client.post(url, content=broken, headers={"X-ZEvent-Signature": "mac=00"})
        assert response.status_code == 400
        assert "JSON" in response.json()["detail"]
        not_object = b"[1, 2]"
        response = client.post(url, content=not_object, headers={"X-ZEvent-Signature": "mac=0"})
        assert response.status_code == 400
        huge = json.dumps({"app_id": APP_ID, "pad": "x" * (zalo_settings.max_body_bytes + 1)})
        response = client.post(url, content=huge.encode(), headers={"X-ZEvent-Signature": "m"})
        assert response.status_code == 413
        response = client.post(url, content=(b"x" * 1024 for _ in range(200)),
                               headers={"X-ZEvent-Signature": "m"})
        assert response.status_code == 413
        assert post_event(client, app.url, text_event("8007", "còn đó không", "m-7")).status_code \
            == 200
    assert fake_zalo.wait_for(1)[0].text == "Trả lời: còn đó không"


def test_unknown_events_are_acknowledged_and_ignored(
        serve, zalo_settings, fake_zalo: FakeZalo, conversation) -> None:
    app = serve(zalo_settings)
    seen = text_event("8008", "", "seen-1", event_name="user_seen_message")
    own_echo = text_event("oa-579745863508352884", "bot reply", "echo-1", event_name="oa_send_text")
    own_echo["recipient"] = {"id": "8008"}
    with http_client() as client:
        for event in (seen, own_echo, {"app_id": APP_ID, "event_name": "x"}):
            event.setdefault("timestamp", str(int(time.time() * 1000)))
            response = post_event(client, app.url, event)
            assert response.status_code == 200
            assert response.json() == {"status": "ignored"}
    time.sleep(0.5)
    assert fake_zalo.received == [] and conversation.seen == []


def test_disabled_channel_says_so(serve, fake_zalo: FakeZalo) -> None:
    from zalo_harness import make_settings

    app = serve(make_settings(fake_zalo, app_id=None, oa_secret_key=None))
    with http_client() as client:
        response = post_event(client, app.url, text_event("8009", "alo", "m-9"))
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "TTHC_ZALO_APP_ID" in detail and "TTHC_ZALO_OA_SECRET_KEY" in detail


def test_two_hundred_signed_events_are_acknowledged_well_under_a_second(
        serve, zalo_settings, fake_zalo: FakeZalo) -> None:
    from zalo_harness import OA_SECRET

    from api.channels.zalo.bench_ack import run_bench

    app = serve(zalo_settings)
    result = run_bench(app.url, APP_ID, OA_SECRET, events=200, concurrency=4)
    assert result.statuses == {200: 200}
    assert result.percentile(0.95) < 500
    assert len(fake_zalo.wait_for(200, timeout=60)) == 200
