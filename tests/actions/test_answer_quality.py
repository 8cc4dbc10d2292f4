"""Answers as a citizen reads them: times without invented units, follow-ups in chat shorthand."""

from pathlib import Path

import pytest

from actions.dialogue import DialogueState, Message
from actions.registry import build_dialogue
from actions.templates import DomainTemplates
from actions.timing import time_text
from knowledge_base.models import Channel, Fee, Method, ProcessingTime

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "bot" / "domain"
TEMPLATES = DomainTemplates.load(DOMAIN)
KHAI_SINH = "1.001193"
HO_KINH_DOANH = "1.001612"


@pytest.fixture(scope="module")
def dialogue(knowledge_base):
    return build_dialogue(knowledge_base, DomainTemplates.load(DOMAIN))


def texts(outcome) -> list[str]:
    return [TEMPLATES.render(r).text for r in outcome.replies]


def test_a_bare_catalog_number_is_phrased_honestly_never_footnoted_nor_given_a_unit(
        dialogue) -> None:
    # Catalog 1.001193: "Trực tuyến1Miễn phí…": the number without a unit, and the facts
    # file holds no cited unit for it.
    outcome = dialogue.answer(DialogueState(), Message("khai sinh mất mấy ngày",
                                                       "ask_processing_time"))
    shown = texts(outcome)
    assert outcome.turn.procedure == KHAI_SINH
    time_reply = next(r for r in outcome.replies if r.response == "utter_summary_time")
    # its steps say when a complete file handed in comes back ("…sau 15 giờ … trả kết quả
    # … trong ngày làm việc tiếp theo (nếu người yêu cầu nộp hồ sơ trực tiếp)"); the label
    # says it is about a file handed in
    cutoff = TEMPLATES.text("utter_label_time_bare_cutoff", value="1", cutoff_hour="15")
    assert time_reply.variables["time_text"] == cutoff and "nộp trực tiếp" in cutoff
    text = "\n".join(shown)
    assert "(*)" not in text and "1 ngày" not in text
    assert f"mã {KHAI_SINH}" in shown[-1]  # the source, once, at the end
    detail = texts(dialogue.answer(outcome.state, Message("/ask_processing_time",
                                                          "ask_processing_time")))
    assert "(*)" not in "\n".join(detail) and "«1»" in "\n".join(detail)
    assert not any(f"mã {KHAI_SINH}" in t for t in detail)  # not repeated on the next turn


def test_a_bare_number_whose_steps_say_nothing_of_the_day_says_the_slip_has_it(
        dialogue) -> None:
    # Catalog 1.000894 (kết hôn): "Trực tuyến1Miễn phí…", steps without a cut-off hour
    outcome = dialogue.answer(DialogueState(), Message("đăng ký kết hôn mất mấy ngày",
                                                       "ask_processing_time"))
    time_reply = next(r for r in outcome.replies if r.response == "utter_summary_time")
    assert time_reply.variables["time_text"] == TEMPLATES.text("utter_label_time_bare", value="1")


def test_the_cut_off_hour_is_read_from_the_steps_only_when_they_state_it() -> None:
    from actions.timing import next_day_cutoff

    assert next_day_cutoff(["(i) Trường hợp hồ sơ đầy đủ, hợp lệ thì tiếp nhận hồ sơ; nếu tiếp "
                            "nhận hồ sơ sau 15 giờ thì có Phiếu hẹn, trả kết quả cho người yêu "
                            "cầu trong ngày làm việc tiếp theo (nếu…)"]) == "15"
    assert next_day_cutoff(["tiếp nhận hồ sơ, có Phiếu hẹn, trả kết quả cho người yêu cầu"]) \
        is None
    # a letter sent after 16:00 is no result handed back
    assert next_day_cutoff(["nếu tiếp nhận hồ sơ sau 16 giờ thì văn bản trả lời được gửi "
                            "trong ngày làm việc tiếp theo"]) is None


