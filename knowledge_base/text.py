"""Vietnamese text pipeline, the same on the index side and the query side.

Steps: Unicode NFC → lowercase → punctuation/whitespace cleanup → diacritic
folding (đ→d) kept beside the original → shorthand and synonym lexicon (data,
``data/lexicon.yml``) → aspect phrases set apart (``topic``/``aspects``). With a
vocabulary (the folded syllables of the catalog), tokens typed with Telex
leftovers ("dangw kys") or one-edit typos are mapped back to known syllables.
Underthesea word segmentation (``words``) runs only when asked: the index and
the retriever work on folded syllables and pass ``segment=False``.

The aspect phrases (what is asked about a procedure: documents, fee, time…) are
the dialogue's, ``data/question_lexicon.yml``; the pipeline sets apart only the
*question-only* ones, those that occur in the corpus's FAQ or out-of-scope keys
or in the training question templates, and in no procedure name or alias
(:func:`question_only_aspects`).

Example:
    >>> pipeline = TextPipeline()
    >>> pipeline.process("Đk khai sinh cho con cần gì?").expanded
    'dang ky khai sinh cho con can gi'

"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge_base.settings import DATA_DIR

_PUNCT_RE = re.compile(r"[^\w\s/.]|_", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")
_DOT_RE = re.compile(r"(?<!\d)[./]|[./](?!\d)")
MAX_SPAN = 8
Spelling = tuple[str | None, ...]  # a phrase's tone keys, None for a syllable without marks
ASPECTS_PATH = DATA_DIR / "question_lexicon.yml"


def fold(text: str) -> str:
    """Remove Vietnamese diacritics: 'Đăng ký' → 'Dang ky'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_Y_TO_I = str.maketrans("y", "i")


