"""The shared dialogue logic on the session's real knowledge base (no Rasa needed)."""

from pathlib import Path

import pytest

from actions.dialogue import DialogueState, Message
from actions.formatting import is_note
from actions.registry import build_dialogue
from actions.templates import DomainTemplates

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "bot" / "domain"


@pytest.fixture(scope="module")
def dialogue(knowledge_base):
    return build_dialogue(knowledge_base, DomainTemplates.load(DOMAIN))


def rendered(outcome) -> str:
    templates = DomainTemplates.load(DOMAIN)
    return "\n".join(templates.render(r).text for r in outcome.replies)


def test_fee_answer_lists_each_submission_method_from_parsed_fields(dialogue,
                                                                    knowledge_base) -> None:
    first = dialogue.answer(DialogueState(), Message("lệ phí đăng ký kết hôn", "ask_fee"))
    procedure = knowledge_base.procedure("1.000894")
    assert first.state.procedure_code == "1.000894" and first.turn.decision == "answer"
    assert [r.response for r in first.replies][:2] == ["utter_summary_header", "utter_summary_fee"]
    assert first.replies[-1].response.startswith("utter_summary_footer_source")
    assert "Nguồn: Cổng DVC quốc gia, mã 1.000894" in rendered(first)
    outcome = dialogue.answer(first.state, Message("/ask_fee", "ask_fee"))  # "Lệ phí" button
    text = rendered(outcome)
    for channel in procedure.channels:
        assert channel.fee.text in text
    assert "mã 1.000894" not in text and "Mã thủ tục" not in text  # the source was shown


def test_follow_up_uses_the_slot_and_new_mention_switches(dialogue) -> None:
    state = DialogueState(procedure_code="1.001193")
    follow = dialogue.answer(state, Message("còn thời gian thì sao", "ask_processing_time"))
    assert follow.turn.procedure == "1.001193"
    switch = dialogue.answer(follow.state, Message("thế còn giấy độc thân", "ask_documents"))
    assert switch.turn.procedure == "1.004873"


def test_no_topic_and_no_procedure_asks_which_one(dialogue) -> None:
    outcome = dialogue.answer(DialogueState(), Message("lệ phí bao nhiêu", "ask_fee"))
    assert outcome.turn.decision == "clarify"
    assert outcome.replies[0].response == "utter_ask_which_procedure"
    assert outcome.state.pending_aspect == "fee"


def test_several_cases_ask_first_then_checklist_plus_common_groups(dialogue,
                                                                   knowledge_base) -> None:
    procedure = knowledge_base.procedure("1.004222")
    asked = dialogue.answer(DialogueState(), Message("đăng ký thường trú cần gì", "ask_documents"))
    buttons = [b for r in asked.replies for b in r.buttons]
    assert len(buttons) == len(procedure.cases) and asked.state.awaiting == "case"
    chosen = dialogue.answer(asked.state, Message("/choose_case", "choose_case",
                                                  {"case_index": "1", "aspect": "documents"}))
    text = rendered(chosen)
    assert procedure.cases[0] in text
    common = [d for g in procedure.document_groups if g.case is None for d in g.documents
              if not is_note(d)]
    for document in common:
        assert " ".join(document.name.split())[:50] in text


def test_papers_counted_as_copies_or_with_a_leading_zero_are_listed(dialogue,
                                                                      knowledge_base) -> None:
    # "0 bản chính,1 bản sao" is one copy to hand in, "02 bản chính" two originals:
    # the previous certificate is the core paper of registering a marriage again.
    procedure = knowledge_base.procedure("1.004746")
    copies = [d for g in procedure.document_groups for d in g.documents
              if d.copies.replace(" ", "").startswith("0bảnchính,1")]
    assert copies, "the catalog lists the old certificate as '0 bản chính,1 bản sao'"
    outcome = dialogue.answer(DialogueState(), Message(
        "/choose_procedure", "choose_procedure", {"procedure_code": "1.004746",
                                                  "aspect": "documents"}))
    text = " ".join(rendered(outcome).split())
    for document in copies:
        assert dialogue.composer.plain.document_name("1.004746", document.name) in text
    assert "(1 bản sao" in text and "0 bản chính" not in text


