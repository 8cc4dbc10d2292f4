"""Unit tests of the underthesea tokenizer, run by pytest in .venv-rasa.

Run: ``cd bot && ../.venv-rasa/bin/python -m pytest tests/test_vietnamese_tokenizer.py``
(``tests/bot/test_rasa_project.py`` does this in ``make test``).
"""

from __future__ import annotations

from components.vietnamese_tokenizer import VietnameseTokenizer, locate_words
from rasa.shared.nlu.training_data.message import Message


def _tokenize(text: str):
    tokenizer = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    return tokenizer.tokenize(Message(data={"text": text}), "text")


def test_multi_syllable_words_are_one_token_with_exact_offsets() -> None:
    text = "Đăng ký khai sinh cần giấy tờ gì?"
    tokens = _tokenize(text)
    assert [t.text for t in tokens][:2] == ["Đăng_ký", "khai_sinh"], tokens
    for token in tokens:
        assert text[token.start:token.end].replace(" ", "_") == token.text, token


def test_lemma_is_accent_folded() -> None:
    with_marks = [t.lemma for t in _tokenize("đăng ký kết hôn")]
    without = [t.lemma for t in _tokenize("dang ky ket hon")]
    assert "".join(with_marks).replace("_", "") == "".join(without).replace("_", "")
    assert all(lemma == lemma.lower() for lemma in with_marks)


def test_punctuation_is_dropped_and_offsets_follow_extra_spaces() -> None:
    text = "  lệ phí   bao nhiêu ?? "
    tokens = _tokenize(text)
    assert all(t.text.strip("_?") == t.text for t in tokens)
    for token in tokens:
        assert text[token.start:token.end].split() == token.text.split("_")


def test_no_diacritics_and_shorthand() -> None:
    text = "dk khai sinh can giay to gi"
    tokens = _tokenize(text)
    assert tokens and tokens[0].start == 0 and tokens[-1].end == len(text)


def test_locate_words_skips_words_it_cannot_find() -> None:
    assert locate_words("abc def", ["abc", "xyz", "def"]) == [("abc", 0, 3), ("def", 4, 7)]


def test_empty_or_symbol_only_text_gives_one_token() -> None:
    assert len(_tokenize(":)")) == 1
    assert len(_tokenize("")) == 1

