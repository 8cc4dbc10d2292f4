"""Recognise aspects and topic words in a question (data: ``data/question_lexicon.yml``).

Rasa classifies the intent; this module answers the two questions the
knowledge base cannot: is this message a follow-up about the procedure under
discussion ("còn lệ phí thì sao?" names no procedure), and what text should be
searched (the question with its aspect words removed). Degraded mode also
uses it to guess the aspect and a few intents without Rasa.

The ``aspects`` of that file are the project's one list of aspect phrases: the
retrieval pipeline (``knowledge_base.text``) reads the same list and removes the
question-only part of it (in FAQ keys or question templates, in no procedure name).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge_base.settings import DATA_DIR
from knowledge_base.text import fold as fold_text

DEFAULT_PATH = DATA_DIR / "question_lexicon.yml"
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_CLAUSE_END = re.compile(r"[,.;:!?\n]+")
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_PHRASE = 6


def fold(text: str) -> str:
    """Lowercase and remove Vietnamese diacritics (đ→d): 'Đăng ký' → 'dang ky'."""
    return fold_text(unicodedata.normalize("NFC", text or "").lower())


def words_of(text: str) -> list[str]:
    """Lowercase NFC words without punctuation."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", text or "").lower()).split()


@dataclass(frozen=True)
class Word:
    """One typed word; a word typed without diacritics matches a phrase word by its folded form."""

    text: str
    folded: str

    def matches(self, phrase_word: str) -> bool:
        """Whether this typed word is ``phrase_word`` (with or without diacritics)."""
        if self.text == phrase_word:
            return True
        return self.text == self.folded and self.folded == _fold_word(phrase_word)


@lru_cache(maxsize=8192)
def _fold_word(word: str) -> str:
    """``fold`` of a phrase word: the same few hundred words, asked for every message."""
    return fold(word)


Phrase = tuple[str, ...]


def _matches_at(words: list[Word], start: int, phrase: Phrase) -> bool:
    span = words[start:start + len(phrase)]
    return len(span) == len(phrase) and all(
        w.matches(p) for w, p in zip(span, phrase, strict=True))


def _typed_at(words: list[Word], start: int, phrase: Phrase) -> bool:
    """Whether ``phrase`` is typed at ``start`` exactly as listed, with its marks."""
    span = words[start:start + len(phrase)]
    return len(span) == len(phrase) and all(w.text == p for w, p in zip(span, phrase,
                                                                          strict=True))


def _phrases(items: list[str]) -> list[Phrase]:
    phrases = {tuple(words_of(str(item))) for item in items if words_of(str(item))}
    return sorted(phrases, key=len, reverse=True)


@dataclass(frozen=True)
class Analysis:
    """A question split into aspects and topic words.

    Attributes:
        aspects: aspects named in the text, in order of appearance.
        topic: the text without its aspect phrases and connectives (what to search).
        content_words: words that are neither aspects, fillers nor generic words.
        intents: degraded-mode intents whose keywords appear in the text.
        core: the topic without fillers ("thế còn cho con nuôi thì sao" → "con nuôi"),
            a second search text when the chatty one is not recognised.

    """

    aspects: tuple[str, ...]
    topic: str
    content_words: tuple[str, ...]
    intents: tuple[str, ...]
    core: str = ""
    # a connective typed before anything is named ("còn làm hộ chiếu thì sao"): the
    # message turns to another topic
    switches: bool = False

    @property
    def names_something(self) -> bool:
        """True when words remain that could name a procedure or an FAQ topic."""
        return bool(self.content_words)


