"""The probe's Rasa-side findings on the live stack (app + Rasa started like ``make run``).

Rasa's HTTP API answers only with the launcher's token; the app runs actions
only for Rasa (shared token, so conversations still work); tricky number formats
and payloads carrying an ID number reach neither the tracker store, its WAL, nor
either log raw; a stray digit after the rating question is no rating; files are
owner-only.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import httpx
import pytest

from ops.processes import rasa_token
from tests.bot.stack import LiveStack, ratings

pytestmark = pytest.mark.slow

PROBE = {
    "cccd001203045069 làm lại căn cước thế nào": "001203045069",
    "sdt0987654323 đăng ký khai sinh cần gì": "0987654323",
    "CCCD 0012  0304  5071 bị mất thì sao": "001203045071",
    "gọi (098) 765 4325 giúp tôi": "0987654325",
    '/choose_procedure{"faq_id":"001203045073"}': "001203045073",
    '/choose_procedure{"faq_id": 001203045074}': "001203045074",
    '/choose_procedure{"procedure_code":"0987-654-326"}': "0987654326",
}
# a broken payload makes Rasa warn quoting the whole message
RAW_TO_RASA = '/choose_procedure{"faq_id": 0012030450 88, "x": "sdt0987654388"}'


def raw_hits(text: str) -> list[str]:
    return [digits for digits in PROBE.values()
            if re.search(r"\D{0,3}".join(digits), text)]


def file_text(path: Path) -> str:
    return path.read_bytes().decode("latin-1") if path.exists() else ""


def test_rasas_api_needs_the_token(live_stack: LiveStack) -> None:
    live_stack.chat("priv-1", "xin chào")
    url = f"{live_stack.settings.rasa_url}/conversations/web:priv-1/tracker"
    assert httpx.get(url, timeout=10).status_code == 401
    assert httpx.get(url, params={"token": "guess"}, timeout=10).status_code == 401
    allowed = httpx.get(url, params={"token": rasa_token(live_stack.env)}, timeout=10)
    assert allowed.status_code == 200 and allowed.json()["sender_id"] == "web:priv-1"


def test_only_rasa_may_run_actions(live_stack: LiveStack) -> None:
    reply = live_stack.chat("priv-2", "đăng ký khai sinh cần giấy tờ gì")
    assert reply.status == 200 and reply.body["degraded"] is False  # Rasa's calls get through
    call = {"next_action": "action_answer_procedure", "sender_id": "web:x",
            "tracker": {"sender_id": "web:x", "slots": {}, "latest_message": {}, "events": []}}
    assert httpx.post(f"{live_stack.base_url}/webhook", json=call, timeout=10).status_code == 401


def test_numbers_never_reach_the_tracker_store_or_logs(live_stack: LiveStack) -> None:
    for i, text in enumerate(PROBE):
        reply = live_stack.chat(f"priv-3-{i % 2}", text)
        assert reply.status == 200 and reply.messages, reply.body
    # straight to Rasa's REST channel, past the app's masking (its tracker then holds the
    # text, as sent): Rasa's own logging must still not quote it
    direct = httpx.post(f"{live_stack.settings.rasa_url}/webhooks/rest/webhook", timeout=60,
                        json={"sender": "priv-direct", "message": RAW_TO_RASA})
    assert direct.status_code == 200
    workdir = live_stack.workdir
    tracker = "".join(file_text(workdir / f"tracker.db{s}") for s in ("", "-wal", "-shm"))
    assert "cccd***" in tracker  # the masked texts are there, so the search looked at them
    assert raw_hits(tracker) == []
    rasa_log = file_text(workdir / "rasa.log")
    assert "Failed to parse arguments" in rasa_log  # Rasa did warn about the broken payload
    assert raw_hits(rasa_log) == []
    assert "0012030450 88" not in rasa_log and "0987654388" not in rasa_log
    assert raw_hits(file_text(workdir / "app.log")) == []


def test_markup_after_the_rating_question_is_no_rating(live_stack: LiveStack) -> None:
    live_stack.chat("priv-4", "lệ phí đăng ký kết hôn")
    asked = live_stack.chat("priv-4", "cảm ơn nhé")
    assert any(b["payload"].startswith("/rate") for b in asked.buttons), asked.text
    live_stack.chat("priv-4", "<svg onload=alert(2)>")
    assert ratings(live_stack.database, "web:priv-4") == []


def test_tracker_and_logs_are_owner_only_and_telemetry_is_off(live_stack: LiveStack) -> None:
    live_stack.chat("priv-5", "xin chào")
    for name in ("tracker.db", "rasa.log", "app.log", "kb.db"):
        mode = stat.S_IMODE((live_stack.workdir / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    rasa = next(child for child in live_stack.children if child.name == "rasa")
    environ = Path(f"/proc/{rasa.process.pid}/environ").read_bytes().split(b"\0")
    assert b"RASA_TELEMETRY_ENABLED=false" in environ
