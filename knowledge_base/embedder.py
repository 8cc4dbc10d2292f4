"""Sentence embedders: the project's own trained model, or any local sentence-transformers model.

The own model is a ``StaticEmbedding`` (mean of trained token vectors) over a
word-level tokenizer of the catalog's folded syllables and bigrams, trained with
``MultipleNegativesRankingLoss`` on (question-like text, target text) pairs.
It needs no download, trains in seconds on a CPU and is deterministic for a seed.
"""

from __future__ import annotations

import json
import logging
import os
import random
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

logger = logging.getLogger(__name__)

OWN_MODEL_DIM = 256
SPECIAL_TOKENS = ["[UNK]", "[PAD]"]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    dimension: int

    def warm_up(self) -> None:
        """Load the model now instead of on the first encode."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode texts into L2-normalised float32 vectors, one row per text."""


class SentenceTransformerEmbedder:
    """Wraps a local sentence-transformers model directory; loads it on first use."""

    def __init__(self, model_path: str | Path, device: str = "cpu") -> None:
        self.model_path = str(model_path)
        self.device = device
        self._model: Any = None  # a SentenceTransformer once loaded
        self.dimension = 0

    def warm_up(self) -> None:
        """Load the model now (from local files only) instead of on the first encode."""
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(1)
            self._model = SentenceTransformer(
                self.model_path, device=self.device, local_files_only=True
            )
            self.dimension = int(self._model.get_embedding_dimension() or 0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode texts into L2-normalised float32 vectors, one row per text."""
        self.warm_up()
        assert self._model is not None
        vectors = self._model.encode(
            list(texts),
            batch_size=256,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


STATIC_EMBEDDING_TYPE = "StaticEmbedding"


class StaticNumpyEmbedder:
    """The project's own model (one ``StaticEmbedding``) evaluated with numpy, without torch.

    Why: the model is only "mean of the tokens' vectors", yet serving it through
    sentence-transformers imports torch, which was most of the app's start-up
    (~8 s of the ~12 s warm-up on 2 cores) and costs more per query than the sum
    itself. Same tokenizer file, same weights, same result (to float rounding);
    training still uses sentence-transformers.
    """

    def __init__(self, model_path: str | Path) -> None:
        self.model_path = Path(model_path)
        self._weights: np.ndarray | None = None
        self._tokenizer: Any = None  # a tokenizers.Tokenizer once loaded
        self.dimension = 0

    @staticmethod
    def handles(model_path: str | Path) -> bool:
        """Whether ``model_path`` holds a model made of one ``StaticEmbedding`` module."""
        try:
            modules = json.loads((Path(model_path) / "modules.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (len(modules) == 1 and modules[0].get("path", "") == ""
                and str(modules[0].get("type", "")).endswith(STATIC_EMBEDDING_TYPE)
                and (Path(model_path) / "model.safetensors").exists())

    def warm_up(self) -> None:
        """Read the tokenizer and the embedding matrix."""
        if self._weights is None:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
            self._tokenizer.no_padding()
            self._tokenizer.no_truncation()
            weights = load_file(str(self.model_path / "model.safetensors"))["embedding.weight"]
            self._weights = np.asarray(weights, dtype=np.float32)
            self.dimension = int(self._weights.shape[1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Mean of each text's token vectors, L2-normalised (zeros for a text with no token)."""
        self.warm_up()
        assert self._weights is not None and self._tokenizer is not None
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        vectors = np.zeros((len(encodings), self.dimension), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            if encoding.ids:
                vectors[row] = self._weights[encoding.ids].mean(axis=0)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


def load_embedder(model_path: str | Path) -> Embedder:
    """The fastest exact embedder for a model directory: numpy for the own model."""
    if StaticNumpyEmbedder.handles(model_path):
        return StaticNumpyEmbedder(model_path)
    return SentenceTransformerEmbedder(model_path)


def build_tokenizer(corpus: Sequence[str], max_size: int):
    """A word-level tokenizer over the corpus's syllables and bigrams, most frequent first.

    Built from counts sorted deterministically (``tokenizers``' trainers iterate
    hash maps and are not reproducible); typos and Telex are repaired upstream by
    the text pipeline, so whole syllables are the natural unit for Vietnamese.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers

    counts = Counter(token for text in corpus for token in text.split())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[
        : max_size - len(SPECIAL_TOKENS)
    ]
    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS + [t for t, _ in ranked])}
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return tokenizer


def train_own_model(
    pairs: Sequence[tuple[str, str]],
    corpus: Sequence[str],
    output_dir: Path,
    seed: int = 13,
    epochs: int = 4,
    batch_size: int = 256,
    learning_rate: float = 0.05,
    vocab_size: int = 40000,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Train the project's static embedding model on (anchor, positive) pairs and save it.

    In-batch negatives come from the other positives of the batch; pairs whose
    positives repeat in a batch are moved to later batches so that no target is
    its own negative.
    """
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    # Reproducible: one thread (no racing float sums), seeded everything, and the
    # tokenizer trained without its thread pool.
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)

    tokenizer = build_tokenizer(corpus, vocab_size)
    module = StaticEmbedding(tokenizer, embedding_dim=OWN_MODEL_DIM)
    torch.nn.init.normal_(module.embedding.weight, std=0.1)
    model = SentenceTransformer(modules=[module], device="cpu")
    loss = MultipleNegativesRankingLoss(model, scale=20.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)

    order = list(pairs)
    total = epochs * max(1, len(order) // batch_size + 1)
    step = 0
    model.train()
    for _ in range(epochs):
        random.shuffle(order)
        for batch in _unique_positive_batches(order, batch_size):
            anchors = model.tokenize([a for a, _ in batch])
            positives = model.tokenize([p for _, p in batch])
            value = loss([anchors, positives], labels=torch.empty(0))
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
            step += 1
            if progress:
                progress(step, total)
    model.eval()
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(output_dir))
    logger.info("own embedding model trained: %d pairs, %d steps", len(order), step)
    return output_dir


def _unique_positive_batches(pairs: list[tuple[str, str]], size: int):
    """Yield batches in which no positive text appears twice (greedy, order-preserving)."""
    pending = pairs
    while pending:
        batch: list[tuple[str, str]] = []
        seen: set[str] = set()
        rest: list[tuple[str, str]] = []
        for pair in pending:
            if len(batch) < size and pair[1] not in seen:
                batch.append(pair)
                seen.add(pair[1])
            else:
                rest.append(pair)
        if len(batch) < 2:
            return
        yield batch
        pending = rest
