"""How Hà Nội citizens name procedures at the ward, on the real subset KB (tests/conftest.py).

Each case is a domain mapping from the team's data (aliases.yml, lexicon.yml,
faq_seed.yml, out_of_scope.yml), not a question of the evaluation set.
"""

import pytest

from knowledge_base.models import Decision, TargetType
from knowledge_base.text import TextPipeline


def top_procedure(result):
    return next(h.id for h in result.hits if h.type == TargetType.PROCEDURE)


@pytest.mark.parametrize(
    "question, code",
    [
        # "cho con" without an age is a child's card (under 14); an age decides otherwise.
        ("lam cccd cho con", "1.014062"),
        ("làm căn cước cho bé", "1.014062"),
        ("làm căn cước cho con 15 tuổi", "1.014061"),
        # A torn or lost original birth certificate: a copy from the register, not a re-registration.
        ("làm lại giấy khai sinh bị rách", "2.000635"),
        ("mất bản chính giấy khai sinh", "2.000635"),
        ("xin trích lục kết hôn", "2.000635"),
        # A household business licence, in shorthand or as "opening a shop".
        ("xin gpkd cho hộ cá thể", "1.001612"),
        ("mở tiệm bán hàng cần đăng ký gì", "1.001612"),
        # "quốc tế" after a civil-status event names its foreign-element variant.
        ("hôn nhân quốc tế cần giấy tờ gì", "2.000806"),
    ],
)
def test_informal_names_find_the_procedure(knowledge_base, question, code):
    result = knowledge_base.search(question)
    assert top_procedure(result) == code
    assert result.hits[0].id == code and result.decision != Decision.NOT_FOUND


@pytest.mark.parametrize(
    "question", ["chứng thực chữ ký giấy ủy quyền", "chung thuc chu ky tren giay uy quyen"]
)
def test_signing_an_authorisation_offers_the_signature_procedure(knowledge_base, question):
    # The FAQ on authorisations quotes the same words in its answer, so on this small subset
    # it may come first; the procedure must still be offered (the full catalog answers it).
    result = knowledge_base.search(question)
    assert "2.000884" in [h.id for h in result.hits[:2]]
    assert top_procedure(result) == "2.000884" and result.decision != Decision.NOT_FOUND


@pytest.mark.parametrize("question", ["ly hôn", "ly di thi lam o dau", "thủ tục ly hôn đơn phương"])
def test_divorce_is_answered_by_the_court_faq(knowledge_base, question):
    result = knowledge_base.search(question)
    assert result.decision == Decision.ANSWER and result.hits[0].type == TargetType.FAQ
    faq = knowledge_base.faq(int(result.hits[0].id))
    assert faq.slug == "divorce_court" and "Tòa án nhân dân" in faq.answer


@pytest.mark.parametrize(
    "question", ["tách thửa đất chia cho con", "xóa thế chấp sổ đỏ", "đổi bằng lái xe hết hạn"]
)
def test_land_title_changes_and_driving_licences_are_not_ward_procedures(knowledge_base, question):
    result = knowledge_base.search(question)
    assert result.decision != Decision.ANSWER or result.hits[0].type != TargetType.PROCEDURE


def test_shorthand_and_slang_expand_to_catalog_words():
    pipeline = TextPipeline()
    assert "giay phep kinh doanh ho kinh doanh" in pipeline.process("xin gpkd").expanded
    assert "ho kinh doanh" in pipeline.process("mở tiệm cắt tóc").expanded
    assert "dat o" in pipeline.process("lên thổ cư").expanded
    assert "ly hon" in pipeline.process("muốn ly dị").expanded
    assert "giay phep lai xe" in pipeline.process("đổi bằng lái").expanded
    assert "an toan thuc pham" in pipeline.process("xin giấy vsattp cho lò bánh").expanded


def test_an_adult_age_is_not_the_teenage_card_bracket():
    pipeline = TextPipeline()
    assert "tu du 14 tro len" in pipeline.process("con 16 tuổi làm căn cước").expanded
    expanded = pipeline.process("bố tôi 70 tuổi bị mất căn cước").expanded
    assert "tu du 14 tro len" not in expanded and "cao tuoi" in expanded
