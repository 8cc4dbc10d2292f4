"""The numpy evaluation of the own model must give what sentence-transformers gives."""

import json
from pathlib import Path

import numpy as np

from knowledge_base.build import current_build
from knowledge_base.embedder import (
    SentenceTransformerEmbedder,
    StaticNumpyEmbedder,
    load_embedder,
)


def _model_dir(kb_settings) -> Path:
    build = current_build(kb_settings.index_path)
    model_dir = Path(json.loads((build / "manifest.json").read_text())["model_dir"])
    return model_dir if model_dir.is_absolute() else build / model_dir


def test_numpy_and_sentence_transformers_agree_on_the_own_model(kb_settings, knowledge_base):
    model_dir = _model_dir(kb_settings)
    texts = ["dang ky khai sinh cho con", "", "tu khong co trong tu dien xyz",
             "le phi chung thuc ban sao bao nhieu", "khai sinh khai sinh khai sinh"]
    ours = load_embedder(model_dir)
    assert isinstance(ours, StaticNumpyEmbedder)
    reference = SentenceTransformerEmbedder(model_dir).encode(texts)
    vectors = ours.encode(texts)
    assert vectors.shape == reference.shape and vectors.dtype == np.float32
    assert np.allclose(vectors, reference, atol=1e-6)
    assert not vectors[1].any()  # no token: a zero vector, as sentence-transformers gives


def test_other_models_still_go_through_sentence_transformers(tmp_path):
    (tmp_path / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]))
    assert isinstance(load_embedder(tmp_path), SentenceTransformerEmbedder)
    assert isinstance(load_embedder(tmp_path / "missing"), SentenceTransformerEmbedder)