class Lexicon:
    """Longest-match phrase tables loaded from YAML."""

    def __init__(self, aspects: dict[str, list[Phrase]], fillers: list[Phrase],
                 generic: list[Phrase], intents: dict[str, list[Phrase]],
                 topics: list[Phrase] | None = None,
                 connectives: list[Phrase] | None = None,
                 abolished: dict[str, list[Phrase]] | None = None,
                 done: list[Phrase] | None = None,
                 done_then: list[Phrase] | None = None,
                 rejections: dict[str, list[Phrase]] | None = None) -> None:
        # Topic phrases first: the sort below is stable, so they win ties with aspects.
        tables = [(p, ("content", "")) for p in topics or []]
        tables += [(p, ("aspect", name)) for name, ps in aspects.items() for p in ps]
        tables += [(p, ("connective", "")) for p in connectives or []]
        tables += [(p, ("filler", "")) for p in fillers] + [(p, ("generic", "")) for p in generic]
        self._by_first: dict[str, list[tuple[Phrase, tuple[str, str]]]] = {}
        for phrase, label in sorted(tables, key=lambda item: len(item[0]), reverse=True):
            self._by_first.setdefault(fold(phrase[0]), []).append((phrase, label))
        self.intents = intents
        # intent phrases by their first word (folded), so a message is scanned once
        self._intent_by_first = _by_first(intents)
        self.abolished = abolished or {}
        self._abolished_by_first = _by_first(self.abolished)
        self._done_by_first = _by_first({"done": done or []})
        self.done_then = done_then or []
        # openings, corrections, question_ends, courtesy, duty_verbs, conditions (longest first)
        self.rejections = rejections or {}

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> Lexicon:
        """Read the lexicon YAML."""
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            aspects={name: _phrases(items) for name, items in data["aspects"].items()},
            fillers=_phrases(data.get("fillers", [])),
            generic=_phrases(data.get("generic", [])),
            intents={name: _phrases(items) for name, items in data.get("intents", {}).items()},
            topics=_phrases(data.get("topics", [])),
            connectives=_phrases(data.get("connectives", [])),
            abolished={slug: _phrases(items) for slug, items in data.get("abolished", {}).items()},
            done=_phrases(data.get("done", [])),
            done_then=_phrases(data.get("done_then", [])),
            rejections={name: _phrases(items)
                        for name, items in data.get("rejections", {}).items()},
        )

    def analyze(self, text: str) -> Analysis:
        """Split ``text`` into the aspects it names, the topic to search and its content words."""
        words = _words(text)
        aspects: list[str] = []
        topic: list[str] = []
        content: list[str] = []
        core: list[str] = []
        switches = False
        i = 0
        while i < len(words):
            span, exact, (kind, name) = self._match(words, i)
            chunk = [w.text for w in words[i:i + span]]
            if kind == "content" and span == 1 and chunk[0].isdigit():
                kind = "generic"  # "1 người bao nhiêu tiền": a number names no procedure
            if kind == "aspect":
                aspects.append(name)
            elif kind == "connective" and exact:
                switches = switches or not content  # "còn … thì": joins turns, names nothing
            else:
                topic.extend(chunk)
                if kind == "content":
                    content.extend(chunk)
                if kind in ("content", "generic"):
                    core.extend(chunk)
            i += span
        return Analysis(tuple(dict.fromkeys(aspects)), " ".join(topic), tuple(content),
                        self._intents(words), " ".join(core), switches)

    def _match(self, words: list[Word], start: int) -> tuple[int, bool, tuple[str, str]]:
        """The longest phrase at ``start`` (its length, whether typed exactly, its label).

        Among equally long phrases the one typed exactly wins: "con" (child,
        generic) typed as is must not be read as the connective "còn".
        """
        best: tuple[int, bool, tuple[str, str]] | None = None
        for phrase, label in self._by_first.get(words[start].folded, ()):
            n = len(phrase)
            if best is not None and n < best[0]:
                break
            if _matches_at(words, start, phrase):
                exact = all(w.text == p for w, p in zip(words[start:start + n], phrase,
                                                        strict=True))
                if best is None or (exact and not best[1]):
                    best = (n, exact, label)
        return best if best else (1, False, ("content", ""))

    def _intents(self, words: list[Word]) -> tuple[str, ...]:
        """Intents one of whose phrases the words contain, in the lexicon's order."""
        found = _found(words, self._intent_by_first)
        return tuple(name for name in self.intents if name in found)

    def says_only(self, text: str, intent: str) -> bool:
        """Whether every word of the text is one of the intent's words or a filler.

        "vang a" typed without marks is "vâng ạ", a yes, not the "vắng" of "tạm vắng".
        """
        words = _words(text)
        phrases = self.intents.get(intent, [])  # longest first
        i = 0
        while i < len(words):
            span = next((len(p) for p in phrases if _matches_at(words, i, p)), 0)
            if not span:
                span, _, (kind, _name) = self._match(words, i)
                if kind not in ("filler", "connective"):
                    return False
            i += span
        return bool(words)

    def says_done(self, text: str) -> bool:
        """Whether the text says something is already done ("…rồi", "…xong", "đã làm…")."""
        return bool(_found(_words(text), self._done_by_first))

    def after_done(self, text: str) -> tuple[str, str] | None:
        """The text up to what it says is done, and what it asks after that.

        "em xin giấy xác nhận độc thân rồi, giờ đăng ký kết hôn cần gì" → ("em xin
        giấy xác nhận độc thân rồi", "giờ đăng ký kết hôn cần gì"); the turn is the end
        of the clause holding the first "done" phrase, or a word turning to the present
        inside it ("…độc thân rồi giờ đăng ký…", ``done_then``). None when nothing is
        said to be done, or nothing of more than one word follows.
        """
        text = unicodedata.normalize("NFC", text or "")
        spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        words = _words(text)
        done = next((i + len(phrase) for i, word in enumerate(words)
                     for phrase, _ in self._done_by_first.get(word.folded, ())
                     if _matches_at(words, i, phrase)), None)
        if done is None:
            return None
        for i in range(done, len(words)):
            turns = any(_typed_at(words, i, p) for p in self.done_then)
            if turns or _CLAUSE_END.search(text[spans[i - 1][1]:spans[i][0]]):
                ask = text[spans[i][0]:].strip()
                before = text[:spans[i - 1][1]].strip()
                return (before, ask) if len(words) - i > 1 else None
        return None

    def rejection(self, text: str) -> tuple[str, str] | None:
        """What a message opening with "không phải…" rejects, and what it asks instead.

        "không phải khai sinh, ý em là khai tử" → ("khai sinh", "khai tử"); "không phải
        khai sinh" → ("khai sinh", ""); "không phải, ý em là người nước ngoài" → ("",
        "người nước ngoài"). The rejected part ends at a correction ("ý em là", "mà")
        or at the end of the clause. None when the message opens otherwise, or, without
        a correction, reads as a question ("không phải nộp lệ phí khai sinh à?": is
        there no fee to pay?; ``_asks``).
        """
        text = unicodedata.normalize("NFC", text or "")
        spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        words = _words(text)
        table = self.rejections
        opening = next((p for p in table.get("openings", []) if _matches_at(words, 0, p)), None)
        if opening is None:
            return None
        start = len(opening)
        for i in range(start, len(words) + 1):
            correction = next((p for p in table.get("corrections", [])
                               if _matches_at(words, i, p)), None)
            clause_end = i < len(words) and _CLAUSE_END.search(
                text[spans[i - 1][1]:spans[i][0]])
            if correction is None and not clause_end and i < len(words):
                continue
            negated = text[spans[start][0]:spans[i - 1][1]] if i > start else ""
            after = i + len(correction) if correction is not None else i
            rest = text[spans[after][0]:] if after < len(words) else ""
            # a clause naming what is meant after the no ("…, khai tử thì sao?") is its
            # correction; otherwise the whole message may ask "no need to…?"
            if correction is None and not self.analyze(rest).names_something \
                    and self._asks(text, words, start, i):
                return None
            return negated.strip(), rest.strip()
        return None

    def opens_with_rejection(self, text: str) -> bool:
        """Whether the message opens with "không phải", "nhầm rồi"… (a no, or "no need to…?")."""
        words = _words(text)
        return any(_matches_at(words, 0, p) for p in self.rejections.get("openings", []))

    def _asks(self, text: str, words: list[Word], start: int, end: int) -> bool:
        """Whether "không phải" + ``words[start:end]`` asks "no need to…?" rather than says no."""
        table = self.rejections
        if "?" in text or any(_matches_at(words, start, p) for p in table.get("duty_verbs", [])):
            return True
        if any(_matches_at(words, i, p) for i in range(start, end)
               for p in table.get("conditions", [])):
            return True
        last = len(words)
        courtesy = [p for p in table.get("courtesy", []) if len(p) == 1]
        while last > start and any(words[last - 1].matches(p[0]) for p in courtesy):
            last -= 1
        return any(last - len(p) >= start and _matches_at(words, last - len(p), p)
                   for p in table.get("question_ends", []))

    def abolished_in(self, text: str) -> str | None:
        """The FAQ slug explaining an abolished document the text names ("sổ hộ khẩu")."""
        found = _found(_words(text), self._abolished_by_first)
        return next((slug for slug in self.abolished if slug in found), None)


