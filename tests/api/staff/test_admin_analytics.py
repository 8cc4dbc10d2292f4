"""Analytics numbers on a handful of seeded turns and ratings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.api.staff.harness import seed_conversation, seed_rating, staff_services
from tests.conftest import copy_subset

VN = timezone(timedelta(hours=7))


def test_analytics_counts_outcomes_csat_top_procedures_and_unanswered(fresh_staff):
    admin, kb, catalog = fresh_staff
    copy_subset(catalog, ["1.001193"])
    admin.post("/api/admin/catalog/apply",
               json={"token": admin.post("/api/admin/catalog/preview").json()["token"]})
    services = staff_services(admin.client)
    today = datetime.now(VN).replace(hour=10, minute=0, second=0, microsecond=0)
    yesterday = today - timedelta(days=1)
    first = seed_conversation(services, "a1", [
        {"text": "đăng ký khai sinh", "decision": "answer", "procedure": "1.001193",
         "at": yesterday},
        {"text": "/choose_case{\"case\": 1}", "decision": "answer", "procedure": "1.001193",
         "at": yesterday + timedelta(minutes=1)},
        {"text": "Xin cấp phép nuôi chó?", "decision": "not_found", "at": yesterday},
    ])
    second = seed_conversation(services, "a2", [
        {"text": "thủ tục khai sinh", "decision": "clarify", "at": today},
        {"text": "xin cap phep nuoi cho", "decision": "not_found", "at": today},
        {"text": "xin  cấp phép nuôi chó", "decision": "not_found", "at": today},
        {"text": "gặp cán bộ", "decision": "handoff", "at": today},
        {"text": "phí khai sinh", "decision": "faq", "procedure": "1.001193", "at": today},
        {"text": "đổi bằng lái xe", "decision": "not_found", "at": today},
    ])
    for conversation_id, score in ((first, 5), (second, 4), (second, 2)):
        seed_rating(services, conversation_id, score)

    report = admin.get("/api/admin/analytics", params={"days": 7}).json()
    assert report["questions_total"] == 8
    per_day = {d["date"]: d["count"] for d in report["per_day"]}
    assert len(per_day) == 7
    assert per_day[yesterday.date().isoformat()] == 2 and per_day[today.date().isoformat()] == 6
    outcomes = {k: v["count"] for k, v in report["outcomes"].items()}
    assert outcomes == {"answered": 2, "clarified": 1, "not_found": 4, "handed_off": 1,
                        "other": 0}
    assert report["outcomes"]["not_found"]["share"] == 0.5
    assert report["satisfaction"] == {"count": 3, "average": 3.67, "csat": 0.6667,
                                      "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}}
    assert report["top_procedures"] == [{"code": "1.001193", "count": 3,
                                         "name": kb.procedure("1.001193").name}]
    unanswered = report["unanswered"]
    assert unanswered[0]["count"] == 3 and unanswered[0]["key"] == "xin cap phep nuoi cho"
    assert unanswered[1]["text"] == "đổi bằng lái xe" and unanswered[1]["count"] == 1


def test_analytics_on_an_empty_log(fresh_staff):
    admin, _, _ = fresh_staff
    report = admin.get("/api/admin/analytics").json()
    assert report["questions_total"] == 0 and len(report["per_day"]) == 30
    assert report["satisfaction"]["csat"] is None and report["unanswered"] == []
