from knowledge_base.analysis import Lexicon, fold

LEXICON = Lexicon.load()


def test_fold_removes_diacritics_and_d_stroke() -> None:
    assert fold("Đăng ký Kết hôn") == "dang ky ket hon"


def test_follow_up_questions_name_no_procedure() -> None:
    for text in ("le phi bao nhieu", "Còn lệ phí thì sao?", "nop online o dau", "mất bao lâu ạ",
                 "cần giấy tờ gì", "các bước thực hiện"):
        assert not LEXICON.analyze(text).names_something, text


def test_aspects_are_found_and_removed_from_the_topic() -> None:
    analysis = LEXICON.analyze("dk khai sinh can giay to gi")
    assert analysis.aspects == ("documents",)
    assert "khai sinh" in analysis.topic and "giay to" not in analysis.topic
    assert LEXICON.analyze("đăng ký kết hôn mất bao lâu").aspects == ("time",)
    assert LEXICON.analyze("nộp online ở đâu").aspects[0] == "online"


def test_words_typed_with_diacritics_only_match_the_same_word() -> None:
    # "nhà" (house) must not be mistaken for the filler "nha"; "đỏ" not for "đó".
    assert "nhà" in LEXICON.analyze("tôi ở nhà thuê").content_words
    assert "đỏ" in LEXICON.analyze("làm sổ đỏ cần gì").content_words


def test_degraded_mode_intent_keywords() -> None:
    assert "request_human" in LEXICON.analyze("cho tôi gặp cán bộ").intents
    assert "greet" in LEXICON.analyze("xin chào").intents
    assert "thank" in LEXICON.analyze("cam on nhieu").intents


def test_phrases_new_citizens_typed() -> None:
    # "cần mang" must not leave "theo" as a topic word that an FAQ then matches.
    assert not LEXICON.analyze("can mang theo nhung gi").names_something
    # "chứng thực bản sao" names a procedure; "bản sao" is not a documents question there.
    analysis = LEXICON.analyze("cho hỏi chứng thực bản sao sổ đỏ mất bao nhiêu tiền")
    assert analysis.aspects == ("fee",) and "bản sao" in analysis.topic
    # "1 lần" after a fee question is not "bảo hiểm xã hội một lần".
    assert not LEXICON.analyze("bao nhiu tien 1 lan").names_something
    assert LEXICON.analyze("khong phai, y em la nguoi nuoc ngoai").core == "nguoi nuoc ngoai"
    # A number alone names no procedure: "1 người bao nhiêu tiền" is a fee follow-up.
    assert not LEXICON.analyze("1 người bao nhiêu tiền").names_something
    # "cơ" closes a sentence ("ý tôi hỏi lệ phí cơ"); it names nothing.
    assert not LEXICON.analyze("không, ý tôi hỏi lệ phí cơ").names_something


def test_connectives_typed_with_marks_leave_the_search_text() -> None:
    # "còn … thì" joins a message to the conversation: searching "con" (child) and
    # "thi" (exam) with the topic made "khai tử cho bố" unrecognisable.
    assert LEXICON.analyze("còn khai tử cho bố thì cần gì").topic == "khai tử cho bố"
    assert LEXICON.analyze("thế còn nuôi con nuôi thì sao").topic == "nuôi con nuôi"
    # typed without marks they may be words: "con" (child) and "thi" stay in the text
    assert LEXICON.analyze("con toi lam khai sinh").topic == "con toi lam khai sinh"
    assert "thi" in LEXICON.analyze("dang ky du thi").topic.split()


def test_a_clause_saying_something_is_done_is_split_from_what_follows() -> None:
    assert LEXICON.after_done("em xin giấy xác nhận độc thân rồi, giờ đăng ký kết hôn cần gì") \
        == ("em xin giấy xác nhận độc thân rồi", "giờ đăng ký kết hôn cần gì")
    assert LEXICON.after_done("tôi đã làm khai sinh cho cháu. Nay muốn nhập hộ khẩu") \
        == ("tôi đã làm khai sinh cho cháu", "Nay muốn nhập hộ khẩu")
    assert LEXICON.after_done("toi xin giay doc than roi, gio dk ket hon")[1] == "gio dk ket hon"
    # no comma: the word turning to the present splits ("…rồi giờ…")
    assert LEXICON.after_done("em xin giấy độc thân rồi giờ đăng ký kết hôn") \
        == ("em xin giấy độc thân rồi", "giờ đăng ký kết hôn")
    # nothing, or a single word, after the clause: nothing to split
    assert LEXICON.after_done("em đăng ký tạm trú xong rồi") is None
    assert LEXICON.after_done("làm khai sinh rồi, sao?") is None
    # "đã" with a state, not a thing done: "đã mất", "đã 8 tuổi", "đã thất lạc"
    for text in ("bố tôi đã mất, giờ đăng ký khai tử cần gì",
                 "con tôi đã 8 tuổi, chưa có khai sinh thì làm sao",
                 "giấy khai tử đã thất lạc, xin lại thế nào"):
        assert LEXICON.after_done(text) is None and not LEXICON.says_done(text), text
    assert LEXICON.says_done("vợ chồng tôi đã đăng ký kết hôn ở quê")


def test_a_no_opening_a_message_is_split_into_what_it_rejects_and_what_it_asks() -> None:
    assert LEXICON.rejection("không phải khai sinh, ý em là khai tử") == ("khai sinh", "khai tử")
    assert LEXICON.rejection("ko phai ket hon ma la ket hon voi nguoi nuoc ngoai") \
        == ("ket hon", "ket hon voi nguoi nuoc ngoai")
    assert LEXICON.rejection("không phải thường trú. Tạm trú cơ") == ("thường trú", "Tạm trú cơ")
    assert LEXICON.rejection("không phải khai sinh") == ("khai sinh", "")
    assert LEXICON.rejection("không phải, ý em là người nước ngoài") == ("", "người nước ngoài")
    # a question ("no need to…?") and a message opening otherwise reject nothing
    for text in ("không phải nộp lệ phí à?", "khong phai lam can cuoc cho con a",
                 "con tôi không phải người nước ngoài", "làm khai sinh"):
        assert LEXICON.rejection(text) is None, text


def test_a_no_that_asks_no_need_to_is_a_question_not_a_rejection() -> None:
    for text in ("không phải nộp lệ phí khai sinh?", "không phải đi đăng ký khai sinh luôn hả chị",
                 "không phải mang giấy chứng sinh khi khai sinh, đúng không",
                 "không phải là đăng ký khai sinh trong 60 ngày sao ạ",
                 "không phải người Hà Nội thì đăng ký khai sinh ở đâu"):
        assert LEXICON.rejection(text) is None, text
    # a polite no is a no; a correction without "là", or after "nhầm rồi", is one too
    assert LEXICON.rejection("không phải khai sinh ạ") == ("khai sinh ạ", "")
    assert LEXICON.rejection("không phải khai sinh mà khai tử") == ("khai sinh", "khai tử")
    assert LEXICON.rejection("nhầm rồi, ý em là khai tử") == ("", "khai tử")


def test_turns_to_the_present_are_typed_words_not_lookalikes() -> None:
    # "con" (child) is no "còn"; "hôm nay" is a day, not a turn
    assert LEXICON.after_done("em đã làm cho con giấy khai sinh rồi giờ đăng ký thường trú") \
        == ("em đã làm cho con giấy khai sinh rồi", "giờ đăng ký thường trú")
    assert LEXICON.after_done("tôi đã nộp hồ sơ hôm nay") is None
