"""Citizen services through the whole loop with Rasa up: booking and status recognised.

The app's citizen services answer the steps that need a phone or a code (masked
before Rasa); Rasa recognises the phrasings the app's trigger list does not and
answers with the services' domain responses.
"""

from __future__ import annotations

import re

import pytest

from tests.bot.stack import LiveStack, stored_turns

pytestmark = pytest.mark.slow
BOOK = "Đặt lịch hẹn nộp hồ sơ"


def test_booking_after_a_rasa_answer(live_stack: LiveStack) -> None:
    answer = live_stack.chat("svc-1", "dk khai sinh can giay to gi")
    assert answer.status == 200 and answer.body["degraded"] is False, answer.body
    offer = [b for b in answer.buttons if BOOK in b["title"]]
    assert offer and '"procedure_code":"1.001193"' in offer[0]["payload"]
    days = live_stack.chat("svc-1", offer[0]["payload"]).buttons
    slots = live_stack.chat("svc-1", days[-1]["payload"]).buttons
    assert "chỗ" in slots[0]["title"]
    assert "số điện thoại" in live_stack.chat("svc-1", slots[0]["payload"]).text
    done = live_stack.chat("svc-1", "Hoàng Thị Em 0977 123 456").text
    assert re.search(r"LH-[A-Z2-9]{4}-[A-Z2-9]{4}", done) and "/thu-tuc/1.001193" in done
    assert all("0977" not in turn["text"] for turn in stored_turns(live_stack.database, "svc-1"))


def test_rasa_recognises_a_booking_wish_the_triggers_miss(live_stack: LiveStack) -> None:
    reply = live_stack.chat("svc-2", "mình muốn giữ chỗ trước để lên phường nộp giấy tờ")
    assert reply.body["degraded"] is False
    assert any(b["payload"] == "/book_appointment" for b in reply.buttons), reply.body


def test_rasa_recognises_a_status_question_and_asks_for_the_code(live_stack: LiveStack) -> None:
    reply = live_stack.chat("svc-3", "giấy tờ nộp hôm thứ hai bây giờ xử lý tới đâu")
    assert reply.body["degraded"] is False
    assert "mã hồ sơ" in reply.text, reply.text
    code = live_stack.chat("svc-3", "000.21.30.H26-251201-0007").text
    assert "dichvucong.gov.vn" in code  # no TTHC_STATUS_URL here: the portal's lookup
    assert all("H26-251201" not in turn["text"]
               for turn in stored_turns(live_stack.database, "svc-3"))
