"""Hand the conversation to the ward's support staff."""

from __future__ import annotations

from actions import constants as c
from actions.base import DialogueAction
from actions.dialogue import DialogueState, Message, Outcome


class ActionHandoff(DialogueAction):
    """The citizen asked for a human (or accepted the offer after a miss)."""

    def name(self) -> str:
        return "action_handoff"

    def step(self, state: DialogueState, message: Message) -> Outcome:
        return self.dialogue.handoff(state, message.intent, c.HANDOFF_CITIZEN_REQUEST)
