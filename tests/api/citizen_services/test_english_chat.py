"""English for foreign residents through the chat API (real server, degraded mode)."""

from __future__ import annotations

import json

import pytest
import yaml
from chat_client import all_text, buttons, say

from api.citizen_services.english import ENGLISH_FILE, EnglishDesk
from tests.conftest import CATALOG


@pytest.fixture(scope="module")
def server(start_server):
    return start_server()


def test_english_data_covers_twenty_catalog_procedures_by_their_official_names() -> None:
    entries = yaml.safe_load(ENGLISH_FILE.read_text(encoding="utf-8"))["procedures"]
    assert len(entries) >= 20 and len({e["code"] for e in entries}) == len(entries)
    for entry in entries:
        files = list(CATALOG.glob(f"*/{entry['code']}.json"))
        assert files, entry["code"]
        record = json.loads(files[0].read_text(encoding="utf-8"))
        assert record["ten_thu_tuc"] == entry["name_vi"], entry["code"]
        assert entry["keywords"] and len(entry["summary"]) > 80


def test_detection_tells_english_from_unaccented_vietnamese() -> None:
    desk = EnglishDesk.load()
    assert desk.is_english("How do I register my marriage with a Vietnamese citizen?")
    assert desk.is_english("I need a certified copy of my passport")
    assert not desk.is_english("dang ky ket hon can giay to gi")
    assert not desk.is_english("cho hỏi làm giấy khai sinh cần gì")
    assert not desk.is_english("ok")


def test_english_question_gets_the_english_summary_with_catalog_facts(server) -> None:
    answer = say(server.url, "en-1", "How do I register my marriage with a foreigner? "
                                     "What documents do I need?")
    text = all_text(answer)
    assert answer["language"] == "en"
    assert "Marriage registration with a foreign element" in text
    assert "Official Vietnamese name: Thủ tục đăng ký kết hôn có yếu tố nước ngoài" in text
    assert "Documents (official list, in Vietnamese):" in text and "Tờ khai đăng ký kết hôn" in text
    assert "code 2.000806" in text and "ma_thu_tuc=2.000806" in text
    assert "Số 1 phố Mẫu" in text
    assert any(b["title"] == "Book a counter appointment" for b in buttons(answer))


def test_certified_copy_fee_comes_from_the_catalog(server) -> None:
    text = all_text(say(server.url, "en-2", "I need a certified copy of my passport"))
    assert "Certified copies from originals" in text and "2,000 VND per page" in text


def test_greeting_in_english_says_what_the_assistant_can_do(server) -> None:
    answer = say(server.url, "en-3", "Hello, can you help me in English?")
    assert "In English I can explain" in all_text(answer) and answer["language"] == "en"


def test_other_english_questions_get_the_vietnamese_answer_and_an_officer(server) -> None:
    answer = say(server.url, "en-4", "How do I register permanent residence for my family?")
    first = answer["messages"][0]["text"]
    assert first.startswith("Sorry, I can only answer this question in Vietnamese")
    assert len(answer["messages"]) >= 2 and answer["language"] == "en"
    assert {"title": "Talk to an officer", "payload": "/request_human"} in buttons(answer)
    back = say(server.url, "en-4", "đăng ký thường trú cần giấy tờ gì")
    assert back["language"] == "vi" and "Sorry" not in all_text(back)
