"""Rasa's logistic-regression intent classifier, saved as plain arrays instead of skops.

Why: a profile of ``rasa run`` showed that loading the stock
``LogisticRegressionClassifier`` took about two thirds of Rasa's start-up (10-15 s
on the project's 2-core machine). Importing ``skops.io`` builds its list of
trusted types by looking up the module of every scipy and numpy ufunc in
``sys.modules``, and Rasa has already imported TensorFlow's thousands of
modules by then. This component trains the same scikit-learn model with the
same settings. It stores only the coefficients, the intercepts and the class
names (``.npz`` + JSON, no pickle, so loading runs no code) and predicts with
the same multinomial (softmax) formula.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import RANKING_LENGTH

logger = logging.getLogger(__name__)

ARRAYS_FILE = "weights.npz"
CLASSES_FILE = "classes.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """``LogisticRegressionClassifier`` whose trained weights load in milliseconds."""

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage,
                 resource: Resource) -> None:
        """Same settings as the stock classifier; weights come from ``train`` or ``load``."""
        super().__init__(config, name, model_storage, resource)
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None
        self.classes: list[str] = []

    def train(self, training_data: Any) -> Resource:
        """Fit scikit-learn's model, keep its weights, save them."""
        X, y = self._create_training_matrix(training_data)
        if X.shape[0] == 0:
            logger.debug("no intent examples; the classifier stays untrained")
            return self._resource
        self.clf.fit(X, y)
        self.coef = np.asarray(self.clf.coef_, dtype=np.float64)
        self.intercept = np.asarray(self.clf.intercept_, dtype=np.float64)
        self.classes = [str(label) for label in self.clf.classes_]
        self.persist()
        return self._resource

    def probabilities(self, messages: list[Message]) -> np.ndarray:
        """Class probabilities per message, as scikit-learn's ``predict_proba`` gives them."""
        rows = [self._row_scores(message) for message in messages]
        if any(row is None for row in rows):
            rows = list(np.asarray(self._create_X(messages) @ self.coef.T) + self.intercept)
        scores = np.vstack(rows)
        if scores.shape[1] == 1:  # two classes: scikit-learn's binary (sigmoid) form
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def _row_scores(self, message: Message) -> np.ndarray | None:
        """One message's scores straight from its sparse sentence features.

        The same sum as ``_create_X(messages) @ coef.T + intercept``, where ``_create_X``
        concatenates the featurizers' sentence vectors in the message's order, but
        without building and stacking scipy matrices (6% of Rasa's CPU per message).
        ``None`` when the message has dense features or other dimensions.
        """
        scores = self.intercept.copy()
        offset = 0
        for feature in message.features:
            if feature.attribute != TEXT or feature.type != FEATURE_TYPE_SENTENCE:
                continue
            if not feature.is_sparse():
                return None
            matrix = feature.features.tocoo()
            scores += self.coef[:, offset + matrix.col] @ matrix.data
            offset += matrix.shape[1]
        return scores if offset == self.coef.shape[1] else None

    def process(self, messages: list[Message]) -> list[Message]:
        """Set the most likely intent and the ranking on each message."""
        if self.coef is None or not messages:
            return messages
        for message, row in zip(messages, self.probabilities(messages)):
            ranking = sorted(({"name": name, "confidence": float(p)}
                              for name, p in zip(self.classes, row)),
                             key=lambda item: -item["confidence"])
            intent = ranking[0]
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent", intent, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        """Write the weights as arrays and the class names as JSON."""
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(model_dir / ARRAYS_FILE, coef=self.coef, intercept=self.intercept)
            (model_dir / CLASSES_FILE).write_text(json.dumps(self.classes, ensure_ascii=False),
                                                  encoding="utf-8")

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        """Read the saved weights; an untrained component if there are none."""
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with model_storage.read_from(resource) as model_dir:
                with np.load(model_dir / ARRAYS_FILE, allow_pickle=False) as arrays:
                    component.coef = arrays["coef"]
                    component.intercept = arrays["intercept"]
                component.classes = json.loads(
                    (model_dir / CLASSES_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError) as error:
            logger.debug("no saved intent classifier weights (%s)", type(error).__name__)
        return component
