"""Small talk: greeting, thanks, goodbye, yes/no, "are you a bot?"."""

from __future__ import annotations

from actions.base import DialogueAction
from actions.dialogue import DialogueState, Message, Outcome


class ActionReplyChitchat(DialogueAction):
    """Utter the response that goes with the chitchat intent (with office details filled)."""

    def name(self) -> str:
        """The action name used in the domain and the rules."""
        return "action_reply_chitchat"

    def step(self, state: DialogueState, message: Message) -> Outcome:
        """Run the dialogue step of this action."""
        return self.dialogue.chitchat(state, message)


class ActionAskApplicationCode(DialogueAction):
    """"Where is my application?": ask for its code, unless it asks about a procedure."""

    def name(self) -> str:
        """The action name used in the domain and the rules."""
        return "action_ask_application_code"

    def step(self, state: DialogueState, message: Message) -> Outcome:
        """Run the dialogue step of this action."""
        return self.dialogue.ask_application_code(state, message)


class ActionOfferAppointment(DialogueAction):
    """"I want an appointment": offer the booking steps, unless it asks about a procedure."""

    def name(self) -> str:
        """The action name used in the domain and the rules."""
        return "action_offer_appointment"

    def step(self, state: DialogueState, message: Message) -> Outcome:
        """Run the dialogue step of this action."""
        return self.dialogue.offer_appointment(state, message)
