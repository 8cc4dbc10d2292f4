"""A Rasa 3 tokenizer that segments Vietnamese words with underthesea.

Vietnamese words are often several syllables ("đăng ký", "khai sinh"). A
whitespace tokenizer would split them apart and the featurizers would lose
the word boundaries; this component keeps them as one token (syllables joined
by ``_`` in the token text) while keeping the character offsets of the
original message, which Rasa needs for entities and for debugging.

Citizens often type without diacritics ("dk khai sinh can giay to gi"), so
each token's *lemma* is its accent-folded form (đ→d). Featurizers that use
lemmas (the default) then see the same features with and without diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

WORD_CHARS = re.compile(r"\w", re.UNICODE)
SYLLABLE_JOINER = "_"


def fold(text: str) -> str:
    """Lowercase and remove Vietnamese diacritics: 'Đăng_ký' → 'dang_ky'."""
    text = text.lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def _segment(text: str) -> list[str]:
    """Return underthesea's words for ``text`` (imported lazily: it loads a model)."""
    from underthesea import word_tokenize

    return list(word_tokenize(text))


def locate_words(text: str, words: list[str]) -> list[tuple[str, int, int]]:
    """Map segmented words back to ``(surface, start, end)`` spans of ``text``.

    Each syllable of a word is searched for from the current cursor, so the
    offsets stay exact even when the segmenter drops or merges punctuation.
    Syllables that cannot be found (the segmenter normalised them) are skipped;
    the caller falls back to whitespace splitting when nothing is found.

    Args:
        text: the original message text.
        words: the words returned by the segmenter, in order.

    Returns:
        One span per word that could be located, in text order.

    """
    spans: list[tuple[str, int, int]] = []
    cursor = 0
    for word in words:
        start: int | None = None
        end = cursor
        for syllable in word.split():
            position = text.find(syllable, end)
            if position < 0:
                continue
            if start is None:
                start = position
            end = position + len(syllable)
        if start is not None:
            spans.append((text[start:end], start, end))
            cursor = end
    return spans


def _whitespace_spans(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class VietnameseTokenizer(Tokenizer):
    """Tokenizer on ``underthesea.word_tokenize`` that keeps character offsets."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Packages the component needs."""
        return ["underthesea"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        """Creates a new component (see parent class for full docstring)."""
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Split ``message``'s ``attribute`` into Vietnamese words with offsets."""
        text = message.get(attribute) or ""
        normalized = unicodedata.normalize("NFC", text)
        spans = locate_words(normalized, _segment(normalized)) if normalized.strip() else []
        if not spans:
            spans = _whitespace_spans(normalized)
        tokens = []
        for surface, start, end in spans:
            if not WORD_CHARS.search(surface):
                continue
            word = re.sub(r"\s+", SYLLABLE_JOINER, surface)
            tokens.append(Token(word, start, end, lemma=fold(word)))
        if not tokens:
            tokens = [Token(normalized, 0, len(normalized), lemma=fold(normalized))]
        return self._apply_token_pattern(tokens)
