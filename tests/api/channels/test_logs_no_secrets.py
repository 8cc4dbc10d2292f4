"""No secrets and no citizen PII in the logs after a real web + Zalo run (DEBUG level)."""

from __future__ import annotations

import logging

import httpx
import pytest
from fake_zalo import FakeZalo
from zalo_harness import (
    APP_ID,
    APP_SECRET,
    OA_SECRET,
    all_done,
    make_settings,
    post_event,
    text_event,
    wait_until,
)

CCCD = "001203004567"
CMND = "013456789"
PHONE = "0912345678"
PHONE_INTL = "+84987654321"
ACCESS_TOKEN = "access-token-7f3a9c51e2"
REFRESH_TOKEN = "refresh-token-81bd04aa9f"


@pytest.fixture()
def secret_zalo() -> FakeZalo:
    fake = FakeZalo(APP_ID, APP_SECRET, access_token=ACCESS_TOKEN,
                    refresh_token=REFRESH_TOKEN).start()
    yield fake
    fake.stop()


def test_logs_hold_no_secrets_and_no_pii(serve, secret_zalo: FakeZalo, database_url,
                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    settings = make_settings(secret_zalo, access_token=ACCESS_TOKEN, refresh_token=REFRESH_TOKEN)
    app = serve(settings)
    messages = [f"số CCCD của tôi là {CCCD}, gọi {PHONE} nhé",
                f"CMND {CMND} hết hạn, sđt {PHONE_INTL} làm lại căn cước thế nào",
                "đăng ký khai sinh cần giấy tờ gì"]
    with httpx.Client(timeout=180.0) as client:  # the first answer waits for the index
        for i, text in enumerate(messages):
            reply = client.post(f"{app.url}/api/chat",
                                json={"sender_id": "pii-web-1", "text": text})
            assert reply.status_code == 200
            assert client.post(f"{app.url}/api/chat", json={
                "sender_id": f"pii-bad {CCCD}", "text": text}).status_code == 422
            secret_zalo.expire_token() if i == 1 else None
            event = text_event("pii-zalo-1", text, f"msg-pii-{i}")
            assert post_event(client, app.url, event).status_code == 200
        bad = text_event("pii-zalo-2", f"CCCD {CCCD}", "msg-pii-bad")
        refused = client.post(f"{app.url}/webhooks/zalo", json=bad,
                              headers={"X-ZEvent-Signature": "mac=forged"})
        assert refused.status_code in (401, 403)
    assert wait_until(lambda: all_done(database_url))
    assert secret_zalo.wait_for(3)
    app.stop()

    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert len(caplog.records) > 5, "the run logged nothing: the test would prove nothing"
    for value in (CCCD, CMND, PHONE, PHONE_INTL.lstrip("+"), PHONE[1:],
                  OA_SECRET, APP_SECRET, ACCESS_TOKEN, REFRESH_TOKEN):
        assert value not in logged, value