def test_a_stated_unit_reads_in_lowercase_without_a_note(dialogue) -> None:
    outcome = dialogue.answer(DialogueState(), Message("đăng ký thường trú mất bao lâu",
                                                       "ask_processing_time"))
    text = "\n".join(texts(outcome))
    assert "Thời gian: 7 ngày làm việc" in text
    assert "(*)" not in text


def test_the_unit_of_another_method_for_the_same_number_is_used() -> None:
    free = Fee(amount_vnd=0, text="Miễn phí")
    online = Channel(method=Method.ONLINE, fee=free, processing_time=ProcessingTime(
        value=1, unit="ngày làm việc", text="1 Ngày làm việc"))
    in_person = Channel(method=Method.IN_PERSON, fee=free,
                        processing_time=ProcessingTime(value=1, text="1"))
    other = Channel(method=Method.POST, fee=free,
                    processing_time=ProcessingTime(value=3, text="3"))
    channels = [online, in_person, other]
    assert time_text(in_person, channels).text == "1 ngày làm việc"
    assert not time_text(in_person, channels).bare
    assert time_text(other, channels).text == "3" and time_text(other, channels).bare


def test_online_answer_carries_the_note_too(dialogue) -> None:
    state = DialogueState(procedure_code=KHAI_SINH)
    shown = texts(dialogue.answer(state, Message("lam onl dc ko", "ask_online")))
    bare = TEMPLATES.text("utter_label_time_bare_cutoff", value="1", cutoff_hour="15")
    assert any(f"thời gian giải quyết {bare}" in t for t in shown)
    assert not any("(*)" in t for t in shown)


def test_fees_per_method_match_the_catalog_cells(dialogue) -> None:
    # Catalog 1.004222: "Trực tuyến7 Ngày làm việc10,000 Việt Nam Đồng…Trực tiếp7 Ngày làm việc20,000"
    text = "\n".join(texts(dialogue.answer(DialogueState(), Message(
        "lệ phí đăng ký thường trú", "ask_fee"))))
    assert "nộp trực tuyến: 10.000 đồng" in text
    assert "nộp trực tiếp: 20.000 đồng" in text


def test_where_without_an_agency_in_the_catalog_says_nothing_about_it(dialogue,
                                                                        knowledge_base) -> None:
    procedure = knowledge_base.procedure(KHAI_SINH)
    assert not (procedure.agency or procedure.competent_agency)
    shown = texts(dialogue.answer(DialogueState(procedure_code=KHAI_SINH),
                                  Message("nop o dau", "ask_where")))
    assert "chưa ghi rõ" not in "\n".join(shown)
    assert shown[1].startswith("Nơi tiếp nhận hồ sơ:")


def test_checklist_starts_with_what_everyone_needs(dialogue) -> None:
    outcome = dialogue.answer(DialogueState(), Message("khai sinh cần giấy tờ gì",
                                                       "ask_documents"))
    shown = texts(outcome)
    first = shown[1].splitlines()[1]
    assert first.startswith("• Giấy chứng sinh")
    assert "bỏ rơi" not in shown[1]  # special cases sit behind "Giấy tờ chi tiết"
    detail = texts(dialogue.answer(outcome.state, Message("/ask_documents", "ask_documents")))
    assert detail[0].splitlines()[1].startswith("1. Giấy chứng sinh")
    assert "bỏ rơi" in "\n".join(detail)


@pytest.mark.parametrize("text, intent, aspect_response", [
    ("mất mấy ngày", "ask_processing_time", "utter_processing_time"),
    ("mat may ngay", "ask_processing_time", "utter_processing_time"),
    ("hết mấy ngày z", "ask_processing_time", "utter_processing_time"),
    ("bao gio co kq", "ask_processing_time", "utter_processing_time"),
    ("hẹn mấy ngày vậy", "ask_processing_time", "utter_processing_time"),
    ("het bn tien", "ask_fee", "utter_fees"),
    ("tốn bn tiền ạ", "ask_fee", "utter_fees"),
    ("phi bn z ad", "ask_fee", "utter_fees"),
    ("nop o dau z", "ask_where", "utter_where_office"),
    ("can mang j", "ask_documents", "utter_documents"),
    ("nop tren vneid dc ko", "ask_online", "utter_online_available"),
])
def test_shorthand_follow_ups_stay_on_the_procedure_under_discussion(
        dialogue, text: str, intent: str, aspect_response: str) -> None:
    outcome = dialogue.answer(DialogueState(procedure_code=KHAI_SINH), Message(text, intent))
    assert outcome.turn.procedure == KHAI_SINH and outcome.turn.decision == "answer"
    assert aspect_response in [r.response for r in outcome.replies]


