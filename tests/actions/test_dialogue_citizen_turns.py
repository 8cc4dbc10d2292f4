"""Turns new citizens wrote in a tried conversation, on the real knowledge base.

Each test is one reply that went wrong: a correction that got "I am a bot", a
detail of the procedure under discussion answered as "not in the catalog", a
button payload or a thank-you answered with an unrelated FAQ, a digit inside a
question taken for a case number, a time the catalog leaves blank.
"""

from dataclasses import replace
from pathlib import Path

import pytest

from actions.choices import case_by_words, case_named, ordinal_in
from actions.dialogue import DialogueState, Message
from actions.registry import build_dialogue
from actions.templates import DomainTemplates
from knowledge_base.analysis import Lexicon
from knowledge_base.resolver import is_variant

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "bot" / "domain"
KET_HON = "1.000894"
KET_HON_NUOC_NGOAI = "2.000806"
KHAI_TU = "1.000656"
HO_KINH_DOANH = "1.001612"


@pytest.fixture(scope="module")
def dialogue(knowledge_base):
    return build_dialogue(knowledge_base, DomainTemplates.load(DOMAIN))


def responses(outcome) -> list[str]:
    return [reply.response for reply in outcome.replies]


def test_a_correction_with_a_detail_refines_the_procedure_under_discussion(dialogue) -> None:
    state = DialogueState(procedure_code=KET_HON)
    for text in ("khong phai, y em la nguoi nuoc ngoai", "thế còn người nước ngoài thì sao"):
        outcome = dialogue.answer(state, Message(text, "ask_procedure"))
        assert outcome.turn.procedure == KET_HON_NUOC_NGOAI, text


def test_an_unknown_detail_of_the_procedure_under_discussion_stays_on_it(dialogue) -> None:
    state = DialogueState(procedure_code=KHAI_TU)
    outcome = dialogue.answer(state, Message("ông em mất ở bệnh viện thì sao", "ask_procedure"))
    assert outcome.turn.decision == "not_found"
    assert responses(outcome) == ["utter_not_found_in_context"]
    assert "khai tử" in outcome.replies[0].variables["procedure_name"]
    assert outcome.state.procedure_code == KHAI_TU and outcome.state.human_offered
    buttons = DomainTemplates.load(DOMAIN).render(outcome.replies[0]).buttons
    assert [b.payload for b in buttons] == ["/ask_documents", "/request_human", "/deny"]


def test_the_no_thanks_button_is_not_read_as_a_question(dialogue) -> None:
    state = DialogueState(procedure_code=KHAI_TU, miss_count=1, human_offered=True)
    outcome = dialogue.chitchat(state, Message("/deny", "deny"))
    assert responses(outcome) == ["utter_anything_else"]
    assert outcome.turn.decision == "chitchat"


def test_thanks_with_a_stray_word_is_not_an_faq_question(dialogue) -> None:
    for text in ("ok cam on ad nhiu 😊", "cảm ơn nhìu nha"):
        outcome = dialogue.chitchat(DialogueState(), Message(text, "thank"))
        assert responses(outcome) == ["utter_you_are_welcome"], text


def test_documents_follow_up_with_mang_theo_stays_on_the_procedure(dialogue) -> None:
    state = DialogueState(procedure_code=KHAI_TU)
    outcome = dialogue.answer(state, Message("can mang theo nhung gi", "ask_documents"))
    assert outcome.turn.procedure == KHAI_TU and outcome.turn.decision == "answer"
    assert "utter_documents" in responses(outcome)


def test_a_blank_catalog_time_says_where_the_time_is_given(dialogue) -> None:
    state = DialogueState(procedure_code=HO_KINH_DOANH)
    outcome = dialogue.answer(state, Message("mat bao lau", "ask_processing_time"))
    assert "utter_time_not_stated" in responses(outcome)


def test_a_digit_inside_a_question_is_no_ordinal() -> None:
    assert ordinal_in("nha 3 tang thi co can xin ko") is None
    assert ordinal_in("đám cưới xong thì đăng ký kết hôn cần gì") is None
    assert ordinal_in("em thuộc trường hợp thứ 2 ạ") == 2
    assert ordinal_in("cái cuối") == -1 and ordinal_in("3") == 3
    # Short, but a size or an age: "nhà cấp 4 thôi" answers no "which case?" with case 4.
    assert ordinal_in("nhà cấp 4 thôi") is None and ordinal_in("con 5 tuổi") is None


def test_heading_numbers_do_not_pick_a_case() -> None:
    cases = ["(1.1) Đối với công trình không theo tuyến", "(1.2) Đối với công trình theo tuyến",
             "(1.3) Đối với công trình tôn giáo", "(1.7) Đối với công trình nhà ở riêng lẻ"]
    analysis = Lexicon.load().analyze("nha 3 tang thi co can xin ko")
    assert case_by_words("Cấp giấy phép xây dựng mới", cases, analysis) is None
    chosen = Lexicon.load().analyze("công trình tôn giáo")
    assert case_by_words("Cấp giấy phép xây dựng mới", cases, chosen) == 3


