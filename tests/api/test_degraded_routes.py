"""Degraded mode routes every intent as the Rasa rules do (``bot/data/rules/*.yml``).

The rules say which action answers an intent; each action calls one method of the
shared dialogue. Without Rasa, :class:`api.degraded.DegradedResponder` must call
the same methods in the same order, or a citizen gets a different conversation
whenever Rasa is down.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.dialogue import DialogueState, Message
from actions.registry import build_dialogue
from actions.templates import DomainTemplates
from api.degraded import DegradedResponder
from knowledge_base.analysis import Lexicon

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "bot" / "data" / "rules"
# What each custom action calls on the dialogue (actions/*.py: run → self.dialogue.<method>).
ACTION_METHOD = {
    "action_answer_procedure": "answer",
    "action_handoff": "handoff",
    "action_store_rating": "rate",
    "action_reply_chitchat": "chitchat",
    "action_ask_rating": "ask_rating",
}


def rule_routes() -> list[tuple[str, bool | None, list[str]]]:
    """(intent, human_offered condition or None, dialogue methods) for each rule."""
    routes = []
    for path in sorted(RULES.glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            steps = rule["steps"]
            intent = steps[0].get("intent")
            methods = [ACTION_METHOD[s["action"]] for s in steps[1:]
                       if s.get("action") in ACTION_METHOD]
            if not intent or not methods:
                continue  # rules answered by a response alone (utter_…) need no dialogue
            offered = None
            for condition in rule.get("condition", []):
                for slot in condition.get("slot_was_set", []):
                    offered = slot.get("human_offered", offered)
            routes.append((intent, offered, methods))
    return routes


class Recording:
    """The real dialogue, recording which of its entry points are called."""

    def __init__(self, dialogue) -> None:
        self.dialogue = dialogue
        self.calls: list[str] = []

    def __getattr__(self, name: str):
        attribute = getattr(self.dialogue, name)
        if name not in ACTION_METHOD.values():
            return attribute

        def call(*args, **kwargs):
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return call


@pytest.fixture(scope="module")
def responder(knowledge_base) -> tuple[DegradedResponder, Recording]:
    recording = Recording(build_dialogue(knowledge_base, DomainTemplates.load(ROOT / "bot" / "domain")))
    return DegradedResponder(recording, Lexicon.load()), recording  # type: ignore[arg-type]


def test_the_rules_route_the_intents_this_test_knows() -> None:
    intents = {intent for intent, _, _ in rule_routes()}
    assert {"ask_fee", "request_human", "thank", "rate", "greet"} <= intents


@pytest.mark.parametrize(("intent", "offered", "methods"), rule_routes(),
                         ids=lambda v: str(v))
def test_degraded_mode_calls_what_the_rule_calls(responder, intent, offered, methods) -> None:
    degraded, recording = responder
    recording.calls.clear()
    state = DialogueState(human_offered=bool(offered))
    degraded._dispatch(state, Message(text="", intent=intent))
    assert recording.calls[: len(methods)] == methods, (intent, offered)
