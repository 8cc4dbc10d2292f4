"""Search on a small real subset, with the real trained model (see tests/conftest.py)."""

import json
import shutil

import pytest

from knowledge_base.build import current_build, run_build
from knowledge_base.models import Decision, Faq, TargetType
from knowledge_base.store import KnowledgeStore


def top_procedure(result):
    return next(h.id for h in result.hits if h.type == TargetType.PROCEDURE)


@pytest.mark.parametrize(
    "question, code",
    [
        ("dk khai sinh cho con can gi", "1.001193"),
        ("Đăng ký khai sinh cho con cần giấy tờ gì?", "1.001193"),
        ("xin giấy độc thân", "1.004873"),
        ("xin giay xac nhan tinh trang hon nhan de lam ho so", "1.004873"),
        ("làm CCCD cho con 10 tuổi", "1.014062"),
        ("bị mất căn cước thì làm lại thế nào", "1.014064"),
        ("nhập hộ khẩu cho vợ về nhà chồng", "1.004222"),
        ("đăng ký tạm trú cho người thuê trọ", "1.004194"),
        ("ddangw kys khai tuwr cho boos", "1.000656"),
    ],
)
def test_common_questions_find_the_right_procedure(knowledge_base, question, code):
    result = knowledge_base.search(question)
    assert top_procedure(result) == code
    assert result.decision in (Decision.ANSWER, Decision.CLARIFY)


def test_clear_question_is_answered_with_confidence(knowledge_base):
    result = knowledge_base.search("thủ tục đăng ký kết hôn cần những giấy tờ gì")
    assert result.decision == Decision.ANSWER
    assert result.hits[0].id == "1.000894" and result.confidence >= 0.5


@pytest.mark.parametrize(
    "question",
    [
        "đăng ký cho con vào học lớp 1",
        "tiêm chủng cho trẻ ở đâu",
        "xin trợ cấp xã hội cho người già",
        "hôm nay thời tiết thế nào",
    ],
)
def test_out_of_scope_questions_are_not_answered_with_a_procedure(knowledge_base, question):
    result = knowledge_base.search(question)
    assert result.decision != Decision.ANSWER or result.hits[0].type != TargetType.PROCEDURE


def test_flagged_records_never_come_back(knowledge_base):
    result = knowledge_base.search("hỗ trợ phát triển sản xuất cộng đồng", limit=20)
    assert "3.000224" not in {h.id for h in result.hits}


def test_faq_question_is_answered_from_the_faq(knowledge_base):
    result = knowledge_base.search("quên mật khẩu vneid thì làm sao")
    assert result.hits[0].type == TargetType.FAQ


def test_a_question_naming_only_an_aspect_finds_nothing(knowledge_base):
    for question in ("lệ phí bao nhiêu", "le phi bao nhieu", "mất bao lâu", "nộp online ở đâu"):
        assert knowledge_base.search(question).decision == Decision.NOT_FOUND


def test_the_index_removes_only_question_only_aspect_phrases(knowledge_base):
    pipeline = knowledge_base.retriever.index.pipeline
    # "bản sao" is in "Cấp bản sao Trích lục hộ tịch…": a question for it keeps those words.
    processed = pipeline.process("xin bản sao trích lục khai sinh ở đâu", segment=False)
    assert "ban sao trich luc" in processed.topic and processed.aspects == ("where",)
    assert ("ban", "sao") in pipeline.lexicon.aspects and ("ban", "sao") not in pipeline.aspects
    assert pipeline.aspects[("lam", "the", "nao")] == "steps"  # in FAQ keys, in no name


def test_empty_and_hostile_input(knowledge_base):
    assert knowledge_base.search("").decision == Decision.NOT_FOUND
    assert knowledge_base.search("??? !!!").decision == Decision.NOT_FOUND
    hostile = "<script>alert(1)</script>'; DROP TABLE faqs; -- 😀" * 50
    result = knowledge_base.search(hostile)
    assert result.decision != Decision.ANSWER and result.query == hostile  # names nothing


def test_new_faq_is_searchable_after_refresh_without_rebuild(knowledge_base):
    created = knowledge_base.faqs.create(
        Faq(
            question="Phường có wifi miễn phí cho người chờ làm thủ tục không?",
            answer="Có, mật khẩu dán ở quầy.",
            phrasings=["mật khẩu wifi ở phường"],
        ),
        actor="test",
    )
    try:
        assert knowledge_base.refresh_if_changed(force=True)
        result = knowledge_base.search("ngồi chờ ở phường có wifi không")
        assert (result.hits[0].type, result.hits[0].id) == (TargetType.FAQ, str(created.id))
    finally:
        knowledge_base.faqs.delete(created.id, None, actor="test")
        knowledge_base.refresh_if_changed(force=True)


