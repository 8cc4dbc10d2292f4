"""Hand the conversation to the ward's support staff."""

from __future__ import annotations

from actions.base import DialogueAction
from actions.dialogue import DialogueState, Message, Outcome


class ActionHandoff(DialogueAction):
    """The citizen asked for a human (or accepted the offer after a miss)."""

    def name(self) -> str:
        """The action name used in the domain and the rules."""
        return "action_handoff"

    def step(self, state: DialogueState, message: Message) -> Outcome:
        """Run the dialogue step of this action."""
        return self.dialogue.request_human(state, message)
