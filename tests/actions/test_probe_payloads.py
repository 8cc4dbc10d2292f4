"""The probe's dialogue findings: stray digits are no rating; absurd payload values no crash."""

from pathlib import Path

import pytest

from actions.dialogue import DialogueState, Message
from actions.payloads import clean_entities
from actions.rating_phrase import typed_rating
from actions.registry import build_dialogue
from actions.templates import DomainTemplates

DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "domain"


@pytest.fixture(scope="module")
def dialogue(knowledge_base):
    return build_dialogue(knowledge_base, DomainTemplates.load(DOMAIN))


@pytest.mark.parametrize("text", ["<svg onload=alert(2)>", "alert(5)", "img src=x onerror=3",
                                  "mã 4 là gì", "2 người đi cùng"])
def test_markup_or_a_stray_digit_after_the_prompt_is_no_rating(dialogue, text: str) -> None:
    asked = dialogue.ask_rating(DialogueState(), Message("cảm ơn", "thank")).state
    assert dialogue.rate(asked, Message(text, "rate")).rating is None
    assert dialogue.rate(DialogueState(), Message(text, "rate")).rating is None


@pytest.mark.parametrize(("text", "asked", "score"), [
    ("4", True, "4"), ("cho 5 sao nhé", False, "5"), ("3 điểm", False, "3"), ("5/5", False, "5"),
    ("tôi chấm 2", False, "2"), ("4", False, None), ("6 sao", True, None), ("45", True, None)])
def test_explicit_rating_phrases(text: str, asked: bool, score: str | None) -> None:
    assert typed_rating(text, asked) == score


def test_the_rating_buttons_still_count(dialogue) -> None:
    asked = dialogue.ask_rating(DialogueState(), Message("cảm ơn", "thank")).state
    assert dialogue.rate(asked, Message("", "rate", {"rating": "3"})).rating == 3
    assert dialogue.rate(asked, Message("5", "rate")).rating == 5


@pytest.mark.parametrize("entities", [
    {"faq_id": "9" * 40}, {"faq_id": "abc"}, {"faq_id": "-1"}, {"case_index": "9" * 25},
    {"procedure_code": "x" * 500}, {"rating": "²"}, {"aspect": "nonsense"}])
def test_absurd_payload_values_are_dropped(dialogue, entities: dict[str, str]) -> None:
    assert clean_entities(entities) == {}
    state = DialogueState(procedure_code="1.001193")
    outcome = dialogue.answer(state, Message("", "choose_procedure", clean_entities(entities)))
    assert outcome.replies and outcome.turn.decision != "error"
