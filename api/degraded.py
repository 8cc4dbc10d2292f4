"""Answer without Rasa, from the knowledge base, with the same logic and templates.

When the Rasa server is unreachable the app still answers: button payloads
(``/intent{"entity": "value"}``) are parsed here, typed text goes through a
few keyword intents (greeting, thanks, human) and otherwise the aspect words
of :mod:`knowledge_base.analysis`; then the shared :class:`actions.dialogue.Dialogue`
decides, and the domain templates are rendered by the app itself.
"""

from __future__ import annotations

import json
import re

import actions.payloads
from actions import constants as c
from actions.dialogue import Dialogue, DialogueState, Message, Outcome
from knowledge_base.analysis import Lexicon

_PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]+)(?P<entities>\{.*\})?$", re.DOTALL)
GREETING_MAX_WORDS = 4


def parse_payload(text: str) -> tuple[str, dict[str, str]] | None:
    """``/choose_case{"case_index":"2"}`` → ("choose_case", {"case_index": "2"})."""
    match = _PAYLOAD.match(text.strip())
    if not match:
        return None
    entities: dict[str, str] = {}
    if match.group("entities"):
        try:
            raw = json.loads(match.group("entities"))
        except (ValueError, RecursionError):  # typed by anyone: odd JSON is no payload
            return None
        if isinstance(raw, dict):
            entities = actions.payloads.clean_entities(raw)
    return match.group("intent"), entities


class DegradedResponder:
    """The dialogue, driven by keywords instead of Rasa's NLU."""

    def __init__(self, dialogue: Dialogue, lexicon: Lexicon) -> None:
        self.dialogue = dialogue
        self.lexicon = lexicon

    def respond(self, state: DialogueState, text: str) -> Outcome:
        """Decide the reply to ``text`` given ``state`` (never raises on odd input)."""
        parsed = parse_payload(text)
        if parsed:
            intent, entities = parsed
        else:
            intent, entities = self._guess_intent(text), {}
        message = Message(text=text if not parsed else "", intent=intent, entities=entities)
        return self._dispatch(state, message)

    def _guess_intent(self, text: str) -> str:
        analysis = self.lexicon.analyze(text)
        short = len(text.split()) <= GREETING_MAX_WORDS and not analysis.aspects
        for intent in (c.INTENT_REQUEST_HUMAN, "thank", "goodbye", "greet"):
            if intent in analysis.intents and (intent == c.INTENT_REQUEST_HUMAN or short):
                return intent
        if analysis.aspects:
            return c.ASPECT_TO_INTENT[analysis.aspects[0]]
        return "ask_procedure"

    def _dispatch(self, state: DialogueState, message: Message) -> Outcome:
        intent = message.intent
        dialogue = self.dialogue
        if intent == c.INTENT_REQUEST_HUMAN or (intent == c.INTENT_AFFIRM and state.human_offered):
            return dialogue.handoff(state, intent, c.HANDOFF_CITIZEN_REQUEST)
        if intent == c.INTENT_RATE:
            return dialogue.rate(state, message)
        if intent in c.CHITCHAT_RESPONSES:
            outcome = dialogue.chitchat(state, message)
            if intent in ("thank", "goodbye"):
                rating = dialogue.ask_rating(outcome.state, message)
                outcome.replies.extend(rating.replies)
            return outcome
        return dialogue.answer(state, message)
