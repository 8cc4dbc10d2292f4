"""Appointments against the real app server (SQLite): settings, slots, booking rules, staff."""

from __future__ import annotations

import re

import httpx
from appointments_harness import (
    PASSWORD,
    PROCEDURE,
    SUPPORT,
    Server,
    last_bookable_day,
    post_all_at_once,
    slots_of,
)

CODE = re.compile(r"^LH-[A-Z2-9]{4}-[A-Z2-9]{4}$")


def configure(server: Server, **values: object) -> dict:
    response = httpx.put(f"{server.url}/api/admin/appointments/settings", json=values,
                         headers=server.admin, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def book(server: Server, start: str, phone: str, sender: str = "s1",
         name: str = "Nguyễn Văn An") -> httpx.Response:
    return httpx.post(f"{server.url}/api/appointments", timeout=30, json={
        "sender_id": sender, "procedure": PROCEDURE, "start": start, "name": name,
        "phone": phone})


def test_settings_need_an_admin_and_are_validated(server: Server) -> None:
    url = f"{server.url}/api/admin/appointments/settings"
    assert httpx.put(url, json={"slot_minutes": 20}, timeout=10).status_code == 401
    assert httpx.put(url, json={"slot_minutes": 20}, headers=server.support,
                     timeout=10).status_code == 403
    bad = httpx.put(url, json={"slot_minutes": 0}, headers=server.admin, timeout=10)
    assert bad.status_code == 422 and "slot_minutes" in bad.json()["detail"]
    saved = configure(server, slot_minutes=60, capacity_per_slot=3, days_ahead=5)
    assert (saved["slot_minutes"], saved["capacity_per_slot"], saved["days_ahead"]) == (60, 3, 5)
    assert saved["opening_hours"]["mon"] == [["08:00", "12:00"], ["13:30", "17:00"]]
    days = httpx.get(f"{server.url}/api/appointments/days", params={"procedure": PROCEDURE},
                     timeout=10).json()["days"]
    assert len(days) == 5
    slots = slots_of(server.url, days[-1])
    assert slots and all(s["free"] == 3 for s in slots)
    assert slots[0]["start"].endswith("+07:00")


def test_slots_follow_opening_hours_and_closed_days(server: Server) -> None:
    configure(server, slot_minutes=30, capacity_per_slot=2, days_ahead=6, closed_dates=[])
    day = last_bookable_day(server.url)
    starts = [s["start"][11:16] for s in slots_of(server.url, day)]
    assert "08:00" in starts and "11:30" in starts and "12:00" not in starts
    assert "13:30" in starts and "16:30" in starts and "17:00" not in starts
    configure(server, closed_dates=[day])
    assert slots_of(server.url, day) == []
    assert day not in httpx.get(f"{server.url}/api/appointments/days",
                                params={"procedure": PROCEDURE}, timeout=10).json()["days"]
    configure(server, closed_dates=[])
    unknown = httpx.get(f"{server.url}/api/appointments/slots",
                        params={"procedure": "9.999999", "date": day}, timeout=10)
    assert unknown.status_code == 404
    bad_date = httpx.get(f"{server.url}/api/appointments/slots",
                         params={"procedure": PROCEDURE, "date": "2026-13-40"}, timeout=10)
    assert bad_date.status_code == 422


def test_booking_is_idempotent_capped_per_slot_and_per_phone(server: Server) -> None:
    configure(server, slot_minutes=30, capacity_per_slot=2, days_ahead=6, closed_dates=[])
    day = last_bookable_day(server.url)
    first, second, third = (s["start"] for s in slots_of(server.url, day)[:3])
    made = book(server, first, "0912 345 678")
    assert made.status_code == 201, made.text
    body = made.json()
    assert CODE.match(body["code"]) and body["start"] == first
    assert body["procedure"] == PROCEDURE and body["phone"] == "09******78"
    again = book(server, first, "+84912345678")
    assert again.status_code == 201 and again.json()["code"] == body["code"]
    assert slots_of(server.url, day)[0]["free"] == 1
    assert book(server, first, "0987654321", sender="s2").status_code == 201
    full = book(server, first, "0977000111", sender="s3")
    assert full.status_code == 409 and "đủ người" in full.json()["detail"]
    assert book(server, second, "0912345678").status_code == 201
    third_booking = book(server, third, "0912345678")
    assert third_booking.status_code == 409 and "tối đa 2" in third_booking.json()["detail"]
    invalid = book(server, third, "12345", sender="s4")
    assert invalid.status_code == 422 and "Số điện thoại" in invalid.json()["detail"]
    off_grid = book(server, first.replace(":00:00", ":07:00").replace(":30:00", ":07:00"),
                    "0966000111", sender="s5")
    assert off_grid.status_code == 422


def test_cancel_and_move_need_the_code_and_the_phone(server: Server) -> None:
    configure(server, slot_minutes=30, capacity_per_slot=1, days_ahead=6, closed_dates=[])
    day = last_bookable_day(server.url)
    slots = slots_of(server.url, day)
    free_slots = [s["start"] for s in slots if s["free"] == 1]
    start, other = free_slots[-1], free_slots[-2]
    code = book(server, start, "0355111222", sender="mover").json()["code"]
    cancel_url = f"{server.url}/api/appointments/{code}"
    assert httpx.delete(cancel_url, params={"phone": "0355111223"}, timeout=10).status_code == 404
    assert httpx.delete(f"{server.url}/api/appointments/LH-AAAA-AAAA",
                        params={"phone": "0355111222"}, timeout=10).status_code == 404
    moved = httpx.post(f"{cancel_url}/move", json={"phone": "0355111222", "start": other},
                       timeout=10)
    assert moved.status_code == 200 and moved.json()["start"] == other
    assert moved.json()["code"] == code
    free = {s["start"]: s["free"] for s in slots_of(server.url, day)}
    assert free[start] == 1 and free[other] == 0
    assert httpx.delete(cancel_url, params={"phone": "0355 111 222"}, timeout=10).status_code == 204
    assert httpx.delete(cancel_url, params={"phone": "0355111222"}, timeout=10).status_code == 204
    assert {s["start"]: s["free"] for s in slots_of(server.url, day)}[other] == 1


def test_twenty_simultaneous_bookings_of_a_one_place_slot_make_one(server: Server) -> None:
    configure(server, slot_minutes=30, capacity_per_slot=1, days_ahead=6, closed_dates=[])
    day = last_bookable_day(server.url)
    start = next(s["start"] for s in slots_of(server.url, day) if s["free"] == 1)
    results = post_all_at_once([
        (f"{server.url}/api/appointments",
         {"sender_id": f"race{i}", "procedure": PROCEDURE, "start": start,
          "name": "Nguyễn Văn An", "phone": f"0901{i:06d}"}) for i in range(20)])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] + [409] * 19, [r.text for r in results if r.status_code >= 500]
    assert {s["start"]: s["free"] for s in slots_of(server.url, day)}[start] == 0


