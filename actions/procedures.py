"""Answer questions about procedures (documents, fees, time, where, steps, online)."""

from __future__ import annotations

from actions.base import DialogueAction
from actions.dialogue import DialogueState, Message, Outcome


class ActionAnswerProcedure(DialogueAction):
    """Resolve the procedure through the knowledge base and answer the asked aspect.

    Also handles button choices (procedure, case), FAQ answers and not-found
    replies, which all start from the same question.
    """

    def name(self) -> str:
        """The action name used in the domain and the rules."""
        return "action_answer_procedure"

    def step(self, state: DialogueState, message: Message) -> Outcome:
        """Run the dialogue step of this action."""
        return self.dialogue.answer(state, message)