def test_a_general_question_whose_words_name_an_aspect_answers_that_aspect(dialogue) -> None:
    # Rasa often calls this a general question; its words ask for the documents.
    outcome = dialogue.answer(DialogueState(procedure_code="1.001193"), Message(
        "e muốn làm giấy khai sinh cho bé thì cần j ạ 🙏", "ask_procedure"))
    responses = [r.response for r in outcome.replies]
    assert (outcome.turn.decision, outcome.turn.procedure) == ("answer", "1.001193")
    assert "utter_documents" in responses  # the procedure was already introduced: details
    assert not {"utter_summary_fee", "utter_fees"} & set(responses)


@pytest.mark.parametrize("text, intent", [("đăng ký kết hôn cần gì ko", "deny"),
                                          ("chào ad, dk thuong tru can giay to gi", "greet")])
def test_a_question_taken_for_small_talk_is_answered(dialogue, text: str, intent: str) -> None:
    outcome = dialogue.chitchat(DialogueState(), Message(text, intent))
    assert outcome.turn.decision in ("answer", "clarify") and outcome.turn.procedure


@pytest.mark.parametrize("text, intent", [("không cần đâu", "deny"), ("ok", "affirm"),
                                          ("ok cảm ơn bạn nhiều nhé 😊", "thank"),
                                          ("chào em", "greet")])
def test_real_small_talk_stays_small_talk(dialogue, text: str, intent: str) -> None:
    outcome = dialogue.chitchat(DialogueState(), Message(text, intent))
    assert outcome.turn.decision == "chitchat"


def test_one_candidate_is_offered_as_a_yes_no_not_as_a_list(dialogue) -> None:
    from knowledge_base.models import SearchHit, TargetType

    hit = SearchHit(type=TargetType.PROCEDURE, id="1.001193", title="Thủ tục đăng ký khai sinh",
                    score=0.5, confidence=0.5)
    one = dialogue.composer.clarify([hit], "general")
    assert one[0].response == "utter_clarify_one" and len(one[0].buttons) == 1
    assert "dưới đây" in TEMPLATES.render(one[0]).text
    assert dialogue.composer.clarify([hit, hit], "general")[0].response == "utter_clarify"


def test_a_long_fee_note_continues_without_a_raw_placeholder(dialogue) -> None:
    # Khai tử: each method carries the province's long fee note (over one message).
    shown = texts(dialogue.answer(DialogueState(), Message("lệ phí đăng ký khai tử", "ask_fee")))
    assert not any("{" in t for t in shown), shown


def test_methods_that_agree_share_one_line(dialogue, knowledge_base) -> None:
    first = dialogue.answer(DialogueState(), Message("lệ phí đăng ký kết hôn", "ask_fee"))
    assert "Lệ phí: Miễn phí" in texts(first)  # one line for the methods that agree
    shown = texts(dialogue.answer(first.state, Message("/ask_fee", "ask_fee")))
    fee = knowledge_base.procedure("1.000894").channels[0].fee.text
    assert f"• Mọi hình thức nộp: {fee}" in "\n".join(shown)
    assert sum(t.count(fee) for t in shown) == 1


def test_where_quotes_the_catalog_when_it_names_another_place(dialogue) -> None:
    # Catalog 1.004194 (tạm trú), in-person row: "- Nộp hồ sơ trực tiếp tại Công an cấp xã."
    outcome = dialogue.answer(DialogueState(procedure_code="1.004194"),
                              Message("nộp ở đâu", "ask_where"))
    text = "\n".join(texts(outcome))
    assert "Danh mục thủ tục ghi: Nộp hồ sơ trực tiếp tại Công an cấp xã" in text