def test_a_detail_shared_with_another_procedure_is_no_variant_of_this_one() -> None:
    lexicon = Lexicon.load()
    ket_hon = lexicon.analyze("Thủ tục đăng ký kết hôn")
    assert is_variant(ket_hon, "Thủ tục đăng ký kết hôn có yếu tố nước ngoài", "nguoi nuoc ngoai")
    khai_tu = lexicon.analyze("Thủ tục đăng ký khai tử")
    assert not is_variant(khai_tu, "Thủ tục đăng ký khai sinh có yếu tố nước ngoài",
                          "mất ở nước ngoài")


def test_a_greeting_while_waiting_for_staff_says_an_officer_will_answer(dialogue) -> None:
    handed = dialogue.handoff(DialogueState(procedure_code=KHAI_TU), "request_human",
                              "citizen_request")
    assert handed.state.handed_off
    for text in ("alo", "co ai ko a"):
        waiting = dialogue.chitchat(handed.state, Message(text, "greet"))
        assert responses(waiting) == ["utter_handoff_waiting"], text
    answered = dialogue.answer(handed.state, Message("lệ phí bao nhiêu", "ask_fee"))
    assert answered.turn.decision == "answer" and not answered.state.handed_off
    later = dialogue.chitchat(answered.state, Message("alo", "greet"))
    assert responses(later) == ["utter_greet"]


def test_a_number_in_a_fee_follow_up_stays_on_the_procedure(dialogue) -> None:
    state = DialogueState(procedure_code=HO_KINH_DOANH)
    outcome = dialogue.answer(state, Message("1 người bao nhiêu tiền", "ask_fee"))
    assert (outcome.turn.procedure, outcome.turn.decision) == (HO_KINH_DOANH, "answer")
    assert "utter_fees" in responses(outcome)


def test_the_ordinary_tam_tru_case_has_a_title_citizens_recognise(dialogue,
                                                                   knowledge_base) -> None:
    # The ordinary case is answered at once; the other cases are one tap away.
    outcome = dialogue.answer(DialogueState(), Message("dk tam tru can gi", "ask_documents"))
    procedure = knowledge_base.procedure("1.004194")
    assert outcome.turn.decision == "answer" and outcome.state.case_index == 1
    assert "utter_summary_documents" in responses(outcome)
    others = next(r for r in outcome.replies if r.response == "utter_summary_other_cases")
    assert len(others.buttons) == len(procedure.cases) - 1 >= 1
    assert others.buttons[0].payload.startswith('/choose_case{"case_index":"2"')
    chosen = dialogue.answer(outcome.state, Message("/choose_case", "choose_case",
                                                    {"case_index": "2", "aspect": "documents"}))
    heading = [r for r in chosen.replies if r.response == "utter_summary_documents_case"][0]
    assert heading.variables["case_name"] == procedure.cases[1]
    # Asked as a question (a procedure without an ordinary case), the ordinary heading
    # gets a title citizens recognise.
    asked = dialogue.composer.case_question(procedure, "documents")
    buttons = DomainTemplates.load(DOMAIN).render(asked[-1]).buttons
    assert buttons[0].title == "Cá nhân, hộ gia đình – hồ sơ thông thường"
    # The catalog's own heading: "Hồ sơ đăng ký tạm trú" (or just the procedure's name).
    assert procedure.cases[0].removeprefix("Hồ sơ ").lower() == procedure.name.lower()


def test_words_of_the_current_name_stay_on_it_even_when_others_share_them(dialogue) -> None:
    # "gia hạn" alone could be several permits; on "Gia hạn tạm trú" it re-mentions it.
    state = DialogueState(procedure_code="1.002755")
    outcome = dialogue.answer(state, Message("phí gia hạn bao nhiêu", "ask_fee"))
    assert (outcome.turn.procedure, outcome.turn.decision) == ("1.002755", "answer")


def test_one_message_asking_time_and_fee_gets_both(dialogue) -> None:
    text = "cho em hỏi đăng ký kết hôn mất bao lâu và hết bao nhiêu tiền ạ"
    outcome = dialogue.answer(DialogueState(), Message(text, "ask_fee"))
    assert outcome.turn.procedure == KET_HON
    assert {"utter_summary_fee", "utter_summary_time"} <= set(responses(outcome))
    asked = dialogue.answer(DialogueState(), Message("đăng ký kết hôn cần những gì, nộp ở đâu?",
                                                     "ask_documents"))
    names = responses(asked)
    assert "utter_summary_documents" in names
    assert any(n.startswith("utter_summary_where") for n in names)
    # A noun like "hồ sơ" in a where-question adds no document list.
    where = dialogue.answer(DialogueState(), Message("nộp hồ sơ kết hôn ở đâu", "ask_where"))
    assert not any("documents" in n for n in responses(where))


def test_an_ordinal_with_nothing_offered_is_not_searched(dialogue) -> None:
    outcome = dialogue.answer(DialogueState(), Message("cái thứ 2", "choose_procedure"))
    assert responses(outcome) == ["utter_ask_which_procedure"]
    assert ordinal_in("cái thứ 7") == 7


