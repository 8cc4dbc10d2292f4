"""Catalog browser: search and filter procedures, the parsed record, a reply preview, flags in words."""

from __future__ import annotations

from actions.templates import DomainTemplates
from api.config import AppSettings

TEMPLATES = DomainTemplates.load(AppSettings(_env_file=None).domain_path)


def test_search_and_filter_procedures(admin):
    found = admin.get("/api/admin/catalog/procedures", params={"q": "khai sinh luu dong"}).json()
    assert [item["code"] for item in found["items"]] == ["1.003583"]
    assert found["total"] == 1 and found["fields"]
    by_code = admin.get("/api/admin/catalog/procedures", params={"q": "1.001193"}).json()
    assert [item["code"] for item in by_code["items"]] == ["1.001193"]

    flagged = admin.get("/api/admin/catalog/procedures", params={"status": "flagged"}).json()
    assert [item["code"] for item in flagged["items"]] == ["3.000224"]
    answerable = admin.get("/api/admin/catalog/procedures",
                           params={"status": "answerable", "limit": 200}).json()
    assert "3.000224" not in {item["code"] for item in answerable["items"]}
    everything = admin.get("/api/admin/catalog/procedures").json()
    assert everything["total"] == flagged["total"] + answerable["total"]
    field = found["items"][0]["field"]
    in_field = admin.get("/api/admin/catalog/procedures", params={"field": field,
                                                                  "limit": 200}).json()
    assert in_field["items"] and all(item["field"] == field for item in in_field["items"])
    page = admin.get("/api/admin/catalog/procedures", params={"limit": 2, "offset": 2}).json()
    assert len(page["items"]) == 2 and page["total"] > 4


def test_a_procedure_shows_its_record_and_the_first_reply(admin, services):
    detail = admin.get("/api/admin/catalog/procedures/1.001193").json()
    assert detail["record"]["code"] == "1.001193" and detail["record"]["channels"]
    assert "raw" not in detail["record"] and detail["answerable"] and detail["reasons"] == []
    texts = [message["text"] for message in detail["preview"]]
    # the first reply of a conversation: the plain-language name, the summary, the source
    assert texts[0] == TEMPLATES.text("utter_summary_header", procedure_name="Đăng ký khai sinh")
    assert detail["preview"][-1]["buttons"]  # the follow-up buttons the citizen sees
    assert any("1.001193" in t for t in texts)  # source (and checklist link)

    cases = admin.get("/api/admin/catalog/procedures/1.004222").json()
    assert cases["preview"][-1]["buttons"][-1].startswith("Đăng ký thường trú")


def test_flagged_records_are_explained_in_plain_words(admin):
    detail = admin.get("/api/admin/catalog/procedures/3.000224").json()
    assert not detail["answerable"]
    flag = detail["flags"][0]
    assert flag.startswith("mismatched_page:")
    other = flag.split(":", 1)[1]
    assert detail["reasons"] == [
        f"Tệp này chứa trang của thủ tục khác ({other}), không phải của thủ tục 3.000224: cổng "
        "dịch vụ công đã lưu nhầm trang. Trợ lý ảo không dùng hồ sơ này để trả lời; hãy lấy lại "
        "đúng trang của thủ tục 3.000224 rồi nhập lại danh mục."]
    assert detail["preview"][0]["text"] != ""  # "unavailable", as the citizen would be told
    listed = admin.get("/api/admin/catalog/flagged").json()["items"]
    assert listed[0]["reasons"] == detail["reasons"]


def test_catalog_browser_bad_input(admin, support):
    assert admin.get("/api/admin/catalog/procedures/9.999999").status_code == 404
    assert admin.get("/api/admin/catalog/procedures", params={"status": "x"}).status_code == 422
    assert support.get("/api/admin/catalog/procedures").status_code == 403
