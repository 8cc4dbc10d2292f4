"""What the search index is built from: keys (names, aliases, FAQ questions) and bodies.

A *target* is what an answer points at: a procedure, an FAQ entry, or an
out-of-scope topic (a known question this ward's catalog does not answer; when
it wins, the decision is ``not_found``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from knowledge_base.models import Faq, Procedure
from knowledge_base.settings import DATA_DIR
from knowledge_base.text import Lexicon

PROCEDURE = "procedure"
FAQ = "faq"
OUT_OF_SCOPE = "oos"
_NAME_PREFIX_RE = re.compile(r"^(?:thủ tục|tthc)\s*:?\s*", re.IGNORECASE)
MAX_BODY_DOCUMENTS = 12


@dataclass(frozen=True)
class Entry:
    """One searchable key of a target."""

    target_type: str
    target_id: str
    text: str
    kind: str


@dataclass
class Corpus:
    """Keys and bodies of every target, plus display titles."""

    entries: list[Entry] = field(default_factory=list)
    bodies: dict[tuple[str, str], str] = field(default_factory=dict)
    titles: dict[tuple[str, str], str] = field(default_factory=dict)
    # procedures only enterprises, organisations or staff file (``Lexicon.person_filers``)
    organisation_only: set[str] = field(default_factory=set)

    def targets(self) -> list[tuple[str, str]]:
        """Every target, in a stable order shared by the index arrays."""
        return list(self.titles)


def short_name(name: str) -> str:
    """Procedure name without the "Thủ tục" prefix citizens never type."""
    return _NAME_PREFIX_RE.sub("", name).strip() or name


def procedure_body(procedure: Procedure) -> str:
    """Text that describes a procedure beyond its name (field, audience, result, documents)."""
    documents = [d.name for g in procedure.document_groups for d in g.documents][
        :MAX_BODY_DOCUMENTS
    ]
    cases = procedure.cases
    parts = [
        procedure.name,
        procedure.field,
        procedure.audience,
        procedure.result,
        *cases,
        *documents,
    ]
    return " ".join(part[:300] for part in parts if part)


@lru_cache(maxsize=1)
def out_of_scope_topics() -> list[dict[str, Any]]:
    """Team-written topics this catalog does not answer (``data/out_of_scope.yml``)."""
    path = DATA_DIR / "out_of_scope.yml"
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


@lru_cache(maxsize=1)
def out_of_scope_replies() -> dict[str, str]:
    """Where to go instead, by out-of-scope topic (the topics' ``reply``, Vietnamese)."""
    return {str(t["topic"]): str(t["reply"]).strip() for t in out_of_scope_topics()
            if t.get("reply")}


@lru_cache(maxsize=1)
def query_templates() -> list[str]:
    """Question frames citizens wrap a procedure name in (``data/query_templates.yml``)."""
    data = yaml.safe_load((DATA_DIR / "query_templates.yml").read_text(encoding="utf-8"))
    return list(data["templates"])


@lru_cache(maxsize=1)
def narrative_fillers() -> tuple[list[str], list[str]]:
    """Context sentences citizens write around a request (``data/narrative_fillers.yml``)."""
    data = yaml.safe_load((DATA_DIR / "narrative_fillers.yml").read_text(encoding="utf-8"))
    return list(data["before"]), list(data["after"])


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    return Lexicon.load()


def build_corpus(
    procedures: list[Procedure], aliases: dict[str, list[str]], faqs: list[Faq]
) -> Corpus:
    """Assemble keys and bodies from answerable procedures, aliases, published FAQ and topics."""
    corpus = Corpus()
    lexicon = _lexicon()
    for procedure in procedures:
        key = (PROCEDURE, procedure.code)
        if lexicon.files_only_organisations(procedure.audience):
            corpus.organisation_only.add(procedure.code)
        corpus.titles[key] = procedure.name
        corpus.bodies[key] = procedure_body(procedure)
        corpus.entries.append(Entry(PROCEDURE, procedure.code, short_name(procedure.name), "name"))
        for alias in aliases.get(procedure.code, []):
            corpus.entries.append(Entry(PROCEDURE, procedure.code, alias, "alias"))
    for faq in faqs:
        if not faq.published or faq.id is None:
            continue
        key = (FAQ, str(faq.id))
        corpus.titles[key] = faq.question
        corpus.bodies[key] = f"{faq.question} {faq.answer}"
        corpus.entries.append(Entry(FAQ, str(faq.id), faq.question, "question"))
        for phrasing in faq.phrasings:
            corpus.entries.append(Entry(FAQ, str(faq.id), phrasing, "phrasing"))
    for topic in out_of_scope_topics():
        key = (OUT_OF_SCOPE, str(topic["topic"]))
        corpus.titles[key] = str(topic.get("why", topic["topic"]))
        phrasings = [str(p) for p in topic.get("phrasings", [])]
        corpus.bodies[key] = " ".join(phrasings)
        for phrasing in phrasings:
            corpus.entries.append(Entry(OUT_OF_SCOPE, str(topic["topic"]), phrasing, "oos"))
    return corpus


def synthetic_questions(corpus: Corpus, seed: int, per_entry: int = 2) -> list[tuple[str, Entry]]:
    """Question-like texts made from each key with the team's templates (seeded)."""
    rng = random.Random(seed)
    templates = query_templates()
    before, after = narrative_fillers()
    questions = []
    for entry in corpus.entries:
        if entry.target_type != PROCEDURE:
            questions.append((_with_context(entry.text, rng, before, after), entry))
            continue
        for template in rng.sample(templates, k=min(per_entry, len(templates))):
            text = template.replace("{x}", entry.text.lower())
            questions.append((_with_context(text, rng, before, after), entry))
    return questions


def _with_context(text: str, rng: random.Random, before: list[str], after: list[str]) -> str:
    """Half of the time, wrap a question in narrative context as citizens do."""
    if rng.random() < 0.5:
        return text
    parts = [rng.choice(before)] if rng.random() < 0.8 else []
    parts.append(text + "?")
    if rng.random() < 0.4:
        parts.append(rng.choice(after))
    return " ".join(parts)
