"""Ask for and store the citizen's 1–5 satisfaction rating."""

from __future__ import annotations

from actions.base import DialogueAction
from actions.dialogue import DialogueState, Message, Outcome


class ActionAskRating(DialogueAction):
    """Ask for a rating once per conversation (after thanks or goodbye)."""

    def name(self) -> str:
        """The action name used in the domain and the rules."""
        return "action_ask_rating"

    def step(self, state: DialogueState, message: Message) -> Outcome:
        """Run the dialogue step of this action."""
        return self.dialogue.ask_rating(state, message)


class ActionStoreRating(DialogueAction):
    """Read the score from the button payload or the text; the app stores it."""

    def name(self) -> str:
        """The action name used in the domain and the rules."""
        return "action_store_rating"

    def step(self, state: DialogueState, message: Message) -> Outcome:
        """Run the dialogue step of this action."""
        return self.dialogue.rate(state, message)