def test_a_name_the_words_fit_better_switches_from_a_longer_name(dialogue) -> None:
    # On "Cấp bản sao trích lục hộ tịch, bản sao Giấy khai sinh", "khai sinh cần gì" is
    # within that name, yet "Thủ tục đăng ký khai sinh" is what the words name.
    state = DialogueState(procedure_code="2.000635")
    outcome = dialogue.answer(state, Message("khai sinh cần gì", "ask_documents"))
    assert outcome.turn.procedure == "1.001193"


NARRATIVE = ("Chào em. Chị năm nay 60 tuổi, muốn làm lại thẻ căn cước vì bị mất ví, chị ko rành "
             "điện thoại. Hỏi em phải đi đâu, mang gì, có mất tiền không?")


def test_a_long_narrative_is_answered_from_its_clearest_clause(dialogue) -> None:
    outcome = dialogue.answer(DialogueState(), Message(NARRATIVE, "ask_procedure"))
    assert outcome.turn.procedure == "1.014064", outcome.turn
    gold = "Tôi là Lan, tôi đã nghỉ hưu 5 năm, giờ muốn hỏi về giá vàng hôm nay, và thời tiết"
    unrelated = dialogue.answer(DialogueState(), Message(gold, "out_of_scope"))
    assert unrelated.turn.decision == "not_found"


def test_an_aspect_and_a_stray_word_ask_about_the_current_procedure(dialogue) -> None:
    state = DialogueState(procedure_code=HO_KINH_DOANH)
    for text in ("lệ phí bao nhiu", "phí nhiu z"):
        outcome = dialogue.answer(state, Message(text, "ask_fee"))
        assert (outcome.turn.procedure, outcome.turn.decision) == (HO_KINH_DOANH, "answer"), text


def test_no_online_button_where_the_catalog_lists_no_online_submission(dialogue,
                                                                      knowledge_base) -> None:
    templates = DomainTemplates.load(DOMAIN)
    for code in ("2.000884", KET_HON):  # chứng thực chữ ký (no online row), kết hôn (online)
        procedure = knowledge_base.procedure(code)
        online = any(ch.method.value == "truc_tuyen" for ch in procedure.channels)
        outcome = dialogue.answer(DialogueState(), Message(
            "/choose_procedure", "choose_procedure", {"procedure_code": code, "aspect": "general"}))
        payloads = [b.payload for r in outcome.replies for b in templates.render(r).buttons]
        assert ("/ask_online" in payloads) == online, code


def test_where_and_online_in_one_message_are_both_answered(dialogue) -> None:
    text = "đăng ký kết hôn làm ở đâu, có làm online được không"
    names = responses(dialogue.answer(DialogueState(), Message(text, "ask_where")))
    assert any(n.startswith("utter_summary_where") for n in names)
    assert any(n.startswith("utter_summary_online") for n in names), names


def test_a_blank_catalog_fee_says_whom_to_ask(dialogue, knowledge_base) -> None:
    code = "1.014062"  # thẻ căn cước dưới 14 tuổi: no fee cell in the catalog
    channels = knowledge_base.procedure(code).channels
    assert not any(ch.fee.text or ch.fee.amount_vnd is not None for ch in channels)
    outcome = dialogue.answer(DialogueState(procedure_code=code), Message("bn tiền", "ask_fee"))
    assert "utter_fee_not_stated" in responses(outcome)
    paid = dialogue.answer(DialogueState(procedure_code=KET_HON), Message("bn tiền", "ask_fee"))
    assert "utter_fee_not_stated" not in responses(paid)


def test_a_question_naming_one_case_gets_its_checklist_without_asking(dialogue,
                                                                      knowledge_base) -> None:
    cases = knowledge_base.procedure("1.004194").cases
    named = dialogue.answer(DialogueState(), Message(
        "đăng ký tạm trú theo danh sách cần giấy tờ gì", "ask_documents"))
    assert named.turn.decision == "answer" and named.state.case_index is not None
    assert "theo danh sách" in cases[named.state.case_index - 1]
    assert "utter_summary_documents_case" in responses(named)
    plain = dialogue.answer(DialogueState(), Message("đk tạm trú cho người thuê nhà",
                                                     "ask_documents"))
    # no case named: the ordinary one is answered, the others offered as buttons
    assert plain.turn.decision == "answer" and plain.state.case_index == 1
    assert "utter_summary_other_cases" in responses(plain)


def test_a_bare_number_nobody_asked_for_is_no_rating_yet(dialogue) -> None:
    unasked = dialogue.rate(DialogueState(procedure_code=KET_HON), Message("1", "rate"))
    assert unasked.rating is None and responses(unasked) == ["utter_ask_rating"]
    assert unasked.state.rating_asked
    assert dialogue.rate(unasked.state, Message("1", "rate")).rating == 1
    asked = dialogue.ask_rating(DialogueState(), Message("cảm ơn", "thank"))
    assert asked.state.rating_asked
    assert dialogue.rate(asked.state, Message("5", "rate")).rating == 5
    assert dialogue.rate(DialogueState(), Message("tôi chấm 4 sao", "rate")).rating == 4


