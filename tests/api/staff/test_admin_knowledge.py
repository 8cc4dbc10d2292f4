"""Admin API for procedure phrasings, office info and the audit log."""

from __future__ import annotations

from tests.api.staff.harness import ADMIN


def test_procedures_search_ignores_accents(admin):
    found = admin.get("/api/admin/procedures", params={"q": "dang ky khai sinh"}).json()
    assert "1.001193" in [p["code"] for p in found["items"]]
    by_code = admin.get("/api/admin/procedures", params={"q": "1.001193"}).json()
    assert by_code["total"] == 1 and by_code["items"][0]["aliases"] >= 0


def test_add_and_remove_a_procedure_phrasing(admin, services):
    added = admin.post("/api/admin/procedures/1.004222/aliases",
                       json={"text": "nhập khẩu về nhà mới"})
    assert added.status_code == 201 and added.json()["origin"] == "admin"
    detail = admin.get("/api/admin/procedures/1.004222").json()
    assert "nhập khẩu về nhà mới" in [a["text"] for a in detail["aliases"]]
    assert admin.delete(f"/api/admin/aliases/{added.json()['id']}").status_code == 204
    assert admin.delete(f"/api/admin/aliases/{added.json()['id']}").status_code == 404
    texts = [row.text for row in services.kb.store.alias_rows("1.004222")]
    assert "nhập khẩu về nhà mới" not in texts
    assert admin.post("/api/admin/procedures/1.004222/aliases",
                      json={"text": "  "}).status_code == 422
    assert admin.post("/api/admin/procedures/9.999999/aliases",
                      json={"text": "x"}).status_code == 404


def test_office_info_is_editable_and_audited(admin, services):
    office = admin.get("/api/admin/office").json()
    assert "office_hours" in office["keys"] and office["values"]["office_name"]
    changed = admin.put("/api/admin/office", json={"values": {"office_phone": "024 1111 2222"}})
    assert changed.status_code == 200
    assert changed.json()["values"]["office_phone"] == "024 1111 2222"
    assert services.kb.office_info()["office_phone"] == "024 1111 2222"
    audit = admin.get("/api/admin/audit", params={"entity": "office_info"}).json()["items"][0]
    assert audit["actor"] == ADMIN and audit["after"]["office_phone"] == "024 1111 2222"
    unknown = admin.put("/api/admin/office", json={"values": {"password": "x"}})
    assert unknown.status_code == 422 and "password" in unknown.json()["detail"]
