"""``make bench``: its question set is varied and well-formed, and its judge is strict.

The judge decides the "answers right" share the bench fails on, so it is tested on
replies shaped like the bot's own templates (read from ``bot/domain``): a wrong
code, a clarify without the expected procedure, a degraded answer are all wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from knowledge_base.text import fold, normalize
from ops.bench import Item, Markers, Reply, judge, load_items, target_lines
from ops.processes import PROJECT_ROOT
from tests.conftest import CATALOG

MARKERS = Markers.from_domain(PROJECT_ROOT / "bot" / "domain")
KHAI_SINH, KET_HON = "1.001193", "1.000894"


def _template(name: str) -> str:
    for file in (PROJECT_ROOT / "bot" / "domain").glob("*.yml"):
        responses = yaml.safe_load(file.read_text(encoding="utf-8")).get("responses") or {}
        if name in responses:
            return str(responses[name][0]["text"])
    raise KeyError(name)


def _render(name: str, code: str, case: str = "") -> str:
    """A domain template filled the way the actions fill it."""
    values = {"procedure_code": code, "decision": "1/2025", "official_url": "https://dvc.example",
              "catalog_date": "07/12/2026", "fact_sources": "",
              "checklist_url": f"http://127.0.0.1:8000/thu-tuc/{code}{case}"}
    return _template(name).format(**values)


def _answer(code: str) -> Reply:
    return Reply(["» Thủ tục", _render("utter_summary_footer_source", code)], [], True)


def _clarify(*codes: str) -> Reply:
    buttons = [{"title": c, "payload": f'/choose_procedure{{"procedure_code":"{c}",'
                                       '"aspect":"documents"}'} for c in codes]
    return Reply(["Bạn đang hỏi về thủ tục nào dưới đây?"], buttons, True)


def _fold(text: str) -> str:
    return fold(normalize(text))


def test_the_question_set_is_large_and_varied() -> None:
    items = load_items()
    turns = [t for item in items for t in item.turns]
    assert len(items) >= 200
    assert len(set(turns)) == len(turns)  # nothing asked twice: no cache answers it
    assert sum(len(item.turns) > 1 for item in items) >= 25  # follow-ups
    assert sum(t.isascii() for t in turns) >= len(turns) // 2  # typed without diacritics
    kinds = {item.kind for item in items}
    assert kinds == {"procedure", "faq", "not_found"}
    assert len({code for item in items for code in item.codes}) >= 80


def test_every_expected_code_is_in_the_catalog() -> None:
    if not CATALOG.is_dir():
        pytest.fail(f"shared catalog missing at {CATALOG}")
    known = {path.stem for path in CATALOG.glob("*/*.json")}
    expected = {code for item in load_items() for code in item.codes}
    assert sorted(expected - known) == []


def test_no_question_comes_from_the_development_set() -> None:
    dev = CATALOG.parent / "eval" / "dev.jsonl"
    if not dev.exists():
        pytest.fail(f"development set missing at {dev}")
    theirs = {_fold(json.loads(line)["question"]) for line in dev.read_text().splitlines()
              if line.strip()}
    ours = {_fold(t) for item in load_items() for t in item.turns}
    assert sorted(ours & theirs) == []


@pytest.mark.parametrize("text, problem", [
    ("- say: dk khai sinh\n  expect: [1.001193]\n", "quoted codes"),  # YAML reads a float
    ("- say: dk khai sinh\n  expect: [answer]\n", "quoted codes"),
    ("- say: []\n  expect: faq\n", "'say'"),
    ("- say: a\n  expect: faq\n- say: [b, a]\n  expect: faq\n", "asked before"),
])
def test_a_malformed_question_file_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "questions.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        load_items(path)


def test_the_markers_come_from_the_bot_templates() -> None:
    assert MARKERS.answers and MARKERS.faq and MARKERS.not_found
    assert "{" not in MARKERS.faq + MARKERS.not_found


@pytest.mark.parametrize("name", [
    "utter_source", "utter_summary_footer_source", "utter_summary_footer_source_link_offline",
    "utter_summary_footer", "utter_detail_footer"])
def test_every_answer_footer_names_its_procedure(name: str) -> None:
    assert MARKERS.codes([_render(name, KET_HON)]) == {KET_HON}
    assert MARKERS.codes([_render(name, KHAI_SINH, "?case=2")]) == {KHAI_SINH}


def test_a_code_mentioned_elsewhere_is_no_answer() -> None:
    booked = _template("utter_appointment_booked")
    assert "{checklist_url}" in booked  # it links the checklist, after other values
    texts = [f"Bạn hỏi về mã {KET_HON}?", f"Thủ tục {KET_HON} cần gì",
             booked.replace("{checklist_url}", f"http://x/thu-tuc/{KET_HON}")]
    assert MARKERS.codes(texts) == set()


def test_an_answer_is_right_only_with_an_expected_code() -> None:
    item = Item(("dk khai sinh",), (KHAI_SINH,))
    assert judge(item, _answer(KHAI_SINH), MARKERS) == (True, "answer", None)
    assert judge(item, _answer(KET_HON), MARKERS) == (False, "answer", None)
    degraded = Reply(_answer(KHAI_SINH).texts, [], False)
    assert judge(item, degraded, MARKERS) == (False, "error", None)


def test_a_clarify_is_pressed_only_when_it_offers_an_expected_procedure() -> None:
    item = Item(("khai sinh",), (KHAI_SINH,))
    right, outcome, press = judge(item, _clarify(KET_HON, KHAI_SINH), MARKERS)
    assert (right, outcome) == (False, "clarify")
    assert press is not None and KHAI_SINH in press
    assert judge(item, _clarify(KET_HON, "2.000806"), MARKERS) == (False, "clarify", None)


def test_a_which_case_question_is_answered_with_its_first_case() -> None:
    item = Item(("dk thuong tru",), ("1.004222",))
    reply = Reply(["» Đăng ký thường trú"], [
        {"title": "a", "payload": '/choose_case{"case_index":"1","aspect":"documents"}'},
        {"title": "b", "payload": '/choose_case{"case_index":"2","aspect":"documents"}'}], True)
    assert judge(item, reply, MARKERS) == (
        False, "case", '/choose_case{"case_index":"1","aspect":"documents"}')


def test_faq_and_not_found_are_told_apart() -> None:
    faq = Reply(["Giờ làm việc: …", f"{MARKERS.faq}Phường"], [], True)
    not_found = Reply([f"{MARKERS.not_found}Phường"], [], True)
    assert judge(Item(("gio lam viec",), ("faq",)), faq, MARKERS)[:2] == (True, "faq")
    assert judge(Item(("gio lam viec",), ("faq",)), not_found, MARKERS)[:2] == (
        False, "not_found")
    assert judge(Item(("xem boi",), ("not_found",)), _answer(KET_HON), MARKERS)[:2] == (
        False, "answer")
    either = Item(("ho khau",), ("1.004222", "faq"))
    assert judge(either, faq, MARKERS)[:2] == (True, "faq")


def test_a_missed_target_is_reported_missed() -> None:
    summary = {"p95_ms": 101.0, "right_share": 0.99, "messages_per_s": 80.0, "failures": 0}
    met = dict((line.split(":")[0], ok) for line, ok in target_lines(summary, 80.0))
    assert [k for k, ok in met.items() if not ok] == ["p95 <= 100 ms at 80 messages/s offered"]
    summary.update(p95_ms=150.0, right_share=0.5, messages_per_s=60.0, failures=2)
    assert not any(ok for _, ok in target_lines(summary, 80.0))



def test_a_booking_slot_naming_the_procedure_is_no_clarify() -> None:
    item = Item(("dat lich ket hon",), (KET_HON,))
    slots = Reply(["Thứ Ba: bạn chọn một khung giờ còn chỗ nhé:"], [
        {"title": "08:00", "payload": f'/appointment_slot{{"procedure_code":"{KET_HON}",'
                                      '"start":"2026-12-08T08:00:00+07:00"}'}], True)
    assert judge(item, slots, MARKERS) == (False, "other", None)