def test_long_answers_are_split_into_several_messages(dialogue) -> None:
    outcome = dialogue.answer(DialogueState(), Message("các bước đăng ký khai sinh", "ask_steps"))
    texts = [DomainTemplates.load(DOMAIN).render(r).text for r in outcome.replies]
    assert len(texts) > 3 and max(len(t) for t in texts) < 2000


def test_two_misses_in_a_row_hand_off(dialogue) -> None:
    first = dialogue.answer(DialogueState(), Message("thời tiết hôm nay", "out_of_scope"))
    assert first.turn.decision == "not_found" and first.state.human_offered
    second = dialogue.answer(first.state, Message("giá vàng hôm nay", "out_of_scope"))
    assert second.turn.decision == "handoff" and second.handoff_reason == "repeated_misses"


def test_rating_from_text_or_payload(dialogue) -> None:
    assert dialogue.rate(DialogueState(), Message("tôi chấm 4 sao", "rate")).rating == 4
    assert dialogue.rate(DialogueState(), Message("", "rate", {"rating": "2"})).rating == 2
    assert dialogue.rate(DialogueState(), Message("10 điểm", "rate")).rating is None


def test_a_digit_inside_a_question_is_not_a_rating(dialogue) -> None:
    outcome = dialogue.rate(DialogueState(), Message("con tôi 5 tuổi chưa làm giấy khai sinh thì sao", "rate"))
    assert outcome.rating is None
    assert outcome.turn.decision != "chitchat"


def test_a_bare_number_after_options_picks_that_option(dialogue) -> None:
    state = DialogueState(awaiting="procedure", procedure_options=["1.001193", "1.000689"])
    outcome = dialogue.rate(state, Message("2", "rate"))
    assert outcome.rating is None and outcome.state.procedure_code == "1.000689"


def test_an_faq_on_something_abolished_offers_the_procedures_in_force(dialogue,
                                                                      knowledge_base) -> None:
    # "sổ hộ khẩu" is gone: the FAQ explains it, then offers what is still done
    # (only procedures the catalog holds: the test catalog has "Đăng ký thường trú").
    outcome = dialogue.answer(DialogueState(),
                              Message("sổ hộ khẩu bỏ rồi thì lấy gì chứng minh cư trú",
                                      "nlu_fallback"))
    assert outcome.turn.decision == "faq"
    related = outcome.replies[-1]
    assert related.response == "utter_faq_related"
    assert [b.payload for b in related.buttons] == [
        '/choose_procedure{"procedure_code":"1.004222","aspect":"general"}']
    chosen = dialogue.answer(outcome.state, Message(related.buttons[0].payload,
                                                    "choose_procedure",
                                                    {"procedure_code": "1.004222"}))
    # the button leads to the procedure (which first asks the citizen's case)
    assert chosen.turn.procedure == chosen.state.procedure_code == "1.004222"


def test_an_faq_without_links_ends_with_its_source(dialogue) -> None:
    outcome = dialogue.answer(DialogueState(),
                              Message("quên mật khẩu vneid thì làm sao", "nlu_fallback"))
    assert outcome.turn.decision == "faq"
    assert outcome.replies[-1].response.startswith("utter_faq_source")


def test_remarks_and_lead_ins_of_the_catalog_are_no_papers_to_hand_in(dialogue,
                                                                      knowledge_base) -> None:
    # the catalog counts "Ngoài giấy tờ nêu trên, … sau đây:" and "Giá trị sử dụng của
    # giấy tờ …" as "1 bản chính"; a checklist must not ask the citizen to bring them
    procedure = knowledge_base.procedure("2.000806")
    rows = [" ".join(d.name.split()) for g in procedure.document_groups for d in g.documents]
    remarks = [r for r in rows if r.lower().startswith(("ngoài giấy tờ", "giá trị sử dụng"))]
    assert len(remarks) == 2, "the catalog's foreign-marriage rows changed"
    state = DialogueState(procedure_code="2.000806")
    text = rendered(dialogue.answer(state, Message("/ask_documents", "ask_documents")))
    assert "Tờ khai đăng ký kết hôn" in text
    for remark in remarks:
        assert remark[:40] not in text, remark