def test_the_bare_name_of_a_procedure_listing_its_cases_names_none() -> None:
    # "Cấp giấy phép xây dựng mới … (Tín ngưỡng, tôn giáo/Tượng đài, …) và nhà ở riêng lẻ"
    # lists every case: typing the name picks none; "nhà ở riêng lẻ" alone picks that one.
    name = ("Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV (Công trình không "
            "theo tuyến/Tín ngưỡng, tôn giáo/Tượng đài, tranh hoành tráng) và nhà ở riêng lẻ")
    cases = ["(1.1) Đối với công trình không theo tuyến", "(1.3) Đối với công trình tôn giáo",
             "(1.4) Đối với công trình tín ngưỡng",
             "(1.5) Đối với công trình tượng đài, tranh hoành tráng",
             "(1.7) Đối với công trình nhà ở riêng lẻ"]
    lexicon = Lexicon.load()
    assert case_named(name, cases, lexicon.analyze(name + " cần gì")) is None
    assert case_named(name, cases, lexicon.analyze("xin giay phep xay nha o rieng le")) == 5


def test_the_aspect_asked_before_the_procedure_was_named_is_answered(dialogue) -> None:
    asked = dialogue.answer(DialogueState(), Message("lệ phí bao nhiêu vậy", "ask_fee"))
    assert asked.turn.decision == "clarify" and asked.state.pending_aspect == "fee"
    named = dialogue.answer(asked.state, Message("đăng ký kết hôn", "ask_procedure"))
    assert (named.turn.decision, named.turn.procedure) == ("answer", KET_HON)
    assert "utter_summary_fee" in responses(named)


def test_a_procedure_name_taken_for_a_goodbye_is_answered_without_a_rating_prompt(
        dialogue) -> None:
    # Rasa's classifier took "ket hon" (no marks) for a goodbye; the rule runs the
    # chitchat step, then the rating step.
    message = Message("ket hon", "goodbye")
    answered = dialogue.chitchat(DialogueState(), message)
    assert (answered.turn.decision, answered.turn.procedure) == ("answer", "1.000894")
    after = dialogue.ask_rating(answered.state, message)
    assert after.replies == [] and after.records_turn is False
    # a real goodbye still gets its reply and one rating question
    bye = Message("tạm biệt nhé", "goodbye")
    said = dialogue.chitchat(DialogueState(), bye)
    assert said.turn.decision == "chitchat"
    rating = dialogue.ask_rating(said.state, bye)
    assert responses(rating) == ["utter_ask_rating"] and rating.records_turn


def test_a_procedure_question_taken_for_a_status_lookup_is_answered(dialogue) -> None:
    # Rasa took "nộp hồ sơ ở đâu và mất bao lâu" for "where is my application?"
    question = Message("Tôi mở tiệm cắt tóc nhỏ, phải đăng ký hộ kinh doanh. Tôi cần nộp hồ sơ "
                       "ở đâu và mất bao lâu?", "ask_application_status")
    outcome = dialogue.ask_application_code(DialogueState(), question)
    assert (outcome.turn.decision, outcome.turn.procedure) == ("answer", HO_KINH_DOANH)
    for text in ("hồ sơ của mình giờ sao rồi ạ", "tra cứu tình trạng giúp tôi với"):
        lookup = dialogue.ask_application_code(DialogueState(),
                                               Message(text, "ask_application_status"))
        assert responses(lookup) == ["utter_status_ask_code"], text
        assert lookup.turn.decision == "clarify"


def test_small_talk_that_brushes_one_word_of_a_name_stays_small_talk(dialogue) -> None:
    # the classifier's "no" (folded like "nợ") or "tử" alone are no procedure names
    for text, intent in (("no", "deny"), ("tử", "goodbye"), ("lưu động", "affirm")):
        outcome = dialogue.chitchat(DialogueState(), Message(text, intent))
        assert outcome.turn.decision == "chitchat", text


def test_a_story_with_dates_taken_for_a_booking_is_answered(dialogue) -> None:
    # Rasa took a long question with a day and month in it for "book an appointment"
    story = Message("Con tôi sinh ngày 2 tháng 5 ở bệnh viện, giờ tôi muốn đăng ký khai sinh "
                    "cho cháu thì cần những giấy tờ gì?", "book_appointment")
    outcome = dialogue.offer_appointment(DialogueState(), story)
    assert (outcome.turn.decision, outcome.turn.procedure) == ("answer", "1.001193")
    # a message asking for a slot gets the booking steps, even when it names a procedure
    for text in ("tôi muốn đặt lịch nộp hồ sơ khai sinh cho con", "hẹn ngày lên nộp được không",
                 "/book_appointment"):
        offer = dialogue.offer_appointment(DialogueState(), Message(text, "book_appointment"))
        assert responses(offer) == ["utter_appointment_offer"], text


def test_a_long_story_taken_for_a_booking_is_asked_as_a_question(dialogue) -> None:
    # no booking word and many words: the procedures it may mean, not a booking offer
    story = Message("Năm nay tôi đã 70 tuổi, hồi trẻ đi bộ đội nên mất hết giấy tờ, nay các con "
                    "nhắc phải làm lại giấy khai sinh, tôi không nhớ ngày tháng sinh thì sao?",
                    "book_appointment")
    outcome = dialogue.offer_appointment(DialogueState(), story)
    assert outcome.turn.decision in ("answer", "clarify")
    # short and about a procedure, without a booking word: answered
    short = dialogue.offer_appointment(
        DialogueState(), Message("đăng ký khai sinh cho cháu cần gì", "book_appointment"))
    assert (short.turn.decision, short.turn.procedure) == ("answer", "1.001193")
    # short and about nothing the catalog knows: the booking offer stands
    vague = dialogue.offer_appointment(DialogueState(),
                                       Message("cho mình lên sớm nhé", "book_appointment"))
    assert responses(vague) == ["utter_appointment_offer"]


