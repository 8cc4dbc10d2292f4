"""The searchable index: lexical (BM25) and dense (FAISS) views of the corpus.

Built in memory from a :class:`Corpus` in well under a second once the
embedding model exists, so FAQ and alias edits are picked up by rebuilding it
(no model retraining). ``save``/``load`` persist it beside the model.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge_base.corpus import Corpus
from knowledge_base.embedder import Embedder
from knowledge_base.text import ProcessedText, TextPipeline, tone_key


def lexical_tokens(processed: ProcessedText) -> list[str]:
    """Folded syllables plus adjacent-syllable bigrams ("khai_sinh")."""
    syllables = processed.syllables
    return syllables + [f"{a}_{b}" for a, b in zip(syllables, syllables[1:])]


def model_text(processed: ProcessedText) -> str:
    """What the embedding model reads: folded, expanded syllables and their bigrams."""
    return " ".join(lexical_tokens(processed))


class LexicalIndex:
    """BM25 over token lists (bm25s), scored for all documents at once."""

    def __init__(self, documents: list[list[str]]) -> None:
        import bm25s

        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self._bm25.index([doc or ["∅"] for doc in documents], show_progress=False)
        self.size = len(documents)

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of ``tokens`` against every document, in document order."""
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)


class DenseIndex:
    """Exact inner-product search (``IndexFlatIP``) over normalised vectors."""

    def __init__(self, vectors: np.ndarray) -> None:
        import faiss

        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._index = faiss.IndexFlatIP(self.vectors.shape[1])
        self._index.add(self.vectors)

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of ``query`` to every vector, in index order."""
        distances, ids = self._index.search(
            query.reshape(1, -1).astype(np.float32), self.vectors.shape[0]
        )
        out = np.empty(self.vectors.shape[0], dtype=np.float32)
        out[ids[0]] = distances[0]
        return out

    def save(self, path: Path) -> None:
        """Write the FAISS index to ``path``."""
        import faiss

        faiss.write_index(self._index, str(path))


class TextCache:
    """Processed texts and their vectors, kept across index rebuilds.

    An admin edit changes a handful of keys; with the cache a rebuild only
    processes and encodes those, so the edit is searchable within a second.
    """

    def __init__(self, pipeline: TextPipeline, embedder: Embedder) -> None:
        self.pipeline = pipeline
        self.embedder = embedder
        self._processed: dict[str, ProcessedText] = {}
        self._vectors: dict[str, np.ndarray] = {}

    def process(self, text: str) -> ProcessedText:
        """The pipeline's result for ``text``, computed once."""
        processed = self._processed.get(text)
        if processed is None:
            processed = self._processed[text] = self.pipeline.process(text, segment=False)
        return processed

    def save(self, directory: Path) -> None:
        """Persist processed texts and vectors so the next process starts without recomputing."""
        processed = [[p.original, p.normalized, p.folded, p.expanded, p.topic, list(p.aspects)]
                     for p in self._processed.values()]
        # the aspect phrases the build set apart: texts processed later must agree
        aspects = [[list(phrase), label] for phrase, label in self.pipeline.aspects.items()]
        (directory / "text_cache.json").write_text(
            json.dumps({"processed": processed, "vector_keys": list(self._vectors),
                        "aspects": aspects}, ensure_ascii=False), encoding="utf-8")
        if self._vectors:
            np.save(directory / "text_cache.npy", np.stack(list(self._vectors.values())))

    def load(self, directory: Path) -> int:
        """Reuse what a build saved (model, vocabulary, aspect phrases); returns how many texts."""
        path = directory / "text_cache.json"
        if not path.exists():
            return 0
        payload = json.loads(path.read_text(encoding="utf-8"))
        if "aspects" in payload:
            # An admin's FAQ or alias edit since the build may change which phrases are
            # question-only; new texts are split as the saved keys and the model were.
            self.pipeline.aspects = {tuple(phrase): label for phrase, label in payload["aspects"]}
        for original, normalized, folded, expanded, topic, aspects in payload["processed"]:
            self._processed[original] = ProcessedText(
                original, normalized, folded, expanded, (), topic, tuple(aspects))
        keys = payload["vector_keys"]
        if keys and (directory / "text_cache.npy").exists():
            matrix = np.load(directory / "text_cache.npy")
            if len(matrix) == len(keys):
                self._vectors.update(zip(keys, matrix))
        return len(self._processed)

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Vectors for ``texts`` in order, encoding only those not seen before."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            for text, vector in zip(missing, self.embedder.encode(missing)):
                self._vectors[text] = vector
        return (
            np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)
        )


