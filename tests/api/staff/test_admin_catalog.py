"""Catalog re-import from the configured source: preview diff, confirm, flagged records."""

from __future__ import annotations

import json

from tests.conftest import copy_subset

CODES = ["1.001193", "1.004222", "2.000528"]


def test_preview_then_confirm_then_changes(fresh_staff):
    admin, kb, catalog = fresh_staff
    copy_subset(catalog, CODES)
    preview = admin.post("/api/admin/catalog/preview").json()
    assert sorted(p["code"] for p in preview["added"]) == sorted(CODES)
    assert preview["changed"] == [] and preview["removed"] == [] and not preview["applied"]
    assert kb.store.procedures() == []  # a preview writes nothing

    applied = admin.post("/api/admin/catalog/apply", json={"token": preview["token"]}).json()
    assert applied["applied"] and len(kb.store.procedures()) == 3

    again = admin.post("/api/admin/catalog/preview").json()
    assert again["added"] == [] and again["unchanged"] == 3

    path = next(catalog.glob("*/1.004222.json"))
    record = json.loads(path.read_text())
    record["ten_thu_tuc"] = record["ten_thu_tuc"] + " (sửa đổi)"
    path.write_text(json.dumps(record, ensure_ascii=False))
    next(catalog.glob("*/2.000528.json")).unlink()
    changed = admin.post("/api/admin/catalog/preview").json()
    assert [p["code"] for p in changed["changed"]] == ["1.004222"]
    assert changed["removed"] == [{"code": "2.000528",
                                   "name": kb.store.procedure("2.000528").name}]

    stale = admin.post("/api/admin/catalog/apply", json={"token": again["token"]})
    assert stale.status_code == 409 and "xem trước" in stale.json()["detail"]
    assert admin.post("/api/admin/catalog/apply", json={}).status_code == 422
    done = admin.post("/api/admin/catalog/apply", json={"token": changed["token"]})
    assert done.status_code == 200
    assert kb.store.procedure("1.004222").name.endswith("(sửa đổi)")
    assert "2.000528" not in [p.code for p in kb.store.procedures()]
    imports = [a for a in kb.store.audit_log(entity="catalog") if a.action == "import"]
    assert imports and imports[0].actor == "admin.test"


def test_flagged_records_are_listed(fresh_staff):
    admin, kb, catalog = fresh_staff
    copy_subset(catalog, ["1.001193", "3.000224"])
    preview = admin.post("/api/admin/catalog/preview").json()
    assert "3.000224" in [f["code"] for f in preview["flagged"]]
    admin.post("/api/admin/catalog/apply", json={"token": preview["token"]})
    flagged = admin.get("/api/admin/catalog/flagged").json()["items"]
    assert [f["code"] for f in flagged] == ["3.000224"] and flagged[0]["flags"]


def test_missing_source_is_explained(fresh_staff):
    admin, _, catalog = fresh_staff
    catalog.rmdir()
    response = admin.post("/api/admin/catalog/preview")
    assert response.status_code == 404 and str(catalog) in response.json()["detail"]