def test_a_chatty_topic_switch_is_searched_by_its_core_words(dialogue) -> None:
    from knowledge_base.analysis import Lexicon

    assert Lexicon.load().analyze("thế còn cho con nuôi thì sao").core == "con nuôi"
    state = DialogueState(procedure_code=KHAI_SINH)
    outcome = dialogue.answer(state, Message("thế còn khai tử thì sao", "ask_procedure"))
    assert (outcome.turn.procedure, outcome.turn.decision) == ("1.000656", "answer")


def test_a_follow_up_after_a_single_suggestion_is_about_that_suggestion(dialogue) -> None:
    state = DialogueState(awaiting="procedure", procedure_options=[KHAI_SINH],
                          pending_aspect="documents")
    outcome = dialogue.answer(state, Message("mat may ngay", "ask_processing_time"))
    assert (outcome.turn.procedure, outcome.turn.decision) == (KHAI_SINH, "answer")
    assert "utter_summary_time" in [r.response for r in outcome.replies]


def test_then_con_without_diacritics_is_the_filler_but_con_nuoi_keeps_its_child() -> None:
    from knowledge_base.analysis import Lexicon

    lexicon = Lexicon.load()
    assert lexicon.analyze("the con khai tu thi sao").core == "khai tu"
    assert lexicon.analyze("thế còn cho con nuôi thì sao").core == "con nuôi"
    assert not lexicon.analyze("het bn").names_something


def test_the_fee_rule_kept_in_the_description_cell_is_shown(dialogue) -> None:
    # Catalog 2.000815 (chứng thực bản sao): fee cell "2,000 Việt Nam Đồng(/trang)", the
    # description cell "… 2.000 đồng/trang; từ trang thứ 3 trở lên thu 1.000 đồng/trang …".
    outcome = dialogue.answer(DialogueState(procedure_code="2.000815"),
                              Message("het bn tien", "ask_fee"))
    text = "\n".join(texts(outcome))
    assert "2.000 đồng (/trang)" in text
    assert "từ trang thứ 3 trở lên thu 1.000 đồng/trang" in text
    where = "\n".join(texts(dialogue.answer(outcome.state, Message("lam o dau", "ask_where"))))
    assert "Danh mục thủ tục ghi" not in where  # "Tại …: 2.000 đồng" is a fee, not a place


def test_an_over_long_catalog_paragraph_is_cut_at_sentence_ends() -> None:
    from actions.formatting import chunk_lines

    sentence = "Người nộp thuế lập hồ sơ khai thuế và gửi đến cơ quan thuế quản lý trực tiếp. "
    blocks = chunk_lines(["Bước 1. " + sentence * 40, "Bước 2. Nhận kết quả."], 900)
    assert len(blocks) > 3 and all(len(b) <= 900 for b in blocks)
    assert all(b.rstrip().endswith(".") for b in blocks)
    assert "".join(blocks).replace("\n", "").replace(" ", "") == (
        "Bước 1. " + sentence * 40 + "Bước 2. Nhận kết quả.").replace(" ", "")
    assert [len(b) for b in chunk_lines(["x" * 2000], 900)] == [900, 900, 200]


def test_form_names_read_once_without_file_extensions(dialogue) -> None:
    # Catalog 1.014061 (thẻ căn cước): form cell "Mẫu DC01 Phiếu thu thập thông tin dân cư.docx".
    state = DialogueState(procedure_code="1.014061")
    text = "\n".join(texts(dialogue.answer(state, Message("can giay to gi", "ask_documents"))))
    assert "Mẫu DC01" in text
    assert "mẫu Mẫu" not in text and ".doc" not in text
    where = "\n".join(texts(dialogue.answer(state, Message("lam o dau", "ask_where"))))
    assert "Danh mục thủ tục ghi: Trực tiếp tại địa điểm tiếp dân của Công an cấp xã" in where