def tone_key(word: str) -> str:
    """A word's spelling with its tone, independent of where the tone mark sits.

    "hoà"/"hòa", "thuỷ"/"thủy" and "kí"/"ký" are the same word written in the
    old or new style; "sáng" and "sang" (or "xả" and "sản") are different words
    that fold to the same letters. The key keeps the vowel marks and đ, moves
    the tone to the end and writes y as i.
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [ch for ch in decomposed if ch in _TONE_MARKS]
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    return base.translate(_Y_TO_I) + (tones[0] if tones else "")


def typed_with_marks(normalized: str) -> dict[str, frozenset[str]]:
    """Folded syllable → tone keys of the words the citizen typed with diacritics.

    Only these words are matched with their tones; a word typed without any mark
    ("sang") may stand for any word that folds to it.
    """
    typed: dict[str, set[str]] = {}
    for word in normalized.split():
        folded = fold(word)
        if folded != word:
            typed.setdefault(folded, set()).add(tone_key(word))
    return {k: frozenset(v) for k, v in typed.items()}


def normalize(text: str) -> str:
    """NFC, lowercase, punctuation to spaces (keeping 1.001193 and 85/2019), one space."""
    text = unicodedata.normalize("NFC", text or "").lower()
    text = _PUNCT_RE.sub(" ", text)
    text = _DOT_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


@dataclass(frozen=True)
class Lexicon:
    """Shorthand (replaced), synonyms (added), aspects and stopwords, keyed by folded syllables.

    A source written with diacritics matches only words typed the same way or without
    marks: "đổi" (exchange) adds "cấp đổi", "đối với" (for) adds nothing, "doi" may
    be either and adds it (``abbreviation_spellings``, ``synonym_spellings``).

    ``aspects`` holds every aspect phrase of the dialogue's lexicon, written as the
    pipeline sees it (folded, shorthand expanded: "hs" → "ho so"); which of them a
    pipeline removes depends on its corpus (:func:`question_only_aspects`). ``fillers``
    are the dialogue's fillers and connectives, written the same way.
    """

    abbreviations: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    synonyms: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    # folded source → how the lexicon spells it (tone keys; None for an unmarked syllable),
    # one table per pass: a shorthand's unmarked source must not unlock a marked synonym
    abbreviation_spellings: dict[tuple[str, ...], tuple[Spelling, ...]] = field(
        default_factory=dict)
    synonym_spellings: dict[tuple[str, ...], tuple[Spelling, ...]] = field(default_factory=dict)
    aspects: dict[tuple[str, ...], str] = field(default_factory=dict)
    fillers: frozenset[tuple[str, ...]] = frozenset()
    age_brackets: tuple[tuple[int, int, tuple[str, ...]], ...] = ()
    person_filers: tuple[str, ...] = ()
    organisation_words: tuple[tuple[str, ...], ...] = ()
    age_topics: tuple[tuple[str, ...], ...] = ()
    stopwords: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path | None = None, aspects_path: Path | None = None) -> Lexicon:
        """Read the lexicon and the dialogue's aspect phrases (packaged files by default)."""
        data = yaml.safe_load((path or DATA_DIR / "lexicon.yml").read_text(encoding="utf-8"))
        abbreviations = _entries(data.get("abbreviations", []))
        return cls(
            abbreviations=abbreviations,
            synonyms=_entries(data.get("synonyms", [])),
            abbreviation_spellings=_spellings(data.get("abbreviations", [])),
            synonym_spellings=_spellings(data.get("synonyms", [])),
            aspects=_aspect_table(load_aspects(aspects_path or ASPECTS_PATH), abbreviations),
            fillers=frozenset(_aspect_table(
                {"filler": load_fillers(aspects_path or ASPECTS_PATH)}, abbreviations)),
            age_brackets=tuple(
                (
                    int(b.get("at_least", 0)),
                    int(b.get("below", 10**6)),
                    tuple(fold(normalize(str(b["add"]))).split()),
                )
                for b in data.get("age_brackets", [])
            ),
            age_topics=tuple(
                tuple(fold(normalize(str(t))).split()) for t in data.get("age_topics", [])
            ),
            stopwords=frozenset(fold(normalize(str(w))) for w in data.get("stopwords", [])),
            person_filers=tuple(fold(normalize(str(w))) for w in data.get("person_filers", [])),
            organisation_words=tuple(
                tuple(fold(normalize(str(w))).split()) for w in data.get("organisation_words", [])
            ),
        )

    def files_only_organisations(self, audience: str) -> bool:
        """Whether a catalog audience names no person among the filers (blank: unknown, no)."""
        folded = fold(normalize(audience))
        return bool(folded) and not any(person in folded for person in self.person_filers)

    def names_organisation(self, tokens: list[str]) -> bool:
        """Whether expanded question tokens name an enterprise, organisation or staff."""
        return any(_contains(tokens, words) for words in self.organisation_words)

    def age_words(self, tokens: list[str]) -> list[str]:
        """Words of every age bracket a "<N> tuổi" in ``tokens`` falls in.

        Only when the question is about a topic whose procedures differ by age
        (``age_topics``): elsewhere "em tôi 15 tuổi" is part of a story, and the
        bracket words would pull the căn cước procedures named by age.
        """
        added: list[str] = []
        if self.age_topics and not any(_contains(tokens, topic) for topic in self.age_topics):
            return added
        for number, unit in zip(tokens, tokens[1:]):
            if unit == "tuoi" and number.isdecimal():
                age = int(number)
                for low, high, words in self.age_brackets:
                    if low <= age < high:
                        added.extend(words)
        return added


def load_aspects(path: Path = ASPECTS_PATH) -> dict[str, list[str]]:
    """The one list of aspect phrases: label → phrases, as written in ``question_lexicon.yml``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(label): [str(p) for p in phrases] for label, phrases in data["aspects"].items()}


def load_fillers(path: Path = ASPECTS_PATH) -> list[str]:
    """The dialogue's fillers and connectives: the words around a question that name nothing."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [str(p) for p in [*data.get("fillers", []), *data.get("connectives", [])]]


