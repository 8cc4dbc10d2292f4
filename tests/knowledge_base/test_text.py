from knowledge_base.text import TextPipeline, fold, normalize, telex_fold


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