def says_any(text: str, phrases: Iterable[Phrase]) -> bool:
    """Whether ``text`` says one of ``phrases`` (``phrases_of``); bare words match by letters."""
    words = _words(text)
    return any(_matches_at(words, i, p) for i in range(len(words)) for p in phrases)


def phrases_of(items: Iterable[str]) -> list[Phrase]:
    """Phrases of words, longest first, as the lexicon reads them."""
    return _phrases([str(item) for item in items])


def _words(text: str) -> list[Word]:
    """The text's words, each with its folded form."""
    return [Word(w, fold(w)) for w in words_of(text)]


def _by_first(table: dict[str, list[Phrase]]) -> dict[str, list[tuple[Phrase, str]]]:
    """Phrases by their first word (folded), each with the name it stands for."""
    by_first: dict[str, list[tuple[Phrase, str]]] = {}
    for name, phrases in table.items():
        for phrase in phrases:
            by_first.setdefault(fold(phrase[0]), []).append((phrase, name))
    return by_first


def _found(words: list[Word], by_first: dict[str, list[tuple[Phrase, str]]]) -> set[str]:
    """Names one of whose phrases occurs in ``words``."""
    found: set[str] = set()
    for start, word in enumerate(words):
        for phrase, name in by_first.get(word.folded, ()):
            if name not in found and _matches_at(words, start, phrase):
                found.add(name)
    return found