def _aspect_table(
    aspects: dict[str, list[str]], abbreviations: dict[tuple[str, ...], tuple[str, ...]]
) -> dict[tuple[str, ...], str]:
    """Aspect phrases as folded syllables with shorthand expanded; the first label wins."""
    table: dict[tuple[str, ...], str] = {}
    for label, phrases in aspects.items():
        for phrase in phrases:
            tokens = tuple(_apply(fold(normalize(phrase)).split(), abbreviations, replace=True)[0])
            if tokens:
                table.setdefault(tokens, label)
    return table


def question_only_aspects(
    aspects: dict[tuple[str, ...], str],
    names: Iterable[list[str]],
    questions: Iterable[list[str]],
) -> dict[tuple[str, ...], str]:
    """The aspect phrases some question-like text holds and no name key does.

    Retrieval removes aspect phrases from questions and from the indexed keys so
    that "cần mang gì" does not pull towards FAQ entries that happen to use the
    same words. A phrase that also occurs inside a procedure name or alias ("bản
    sao" in "Cấp bản sao trích lục hộ tịch", "trực tuyến", "lệ phí trước bạ") would
    be cut out of that name and out of the questions asking for it, so it stays. A
    phrase that no question-like text (FAQ or out-of-scope key, training template)
    holds pulls towards nothing and stays too: removing every name-safe phrase made
    the whole question read the same as the dialogue's topic, and right answers fell
    by 0.03 on the development set. Texts are lists of folded syllables; the
    dialogue reads every phrase.
    """
    in_names = _phrases_in(set(aspects), names)
    in_questions = _phrases_in(set(aspects), questions)
    return {p: label for p, label in aspects.items() if p in in_questions and p not in in_names}


def _phrases_in(phrases: set[tuple[str, ...]], texts: Iterable[list[str]]) -> set[tuple[str, ...]]:
    """The ``phrases`` that occur (as consecutive syllables) in at least one of ``texts``."""
    lengths = {len(phrase) for phrase in phrases}
    found: set[tuple[str, ...]] = set()
    for tokens in texts:
        for size in lengths:
            found.update(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1))
    return found & phrases