def test_every_booking_example_of_the_bot_still_gets_the_booking_offer(dialogue) -> None:
    import yaml

    nlu = yaml.safe_load((ROOT / "bot/data/nlu/services.yml").read_text(encoding="utf-8"))
    block = next(item for item in nlu["nlu"] if item["intent"] == "book_appointment")
    examples = [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]
    assert len(examples) >= 20
    for text in examples:
        offer = dialogue.offer_appointment(DialogueState(), Message(text, "book_appointment"))
        assert responses(offer) == ["utter_appointment_offer"], text


def test_small_talk_made_of_fillers_stays_small_talk(dialogue) -> None:
    # the resolver reads no procedure in unmarked fillers ("cho hoi", "ok cam on nhe")
    for text, intent in (("ok cam on nhe", "thank"), ("chao ban", "greet"), ("ok", "affirm")):
        outcome = dialogue.chitchat(DialogueState(), Message(text, intent))
        assert outcome.turn.decision == "chitchat", text


def _examples(intent: str, file: str) -> list[str]:
    import yaml

    nlu = yaml.safe_load((ROOT / "bot/data/nlu" / file).read_text(encoding="utf-8"))
    block = next(item for item in nlu["nlu"] if item["intent"] == intent)
    return [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]


def test_a_story_taken_for_a_status_lookup_is_answered(dialogue) -> None:
    # Rasa takes long stories with a year and "hồ sơ" in them for "where is my application?"
    story = Message("Bố tôi mất ở nhà tháng trước, gia đình đã lo xong hậu sự, giờ tôi cần chuẩn bị "
                    "những gì để làm giấy báo tử cho bố?", "ask_application_status")
    outcome = dialogue.ask_application_code(DialogueState(), story)
    assert outcome.turn.decision in ("answer", "clarify")
    assert KHAI_TU in (outcome.turn.procedure, *outcome.state.procedure_options)
    # a message with a status word is still a status lookup, long or short, with or
    # without marks, even when it names the procedure
    for text in ("Tôi nộp hồ sơ đăng ký khai tử cho bố từ thứ hai, cán bộ hẹn ba ngày mà đến "
                 "hôm nay vẫn chưa thấy ai gọi báo", "ho so khai tu cua bo toi khi nao xong",
                 "hồ sơ đăng ký khai tử thế nào rồi ạ"):
        lookup = dialogue.ask_application_code(DialogueState(),
                                               Message(text, "ask_application_status"))
        assert responses(lookup) == ["utter_status_ask_code"], text
    # "tình trạng hôn nhân" is a procedure's name, not an application's state
    single = Message("xin giấy xác nhận tình trạng hôn nhân ở đâu", "ask_application_status")
    outcome = dialogue.ask_application_code(DialogueState(), single)
    assert (outcome.turn.decision, outcome.turn.procedure) == ("answer", "1.004873")


def test_every_status_example_of_the_bot_still_asks_for_the_code(dialogue) -> None:
    examples = _examples("ask_application_status", "services.yml")
    assert len(examples) >= 20
    for text in examples:
        outcome = dialogue.ask_application_code(DialogueState(),
                                                Message(text, "ask_application_status"))
        assert responses(outcome) == ["utter_status_ask_code"], text


def test_a_story_taken_for_small_talk_is_answered(dialogue) -> None:
    story = Message("Vợ tôi sinh bé ở nhà chứ không phải ở bệnh viện nên không có giấy chứng sinh, "
                    "vậy giờ làm khai sinh cho bé như thế nào?", "bot_challenge")
    outcome = dialogue.chitchat(DialogueState(), story)
    assert outcome.turn.decision in ("answer", "clarify")
    assert "1.001193" in (outcome.turn.procedure, *outcome.state.procedure_options)
    # long small talk that holds its intent's words stays small talk, however many
    # procedures its words brush
    for text, intent in (("bạn là người thật hay là máy tự động trả lời vậy, sao mình hỏi về "
                          "khai sinh mà trả lời nhanh thế", "bot_challenge"),
                         ("cảm ơn bạn nhiều nhé, mình đã hiểu cách làm khai sinh cho con rồi, "
                          "chúc bạn một ngày làm việc thật vui vẻ", "thank")):
        outcome = dialogue.chitchat(DialogueState(), Message(text, intent))
        assert outcome.turn.decision == "chitchat", text
    # a story taken for a "yes" (no word list: "có" is in every question) is a question
    yes = Message("Có, vợ tôi sinh bé ở nhà chứ không phải ở bệnh viện nên không có giấy chứng "
                  "sinh, giờ làm khai sinh cho bé được không?", "affirm")
    outcome = dialogue.chitchat(DialogueState(), yes)
    assert "1.001193" in (outcome.turn.procedure, *outcome.state.procedure_options)


