"""Glue between rasa-sdk and the shared dialogue logic.

Reads the conversation state from the tracker's slots, runs the dialogue, then
utters the chosen domain responses (Rasa fills the templates) followed by one
``custom`` message with the machine-readable turn summary the app stores.
Any error becomes a logged fallback response: a conversation never crashes.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from dataclasses import asdict
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import constants as c
from actions.dialogue import Dialogue, DialogueState, Message, Outcome
from actions.payloads import clean_entities

logger = logging.getLogger(__name__)


def state_from_tracker(tracker: Tracker) -> DialogueState:
    """Build the dialogue state from the slots (missing or malformed slots get defaults)."""

    def as_int(value: Any, default: int | None) -> int | None:
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return default

    slot = tracker.get_slot
    return DialogueState(
        procedure_code=slot(c.SLOT_PROCEDURE_CODE) or None,
        case_index=as_int(slot(c.SLOT_CASE_INDEX), None),
        pending_aspect=slot(c.SLOT_PENDING_ASPECT) or None,
        procedure_options=list(slot(c.SLOT_PROCEDURE_OPTIONS) or []),
        awaiting=slot(c.SLOT_AWAITING) or None,
        miss_count=as_int(slot(c.SLOT_MISS_COUNT), 0) or 0,
        human_offered=bool(slot(c.SLOT_HUMAN_OFFERED)),
        rated=bool(slot(c.SLOT_RATED)),
        handed_off=bool(slot(c.SLOT_HANDED_OFF)),
        rating_asked=bool(slot(c.SLOT_RATING_ASKED)),
        intro_shown=slot(c.SLOT_INTRO_SHOWN) or None,
    )


def slot_events(state: DialogueState, tracker: Tracker | None = None) -> list[EventType]:
    """SlotSet events for the slots whose value changed (fewer events: smaller trackers)."""
    values = asdict(state)
    values[c.SLOT_CASE_INDEX] = None if state.case_index is None else str(state.case_index)
    values[c.SLOT_MISS_COUNT] = float(state.miss_count)
    current = tracker.current_slot_values() if tracker is not None else {}
    return [SlotSet(name, value) for name, value in values.items()
            if tracker is None or _slot_value(current.get(name), name) != value]


def _slot_value(value: Any, name: str) -> Any:
    # Rasa stores unset lists as None and floats as floats; compare like with like.
    if name == c.SLOT_PROCEDURE_OPTIONS:
        return list(value or [])
    if name == c.SLOT_MISS_COUNT:
        return float(value or 0)
    if name in (c.SLOT_HUMAN_OFFERED, c.SLOT_RATED, c.SLOT_HANDED_OFF, c.SLOT_RATING_ASKED):
        return bool(value)
    return value


def message_from_tracker(tracker: Tracker) -> Message:
    """The latest citizen message (text, intent, payload entities) from the tracker."""
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    entities = clean_entities({e.get("entity"): e.get("value")
                               for e in latest.get("entities") or [] if e.get("entity")})
    return Message(text=str(latest.get("text") or ""), intent=str(intent.get("name") or ""),
                   entities=entities, intent_confidence=intent.get("confidence"))


def utter_outcome(dispatcher: CollectingDispatcher, outcome: Outcome,
                  intent_confidence: float | None) -> None:
    """Utter the replies, then the machine-readable turn summary."""
    for reply in outcome.replies:
        dispatcher.utter_message(response=reply.response,
                                 buttons=[b.as_dict() for b in reply.buttons] or None,
                                 **reply.variables)
    custom: dict[str, Any] = {}
    if outcome.records_turn:
        custom["turn"] = {**outcome.turn.as_dict(), "intent_confidence": intent_confidence}
    if outcome.handoff_reason:
        custom["handoff"] = {"reason": outcome.handoff_reason}
    if outcome.rating is not None:
        custom["rating"] = outcome.rating
    if custom:
        dispatcher.utter_message(json_message=custom)


class DialogueAction(Action):
    """An action that runs one dialogue step; subclasses say which."""

    def __init__(self, dialogue: Dialogue) -> None:
        self.dialogue = dialogue

    @abstractmethod
    def step(self, state: DialogueState, message: Message) -> Outcome:
        """Compute the outcome of this action for the latest message."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Run the step; on any error, log and utter the error response."""
        message = message_from_tracker(tracker)
        try:
            outcome = self.step(state_from_tracker(tracker), message)
        except Exception:  # noqa: BLE001 - a conversation must never crash
            logger.exception("action %s failed", self.name())
            dispatcher.utter_message(response="utter_error", **_office_or_empty(self.dialogue))
            dispatcher.utter_message(json_message={"turn": {
                "intent": message.intent, "procedure": None, "confidence": None,
                "decision": c.DECISION_NOT_FOUND, "error": True}})
            return []
        utter_outcome(dispatcher, outcome, message.intent_confidence)
        return slot_events(outcome.state, tracker)


def _office_or_empty(dialogue: Dialogue) -> dict[str, str]:
    try:
        return dialogue.kb.office_info()
    except Exception:  # noqa: BLE001
        return {}
