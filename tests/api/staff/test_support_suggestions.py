"""Context-aware suggestions: drafts from the whole conversation, built by the bot's composer."""

from __future__ import annotations

from actions.templates import DomainTemplates
from api.config import AppSettings
from api.support.suggestions import settings
from tests.api.staff.harness import seed_conversation

TEMPLATES = DomainTemplates.load(AppSettings(_env_file=None).domain_path)
KHAI_SINH = "1.001193"


def suggestions_for(support, conversation_id: int) -> list[dict]:
    response = support.get("/api/support/suggestions", params={"conversation_id": conversation_id})
    assert response.status_code == 200, response.text
    return response.json()["suggestions"]


def about_khai_sinh(services, user_id: str, follow_up: dict) -> int:
    return seed_conversation(services, user_id, [
        {"text": "đăng ký khai sinh cần gì", "procedure": KHAI_SINH, "decision": "answer",
         "confidence": 0.8, "replies": [{"text": "Hồ sơ cần chuẩn bị: …"}]},
        follow_up])


def test_a_follow_up_that_names_nothing_gets_the_procedure_under_discussion(support, services):
    question = "lệ phí bao nhiêu?"
    alone = support.get("/api/support/suggestions", params={"q": question}).json()["suggestions"]
    assert all(s["source"]["id"] != KHAI_SINH for s in alone)  # the message alone names nothing

    conversation_id = about_khai_sinh(services, "sugg-follow-up", {"text": question})
    found = suggestions_for(support, conversation_id)
    assert [s["source"]["id"] for s in found] == [KHAI_SINH]
    draft = found[0]["text"]
    # the bot's own fee answer (domain responses), not a procedure summary
    fee_heading = TEMPLATES.text("utter_fees", fee_lines="").strip()
    assert draft.startswith("» Đăng ký khai sinh")  # the citizen name of the plain layer
    assert fee_heading in draft and "Miễn phí" in draft
    assert "Nguồn: Mã thủ tục 1.001193" in draft
    assert TEMPLATES.text("utter_documents", document_lines="").strip() not in draft
    assert "{" not in draft and "/ask_" not in draft  # no placeholder or button payload
    assert found[0]["source"]["type"] == "procedure" and found[0]["confidence"] == 0.8


def test_a_detail_question_stays_on_the_procedure_under_discussion(support, services):
    conversation_id = seed_conversation(services, "sugg-detail", [
        {"text": "đăng ký thường trú cần gì", "procedure": "1.004222", "decision": "clarify",
         "confidence": 0.7},
        {"text": "diện tích tối thiểu là bao nhiêu?"}])
    found = suggestions_for(support, conversation_id)
    assert found[0]["source"]["id"] == "1.004222"
    # the procedure's documents differ by case: the draft asks which one, cases as lines
    assert "• Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ" in found[0]["text"]


def test_a_question_naming_another_procedure_switches_topic(support, services):
    conversation_id = about_khai_sinh(services, "sugg-switch",
                                      {"text": "còn đăng ký kết hôn thì cần gì"})
    found = suggestions_for(support, conversation_id)
    assert found[0]["source"]["id"] == "1.000894"


def test_a_request_for_an_officer_suggests_only_the_topic(support, services):
    conversation_id = about_khai_sinh(services, "sugg-handoff",
                                      {"text": "tôi muốn gặp cán bộ", "decision": "handoff"})
    found = suggestions_for(support, conversation_id)
    assert found and {s["source"]["id"] for s in found} == {KHAI_SINH}
    only_request = seed_conversation(services, "sugg-handoff-only", [
        {"text": "tôi muốn gặp cán bộ", "decision": "handoff"}, {"text": "cảm ơn"}])
    assert suggestions_for(support, only_request) == []
    alone = support.get("/api/support/suggestions", params={"q": "tôi muốn gặp cán bộ"})
    assert alone.json() == {"suggestions": []}


def test_nothing_below_the_threshold(support, services):
    conversation_id = seed_conversation(services, "sugg-noise", [{"text": "xyz qwerty zzz"}])
    assert suggestions_for(support, conversation_id) == []
    found = support.get("/api/support/suggestions",
                        params={"q": "đăng ký khai sinh cho con"}).json()["suggestions"]
    assert found and min(s["confidence"] for s in found) >= settings()["min_confidence"]
    assert min(s["confidence"] for s in found) >= settings()["relative_floor"] * found[0][
        "confidence"]


def test_two_aspects_in_one_follow_up_give_one_list(support, services):
    conversation_id = seed_conversation(services, "sugg-two", [
        {"text": "làm căn cước cho con 10 tuổi", "procedure": "1.014062", "decision": "answer",
         "confidence": 0.8},
        {"text": "mất bao lâu và hết bao nhiêu tiền"}])
    draft = suggestions_for(support, conversation_id)[0]["text"]
    assert TEMPLATES.text("utter_fees_and_time", channel_lines="").strip() in draft


def test_bad_conversation_ids(support):
    assert support.get("/api/support/suggestions",
                       params={"conversation_id": 999999}).status_code == 404
    assert support.get("/api/support/suggestions",
                       params={"conversation_id": 0}).status_code == 422
    assert support.get("/api/support/suggestions",
                       params={"conversation_id": "abc"}).status_code == 422