def test_failed_build_leaves_the_current_index_in_service(kb_settings, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(kb_settings.index_path, index_dir)
    before = current_build(index_dir)
    empty = KnowledgeStore(f"sqlite:///{tmp_path / 'empty.db'}")
    settings = kb_settings.model_copy(update={"index_dir": index_dir})
    with pytest.raises(RuntimeError, match="empty"):
        run_build(settings, empty)
    assert current_build(index_dir) == before
    assert not [p for p in (index_dir / "builds").iterdir() if p.name.startswith(".")]


def test_build_is_reproducible(kb_settings, knowledge_base):
    manifest = json.loads((current_build(kb_settings.index_path) / "manifest.json").read_text())
    assert manifest["entries"] > 50 and manifest["model"] == "own"


def test_a_quoted_procedure_code_is_answered_directly(knowledge_base):
    result = knowledge_base.search("cho hỏi thủ tục mã 1.004873 nộp ở đâu")
    assert result.decision == Decision.ANSWER and result.hits[0].id == "1.004873"
    assert knowledge_base.search("mã 3.000224").hits[0].id != "3.000224"  # flagged: never answered


def test_auto_refresh_picks_up_an_edit_made_elsewhere(kb_settings, tmp_path):
    import time

    from knowledge_base.faq_store import FaqStore

    # A database of its own (the model and calibration of the session build are reused):
    # the session database is shared with, and copied by, many other tests.
    from knowledge_base.importer import read_catalog
    from knowledge_base.service import KnowledgeBase
    from tests.conftest import copy_subset

    catalog = copy_subset(tmp_path / "catalog", ["1.001193", "1.004873"])
    settings = kb_settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'own.db'}"})
    KnowledgeStore(settings.database_url).apply_catalog(read_catalog(catalog), str(catalog))
    replica = KnowledgeBase(settings)  # another process would see the same database
    replica.warm_up()
    replica.start_auto_refresh(interval=0.2)
    writer = KnowledgeStore(settings.database_url)
    try:
        created = FaqStore(writer).create(
            Faq(question="Phường có cho mượn bút và giấy nháp không?", answer="Có, tại quầy."),
            actor="test",
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            hits = replica.retriever.search("ở phường có cho mượn bút không").hits
            if hits and hits[0].id == str(created.id):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("edit not searchable on the other instance within 5 s")
    finally:
        replica.stop_auto_refresh()
        replica.store.engine.dispose()
        writer.engine.dispose()


def test_procedures_read_by_the_dialogue_follow_a_catalog_import(kb_settings, tmp_path):
    import json

    from knowledge_base.importer import read_catalog
    from knowledge_base.service import KnowledgeBase
    from tests.conftest import copy_subset

    catalog = copy_subset(tmp_path / "catalog", ["1.001193", "1.004873"])
    settings = kb_settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'own.db'}"})
    store = KnowledgeStore(settings.database_url)
    store.apply_catalog(read_catalog(catalog), str(catalog))
    kb = KnowledgeBase(settings)
    kb.warm_up()
    before = kb.procedure("1.001193")
    assert kb.procedure("1.001193") is before  # no database read per turn
    source = next(catalog.glob("*/1.001193.json"))
    record = json.loads(source.read_text(encoding="utf-8"))
    record["ten_thu_tuc"] = record["ten_thu_tuc"] + " (sửa đổi)"
    source.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    store.apply_catalog(read_catalog(catalog), str(catalog))
    assert kb.procedure("1.001193").name == before.name  # the index still serves the old one
    assert kb.refresh_if_changed(force=True)
    assert kb.procedure("1.001193").name.endswith("(sửa đổi)")
    kb.store.engine.dispose()
    store.engine.dispose()