def test_a_question_another_office_handles_says_where_to_go(dialogue) -> None:
    # a driving licence is the police's: say so and where, and count it as no miss
    state = DialogueState()
    for text in ("bằng lái xe máy của tôi bị mất, làm lại ở đâu", "muốn làm hộ chiếu cho cả nhà"):
        outcome = dialogue.answer(state, Message(text, "ask_where"))
        assert responses(outcome) == ["utter_out_of_scope_topic"], text
        assert outcome.turn.decision == "not_found" and outcome.turn.procedure is None
        state = outcome.state
    assert "Cổng dịch vụ công Bộ Công an" in outcome.replies[0].variables["elsewhere"]
    assert state.miss_count == 0 and state.human_offered
    # mid-conversation when the message turns to it ("còn…"); a detail stays on topic
    on_death = DialogueState(procedure_code=KHAI_TU)
    passport = dialogue.answer(on_death, Message("còn làm hộ chiếu cho mẹ thì sao",
                                                 "ask_procedure"))
    assert responses(passport) == ["utter_out_of_scope_topic"]
    fee = dialogue.answer(on_death, Message("còn lệ phí thì sao", "ask_fee"))
    assert fee.turn.procedure == KHAI_TU
    # a question nobody has written a pointer for keeps the plain "not found"
    plain = dialogue.answer(DialogueState(), Message("thời tiết hôm nay thế nào", "ask_procedure"))
    assert responses(plain)[0] in ("utter_not_found", "utter_default")


def test_buttons_behind_another_office_topic_come_with_where_to_go(dialogue) -> None:
    # the driving licence ranks first (the police's), a birth procedure close behind
    outcome = dialogue.answer(DialogueState(), Message("làm lại bằng lái và khai sinh",
                                                       "ask_procedure"))
    assert responses(outcome) == ["utter_out_of_scope_aside", "utter_clarify"]
    assert "Công an" in outcome.replies[0].variables["elsewhere"]
    assert outcome.state.procedure_options
    # buttons with no such topic ahead come alone
    alone = dialogue.answer(DialogueState(), Message("kết hôn lưu động", "ask_procedure"))
    assert responses(alone)[0] in ("utter_clarify", "utter_clarify_one")


def test_only_a_guessed_request_for_staff_is_read_as_a_question(dialogue) -> None:
    guessed = Message("đăng ký khai tử cho ông", "request_human", intent_confidence=0.3)
    outcome = dialogue.request_human(DialogueState(), guessed)
    assert (outcome.turn.decision, outcome.turn.procedure) == ("answer", KHAI_TU)
    # a sure classifier, a request word, a tapped button or an accepted offer hand off
    for message in (Message("đăng ký khai tử cho ông", "request_human", intent_confidence=0.9),
                    Message("cho gặp cán bộ hỏi về khai tử", "request_human",
                            intent_confidence=0.3),
                    Message("/request_human", "request_human", intent_confidence=0.2),
                    Message("có", "affirm", intent_confidence=0.3)):
        outcome = dialogue.request_human(DialogueState(human_offered=True), message)
        assert outcome.turn.decision == "handoff", message.text


def test_a_topic_taken_for_a_yes_or_a_no_without_its_words_gets_its_buttons(dialogue) -> None:
    # the classifier reads short topics as a yes or a no from none of their words
    for intent in ("affirm", "deny"):
        outcome = dialogue.chitchat(DialogueState(), Message("kết hôn lưu động", intent))
        assert outcome.turn.decision == "clarify", intent
        assert KET_HON in outcome.state.procedure_options
    # one holding a yes or a no word keeps the old rule: answered only when named outright
    holds = dialogue.chitchat(DialogueState(), Message("có kết hôn lưu động", "affirm"))
    assert holds.turn.decision == "chitchat"
    # small talk the knowledge base knows nothing of, or one word of a name, stays small talk
    for text, intent in (("hehe", "affirm"), ("tử", "deny"), ("tốt quá", "affirm")):
        outcome = dialogue.chitchat(DialogueState(), Message(text, intent))
        assert outcome.turn.decision == "chitchat", text


def test_a_yes_to_the_one_procedure_offered_opens_it(dialogue) -> None:
    asked = DialogueState(awaiting="procedure", procedure_options=[KHAI_TU],
                          pending_aspect="fee")
    for text in ("vâng", "đúng rồi ạ", "ok"):
        outcome = dialogue.chitchat(asked, Message(text, "affirm"))
        assert (outcome.turn.decision, outcome.turn.procedure) == ("answer", KHAI_TU), text
    # a no, a yes when several were offered, or a new topic read as a yes do not open it
    assert dialogue.chitchat(asked, Message("không", "deny")).turn.decision == "chitchat"
    assert dialogue.chitchat(asked, Message("không phải", "affirm")).turn.decision \
        == "chitchat"
    several = replace(asked, procedure_options=[KHAI_TU, KET_HON])
    assert dialogue.chitchat(several, Message("vâng", "affirm")).turn.decision == "chitchat"
    other = dialogue.chitchat(asked, Message("đăng ký kết hôn", "affirm"))
    assert other.turn.procedure != KHAI_TU


