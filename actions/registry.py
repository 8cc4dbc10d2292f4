"""Build the rasa-sdk executor with every action bound to the shared knowledge base."""

from __future__ import annotations

from collections.abc import Callable

from rasa_sdk.executor import ActionExecutor

from actions.cache import TtlCache
from actions.chitchat import ActionAskApplicationCode, ActionOfferAppointment, ActionReplyChitchat
from actions.compose import AnswerComposer
from actions.dialogue import Dialogue
from actions.feedback import ActionAskRating, ActionStoreRating
from actions.handoff import ActionHandoff
from actions.procedures import ActionAnswerProcedure
from actions.templates import DomainTemplates
from knowledge_base.analysis import Lexicon
from knowledge_base.plain import PlainData
from knowledge_base.plain_store import PlainNameStore
from knowledge_base.service import KnowledgeBase

EDITS_TTL_SECONDS = 5.0

ACTION_CLASSES = (ActionAnswerProcedure, ActionHandoff, ActionAskRating, ActionStoreRating,
                  ActionReplyChitchat, ActionAskApplicationCode, ActionOfferAppointment)


def build_dialogue(kb: KnowledgeBase, templates: DomainTemplates,
                   base_url: str = "") -> Dialogue:
    """The dialogue logic over ``kb`` with the bot's responses ``templates``.

    ``base_url`` is where citizens reach the app (links to the checklist pages);
    empty, answers carry no such link.
    """
    composer = AnswerComposer(templates, plain=PlainData.load(), base_url=base_url,
                              edits=plain_edits(kb))
    return Dialogue(kb, composer, Lexicon.load())


def plain_edits(kb: KnowledgeBase) -> Callable[[], dict[str, str]]:
    """Admins' edits of short names, re-read at most every few seconds (like office facts)."""
    store = PlainNameStore(kb.store)
    cache = TtlCache(EDITS_TTL_SECONDS)
    return lambda: cache.get("edits", store.edits)


def build_executor(dialogue: Dialogue) -> ActionExecutor:
    """An executor whose actions share one dialogue (and so one knowledge base)."""
    executor = ActionExecutor()
    for action_class in ACTION_CLASSES:
        executor.register_action(action_class(dialogue))
    return executor