@dataclass
class TargetInfo:
    """Per target: its entries and the set of syllables it is known by."""

    key: tuple[str, str]
    entry_ids: list[int]
    key_tokens: frozenset[str]
    body_tokens: frozenset[str]
    spellings: frozenset[str] = frozenset()  # tone keys of every word of keys and body
    all_tokens: frozenset[str] = frozenset()  # key and body syllables (made once, used per query)

    def __post_init__(self) -> None:
        if not self.all_tokens:
            self.all_tokens = self.key_tokens | self.body_tokens


class SearchIndex:
    """All views of one corpus, aligned by entry and target order."""

    def __init__(
        self,
        corpus: Corpus,
        pipeline: TextPipeline,
        embedder: Embedder,
        cache: TextCache | None = None,
    ) -> None:
        cache = cache or TextCache(pipeline, embedder)
        self.cache = cache
        self.corpus = corpus
        self.pipeline = pipeline
        self.targets = corpus.targets()
        self.target_pos = {key: i for i, key in enumerate(self.targets)}
        self.entry_target = np.array(
            [self.target_pos[(e.target_type, e.target_id)] for e in corpus.entries], dtype=np.int64
        )
        processed_entries = [cache.process(e.text) for e in corpus.entries]
        processed_bodies = [cache.process(corpus.bodies[key]) for key in self.targets]
        self.entry_lexical = LexicalIndex([lexical_tokens(p) for p in processed_entries])
        self.body_lexical = LexicalIndex([lexical_tokens(p) for p in processed_bodies])
        self.dense = DenseIndex(cache.vectors([model_text(p) for p in processed_entries]))
        self.infos = self._target_infos(processed_entries, processed_bodies)
        self.idf = _idf([info.key_tokens | info.body_tokens for info in self.infos])
        stop = pipeline.lexicon.stopwords
        # Sorted tuples: sums over them must not depend on string hashing (reproducible builds).
        self.entry_tokens = [
            tuple(sorted({t for t in p.syllables if t not in stop})) for p in processed_entries
        ]
        self.entry_token_sets = [frozenset(tokens) for tokens in self.entry_tokens]
        self.entry_weights = [sum(self.idf.get(t, 1.0) for t in tokens)
                              for tokens in self.entry_tokens]
        self.entry_spellings = [
            frozenset(tone_key(w) for w in p.normalized.split()) for p in processed_entries
        ]

    def _target_infos(
        self, entries: list[ProcessedText], bodies: list[ProcessedText]
    ) -> list[TargetInfo]:
        grouped: dict[int, list[int]] = {}
        for entry_id, target in enumerate(self.entry_target):
            grouped.setdefault(int(target), []).append(entry_id)
        infos = []
        for pos, key in enumerate(self.targets):
            ids = grouped.get(pos, [])
            tokens = frozenset(t for i in ids for t in entries[i].syllables)
            spellings = frozenset(
                tone_key(w) for p in [*(entries[i] for i in ids), bodies[pos]]
                for w in p.normalized.split()
            )
            infos.append(TargetInfo(key, ids, tokens, frozenset(bodies[pos].syllables), spellings))
        return infos

    def save(self, directory: Path) -> None:
        """Persist the dense index and the corpus it was built from."""
        directory.mkdir(parents=True, exist_ok=True)
        self.dense.save(directory / "keys.faiss")
        payload = {
            "entries": [e.__dict__ for e in self.corpus.entries],
            "bodies": [[list(k), v] for k, v in self.corpus.bodies.items()],
            "titles": [[list(k), v] for k, v in self.corpus.titles.items()],
        }
        (directory / "corpus.json").write_text(
            json.dumps(payload, ensure_ascii=False), encoding="utf-8"
        )


def _idf(token_sets: list[frozenset[str]]) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for tokens in token_sets:
        counts.update(tokens)
    total = len(token_sets)
    return {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in counts.items()}