def test_a_yes_typed_without_marks_is_no_topic(dialogue) -> None:
    # "vang a" is "vâng ạ", not the "vắng" of "khai báo tạm vắng"
    for text in ("vang a", "da vang", "vang co"):
        outcome = dialogue.chitchat(DialogueState(), Message(text, "affirm"))
        assert outcome.turn.decision == "chitchat", text


def test_buttons_withdraw_an_earlier_offer_of_staff(dialogue) -> None:
    # after a miss (staff offered), "Ý bạn là…?" is the open question: a yes answers it
    missed = DialogueState(human_offered=True, miss_count=1)
    outcome = dialogue.answer(missed, Message("kết hôn lưu động", "ask_procedure"))
    assert outcome.turn.decision == "clarify"
    assert not outcome.state.human_offered


@pytest.mark.parametrize("intent", ["affirm", "deny"])
def test_every_yes_and_no_example_of_the_bot_holds_its_intent_words(intent) -> None:
    # only a yes or a no holding none of its words is read as a possible question
    lexicon = Lexicon.load()
    examples = _examples(intent, "chitchat.yml")
    assert len(examples) >= 10
    missing = [text for text in examples if intent not in lexicon.analyze(text).intents]
    assert missing == []


def test_a_question_taken_for_are_you_a_bot_is_answered(dialogue) -> None:
    # the office's phone number asked in shorthand, read by the classifier as "bot?"
    phone = dialogue.chitchat(DialogueState(), Message("sdt phường là gì", "bot_challenge"))
    assert phone.turn.decision == "faq"
    # every "are you a bot?" example of the bot still gets the bot's answer
    examples = _examples("bot_challenge", "chitchat.yml")
    assert len(examples) >= 10
    for text in examples:
        outcome = dialogue.chitchat(DialogueState(), Message(text, "bot_challenge"))
        assert responses(outcome) == ["utter_iamabot"], text


KHAI_SINH = "1.001193"


def test_a_no_naming_the_procedure_offered_drops_it_and_asks_what_is_meant(dialogue) -> None:
    offered = DialogueState(awaiting="procedure", procedure_options=[KHAI_SINH, "2.000528"])
    for text, intent in (("không phải khai sinh", "deny"), ("ko phai khai sinh", "ask_procedure")):
        outcome = dialogue.answer(offered, Message(text, intent))
        assert responses(outcome) == ["utter_rejected"], text
        assert "khai sinh" in outcome.replies[0].variables["procedure_name"]
        assert not outcome.state.procedure_options
        # the reply asks no yes/no question: a "vâng" next must not hand off to staff
        assert not outcome.state.human_offered
    # a "deny" goes through small talk first (actions/smalltalk.py), as Rasa routes it
    outcome = dialogue.chitchat(offered, Message("không phải khai sinh", "deny"))
    assert responses(outcome) == ["utter_rejected"]
    # on the procedure under discussion it is forgotten: a follow-up no longer goes to it
    state = DialogueState(procedure_code=KHAI_SINH)
    outcome = dialogue.answer(state, Message("không phải khai sinh", "deny"))
    assert responses(outcome) == ["utter_rejected"] and outcome.state.procedure_code is None


def test_a_no_with_a_correction_answers_the_correction(dialogue) -> None:
    state = DialogueState(procedure_code=KHAI_SINH)
    outcome = dialogue.answer(state, Message("không phải khai sinh, ý em là khai tử",
                                             "ask_procedure"))
    assert (outcome.turn.decision, outcome.turn.procedure) == ("answer", KHAI_TU)
    state = DialogueState(procedure_code=KET_HON)
    outcome = dialogue.answer(state, Message(
        "không phải kết hôn mà là kết hôn với người nước ngoài", "ask_procedure"))
    assert outcome.turn.procedure == KET_HON_NUOC_NGOAI


TAM_TRU = "1.004194"


def test_who_must_come_is_answered_from_the_catalog_of_the_procedure_under_discussion(
        dialogue) -> None:
    # Catalog 1.000894, steps: "(hai bên nam, nữ phải có mặt, xuất trình giấy tờ tuỳ thân…)"
    for text, intent in (("có phải 2 người cùng đến không", "rate"),
                         ("vợ chồng có cần cùng đi không", "ask_procedure")):
        outcome = dialogue.answer(DialogueState(procedure_code=KET_HON, intro_shown=KET_HON), Message(text, intent))
        assert outcome.turn.procedure == KET_HON, text
        assert responses(outcome)[0] == "utter_summary_presence", text
        assert "phải có mặt" in outcome.replies[0].variables["presence_lines"]
    # asked first, with the procedure's name: the same line in the first reply
    first = dialogue.answer(DialogueState(), Message(
        "đăng ký kết hôn có cần cả hai cùng đến không", "ask_procedure"))
    assert "utter_summary_presence" in responses(first)


