"""When Rasa stops, the app keeps answering from the knowledge base (same templates),
continuing the topic it learned while Rasa was up; when Rasa comes back after a crash,
conversations continue through it with the slots its tracker store kept."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.bot.stack import LiveStack, start_stack, stored_turns

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stoppable_stack(kb_workdir: Path, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[LiveStack]:
    stack = start_stack(kb_workdir, tmp_path_factory.mktemp("stoppable_stack"))
    try:
        yield stack
    finally:
        stack.stop()


def test_answers_continue_after_rasa_stops(stoppable_stack: LiveStack, knowledge_base) -> None:
    stack = stoppable_stack
    before = stack.chat("dg-1", "đăng ký khai sinh cần giấy tờ gì")
    assert before.body["degraded"] is False and "/thu-tuc/1.001193" in before.text
    stack.stop_rasa()
    health = httpx.get(f"{stack.base_url}/health", timeout=10).json()
    assert health["app"] == "ok" and health["rasa"] != "ok" and health["degraded"] is True

    after = stack.chat("dg-1", "lệ phí bao nhiêu")
    assert after.status == 200 and after.body["degraded"] is True
    assert "/thu-tuc/1.001193" in after.text
    for channel in knowledge_base.procedure("1.001193").channels:
        if channel.fee.text:
            assert channel.fee.text in after.text
    assert after.messages[-1]["text"].startswith("Nguồn:")

    choice = stack.chat("dg-2", "đăng ký thường trú cần giấy tờ gì")
    payload = next(b["payload"] for b in choice.buttons if b["payload"].startswith("/choose_case"))
    assert "/thu-tuc/1.004222" in stack.chat("dg-2", payload).text

    turns = stored_turns(stack.database, "web:dg-1")
    assert [t["source"] for t in turns] == ["rasa", "degraded"]
    assert turns[-1]["procedure"] == "1.001193" and turns[-1]["decision"] == "answer"


def test_rasa_killed_and_restarted_continues_with_its_slots(stoppable_stack: LiveStack) -> None:
    stack = stoppable_stack
    if not any(c.name == "rasa" and c.alive() for c in stack.children):
        stack.restart_rasa()  # the test above leaves it stopped
        time.sleep(stack.settings.rasa_retry_after)
    asked = stack.chat("rk-1", "đăng ký kết hôn cần giấy tờ gì")
    assert asked.body["degraded"] is False and "/thu-tuc/1.000894" in asked.text, asked.body

    stack.kill_rasa()  # SIGKILL: whatever Rasa kept only in memory is gone
    during = stack.chat("rk-1", "mất bao lâu")
    assert during.status == 200 and during.body["degraded"] is True
    assert "/thu-tuc/1.000894" in during.text

    stack.restart_rasa()
    time.sleep(stack.settings.rasa_retry_after)  # the app retries Rasa after this pause
    after = stack.chat("rk-1", "lệ phí bao nhiêu")
    assert after.status == 200 and after.body["degraded"] is False, after.body
    assert "/thu-tuc/1.000894" in after.text, after.text  # the procedure slot survived
    turns = stored_turns(stack.database, "web:rk-1")
    assert [t["source"] for t in turns] == ["rasa", "degraded", "rasa"]
    assert turns[-1]["procedure"] == "1.000894"

    # Without that history the same question names no procedure.
    fresh = stack.chat("rk-2", "lệ phí bao nhiêu")
    assert fresh.status == 200 and "/thu-tuc/1.000894" not in fresh.text
