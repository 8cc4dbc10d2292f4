"""Admin edits of the plain-language names: shown beside the official text, audited, used."""

from __future__ import annotations

import time

from knowledge_base.plain import document_key
from tests.api.staff.harness import ADMIN

KHAI_SINH = "1.001193"


def test_short_names_are_read_beside_the_official_text(admin, services):
    view = admin.get(f"/api/admin/plain-names/{KHAI_SINH}").json()
    assert view["official_name"] == "Thủ tục đăng ký khai sinh"
    assert view["name"] == "Đăng ký khai sinh" and view["edited_name"] is None  # team's name
    official = [d["official"] for d in view["documents"]]
    procedure = services.kb.store.procedure(KHAI_SINH)
    assert sorted(official) == sorted({" ".join(d.name.split()) for g in procedure.document_groups
                                       for d in g.documents})
    assert all(len(d["name"]) <= 110 for d in view["documents"])
    assert admin.get("/api/admin/plain-names/9.999999").status_code == 404


def test_an_admin_edit_is_audited_used_in_answers_and_can_be_undone(admin, services, client):
    view = admin.get(f"/api/admin/plain-names/{KHAI_SINH}").json()
    birth = next(d for d in view["documents"] if d["official"].startswith("Giấy chứng sinh"))
    body = {"name": "Làm giấy khai sinh", "documents": {birth["key"]: "Giấy chứng sinh bản gốc"}}
    saved = admin.put(f"/api/admin/plain-names/{KHAI_SINH}", json=body)
    assert saved.status_code == 200 and saved.json()["name"] == "Làm giấy khai sinh"
    assert birth["key"] == document_key(birth["official"])
    audit = admin.get("/api/admin/audit", params={"entity": "plain_name"}).json()["items"]
    assert {a["entity_id"] for a in audit[:2]} == {f"{KHAI_SINH}:name",
                                                   f"{KHAI_SINH}:{birth['key']}"}
    assert audit[0]["actor"] == ADMIN and audit[0]["before"] is None
    time.sleep(5.2)  # the answers re-read edits every 5 s
    page = client.get(f"/thu-tuc/{KHAI_SINH}")
    assert "Làm giấy khai sinh" in page.text and "Giấy chứng sinh bản gốc" in page.text
    assert birth["official"].split(";")[0] in page.text  # the official text stays one tap away
    undone = admin.put(f"/api/admin/plain-names/{KHAI_SINH}", json={"name": "", "documents": {
        birth["key"]: ""}}).json()
    assert undone["name"] == "Đăng ký khai sinh" and undone["edited_name"] is None
    deleted = admin.get("/api/admin/audit", params={"entity": "plain_name"}).json()["items"][0]
    assert deleted["action"] == "delete" and deleted["after"] is None


def test_bad_edits_get_a_clear_4xx(admin, support):
    assert admin.put(f"/api/admin/plain-names/{KHAI_SINH}", json={
        "documents": {"not-a-key": "x"}}).status_code == 422
    assert admin.put(f"/api/admin/plain-names/{KHAI_SINH}", json={
        "name": "x" * 201}).status_code == 422
    assert support.get(f"/api/admin/plain-names/{KHAI_SINH}").status_code == 403
