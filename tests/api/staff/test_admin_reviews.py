"""Review queue: support proposes, admin accepts (after editing) or rejects."""

from __future__ import annotations

from tests.api.staff.harness import ADMIN, SUPPORT


def test_faq_proposal_accepted_with_edits_becomes_a_published_faq(support, admin, services):
    proposal = support.post("/api/support/proposals", json={
        "kind": "faq", "question": "Làm lại thẻ BHYT bị mất ở đâu?",
        "answer": "Bạn đến bưu điện.", "conversation_id": None})
    assert proposal.status_code == 201
    proposal_id = proposal.json()["id"]
    assert proposal.json()["status"] == "pending" and proposal.json()["proposed_by"] == SUPPORT
    pending = admin.get("/api/admin/reviews").json()["items"]
    assert proposal_id in [p["id"] for p in pending]

    accepted = admin.post(f"/api/admin/reviews/{proposal_id}/accept",
                          json={"answer": "Bạn làm trên VssID hoặc tại cơ quan BHXH."})
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["status"] == "accepted" and body["decided_by"] == ADMIN
    faq = services.kb.faq(int(body["result_ref"].split(":")[1]))
    assert faq.question == "Làm lại thẻ BHYT bị mất ở đâu?"
    assert faq.answer == "Bạn làm trên VssID hoặc tại cơ quan BHXH." and faq.published
    assert admin.post(f"/api/admin/reviews/{proposal_id}/accept").status_code == 409
    assert admin.post(f"/api/admin/reviews/{proposal_id}/reject").status_code == 409
    decided = admin.get("/api/admin/reviews", params={"status": "accepted"}).json()["items"]
    assert proposal_id in [p["id"] for p in decided]


def test_phrasing_proposal_for_a_procedure_adds_an_alias(support, admin, services):
    proposal = support.post("/api/support/proposals", json={
        "kind": "phrasing", "target_type": "procedure", "target_id": "1.001193",
        "text": "làm giấy khai sinh cho bé mới đẻ"}).json()
    listed = next(p for p in admin.get("/api/admin/reviews").json()["items"]
                  if p["id"] == proposal["id"])
    assert listed["target_title"] == "Thủ tục đăng ký khai sinh"
    accepted = admin.post(f"/api/admin/reviews/{proposal['id']}/accept").json()
    assert accepted["result_ref"].startswith("alias:")
    texts = [row.text for row in services.kb.store.alias_rows("1.001193")]
    assert "làm giấy khai sinh cho bé mới đẻ" in texts
    audit = services.kb.store.audit_log(entity="alias", limit=5)
    assert audit[0].actor == ADMIN and audit[0].after["text"] == "làm giấy khai sinh cho bé mới đẻ"


def test_phrasing_proposal_for_an_faq_adds_a_phrasing(support, admin, services):
    faq = services.kb.faqs.list(limit=1)[0][0]
    proposal = support.post("/api/support/proposals", json={
        "kind": "phrasing", "target_type": "faq", "target_id": str(faq.id),
        "text": "cách hỏi mới cho mục này"}).json()
    admin.post(f"/api/admin/reviews/{proposal['id']}/accept")
    updated = services.kb.faq(faq.id)
    assert "cách hỏi mới cho mục này" in updated.phrasings and updated.version == faq.version + 1


def test_rejected_proposal_changes_nothing(support, admin, services):
    before = services.kb.faqs.list(limit=1)[1]
    proposal = support.post("/api/support/proposals", json={
        "kind": "faq", "question": "Câu hỏi bị từ chối?", "answer": "Không."}).json()
    rejected = admin.post(f"/api/admin/reviews/{proposal['id']}/reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert services.kb.faqs.list(limit=1)[1] == before


def test_invalid_proposals_are_refused_in_plain_words(support):
    cases = [
        ({"kind": "other"}, "faq"),
        ({"kind": "faq", "question": "", "answer": "x"}, "câu hỏi"),
        ({"kind": "faq", "question": "x?", "answer": " "}, "câu trả lời"),
        ({"kind": "phrasing", "text": "x"}, "thủ tục"),
        ({"kind": "phrasing", "target_type": "procedure", "target_id": "1.001193"}, "cách hỏi"),
    ]
    for body, words in cases:
        response = support.post("/api/support/proposals", json=body)
        assert response.status_code == 422, body
        assert words in response.json()["detail"].lower()
    unknown = support.post("/api/support/proposals", json={
        "kind": "phrasing", "target_type": "procedure", "target_id": "9.999999", "text": "x"})
    assert unknown.status_code == 404
