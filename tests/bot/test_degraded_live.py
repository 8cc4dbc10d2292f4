"""When Rasa stops, the app keeps answering from the knowledge base (same templates),
continuing the topic it learned while Rasa was up."""

from __future__ import annotations

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
    assert before.body["degraded"] is False and "Mã thủ tục 1.001193" in before.text
    stack.stop_rasa()
    health = httpx.get(f"{stack.base_url}/health", timeout=10).json()
    assert health["app"] == "ok" and health["rasa"] != "ok" and health["degraded"] is True

    after = stack.chat("dg-1", "lệ phí bao nhiêu")
    assert after.status == 200 and after.body["degraded"] is True
    assert "Mã thủ tục 1.001193" in after.text
    for channel in knowledge_base.procedure("1.001193").channels:
        if channel.fee.text:
            assert channel.fee.text in after.text
    assert after.messages[-1]["text"].startswith("Nguồn:")

    choice = stack.chat("dg-2", "đăng ký thường trú cần giấy tờ gì")
    payload = next(b["payload"] for b in choice.buttons if b["payload"].startswith("/choose_case"))
    assert "Mã thủ tục 1.004222" in stack.chat("dg-2", payload).text

    turns = stored_turns(stack.database, "web:dg-1")
    assert [t["source"] for t in turns] == ["rasa", "degraded"]
    assert turns[-1]["procedure"] == "1.001193" and turns[-1]["decision"] == "answer"
