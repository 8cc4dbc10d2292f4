import yaml

from knowledge_base.analysis import Lexicon as DialogueLexicon
from knowledge_base.settings import DATA_DIR
from knowledge_base.text import Lexicon, TextPipeline, fold, normalize, telex_fold


def test_fold_removes_tones_and_d_stroke():
    assert fold("Đăng ký thường trú") == "Dang ky thuong tru"
    assert fold("giấy xác nhận tình trạng hôn nhân") == "giay xac nhan tinh trang hon nhan"


def test_normalize_nfc_lowercase_and_punctuation():
    decomposed = "Đa\u0306ng ky\u0301"  # "Đăng ký" typed with combining marks
    assert normalize(decomposed) == "đăng ký"
    assert normalize("  Làm CCCD ở đâu???  ") == "làm cccd ở đâu"
    # Procedure codes and document numbers survive cleanup.
    assert normalize("Mã 1.001193, theo 85/2019/TT-BTC.") == "mã 1.001193 theo 85/2019 tt btc"


def test_same_text_with_and_without_diacritics_expands_identically():
    pipeline = TextPipeline()
    accented = pipeline.process("Đăng ký khai sinh cho con cần giấy tờ gì?")
    plain = pipeline.process("dang ky khai sinh cho con can giay to gi")
    assert accented.expanded == plain.expanded


def test_shorthand_is_expanded():
    pipeline = TextPipeline()
    assert pipeline.process("dk khai sinh cho con").expanded.startswith("dang ky khai sinh")
    assert "can cuoc cong dan" in pipeline.process("làm CCCD ở đâu").expanded
    assert "giay khai sinh" in pipeline.process("mất gks phải làm sao").expanded


def test_synonyms_are_added_beside_the_words():
    pipeline = TextPipeline()
    expanded = pipeline.process("xin giấy độc thân").expanded
    assert "doc than" in expanded and "xac nhan tinh trang hon nhan" in expanded
    expanded = pipeline.process("công chứng giấy tờ ở phường").expanded
    assert "cong chung" in expanded and "chung thuc" in expanded
    assert "thuong tru" in pipeline.process("nhập hộ khẩu cho con").expanded


def test_a_synonym_typed_with_other_marks_is_another_word():
    # "cưới" (wedding) adds "kết hôn", "cuối tuần" (weekend) does not; "đổi" (exchange)
    # adds "cấp đổi", "đối với" (for) does not; without marks it may be either.
    pipeline = TextPipeline()
    assert "ket hon" in pipeline.process("giấy tờ đám cưới").expanded
    assert "ket hon" not in pipeline.process("nộp hồ sơ cuối tuần").expanded
    assert "ket hon" in pipeline.process("giay to dam cuoi").expanded
    assert "cap doi" in pipeline.process("đổi căn cước").expanded
    assert pipeline.process("đối với người nghỉ hưu").expanded == "doi voi nguoi nghi huu"
    assert "cap doi" in pipeline.process("doi can cuoc").expanded
    # "kí" and "ký" are one word written two ways
    assert "dang ky tam tru" in pipeline.process("đăng kí tạm trú tạm vắng").expanded


def test_taking_time_is_not_mistaken_for_losing_a_card():
    pipeline = TextPipeline()
    assert "cap lai" not in pipeline.process("làm CCCD mất bao lâu").expanded
    assert "cap lai" in pipeline.process("bị mất căn cước").expanded


def test_telex_leftovers_are_folded():
    assert telex_fold("kys") == "ky"
    assert telex_fold("ddangw") == "dang"
    assert telex_fold("thuongf") == "thuong"
    assert telex_fold("sinh") is None


def test_vocabulary_repairs_telex_and_typos():
    pipeline = TextPipeline(vocabulary=["dang", "ky", "khai", "sinh", "thuong", "tru"])
    assert pipeline.process("ddangw kys khai sinhf").expanded == "dang ky khai sinh"
    assert pipeline.process("dang ky thuongf truu").expanded == "dang ky thuong tru"
    assert pipeline.process("dang ky khai snh").expanded == "dang ky khai sinh"


def test_underthesea_segments_words():
    words = TextPipeline().process("Đăng ký thường trú vào chỗ ở hợp pháp").words
    assert "dang_ky" in words and "thuong_tru" in words and "hop_phap" in words


def test_emoji_html_and_sql_are_harmless():
    pipeline = TextPipeline()
    processed = pipeline.process("<script>alert(1)</script> 😀 '; DROP TABLE faqs; -- khai sinh")
    assert "khai sinh" in processed.expanded
    assert "<" not in processed.expanded and ";" not in processed.expanded
    assert pipeline.process("").expanded == ""


def test_ages_add_their_brackets():
    expanded = TextPipeline().process("làm căn cước cho con 10 tuổi").expanded
    assert "duoi 14" in expanded and "tu du 14" not in expanded
    assert "tu du 14 tro len" in TextPipeline().process("con 15 tuổi làm căn cước").expanded


def test_leading_zeros_do_not_matter():
    assert (
        TextPipeline().process("mức độ 02").expanded == TextPipeline().process("muc do 2").expanded
    )


def test_superscripts_and_other_digit_like_characters_do_not_crash():
    # "²".isdigit() is true but int("²") raises: found by the fuzz test through /api/chat
    pipeline = TextPipeline()
    for text in ["²", "khai sinh ¹ tuổi", "con ³ tuoi lam can cuoc", "mức độ ٢"]:
        assert pipeline.process(text).expanded is not None
    assert pipeline.process("con ٣ tuổi").expanded == pipeline.process("con 3 tuổi").expanded