def test_a_re_mention_of_the_procedure_under_discussion_is_not_a_miss(dialogue,
                                                                      knowledge_base) -> None:
    # "Cấp thẻ căn cước …" under discussion, then "lệ phí làm thẻ bao nhiêu": "thẻ" names
    # no procedure by itself, so only the conversation says which card is meant.
    code = "1.014061"
    question = Message("lệ phí làm thẻ bao nhiêu", "ask_fee")
    alone = knowledge_base.search(question.text)
    assert not (alone.decision.value == "answer" and alone.top and alone.top.id == code)
    without_topic = dialogue.answer(DialogueState(), question)
    assert (without_topic.turn.procedure, without_topic.turn.decision) != (code, "answer")
    outcome = dialogue.answer(DialogueState(procedure_code=code), question)
    assert (outcome.turn.procedure, outcome.turn.decision) == (code, "answer")
    other = dialogue.answer(DialogueState(procedure_code=code),
                            Message("làm hộ chiếu mất bao lâu", "ask_processing_time"))
    assert other.turn.procedure != code


def test_a_follow_up_after_several_suggestions_offers_them_again(dialogue) -> None:
    options = [KHAI_SINH, "1.000689"]
    state = DialogueState(awaiting="procedure", procedure_options=options, pending_aspect="general")
    outcome = dialogue.answer(state, Message("mất bao lâu", "ask_processing_time"))
    buttons = [b.payload for r in outcome.replies for b in r.buttons]
    assert outcome.turn.decision == "clarify" and len(buttons) == 2
    assert all('"aspect":"time"' in b for b in buttons) and KHAI_SINH in buttons[0]


@pytest.mark.parametrize("text, intent", [("bao lau thi co", "ask_processing_time"),
                                          ("het bn tien", "ask_fee")])
def test_a_time_or_fee_follow_up_without_a_procedure_asks_which_one(dialogue, text: str,
                                                                    intent: str) -> None:
    # Never an FAQ matched on the aspect words alone (it answered "Có. Tại Trung tâm … có cán bộ").
    outcome = dialogue.answer(DialogueState(), Message(text, intent))
    assert [r.response for r in outcome.replies] == ["utter_ask_which_procedure"]


@pytest.mark.parametrize("text", ["can j nua ko", "thế thôi à hay cần gì thêm"])
def test_asking_what_else_to_bring_is_a_documents_follow_up(dialogue, text: str) -> None:
    outcome = dialogue.answer(DialogueState(procedure_code="1.004873"),
                              Message(text, "ask_documents"))
    assert outcome.turn.procedure == "1.004873"
    assert "utter_documents" in [r.response for r in outcome.replies]


def test_an_unsure_aspect_intent_without_aspect_words_gives_the_overview(dialogue) -> None:
    state = DialogueState(procedure_code=KHAI_SINH)
    unsure = dialogue.answer(state, Message("đổi tên cho con được không ạ", "ask_online",
                                            intent_confidence=0.54))
    assert "utter_online_available" not in [r.response for r in unsure.replies]
    sure = dialogue.answer(state, Message("lam onl dc ko", "ask_online", intent_confidence=0.57))
    assert "utter_online_available" in [r.response for r in sure.replies]


def test_a_note_every_method_repeats_after_its_own_amount_is_said_once(dialogue) -> None:
    # Catalog 1.001612: "50.000 đồng (- Mức lệ phí cụ thể do HĐND tỉnh … )" in person and
    # "150.000 đồng (…the same 600 characters…)" online and by post.
    state = DialogueState(procedure_code=HO_KINH_DOANH, intro_shown=HO_KINH_DOANH)
    shown = "\n".join(texts(dialogue.answer(state, Message("/ask_fee", "ask_fee"))))
    assert "• Nộp trực tiếp: 50.000 đồng\n" in shown
    assert shown.count("Thông tư số 85/2019/TT-BTC") == 1
    first = "\n".join(texts(dialogue.answer(DialogueState(), Message(
        "đăng ký hộ kinh doanh lệ phí bao nhiêu", "ask_fee"))))
    assert first.count("HĐND thành phố quyết định") == 1 and ". ;" not in first
    assert "50.000 đồng" in first and "150.000 đồng" in first