def _entries(items: Iterable[dict[str, object]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for item in items:
        target = tuple(fold(normalize(str(item["to"]))).split())
        sources = item["from"] if isinstance(item["from"], list) else [item["from"]]
        for source in sources:
            table[tuple(fold(normalize(str(source))).split())] = target
    return table


def _spellings(items: Iterable[dict[str, object]]) -> dict[tuple[str, ...], tuple[Spelling, ...]]:
    """Folded source → the tone keys of each way the lexicon writes it (None: no marks)."""
    table: dict[tuple[str, ...], list[Spelling]] = {}
    for item in items:
        sources = item["from"] if isinstance(item["from"], list) else [item["from"]]
        for source in sources:
            words = normalize(str(source)).split()
            spelling = tuple(tone_key(w) if fold(w) != w else None for w in words)
            table.setdefault(tuple(fold(w) for w in words), []).append(spelling)
    return {key: tuple(spellings) for key, spellings in table.items()}


def typed_spelling(normalized: str, count: int) -> list[str | None]:
    """Tone key of each word typed with diacritics, None for one typed without any.

    ``count`` is the number of folded syllables the words must line up with; when
    they do not (odd Unicode), every word counts as typed without marks.
    """
    words = normalized.split()
    if len(words) != count:
        return [None] * count
    return [tone_key(w) if fold(w) != w else None for w in words]


def _spelled_as(typed: list[str | None], spellings: tuple[Spelling, ...] | None) -> bool:
    """Whether words typed as ``typed`` may be one of the lexicon's ``spellings``."""
    return spellings is None or any(
        all(t is None or s is None or t == s for t, s in zip(typed, spelling, strict=True))
        for spelling in spellings
    )


def _apply(
    tokens: list[str],
    table: dict[tuple[str, ...], tuple[str, ...]],
    replace: bool,
    typed: list[str | None] | None = None,
    spellings: dict[tuple[str, ...], tuple[Spelling, ...]] | None = None,
) -> tuple[list[str], list[str | None]]:
    """Longest-match lexicon pass over folded syllables; the tokens and how each was typed.

    With ``typed`` (a tone key per token, None when typed without marks) and the
    lexicon's ``spellings``, a source matches only words typed its way or unmarked.
    """
    typed = typed if typed is not None else [None] * len(tokens)
    out: list[str] = []
    out_typed: list[str | None] = []
    added: list[str] = []
    i = 0
    while i < len(tokens):
        for span in range(min(MAX_SPAN, len(tokens) - i), 0, -1):
            key = tuple(tokens[i : i + span])
            if key in table and _spelled_as(typed[i : i + span], (spellings or {}).get(key)):
                if replace:
                    out.extend(table[key])
                    out_typed.extend([None] * len(table[key]))
                else:
                    out.extend(key)
                    out_typed.extend(typed[i : i + span])
                    added.extend(table[key])
                i += span
                break
        else:
            out.append(tokens[i])
            out_typed.append(typed[i])
            i += 1
    return out + added, out_typed + [None] * len(added)


def _split_aspects(
    tokens: list[str], table: dict[tuple[str, ...], str]
) -> tuple[list[str], tuple[str, ...]]:
    """Remove aspect phrases (longest match); return the topic tokens and the aspects found."""
    topic: list[str] = []
    found: list[str] = []
    longest = max(map(len, table), default=0)
    i = 0
    while i < len(tokens):
        for span in range(min(longest, len(tokens) - i), 0, -1):
            label = table.get(tuple(tokens[i : i + span]))
            if label:
                found.append(label)
                i += span
                break
        else:
            topic.append(tokens[i])
            i += 1
    return topic, tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class ProcessedText:
    """Every view of one text the retrieval needs."""

    original: str
    normalized: str
    folded: str
    expanded: str
    words: tuple[str, ...]
    topic: str = ""
    aspects: tuple[str, ...] = ()

    @property
    def syllables(self) -> list[str]:
        """Topic syllables (aspect phrases removed), or all syllables if nothing else is left."""
        return (self.topic or self.expanded).split()


_TELEX_RE = re.compile(r"^[a-z]+$")
_TELEX_DOUBLES = (
    ("dd", "d"),
    ("aa", "a"),
    ("aw", "a"),
    ("ee", "e"),
    ("oo", "o"),
    ("ow", "o"),
    ("uw", "u"),
)


def telex_fold(token: str) -> str | None:
    """Fold a syllable typed in Telex without an input method: 'kys' → 'ky', 'ddangw' → 'dang'.

    Vietnamese syllables never end in s/f/r/x/j nor contain w, dd, aa, ee or oo, so
    such a token is Telex. Returns None when the token shows no Telex marks.
    """
    if not _TELEX_RE.match(token) or len(token) < 2:
        return None
    folded = token
    if folded[-1] in "sfrxj" and any(v in folded[:-1] for v in "aeiouy"):
        folded = folded[:-1]
    for src, dst in _TELEX_DOUBLES:
        folded = folded.replace(src, dst)
    folded = folded.replace("w", "")
    return folded if folded != token and folded else None


class TextPipeline:
    """Normalise, fold, expand and segment text; optionally repair tokens against a vocabulary.

    Args:
        lexicon: shorthand, synonyms, aspect phrases and stopwords (the packaged ones by default).
        vocabulary: folded syllables of the corpus, for typo repair.
        names: the corpus's procedure names and aliases.
        questions: question-like texts: FAQ questions and phrasings, out-of-scope
            phrasings, the training question templates. Only the aspect phrases found
            in these and in no name are set apart (:func:`question_only_aspects`);
            with no texts, none is.

    """

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        vocabulary: Iterable[str] = (),
        names: Iterable[str] = (),
        questions: Iterable[str] = (),
    ) -> None:
        self.lexicon = lexicon or Lexicon.load()
        self.vocabulary = frozenset(vocabulary)
        self._deletes: dict[str, str] = {}
        if self.vocabulary:
            for word in sorted(self.vocabulary, key=lambda w: (len(w), w)):
                for variant in _one_deletes(word):
                    self._deletes.setdefault(variant, word)
        self.aspects = question_only_aspects(
            self.lexicon.aspects,
            (self._tokens(fold(normalize(name))) for name in names),
            (self._tokens(fold(normalize(question))) for question in questions),
        )

    def repair(self, token: str) -> str:
        """Map an unknown token to a known syllable: Telex decoding, then one-edit typos."""
        if not self.vocabulary or token in self.vocabulary or len(token) < 3 or token.isdigit():
            return token
        telex = telex_fold(token)
        if telex and telex in self.vocabulary:
            return telex
        if token in self._deletes:
            return self._deletes[token]
        for variant in _one_deletes(token):
            if variant in self.vocabulary:
                return variant
            if variant in self._deletes:
                return self._deletes[variant]
        return token

    def _tokens(self, folded: str, normalized: str = "") -> list[str]:
        """Repaired, expanded syllables of a folded text: what aspect phrases are looked for in.

        With the ``normalized`` text it came from, shorthand and synonyms respect the
        marks the words were typed with.
        """
        tokens = [_plain_number(self.repair(token)) for token in folded.split()]
        typed = typed_spelling(normalized, len(tokens)) if normalized else None
        lexicon = self.lexicon
        tokens, typed = _apply(tokens, lexicon.abbreviations, True, typed,
                               lexicon.abbreviation_spellings)
        tokens, _ = _apply(tokens, lexicon.synonyms, False, typed, lexicon.synonym_spellings)
        return tokens + lexicon.age_words(tokens)

    def process(self, text: str, segment: bool = True) -> ProcessedText:
        """Run the whole pipeline on one text."""
        normalized = normalize(text)
        folded = fold(normalized)
        tokens = self._tokens(folded, normalized)
        words = tuple(segment_words(normalized)) if segment and normalized else ()
        topic, aspects = _split_aspects(tokens, self.aspects)
        if aspects and _only_fillers(topic, self.lexicon.fillers, self.lexicon.stopwords):
            topic = []  # "mất bao lâu vậy", "nộp ở đâu ạ": an aspect, nothing named
        return ProcessedText(
            text, normalized, folded, " ".join(tokens), words, " ".join(topic), aspects
        )


def _only_fillers(
    tokens: list[str], fillers: frozenset[tuple[str, ...]], stopwords: frozenset[str]
) -> bool:
    """Whether ``tokens`` are all fillers or stopwords (longest filler phrase first)."""
    longest = max(map(len, fillers), default=0)
    i = 0
    while i < len(tokens):
        span = next((n for n in range(min(longest, len(tokens) - i), 0, -1)
                     if tuple(tokens[i:i + n]) in fillers), 0)
        if not span and tokens[i] not in stopwords:
            return False
        i += span or 1
    return True


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(tokens[i:i + size]) == phrase for i in range(len(tokens) - size + 1))


def _plain_number(token: str) -> str:
    """'02' → '2' so that "mức độ 02" matches "mức 2"; codes like 1.001193 are kept."""
    return str(int(token)) if token.isdecimal() and len(token) < 6 else token


def _one_deletes(word: str) -> list[str]:
    """Every string one deletion away, in a fixed order (results must not depend on hashing)."""
    return list(dict.fromkeys(word[:i] + word[i + 1 :] for i in range(len(word))))


@lru_cache(maxsize=4096)
def segment_words(normalized: str) -> list[str]:
    """Underthesea word segmentation, words returned folded and joined with '_'."""
    from underthesea import word_tokenize  # heavy import: only when text is processed

    return [fold(word).replace(" ", "_") for word in word_tokenize(normalized)]
