"""Booking a counter appointment and looking an application up on Zalo (fake Zalo server).

The same citizen services run for Zalo: quick replies come back as the citizen's
text (``oa.query.hide``), the typed phone is never stored unmasked.
"""

from __future__ import annotations

import re
import time

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


def test_reminder_the_day_before_only_inside_the_reply_window(
        serve, zalo_settings, fake_zalo, database_url, monkeypatch) -> None:
    from datetime import datetime, timedelta

    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from api.appointments.contact import ContactProtector
    from api.appointments.models import AppointmentRow, ensure_tables
    from api.appointments.schedule import WARD_TZ, WEEKDAYS, AppointmentSettings
    from api.appointments.service import AppointmentService, BookingRequest
    from api.config import AppSettings

    monkeypatch.setenv("TTHC_APPOINTMENT_REMINDER_INTERVAL", "0.3")
    engine = create_engine(database_url)
    ensure_tables(engine)
    service = AppointmentService(sessionmaker(engine), ContactProtector.from_settings(
        AppSettings(_env_file=None, database_url=database_url)))
    service.save_settings(AppointmentSettings(
        opening_hours={day: [("08:00", "17:00")] for day in WEEKDAYS}), "test")
    tomorrow = (datetime.now(WARD_TZ) + timedelta(days=1)).date()
    # a citizen who never wrote to the OA: no open window, so no reminder
    service.book(BookingRequest("zalo:5566", "1.001193",
                                datetime.combine(tomorrow, datetime.min.time(), WARD_TZ)
                                .replace(hour=9), "Đỗ Thị Hoa", "0933000111"))
    app = serve(zalo_settings)
    say(app, database_url, "đăng ký khai sinh cần gì", 11)
    days = [p for body in say(app, database_url, "đặt lịch", 12) for p in button_payloads(body)]
    day = next(p for p in days if tomorrow.isoformat() in p)
    slot = [p for body in say(app, database_url, day, 13) for p in button_payloads(body)][-1]
    say(app, database_url, slot, 14)
    code = re.search(r"LH-[A-Z2-9]{4}-[A-Z2-9]{4}", " ".join(
        b["text"] for b in say(app, database_url, "Bùi Văn Khoa 0944000222", 15))).group(0)

    def reminders() -> list[str]:
        return [m.text for user in (USER, "5566") for m in fake_zalo.messages_for(user)
                if m.text.startswith("Nhắc lịch")]

    sent = wait_until(reminders, timeout=20)
    assert len(sent) == 1 and code in sent[0] and "/thu-tuc/1.001193" in sent[0]
    assert [m for m in fake_zalo.messages_for(USER) if m.text.startswith("Nhắc lịch")]
    time.sleep(1.0)  # further rounds send nothing more
    assert len(reminders()) == 1
    booked = rows(database_url, AppointmentRow)
    assert {(r.sender_id, r.reminded_at is not None) for r in booked} == {
        ("zalo:5566", False), (f"zalo:{USER}", True)}
    engine.dispose()
