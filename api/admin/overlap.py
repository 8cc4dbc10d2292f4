"""Which existing entries would compete with an FAQ entry being saved, and how closely.

Every phrasing of the entry (its question and its other phrasings) is searched
with the knowledge base's own search, the one citizens' questions go through;
an existing FAQ entry or procedure whose similarity to a phrasing reaches
``OVERLAP_SIMILARITY`` would compete for the same questions. The editor shows
them before saving so the admin merges the new phrasings into the existing
entry or keeps both knowingly (then the assistant asks which one was meant when
a question matches both equally).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from knowledge_base.models import TargetType
from knowledge_base.service import KnowledgeBase

# Similarity (the index's cosine score, 0–1) from which two phrasings compete: unrelated
# entries of the ward's FAQ score below 0.45, re-wordings of one question above 0.75.
OVERLAP_SIMILARITY = 0.7
SEARCH_DEPTH = 5
MAX_PHRASINGS = 50


class OverlapIn(BaseModel):
    """The entry as it stands in the editor (``id`` set when editing an existing one)."""

    question: str = Field(default="", max_length=5000)
    phrasings: list[str] = Field(default_factory=list, max_length=200)
    id: int | None = None


class Overlap(BaseModel):
    """An existing entry competing for some of the phrasings."""

    type: str
    id: str
    title: str
    similarity: float
    phrasings: list[str]


def find_overlaps(kb: KnowledgeBase, entry: OverlapIn) -> list[Overlap]:
    """Existing entries as similar as ``OVERLAP_SIMILARITY`` to a phrasing, most similar first."""
    texts = [" ".join(t.split()) for t in [entry.question, *entry.phrasings]]
    texts = list(dict.fromkeys(t for t in texts if t))[:MAX_PHRASINGS]
    found: dict[tuple[str, str], Overlap] = {}
    for text in texts:
        for hit in kb.search(text, limit=SEARCH_DEPTH).hits:
            if hit.type == TargetType.FAQ and entry.id is not None and hit.id == str(entry.id):
                continue
            if hit.score < OVERLAP_SIMILARITY:
                continue
            key = (hit.type.value, hit.id)
            similarity = round(min(1.0, float(hit.score)), 3)
            current = found.setdefault(key, Overlap(type=hit.type.value, id=hit.id,
                                                    title=hit.title, similarity=similarity,
                                                    phrasings=[]))
            current.similarity = max(current.similarity, similarity)
            if text not in current.phrasings:
                current.phrasings.append(text)
    return sorted(found.values(), key=lambda overlap: -overlap.similarity)
