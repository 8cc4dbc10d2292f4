"""Booking a counter appointment and looking an application up on Zalo (fake Zalo server).

The same citizen services run for Zalo: quick replies come back as the citizen's
text (``oa.query.hide``), the typed phone is never stored unmasked.
"""

from __future__ import annotations

import re

from zalo_harness import (
    all_done,
    http_client,
    post_event,
    rows,
    text_event,
    turn_texts,
    wait_until,
)

from api.channels.zalo.models import ZaloOutboxRow

USER = "7788"


def sent_bodies(database_url: str) -> list[dict]:
    outbox = rows(database_url, ZaloOutboxRow, ZaloOutboxRow.user_id == USER,
                  ZaloOutboxRow.status == "sent")
    outbox.sort(key=lambda row: (row.inbound_id, row.seq))
    return [row.body for row in outbox]


def button_payloads(body: dict) -> list[str]:
    return [b["payload"] for b in body.get("attachment", {}).get("payload", {}).get("buttons", [])]


def say(app, database_url: str, text: str, index: int) -> list[dict]:
    """Send one signed event and return the bodies sent back for it."""
    before = len(sent_bodies(database_url))
    with http_client() as client:
        assert post_event(client, app.url, text_event(USER, text, f"svc-{index}")).status_code \
            == 200
    assert wait_until(lambda: all_done(database_url), timeout=60)
    return sent_bodies(database_url)[before:]


def test_booking_on_zalo(serve, zalo_settings, database_url) -> None:
    app = serve(zalo_settings)
    answer = say(app, database_url, "đăng ký khai sinh cần giấy tờ gì", 1)
    offer = [p for body in answer for p in button_payloads(body) if "book_appointment" in p]
    assert offer, answer
    days = [p for body in say(app, database_url, offer[0], 2) for p in button_payloads(body)]
    slots = [p for body in say(app, database_url, days[-1], 3) for p in button_payloads(body)]
    asked = say(app, database_url, slots[0], 4)
    assert "số điện thoại" in asked[0]["text"]
    done = " ".join(b["text"] for b in say(app, database_url, "Vũ Văn Giang 0912 000 333", 5))
    assert re.search(r"LH-[A-Z2-9]{4}-[A-Z2-9]{4}", done) and "/thu-tuc/1.001193" in done
    assert all("000 333" not in text and "0912000333" not in text
               for text in turn_texts(database_url, USER))
    status = say(app, database_url, "hồ sơ 000.21.30.H26-251201-0007 đến đâu rồi", 6)
    assert "dichvucong.gov.vn" in status[0]["text"]
