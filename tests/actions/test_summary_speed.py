"""The deadline sentence of an answer is found in linear time, with the same result.

The first reply quotes the deadline the catalog sets the citizen ("Trong thời hạn
60 ngày …"). Found with a pattern that rescanned the text from every position, it cost
up to 150 ms per answer on the longest catalog texts (the largest single cost of an
answer under load).
"""

from __future__ import annotations

import re
import time

import pytest

from actions.summary import deadline_sentence

# the pattern as it was: the reference for what the sentence is
REFERENCE = re.compile(r"[^.;]*\b[Tt]rong (?:thời hạn|vòng) \d+ ngày[^.;]*"
                       r"có trách nhiệm (?:đi )?(?:đăng ký|khai báo|nộp|làm)[^.;]*")
SENTENCE = ("Trong thời hạn 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm "
            "đăng ký khai sinh cho con")


def _reference(text: str) -> str | None:
    match = REFERENCE.search(text)
    return match.group(0) if match else None


@pytest.mark.parametrize("text", [
    f"Bước 1: nộp hồ sơ. {SENTENCE}; quá hạn bị phạt.",
    f"{SENTENCE}",
    f"Ghi chú; trong vòng 5 ngày, người đi đăng ký có trách nhiệm đi khai báo. {SENTENCE}.",
    "Trong thời hạn 60 ngày kể từ ngày sinh. Cha mẹ có trách nhiệm đăng ký.",  # two sentences
    "Không có thời hạn nào ở đây.",
    "",
    f"a.b;c {SENTENCE} . {SENTENCE.replace('60', '30')}",
])
def test_the_sentence_is_the_one_the_reference_pattern_finds(text: str) -> None:
    assert deadline_sentence(text) == _reference(text)


def test_a_long_catalog_text_is_read_in_linear_time() -> None:
    text = ("Cán bộ tiếp nhận kiểm tra hồ sơ trong thời hạn 3 ngày làm việc " * 30 + ". ") * 3
    text += SENTENCE + "."
    started = time.perf_counter()
    found = deadline_sentence(text)
    took = time.perf_counter() - started
    started = time.perf_counter()
    expected = _reference(text)
    reference_took = time.perf_counter() - started
    assert found == expected == f" {SENTENCE}"  # the sentence as the text has it
    assert took * 20 < reference_took, (took, reference_took)
