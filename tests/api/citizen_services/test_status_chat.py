"""Application status lookup in the chat, against a fake status adapter on 127.0.0.1."""

from __future__ import annotations

import time

import pytest
from chat_client import all_text, say, stored_turns
from fake_status import SLOW_CODE, FakeStatusServer

FOUND = "000.21.30.H26-251201-0007"


@pytest.fixture(scope="module")
def server(start_server, fake_status: FakeStatusServer):
    return start_server(TTHC_STATUS_URL=fake_status.url, TTHC_STATUS_LOOKUPS_PER_HOUR="4")


def test_where_is_my_application_asks_for_the_code(server) -> None:
    text = all_text(say(server.url, "st-ask", "hồ sơ của tôi nộp tuần trước giờ đến đâu rồi"))
    assert "mã hồ sơ" in text and "000.21.30.H26-251201-0007" in text  # the example format


def test_found_application_is_explained_in_plain_vietnamese(server, fake_status) -> None:
    text = all_text(say(server.url, "st-found", f"cho hỏi hồ sơ {FOUND.lower()} thế nào rồi"))
    assert "đang được giải quyết" in text and "08/12/2025" in text and "01/12/2025" in text
    assert "UBND phường Hoa Sen" in text and FOUND not in text and "…0007" in text
    assert fake_status.asked[-1] == FOUND
    ready = all_text(say(server.url, "st-found", "000.21.30.H26-251201-0008"))
    assert "đã có kết quả" in ready
    more = all_text(say(server.url, "st-found", "mã 000.21.30.H26-251201-0009"))
    assert "cần bổ sung" in more and "Thiếu bản sao giấy chứng sinh." in more
    turns = stored_turns(server.database_url, "st-found")
    assert len(turns) == 3 and all("H26-251201" not in t.text for t in turns)
    assert all("H26-251201" not in str(t.replies) for t in turns)
    assert {t.decision for t in turns} == {"status_found"}


def test_unknown_code_says_so_and_how_to_check(server) -> None:
    text = all_text(say(server.url, "st-unknown", "000.21.30.H26-251201-0123"))
    assert "không tìm thấy hồ sơ" in text and "dichvucong.gov.vn" in text


def test_slow_adapter_gets_an_apology_within_the_timeout(server) -> None:
    started = time.monotonic()
    text = all_text(say(server.url, "st-slow", SLOW_CODE))
    assert time.monotonic() - started < 4.0
    assert "Xin lỗi" in text and "dichvucong.gov.vn" in text


def test_lookups_are_limited_per_sender(server) -> None:
    for _ in range(4):
        assert "đang được giải quyết" in all_text(say(server.url, "st-many", FOUND))
    assert "nhiều lần" in all_text(say(server.url, "st-many", FOUND))
    assert "đang được giải quyết" in all_text(say(server.url, "st-other", FOUND))


def test_codes_never_reach_the_log(server) -> None:
    log = server.child.log.read_text(errors="replace")
    assert "H26-251201" not in log


def test_adapter_down_gets_an_apology_not_an_error(server, fake_status) -> None:
    fake_status.stop()  # last test of the module: the adapter is gone
    text = all_text(say(server.url, "st-down", FOUND))
    assert "Xin lỗi" in text and "dichvucong.gov.vn" in text