def test_whether_someone_may_go_instead_quotes_the_authorisation_rule_not_a_general_faq(
        dialogue) -> None:
    # Catalog 1.001193: ông, bà đi đăng ký khai sinh không cần văn bản ủy quyền
    outcome = dialogue.answer(DialogueState(procedure_code=KHAI_SINH, intro_shown=KHAI_SINH),
                              Message("nhờ ông bà đi làm thay được không", "ask_procedure"))
    assert responses(outcome)[0] == "utter_summary_presence"
    assert "ủy quyền" in outcome.replies[0].variables["presence_lines"]
    # a catalog silent on it says so and offers staff
    silent = dialogue.answer(DialogueState(procedure_code=TAM_TRU, intro_shown=TAM_TRU),
                             Message("chủ nhà có phải đi cùng không", "ask_procedure"))
    assert responses(silent)[0] == "utter_summary_presence_none"
    # "làm hộ chiếu" names a passport, not someone acting for another
    other = dialogue.answer(DialogueState(procedure_code=KHAI_SINH, intro_shown=KHAI_SINH),
                            Message("làm hộ chiếu mất bao lâu", "ask_processing_time"))
    assert "utter_summary_presence" not in responses(other)


def test_a_no_naming_nothing_to_buttons_or_an_answer_asks_what_was_meant(dialogue) -> None:
    offered = DialogueState(awaiting="procedure", procedure_options=[KHAI_SINH, "2.000528"])
    answered = DialogueState(procedure_code=KHAI_SINH, intro_shown=KHAI_SINH)
    for state in (offered, answered):
        for text in ("không phải cái đó", "không phải", "ko phai"):
            outcome = dialogue.chitchat(state, Message(text, "deny"))
            assert responses(outcome) == ["utter_rejected_last"], text
            assert outcome.state.procedure_code is None and not outcome.state.procedure_options
            buttons = DomainTemplates.load(DOMAIN).render(outcome.replies[0]).buttons
            assert [b.payload for b in buttons] == ["/request_human"]
    # "không" to "do you want staff?" declines the offer; a plain "không" is no rejection
    declined = dialogue.chitchat(replace(answered, human_offered=True),
                                 Message("không phải", "deny"))
    assert responses(declined) != ["utter_rejected_last"]
    assert responses(dialogue.chitchat(answered, Message("không", "deny"))) \
        != ["utter_rejected_last"]
    # nothing offered or answered: small talk as before
    assert responses(dialogue.chitchat(DialogueState(), Message("không phải", "deny"))) \
        != ["utter_rejected_last"]


def test_a_topic_classified_as_asking_where_without_where_words_gets_the_overview(
        dialogue) -> None:
    # Rasa reads "giờ" (now) as office hours
    outcome = dialogue.answer(DialogueState(), Message("ok giờ đăng ký thường trú cho cháu",
                                                       "ask_where", intent_confidence=0.83))
    assert outcome.turn.procedure == "1.004222"
    # the overview of thường trú (fees and times, then which case), not the office hours
    assert responses(outcome)[-1] == "utter_ask_case"
    assert not any(r.startswith(("utter_where", "utter_summary_where"))
                   for r in responses(outcome))


def test_who_must_come_in_everyday_words(dialogue) -> None:
    for code, text, said in (
            (KET_HON, "1 người đi nộp hồ sơ được không", "phải có mặt"),
            (KHAI_SINH, "ông bà đi làm khai sinh thay được không", "ông, bà"),
            # căn cước: fingerprints and photos are taken from the holder
            ("1.014062", "nhờ người khác đi làm thay được không", "vân tay")):
        state = DialogueState(procedure_code=code, intro_shown=code)
        outcome = dialogue.answer(state, Message(text, "ask_procedure"))
        assert responses(outcome)[0] == "utter_summary_presence", text
        assert said in outcome.replies[0].variables["presence_lines"], text
    # "làm thay đổi họ tên" asks no one to act for another
    changed = dialogue.answer(DialogueState(), Message("làm thay đổi họ tên cho con thế nào",
                                                       "ask_procedure"))
    assert "utter_summary_presence" not in responses(changed)


def test_a_no_the_classifier_saw_that_names_a_correction_or_asks_goes_to_the_resolver(
        dialogue) -> None:
    state = DialogueState(procedure_code=KHAI_SINH, intro_shown=KHAI_SINH)
    for text, code in (("không phải khai sinh, ý em là khai tử", KHAI_TU),
                       ("ko phai khai sinh ma la khai tu", KHAI_TU),
                       ("không phải nộp lệ phí à", KHAI_SINH)):
        outcome = dialogue.chitchat(state, Message(text, "deny"))
        assert (outcome.turn.decision, outcome.turn.procedure) == ("answer", code), text
    # a detail of the procedure under discussion, through the same routing
    on_ket_hon = DialogueState(procedure_code=KET_HON, intro_shown=KET_HON)
    outcome = dialogue.chitchat(on_ket_hon, Message("không phải, ý em là người nước ngoài",
                                                    "deny"))
    assert outcome.turn.procedure == KET_HON_NUOC_NGOAI


def test_presence_gives_way_to_papers_asked_and_deadlines_stay_on_the_procedure(
        dialogue) -> None:
    state = DialogueState(procedure_code=KHAI_SINH, intro_shown=KHAI_SINH)
    papers = dialogue.answer(state, Message("không có giấy chứng sinh thì giấy gì thay được",
                                            "ask_documents"))
    assert "utter_summary_presence" not in responses(papers)
    deadline = dialogue.answer(state, Message("hạn chót là khi nào", "ask_procedure"))
    assert deadline.turn.procedure == KHAI_SINH
    assert "utter_summary_deadline" in responses(deadline)
