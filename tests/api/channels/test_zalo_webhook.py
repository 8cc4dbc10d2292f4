"""The Zalo webhook against a fake Zalo server, with the real app (and conversation loop)."""

from __future__ import annotations

import json
import time

import pytest
from fake_zalo import FakeZalo
from zalo_harness import (
    APP_ID,
    all_done,
    http_client,
    post_event,
    sent_texts,
    signed,
    text_event,
    turn_texts,
    wait_until,
)

ACK_LIMIT = 0.5


def test_signed_text_event_is_acknowledged_fast_and_answered_with_buttons(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    app = serve(zalo_settings)
    question = "đăng ký thường trú cần giấy tờ gì"
    with http_client() as client:
        started = time.perf_counter()
        response = post_event(client, app.url, text_event("8001", question, "msg-1"))
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "queued"}
    assert elapsed < ACK_LIMIT
    assert wait_until(lambda: all_done(database_url))
    replies = fake_zalo.messages_for("8001")
    assert replies and all(r.token == "AT-0" and len(r.text) <= 2000 for r in replies)
    assert "thường trú" in replies[0].text.lower()
    with_buttons = [r for r in replies if r.buttons]
    assert with_buttons, [r.text for r in replies]
    first = with_buttons[0]
    assert first.message["attachment"]["type"] == "template"
    assert all(b["type"] == "oa.query.hide" and b["title"] for b in first.buttons)
    assert all(b["payload"].startswith("/choose_case") for b in first.buttons)
    assert [r.text for r in replies] == sent_texts(database_url, "8001")
    assert turn_texts(database_url, "8001") == [question]  # the same loop as the web widget


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
        forge, serve, zalo_settings, fake_zalo: FakeZalo, database_url, caplog) -> None:
    app = serve(zalo_settings)
    raw, headers = forge(text_event("8002", "xin chào", "msg-forged"))
    with http_client() as client:
        response = client.post(f"{app.url}/webhooks/zalo", content=raw, headers=headers)
        assert response.status_code == 401
        assert "detail" in response.json()
        # the genuine event afterwards is still accepted: a forgery did not use up its msg_id
        assert post_event(client, app.url, text_event("8003", "xin chào", "msg-ok")).json() == \
            {"status": "queued"}
    assert wait_until(lambda: all_done(database_url) and fake_zalo.received)
    assert {r.user_id for r in fake_zalo.received} == {"8003"}
    assert turn_texts(database_url, "8002") == []
    assert turn_texts(database_url, "8003") == ["xin chào"]
    assert any("rejected" in record.getMessage() for record in caplog.records)


def test_stale_events_are_rejected(serve, zalo_settings, fake_zalo: FakeZalo) -> None:
    app = serve(zalo_settings)
    old = int((time.time() - 8 * 24 * 3600) * 1000)
    with http_client() as client:
        response = post_event(client, app.url, text_event("8004", "cũ", "msg-old", timestamp=old))
    assert response.status_code == 401


def test_same_msg_id_twice_is_answered_once(serve, zalo_settings, fake_zalo: FakeZalo,
                                            database_url) -> None:
    app = serve(zalo_settings)
    event = text_event("8005", "xin chào", "msg-dup")
    with http_client() as client:
        first = post_event(client, app.url, event)
        second = post_event(client, app.url, event)
    assert (first.json(), second.json()) == ({"status": "queued"}, {"status": "duplicate"})
    assert second.status_code == 200
    assert wait_until(lambda: all_done(database_url) and fake_zalo.received)
    time.sleep(0.5)
    assert turn_texts(database_url, "8005") == ["xin chào"]
    replies = [r.text for r in fake_zalo.messages_for("8005")]
    assert replies and replies == sent_texts(database_url, "8005")


def test_same_msg_id_after_a_restart_is_answered_once(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    event = text_event("8006", "xin chào", "msg-restart")
    app = serve(zalo_settings)
    with http_client() as client:
        assert post_event(client, app.url, event).json() == {"status": "queued"}
    assert wait_until(lambda: all_done(database_url) and fake_zalo.received)
    answered = len(fake_zalo.messages_for("8006"))
    app.stop()
    again = serve(zalo_settings)
    with http_client() as client:
        response = post_event(client, again.url, event)
        assert response.json() == {"status": "duplicate"}
        post_event(client, again.url, text_event("8006", "cảm ơn", "msg-restart-2"))
    assert wait_until(lambda: len(turn_texts(database_url, "8006")) == 2 and
                      all_done(database_url))
    assert turn_texts(database_url, "8006") == ["xin chào", "cảm ơn"]
    replies = [r.text for r in fake_zalo.messages_for("8006")]
    assert len(replies) > answered and replies == sent_texts(database_url, "8006")


def test_malformed_json_and_huge_bodies_get_clear_4xx_and_the_app_keeps_serving(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
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
        assert post_event(client, app.url, text_event("8007", "xin chào", "m-7")).status_code \
            == 200
    assert wait_until(lambda: all_done(database_url) and fake_zalo.messages_for("8007"))


def test_unknown_events_are_acknowledged_and_ignored(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
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
    assert fake_zalo.received == [] and turn_texts(database_url, "8008") == []


def test_disabled_channel_says_so(serve, fake_zalo: FakeZalo) -> None:
    from zalo_harness import make_settings

    app = serve(make_settings(fake_zalo, app_id=None, oa_secret_key=None))
    with http_client() as client:
        response = post_event(client, app.url, text_event("8009", "alo", "m-9"))
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "TTHC_ZALO_APP_ID" in detail and "TTHC_ZALO_OA_SECRET_KEY" in detail


def test_two_hundred_signed_events_are_acknowledged_well_under_a_second(
        serve, zalo_settings, fake_zalo: FakeZalo, database_url) -> None:
    from zalo_harness import OA_SECRET, rows

    from api.channels.zalo.models import ZaloInboundRow
    from ops.bench_ack import run_bench

    app = serve(zalo_settings)
    result = run_bench(app.url, APP_ID, OA_SECRET, events=200, concurrency=4)
    assert result.statuses == {200: 200}
    assert result.percentile(0.95) < 500
    assert wait_until(lambda: all_done(database_url), timeout=300)
    events = rows(database_url, ZaloInboundRow)
    assert len(events) == 201  # and the uncounted warm-up event
    assert {event.outcome for event in events} == {"answered"}