def test_staff_day_list_check_in_no_show_and_analytics(server: Server) -> None:
    configure(server, slot_minutes=30, capacity_per_slot=2, days_ahead=6, closed_dates=[])
    day = last_bookable_day(server.url)
    start = [s["start"] for s in slots_of(server.url, day) if s["free"] == 2][0]
    one = book(server, start, "0388000111", sender="desk1", name="Trần Thị Bình").json()["code"]
    two = book(server, start, "0388000222", sender="desk2", name="Lê Văn Cường").json()["code"]
    assert httpx.get(f"{server.url}/api/support/appointments", params={"date": day},
                     timeout=10).status_code == 401
    listed = httpx.get(f"{server.url}/api/support/appointments", params={"date": day},
                       headers=server.support, timeout=10).json()
    slot = next(s for s in listed["slots"] if s["start"] == start)
    people = {b["code"]: b for b in slot["bookings"]}
    assert people[one]["name"] == "Trần Thị Bình" and people[one]["phone"] == "0388000111"
    assert "đăng ký khai sinh" in people[one]["procedure_name"].lower()
    for code, status in ((one, "checked_in"), (two, "no_show")):
        response = httpx.post(f"{server.url}/api/support/appointments/{code}/status",
                              json={"status": status}, headers=server.support, timeout=10)
        assert response.status_code == 200, response.text
    bad = httpx.post(f"{server.url}/api/support/appointments/{one}/status",
                     json={"status": "gone"}, headers=server.support, timeout=10)
    assert bad.status_code == 422
    stats = httpx.get(f"{server.url}/api/admin/appointments/analytics", headers=server.admin,
                      timeout=10).json()
    today = next(d for d in stats["per_day"] if d["day"] == day)
    assert today["checked_in"] >= 1 and today["no_show"] >= 1
    assert 0 < stats["no_show_rate"] < 1


def test_phone_numbers_never_reach_the_log(server: Server) -> None:
    log = server.child.log.read_text(errors="replace")
    for phone in ("0912345678", "0388000111", "0355111222"):
        assert phone not in log


def test_console_page_is_for_staff_and_its_assets_load(server: Server) -> None:
    anonymous = httpx.get(f"{server.url}/appointments", timeout=10, follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    with httpx.Client(base_url=server.url, timeout=10) as browser:
        login = browser.post("/api/auth/session", json={"username": SUPPORT,
                                                        "password": PASSWORD})
        assert login.status_code == 200
        page = browser.get("/appointments")
        assert page.status_code == 200 and "script-src 'self'" in page.headers[
            "content-security-policy"]
        for asset in ("/static/console/appointments.js", "/static/console/appointments.css"):
            assert asset in page.text and browser.get(asset).status_code == 200
