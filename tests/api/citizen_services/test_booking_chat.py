"""Booking a counter appointment through the chat (web widget API), Rasa unreachable.

After a procedure answer the last message carries "Đặt lịch hẹn nộp hồ sơ";
then a day, a slot with free places, the name and phone typed, and the
booking code with the time, the ward's address and the checklist link.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
from chat_client import all_text, buttons, say, stored_turns

BOOK_TITLE = "Đặt lịch hẹn nộp hồ sơ"


@pytest.fixture(scope="module")
def server(start_server):
    return start_server()


def test_booking_after_an_answer(server) -> None:
    sender = "bk-happy"
    answer = say(server.url, sender, "đăng ký khai sinh cho con cần giấy tờ gì")
    offer = [b for b in buttons(answer) if BOOK_TITLE in b["title"]]
    assert offer, answer
    assert '"procedure_code":"1.001193"' in offer[0]["payload"]
    days = say(server.url, sender, offer[0]["payload"])
    day_buttons = buttons(days)
    assert len(day_buttons) == 6 and "chọn ngày" in all_text(days)
    assert re.match(r"^Thứ \w+ \d{2}/\d{2}/\d{4}$|^Chủ nhật", day_buttons[-1]["title"])
    slots = say(server.url, sender, day_buttons[-1]["payload"])
    slot_buttons = buttons(slots)
    assert slot_buttons and "(còn 2 chỗ)" in slot_buttons[0]["title"]
    asked = say(server.url, sender, slot_buttons[0]["payload"])
    assert "họ tên và số điện thoại" in all_text(asked)
    done = all_text(say(server.url, sender, "Nguyễn Văn An, 0912 345 678"))
    code = re.search(r"LH-[A-Z2-9]{4}-[A-Z2-9]{4}", done)
    assert code and "Số 1 phố Mẫu" in done and "/thu-tuc/1.001193" in done
    assert slot_buttons[0]["title"][:11] in done and "09******78" in done
    start = json.loads(slot_buttons[0]["payload"].split("appointment_slot", 1)[1])["start"]
    free = httpx.get(f"{server.url}/api/appointments/slots", timeout=10, params={
        "procedure": "1.001193", "date": start[:10]}).json()["slots"]
    assert next(s["free"] for s in free if s["start"] == start) == 1
    turns = stored_turns(server.database_url, sender)
    assert all("0912" not in t.text and "345 678" not in t.text for t in turns)
    assert all("0912345678" not in str(t.replies) for t in turns)
    cancelled = all_text(say(server.url, sender, f"hủy lịch {code.group(0)} 0912345678"))
    assert "Đã hủy lịch hẹn" in cancelled


def test_booking_without_a_procedure_asks_which(server) -> None:
    text = all_text(say(server.url, "bk-none", "mình muốn đặt lịch hẹn"))
    assert "thủ tục nào" in text


def test_wrong_phone_is_asked_again_and_stop_ends_the_flow(server) -> None:
    sender = "bk-wrong"
    say(server.url, sender, "đăng ký khai sinh cần gì")
    days = buttons(say(server.url, sender, "dat lich nop ho so"))
    assert days and "appointment_day" in days[0]["payload"]
    slot = buttons(say(server.url, sender, days[-1]["payload"]))[0]
    say(server.url, sender, slot["payload"])
    again = all_text(say(server.url, sender, "Trần Bình 12345"))
    assert "Số điện thoại chưa đúng" in again
    assert "dừng việc đặt lịch" in all_text(say(server.url, sender, "thôi hủy"))
    after = say(server.url, sender, "lệ phí bao nhiêu")
    assert "dừng" not in all_text(after) and "Số điện thoại" not in all_text(after)
