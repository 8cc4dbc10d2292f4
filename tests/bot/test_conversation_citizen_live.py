"""Turns new citizens wrote in a tried conversation, through app → Rasa → actions.

A correction ("không phải, ý mình là …") must reach the question path, not the
"I am a bot" reply; "alo, có ai không" right after asking for an officer must
say the officer will answer; a message asking time and fee gets both; a
thank-you with a stray word gets thanks and the rating question.
"""

from __future__ import annotations

import pytest

from tests.bot.stack import LiveStack

pytestmark = pytest.mark.slow

KET_HON, KET_HON_NUOC_NGOAI = "1.000894", "2.000806"


def test_a_correction_names_the_variant_of_the_procedure(live_stack: LiveStack) -> None:
    first = live_stack.chat("h22-1", "đăng ký kết hôn cần giấy tờ gì")
    assert f"/thu-tuc/{KET_HON}" in first.text
    reply = live_stack.chat("h22-1", "ko phai, y minh la ket hon voi nguoi nuoc ngoai")
    assert f"/thu-tuc/{KET_HON_NUOC_NGOAI}" in reply.text, reply.text
    assert "chatbot" not in reply.text


def test_a_greeting_while_waiting_for_an_officer(live_stack: LiveStack) -> None:
    handed = live_stack.chat("h22-2", "cho gặp cán bộ")
    assert handed.body["owner"] == "waiting"
    reply = live_stack.chat("h22-2", "alo co ai ko a")
    assert reply.text.startswith("Yêu cầu gặp cán bộ của bạn đã được chuyển"), reply.text


def test_time_and_fee_in_one_message_are_both_answered(live_stack: LiveStack) -> None:
    reply = live_stack.chat("h22-3", "đăng ký kết hôn mất bao lâu và hết bao nhiêu tiền vậy ad")
    assert f"/thu-tuc/{KET_HON}" in reply.text
    assert "Lệ phí:" in reply.text and "Thời gian:" in reply.text, reply.text


def test_thanks_with_a_stray_word_gets_thanks_and_the_rating(live_stack: LiveStack) -> None:
    live_stack.chat("h22-4", "lệ phí đăng ký kết hôn")
    reply = live_stack.chat("h22-4", "ok cam on ad nhiu 😊")
    assert reply.text.startswith("Dạ không có gì"), reply.text
    assert [b["title"] for b in reply.buttons] == ["1", "2", "3", "4", "5"]


def test_a_correction_of_the_aspect_answers_that_aspect(live_stack: LiveStack) -> None:
    live_stack.chat("h22-5", "đăng ký kết hôn")
    where = live_stack.chat("h22-5", "ko phai, em hoi lam o dau")
    assert "Cơ quan thực hiện" in where.text or "Nơi tiếp nhận" in where.text, where.text
    fee = live_stack.chat("h22-5", "không, ý tôi hỏi lệ phí cơ")
    assert "Lệ phí theo từng hình thức nộp:" in fee.text, fee.text


def test_a_bare_number_counts_as_a_score_only_after_the_question(live_stack: LiveStack) -> None:
    from tests.bot.stack import ratings

    live_stack.chat("h22-6", "lệ phí đăng ký kết hôn")
    unasked = live_stack.chat("h22-6", "1")
    assert "1/5" not in unasked.text and len(unasked.buttons) == 5
    scored = live_stack.chat("h22-6", "4")
    assert "4/5" in scored.text
    assert ratings(live_stack.database, "web:h22-6") == [4]


def test_the_first_reply_through_rasa_is_one_screen_answering_what_was_asked(
        live_stack: LiveStack) -> None:
    checks = [("h22-9", "khai tử cho bố tôi cần giấy tờ gì, mất phí không", ("Giấy tờ", "Lệ phí:")),
              ("h22-10", "đổi thẻ căn cước hết bao nhiêu tiền", ("Lệ phí:",)),
              ("h22-11", "đăng ký khai sinh", ("Giấy tờ", "Lệ phí:", "Thời gian:", "Nộp tại:",
                                              "Nộp trực tuyến:"))]
    for sender, text, labels in checks:
        reply = live_stack.chat(sender, text)
        assert not reply.body["degraded"], reply.body
        assert all(label in reply.text for label in labels), reply.text
        assert len(reply.text) <= 1200 and "(*)" not in reply.text, reply.text
        assert "/thu-tuc/" in reply.text
