"""Support desk: inbox, claim → reply → release with the web widget's updates endpoint."""

from __future__ import annotations

from datetime import timedelta

from knowledge_base.db import utcnow
from tests.api.staff.harness import ADMIN, SUPPORT, seed_conversation


def waiting(services, user_id: str, minutes_ago: int, text: str = "cho tôi gặp cán bộ") -> int:
    at = utcnow() - timedelta(minutes=minutes_ago)
    return seed_conversation(services, user_id, [
        {"text": "đăng ký khai sinh cần gì", "decision": "answer", "procedure": "1.001193",
         "at": at - timedelta(minutes=1),
         "replies": [{"text": "Hồ sơ gồm tờ khai…", "buttons": [{"title": "Lệ phí",
                                                                  "payload": "/ask_fee"}]}]},
        {"text": text, "decision": "handoff", "at": at, "replies": []},
    ], owner="waiting", started=at - timedelta(minutes=2))


def test_inbox_lists_waiting_conversations_oldest_first_with_masked_text(support, services):
    newer = waiting(services, "inbox-newer", 3)
    older = waiting(services, "inbox-older", 30, text="sđt của tôi là 0912345678")
    items = support.get("/api/support/inbox").json()["items"]
    ids = [item["id"] for item in items if item["owner"] == "waiting"]
    assert ids.index(older) < ids.index(newer)
    item = next(item for item in items if item["id"] == older)
    assert item["channel"] == "web" and item["waiting_seconds"] >= 29 * 60
    assert "0912345678" not in item["last_message"] and "***" in item["last_message"]
    assert item["turns"] == 2


def test_claim_reply_release_reaches_the_web_widget(client, support, admin, services):
    conversation_id = waiting(services, "widget-1", 5)
    poll = client.get("/api/chat/updates", params={"sender_id": "widget-1"}).json()
    assert poll == {"messages": [], "cursor": 0, "staff": False, "handoff": True,
                    "owner": "waiting"}

    claimed = support.post(f"/api/support/conversations/{conversation_id}/claim")
    assert claimed.status_code == 200 and claimed.json()["owner"] == f"staff:{SUPPORT}"
    assert admin.post(f"/api/support/conversations/{conversation_id}/claim").status_code == 409
    poll = client.get("/api/chat/updates", params={"sender_id": "widget-1", "after": 0}).json()
    assert poll["staff"] is True and poll["owner"] == "staff" and poll["messages"] == []

    not_owner = admin.post(f"/api/support/conversations/{conversation_id}/reply",
                           json={"text": "Chào bạn"})
    assert not_owner.status_code == 409
    assert support.post(f"/api/support/conversations/{conversation_id}/reply",
                        json={"text": "   "}).status_code == 422
    sent = support.post(f"/api/support/conversations/{conversation_id}/reply",
                        json={"text": "Chào bạn, tôi là cán bộ phường."})
    assert sent.status_code == 200 and sent.json()["message"]["delivery"] == "web"

    poll = client.get("/api/chat/updates", params={"sender_id": "widget-1", "after": 0}).json()
    assert [m["text"] for m in poll["messages"]] == ["Chào bạn, tôi là cán bộ phường."]
    assert poll["messages"][0]["staff"] is True and poll["cursor"] > 0
    again = client.get("/api/chat/updates",
                       params={"sender_id": "widget-1", "after": poll["cursor"]}).json()
    assert again["messages"] == [] and again["cursor"] == poll["cursor"]

    detail = support.get(f"/api/support/conversations/{conversation_id}").json()
    speakers = [entry["speaker"] for entry in detail["entries"]]
    assert speakers == ["citizen", "bot", "citizen", "staff"]
    assert detail["entries"][1]["buttons"] == ["Lệ phí"]
    assert detail["last_citizen_message"] == "cho tôi gặp cán bộ"

    released = support.post(f"/api/support/conversations/{conversation_id}/release")
    assert released.status_code == 200 and released.json()["owner"] == "bot"
    poll = client.get("/api/chat/updates",
                      params={"sender_id": "widget-1", "after": poll["cursor"]}).json()
    assert poll["owner"] == "bot" and poll["staff"] is False and poll["handoff"] is False
    assert support.post(f"/api/support/conversations/{conversation_id}/release").status_code == 409


def test_admin_may_release_a_conversation_someone_else_holds(support, admin, services):
    conversation_id = waiting(services, "stuck-1", 5)
    support.post(f"/api/support/conversations/{conversation_id}/claim")
    assert admin.post(f"/api/support/conversations/{conversation_id}/release").status_code == 200


