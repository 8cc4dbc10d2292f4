"""Build the rasa-sdk executor with every action bound to the shared knowledge base."""

from __future__ import annotations

from pathlib import Path

from rasa_sdk.executor import ActionExecutor

from actions.chitchat import ActionReplyChitchat
from actions.compose import AnswerComposer
from actions.dialogue import Dialogue
from actions.feedback import ActionAskRating, ActionStoreRating
from actions.handoff import ActionHandoff
from actions.procedures import ActionAnswerProcedure
from actions.templates import DomainTemplates
from knowledge_base.analysis import Lexicon
from knowledge_base.service import KnowledgeBase

ACTION_CLASSES = (ActionAnswerProcedure, ActionHandoff, ActionAskRating, ActionStoreRating,
                  ActionReplyChitchat)


def build_dialogue(kb: KnowledgeBase, domain_dir: Path) -> Dialogue:
    """The dialogue logic over ``kb`` with the responses of ``domain_dir``."""
    return Dialogue(kb, AnswerComposer(DomainTemplates.load(domain_dir)), Lexicon.load())


def build_executor(dialogue: Dialogue) -> ActionExecutor:
    """An executor whose actions share one dialogue (and so one knowledge base)."""
    executor = ActionExecutor()
    for action_class in ACTION_CLASSES:
        executor.register_action(action_class(dialogue))
    return executor