def test_an_faq_is_answered_from_a_lower_probability_than_a_procedure(knowledge_base):
    # A wrong FAQ answer costs the citizen a read, a wrong procedure a trip.
    from knowledge_base.corpus import FAQ, PROCEDURE
    from knowledge_base.retriever import Calibration, Retriever, Scored

    calibration = Calibration(answer_threshold=0.85)
    assert calibration.faq_threshold < calibration.answer_threshold
    retriever = Retriever(knowledge_base.retriever.index, knowledge_base.retriever.embedder,
                          calibration)
    kinds = [kind for kind, _ in retriever.index.targets]
    faq, procedure = kinds.index(FAQ), kinds.index(PROCEDURE)
    between = (calibration.faq_threshold + calibration.answer_threshold) / 2

    def decide(first: int, second: int) -> Decision:
        ranked = [Scored(first, None, between), Scored(second, None, 0.0)]
        return retriever.decide(ranked)[0]

    assert decide(faq, procedure) == Decision.ANSWER
    assert decide(procedure, faq) == Decision.CLARIFY


def test_key_share_says_how_much_of_a_name_a_message_says(knowledge_base):
    from knowledge_base.models import SearchHit

    khai_tu = SearchHit(type=TargetType.PROCEDURE, id="1.000656", title="", score=0.0,
                        confidence=0.0)
    retriever = knowledge_base.retriever
    assert retriever.key_share("khai tu", khai_tu) == pytest.approx(1.0)
    assert retriever.key_share("dang ky khai tu cho bo", khai_tu) == pytest.approx(1.0)
    assert retriever.key_share("tử", khai_tu) < 0.6 <= retriever.key_share("khai tử", khai_tu)


def test_an_out_of_scope_topic_says_not_here_alone_only_when_far_ahead(knowledge_base):
    # "an toàn thực phẩm": restaurants are the health sector's (not here), farm
    # produce is in the catalog; a close procedure is offered, a far one is not.
    from knowledge_base.corpus import OUT_OF_SCOPE, PROCEDURE
    from knowledge_base.retriever import Retriever, Scored

    retriever = Retriever(knowledge_base.retriever.index, knowledge_base.retriever.embedder)
    kinds = [kind for kind, _ in retriever.index.targets]
    topic, procedure = kinds.index(OUT_OF_SCOPE), kinds.index(PROCEDURE)

    def decide(topic_probability: float, procedure_probability: float) -> Decision:
        ranked = [Scored(topic, None, topic_probability),
                  Scored(procedure, None, procedure_probability)]
        return retriever.decide(ranked)[0]

    assert decide(0.83, 0.75) == Decision.CLARIFY
    assert decide(0.95, 0.2) == Decision.NOT_FOUND  # 0.75 ahead
    assert decide(0.4, 0.2) == Decision.CLARIFY
    assert decide(0.4, 0.05) == Decision.NOT_FOUND


def test_a_procedure_only_organisations_file_is_less_likely_for_a_resident(knowledge_base,
                                                                           monkeypatch):
    # "Tổ chức kinh tế nhận chuyển nhượng… dự án đầu tư" must not answer a resident
    # selling a plot to a neighbour; one subset procedure stands in for such a procedure.
    question = "thay đổi nội dung đăng ký hộ kinh doanh"
    before = next(h for h in knowledge_base.search(question).hits if h.id == "2.000720")
    monkeypatch.setattr(knowledge_base.retriever.index.corpus, "organisation_only", {"2.000720"})
    after = next(h for h in knowledge_base.search(question).hits if h.id == "2.000720")
    assert after.confidence == pytest.approx(before.confidence / 2, abs=1e-3)
    # a question naming an enterprise or organisation weighs it as before
    company = "công ty tôi muốn thay đổi nội dung đăng ký hộ kinh doanh"
    named = next(h for h in knowledge_base.search(company).hits if h.id == "2.000720")
    monkeypatch.setattr(knowledge_base.retriever.index.corpus, "organisation_only", set())
    plain = next(h for h in knowledge_base.search(company).hits if h.id == "2.000720")
    assert named.confidence == pytest.approx(plain.confidence)


def test_the_corpus_knows_which_procedures_only_organisations_file():
    from knowledge_base.corpus import build_corpus
    from knowledge_base.models import Procedure

    procedures = [Procedure(code="9.000001", name="Cấp phép cho doanh nghiệp",
                            audience="Doanh nghiệp, Tổ chức (không bao gồm doanh nghiệp, HTX)"),
                  Procedure(code="9.000002", name="Đăng ký cho người dân",
                            audience="Công dân Việt Nam, Doanh nghiệp"),
                  Procedure(code="9.000003", name="Thủ tục không ghi đối tượng", audience="")]
    assert build_corpus(procedures, {}, []).organisation_only == {"9.000001"}