def test_updates_for_unknown_sender_and_bad_input(client):
    poll = client.get("/api/chat/updates", params={"sender_id": "nobody-here", "after": 7})
    assert poll.json() == {"messages": [], "cursor": 7, "staff": False, "handoff": False,
                           "owner": "bot"}
    assert client.get("/api/chat/updates", params={"sender_id": "<script>"}).status_code == 422
    assert client.get("/api/chat/updates",
                      params={"sender_id": "abc", "after": -1}).status_code == 422
    assert poll.headers["cache-control"] == "no-store"


def test_unknown_conversation_is_404(support):
    assert support.get("/api/support/conversations/999999").status_code == 404
    assert support.post("/api/support/conversations/999999/claim").status_code == 404


def test_suggestions_have_text_source_and_confidence(support):
    response = support.get("/api/support/suggestions", params={"q": "đăng ký khai sinh cho con"})
    suggestions = response.json()["suggestions"]
    assert 1 <= len(suggestions) <= 3
    for suggestion in suggestions:
        assert set(suggestion) == {"text", "source", "confidence"}
        assert suggestion["text"].strip()
        assert suggestion["source"]["type"] in ("procedure", "faq")
        assert isinstance(suggestion["confidence"], float)
    top = suggestions[0]
    assert top["source"] == {"type": "procedure", "id": "1.001193", "title": top["source"]["title"],
                             "url": "https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-hanh-"
                                    "chinh.html?ma_thu_tuc=1.001193"}
    assert "1.001193" in top["text"] and "Nguồn" in top["text"]


def test_faq_suggestion_fills_office_placeholders(support, services):
    query = {"q": "giờ làm việc của bộ phận một cửa"}
    suggestions = support.get("/api/support/suggestions", params=query).json()["suggestions"]
    faq = next(s for s in suggestions if s["source"]["type"] == "faq")
    assert "{office_" not in faq["text"]
    assert services.kb.faq(int(faq["source"]["id"])).question == faq["source"]["title"]


def test_empty_suggestion_query(support):
    assert support.get("/api/support/suggestions", params={"q": " "}).json() == {
        "suggestions": []}


def test_admin_user_is_named_in_staff_owner(admin, services):
    conversation_id = waiting(services, "admin-claims", 1)
    claimed = admin.post(f"/api/support/conversations/{conversation_id}/claim").json()
    assert claimed["owner"] == f"staff:{ADMIN}"


def conversation_id_of(services, sender_id: str) -> int:
    from sqlalchemy import select

    from api.db_models import ConversationRow

    with services.sessions() as session:
        return session.scalar(select(ConversationRow.id)
                              .where(ConversationRow.sender_id == f"web:{sender_id}"))


def test_citizen_handoff_to_staff_and_back_through_the_real_chat(client, support, services):
    sender = "e2e-citizen-1"
    first = client.post("/api/chat", json={"sender_id": sender, "text": "cho tôi gặp cán bộ"})
    assert first.json()["handoff"] is True and first.json()["owner"] == "waiting"
    conversation_id = conversation_id_of(services, sender)
    waiting_ids = [i["id"] for i in support.get("/api/support/inbox").json()["items"]
                   if i["owner"] == "waiting"]
    assert conversation_id in waiting_ids

    support.post(f"/api/support/conversations/{conversation_id}/claim")
    silent = client.post("/api/chat", json={"sender_id": sender,
                                            "text": "sđt của tôi là 0912345678"}).json()
    assert silent["messages"] == [] and silent["owner"] == "staff"
    detail = support.get(f"/api/support/conversations/{conversation_id}").json()
    assert detail["last_citizen_message"] == "sđt của tôi là ***"

    suggestion = support.get("/api/support/suggestions",
                             params={"q": "đăng ký khai sinh"}).json()["suggestions"][0]
    support.post(f"/api/support/conversations/{conversation_id}/reply",
                 json={"text": suggestion["text"]})
    poll = client.get("/api/chat/updates", params={"sender_id": sender}).json()
    assert poll["staff"] is True and poll["messages"][0]["text"] == suggestion["text"]

    support.post(f"/api/support/conversations/{conversation_id}/release")
    after = {"sender_id": sender, "after": poll["cursor"]}
    assert client.get("/api/chat/updates", params=after).json()["owner"] == "bot"
    answered = client.post("/api/chat", json={"sender_id": sender,
                                              "text": "đăng ký khai sinh cần giấy tờ gì"}).json()
    assert answered["owner"] == "bot" and answered["messages"]


def test_suggestions_accept_unusual_digits(support):
    # '¹' and '𐩀' pass str.isdigit() but not int(): they must not become a 500
    response = support.get("/api/support/suggestions", params={"q": "khai sinh ¹ 𐩀 ①"})
    assert response.status_code == 200 and "suggestions" in response.json()
