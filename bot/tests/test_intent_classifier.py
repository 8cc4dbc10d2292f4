"""Tests of the skops-free intent classifier, run by pytest in .venv-rasa.

Run: ``cd bot && ../.venv-rasa/bin/python -m pytest tests/test_intent_classifier.py``
(``tests/bot/test_rasa_project.py`` does this in ``make test``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from components.intent_classifier import LinearIntentClassifier
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix

INTENTS = ["ask_fee", "ask_documents", "greet", "thank"]


def _message(vector: np.ndarray, intent: str | None = None) -> Message:
    """A message featurised like ours: word and char features, sparse, side by side."""
    message = Message(data={TEXT: "x", **({"intent": intent} if intent else {})})
    words, chars = vector[:, :12], vector[:, 12:]
    message.add_features(Features(csr_matrix(words), FEATURE_TYPE_SEQUENCE, TEXT, "words"))
    message.add_features(Features(csr_matrix(words), FEATURE_TYPE_SENTENCE, TEXT, "words"))
    message.add_features(Features(csr_matrix(chars), FEATURE_TYPE_SENTENCE, TEXT, "chars"))
    return message


def _data(seed: int, n: int = 120, dims: int = 30):
    centers = 2 * np.random.default_rng(0).normal(size=(len(INTENTS), dims))
    rng = np.random.default_rng(seed)
    labels = [INTENTS[i % len(INTENTS)] for i in range(n)]
    vectors = [np.abs(centers[INTENTS.index(y)] + rng.normal(scale=0.3, size=dims))
               for y in labels]
    return [_message(v.reshape(1, -1), y) for v, y in zip(vectors, labels)]


def _component(storage: LocalModelStorage) -> LinearIntentClassifier:
    context = ExecutionContext(GraphSchema({}), node_name="intent_classifier")
    return LinearIntentClassifier.create(LinearIntentClassifier.get_default_config(),
                                         storage, Resource("intent_classifier"), context)


def test_predictions_match_scikit_learn_and_survive_save_and_load() -> None:
    storage = LocalModelStorage(Path(tempfile.mkdtemp(prefix="clf-test-")))
    trained = _component(storage)
    trained.train(TrainingData(training_examples=_data(1)))
    probe = _data(2, n=40)
    expected = trained.clf.predict_proba(trained._create_X(probe))
    context = ExecutionContext(GraphSchema({}), node_name="intent_classifier")
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage,
                                         Resource("intent_classifier"), context)
    assert np.allclose(loaded.probabilities(probe), expected, atol=1e-9)
    assert all(loaded._row_scores(message) is not None for message in probe)  # the fast path
    dense = _data(2, n=1)[0]
    dense.add_features(Features(np.ones((1, 3)), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    assert loaded._row_scores(dense) is None  # other dimensions: built as a matrix
    loaded.process(probe)
    best = [trained.clf.classes_[i] for i in expected.argmax(axis=1)]
    assert [m.get("intent")["name"] for m in probe] == best
    assert len(probe[0].get("intent_ranking")) == len(INTENTS)
    assert sum(1 for m, y in zip(probe, _data(2, n=40)) if m.get("intent")["name"]
               == y.get("intent")) >= 30, "the classifier should learn the clusters"


def test_missing_weights_give_an_untrained_component_that_changes_nothing() -> None:
    storage = LocalModelStorage(Path(tempfile.mkdtemp(prefix="clf-test-")))
    context = ExecutionContext(GraphSchema({}), node_name="intent_classifier")
    component = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage,
                                            Resource("nothing_here"), context)
    messages = component.process(_data(3, n=4))
    assert all(m.get("intent") in INTENTS for m in messages)

