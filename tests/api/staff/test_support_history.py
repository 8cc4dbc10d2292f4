"""Release tells the citizen; the history finds every conversation (masked) and exports CSV."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from api.admin.analytics import LOCAL_TZ
from api.rasa_client import RasaServer
from api.support.suggestions import desk_messages
from knowledge_base.db import utcnow
from tests.api.staff.harness import seed_conversation, seed_rating


def test_release_tells_the_citizen_and_hands_back_to_the_bot(client, support, services):
    conversation_id = seed_conversation(services, "release-1", [
        {"text": "cho tôi gặp cán bộ", "decision": "handoff"}], owner="waiting")
    support.post(f"/api/support/conversations/{conversation_id}/claim")
    support.post(f"/api/support/conversations/{conversation_id}/reply", json={"text": "Chào bạn"})
    first = client.get("/api/chat/updates", params={"sender_id": "release-1"}).json()
    assert first["staff"] is True

    released = support.post(f"/api/support/conversations/{conversation_id}/release")
    assert released.status_code == 200 and released.json()["owner"] == "bot"
    poll = client.get("/api/chat/updates",
                      params={"sender_id": "release-1", "after": first["cursor"]}).json()
    office = services.kb.office_info()
    expected = desk_messages()["release"].replace("{office_phone}", office["office_phone"])
    assert [m["text"] for m in poll["messages"]] == [expected]
    assert "{" not in expected
    # spoken by the desk, not an officer: the widget leaves the "officer" mode
    assert poll["messages"][0]["staff"] is False
    assert poll["owner"] == "bot" and poll["staff"] is False and poll["handoff"] is False
    answered = client.post("/api/chat", json={"sender_id": "release-1",
                                              "text": "đăng ký khai sinh cần giấy tờ gì"}).json()
    assert answered["owner"] == "bot" and answered["messages"]


def _history(support, **params) -> list[int]:
    response = support.get("/api/support/history", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_history_search_by_text_procedure_channel_date_and_outcome(support, services):
    old = utcnow() - timedelta(days=40)
    answered = seed_conversation(services, "hist-answered", [
        {"text": "lệ phí đăng ký kết hôn histmark", "procedure": "1.000894",
         "decision": "answer", "confidence": 0.9}])
    seed_rating(services, answered, 5)
    handed = seed_conversation(services, "hist-handed", [
        {"text": "histmark sđt ***", "decision": "not_found"},
        {"text": "gặp cán bộ", "decision": "handoff"}], channel="zalo")
    ancient = seed_conversation(services, "hist-old", [
        {"text": "histmark khai tử", "procedure": "1.000656", "decision": "answer"}],
        started=old)

    assert set(_history(support, text="HISTMARK")) == {answered, handed, ancient}
    assert _history(support, text="histmark", procedure="1.000894") == [answered]
    assert _history(support, text="histmark", procedure="dang ky KET HON") == [answered]
    assert _history(support, text="histmark", procedure="khai tu") == [ancient]
    assert _history(support, text="histmark", channel="zalo") == [handed]
    assert _history(support, text="histmark", outcome="handed_off") == [handed]
    recent = (utcnow() - timedelta(days=2)).astimezone(LOCAL_TZ).date()
    assert ancient not in _history(support, text="histmark", date_from=recent.isoformat())
    day = old.astimezone(LOCAL_TZ).date().isoformat()
    assert _history(support, text="histmark", date_from=day, date_to=day) == [ancient]

    items = support.get("/api/support/history", params={"text": "kết hôn histmark"}).json()
    item = items["items"][0]
    assert item["procedures"] == ["1.000894"] and item["outcome"] == "answered"
    assert item["procedure_names"] == [services.kb.procedure("1.000894").name]
    assert item["rating"] == 5

    opened = support.get(f"/api/support/history/{answered}").json()
    assert opened["ratings"] == [5] and opened["outcome"] == "answered"
    assert opened["conversation"]["entries"][0]["text"] == "lệ phí đăng ký kết hôn histmark"


def test_history_bad_filters_are_4xx(support):
    assert support.get("/api/support/history", params={"outcome": "won"}).status_code == 422
    assert support.get("/api/support/history",
                       params={"date_from": "2026-02-01", "date_to": "2026-01-01"}
                       ).status_code == 422
    assert support.get("/api/support/history", params={"date_from": "yesterday"}
                       ).status_code == 422
    assert support.get("/api/support/history/999999").status_code == 404


def test_history_csv_is_for_admins_and_masked(admin, support, services):
    seed_conversation(services, "hist-csv", [
        {"text": "=HYPERLINK(\"x\") csvmark", "decision": "not_found"}])
    conversation_id = seed_conversation(services, "hist-csv-2", [
        {"text": "csvmark cần gì", "procedure": "1.001193", "decision": "answer"}])
    today = utcnow().astimezone(LOCAL_TZ).date().isoformat()
    params = {"date_from": today, "date_to": today}
    assert support.get("/api/support/history/export.csv", params=params).status_code == 403
    response = admin.get("/api/support/history/export.csv", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    texts = [row["text"] for row in rows]
    assert "'=HYPERLINK(\"x\") csvmark" in texts  # never a formula in a spreadsheet
    mine = [row for row in rows if row["conversation_id"] == str(conversation_id)]
    assert mine[0]["procedure"] == "1.001193" and mine[0]["outcome"] == "answered"
    too_long = {"date_from": "2024-01-01", "date_to": today}
    assert admin.get("/api/support/history/export.csv", params=too_long).status_code == 422


class _FakeRasa(BaseHTTPRequestHandler):
    """Records the tracker events posted to it (Rasa's HTTP API, faked on 127.0.0.1)."""

    received: list[tuple[str, dict]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


def test_release_resets_the_handoff_slot_in_rasa(client, support, services):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rasa = client.app.state.services.rasa
    saved = rasa.servers
    rasa.servers = [RasaServer(f"http://127.0.0.1:{server.server_address[1]}")]
    try:
        conversation_id = seed_conversation(services, "release-rasa", [
            {"text": "gặp cán bộ", "decision": "handoff"}], owner="waiting")
        support.post(f"/api/support/conversations/{conversation_id}/claim")
        assert support.post(f"/api/support/conversations/{conversation_id}/release"
                            ).status_code == 200
    finally:
        rasa.servers = saved
        server.shutdown()
        server.server_close()
    path, event = _FakeRasa.received[-1]
    assert path.startswith("/conversations/web%3Arelease-rasa/tracker/events")
    assert event == {"event": "slot", "name": "handed_off", "value": False}