def test_ages_in_a_story_about_another_topic_add_nothing():
    # only căn cước and the children's BHYT liên thông differ by age in the catalog
    expanded = TextPipeline().process("Em trai tôi 15 tuổi, tôi muốn làm người giám hộ").expanded
    assert "tro len" not in expanded and "chua thanh nien" not in expanded
    assert "duoi 6" in TextPipeline().process("làm thẻ bhyt cho bé 3 tuổi").expanded


NAMES = ["Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh", "Đăng ký khai sinh",
         "Chứng thực bản sao từ bản chính giấy tờ, văn bản"]
# FAQ and out-of-scope keys: where the question-only phrases are found.
QUESTIONS = ["Ảnh nộp kèm hồ sơ cần chuẩn bị thế nào, cần mang theo gì?",
             "Tôi nộp ở đâu, mất bao lâu?", "Hồ sơ gồm những gì, có cần bản sao không?",
             "Đăng ký trên VNeID mất bao nhiêu tiền?", "hồ sơ gì"]


def pipeline_for(names: list[str] = NAMES) -> TextPipeline:
    return TextPipeline(names=names, questions=QUESTIONS)


def test_there_is_one_list_of_aspect_phrases_the_dialogue_s():
    lexicon_yml = yaml.safe_load((DATA_DIR / "lexicon.yml").read_text(encoding="utf-8"))
    assert "aspects" not in lexicon_yml
    dialogue = yaml.safe_load((DATA_DIR / "question_lexicon.yml").read_text(encoding="utf-8"))
    phrases = [p for ps in dialogue["aspects"].values() for p in ps]
    assert len(Lexicon.load().aspects) == len({TextPipeline().process(p).expanded
                                              for p in phrases})


def test_retrieval_removes_only_aspect_phrases_of_questions_that_no_name_holds():
    pipeline = pipeline_for()
    # "bản sao" names a procedure: kept for retrieval, while the dialogue reads it as documents.
    processed = pipeline.process("cần mấy bản sao")
    assert "ban sao" in processed.topic and "documents" not in processed.aspects
    assert DialogueLexicon.load().analyze("cần mấy bản sao").aspects == ("documents",)
    # A question-only phrase is removed by both.
    processed = pipeline.process("đăng ký khai sinh cần mang theo gì, nộp ở đâu")
    assert processed.topic == "dang ky khai sinh"
    assert processed.aspects == ("documents", "where")
    analysis = DialogueLexicon.load().analyze("đăng ký khai sinh cần mang theo gì, nộp ở đâu")
    assert analysis.aspects == ("documents", "where")
    # An aspect phrase no key holds pulls towards nothing: retrieval keeps it.
    assert pipeline.process("đăng ký khai sinh giờ làm việc").topic == \
        "dang ky khai sinh gio lam viec"
    assert DialogueLexicon.load().analyze("đăng ký khai sinh giờ làm việc").aspects == ("where",)


def test_a_name_holding_a_question_phrase_keeps_it_in_every_text():
    question = "làm căn cước ở đâu"
    assert pipeline_for().process(question).topic == "lam can cuoc"
    pipeline = pipeline_for([*NAMES, "Xác nhận nơi ở đâu tiên"])  # folds to "o dau"
    assert pipeline.process(question).topic == "lam can cuoc o dau"
    assert pipeline.process(question).aspects == ()


def test_without_keys_no_aspect_phrase_is_removed():
    processed = TextPipeline().process("đăng ký khai sinh cần mang theo gì")
    assert processed.topic == processed.expanded and processed.aspects == ()


def test_shorthand_inside_aspect_phrases_is_expanded_as_in_questions():
    processed = pipeline_for().process("dk khai sinh hs gì, mất bn tiền")
    assert processed.topic == "dang ky khai sinh"
    assert processed.aspects == ("documents", "fee")


def test_an_aspect_with_only_fillers_around_it_names_nothing():
    pipeline = pipeline_for()
    for question in ("mất bao lâu ạ", "cho em hỏi nộp ở đâu", "hồ sơ gồm những gì vậy"):
        processed = pipeline.process(question)
        assert processed.topic == "" and processed.aspects, question
    # "căn" folds like the filler "cần", but "căn cước" is no filler: the topic stays.
    assert pipeline.process("làm căn cước mất bao lâu").topic == "lam can cuoc"


def test_the_build_s_aspect_phrases_hold_after_a_restart(tmp_path) -> None:
    # An alias added after the build ("giờ làm việc" inside a name) must not change how
    # new questions are split while the keys and the model keep the build's split.
    from knowledge_base.index import TextCache

    class NoEmbedder:
        dimension = 1

        def encode(self, texts):  # pragma: no cover - no text is encoded here
            raise AssertionError("nothing to encode")

    built = TextPipeline(names=["đăng ký khai sinh"], questions=["giờ làm việc của phường"])
    assert ("gio", "lam", "viec") in built.aspects
    TextCache(built, NoEmbedder()).save(tmp_path)
    restarted = TextPipeline(names=["xác nhận giờ làm việc"], questions=["giờ làm việc"])
    assert ("gio", "lam", "viec") not in restarted.aspects
    TextCache(restarted, NoEmbedder()).load(tmp_path)
    assert restarted.aspects == built.aspects
