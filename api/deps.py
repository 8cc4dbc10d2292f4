"""Dependencies declared once: the heavy objects the lifespan built, as ``Annotated`` aliases.

They are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool,
and a thread hop per dependency per request cost more than the lookups themselves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from rasa_sdk.executor import ActionExecutor

from actions.templates import DomainTemplates
from api.config import AppSettings
from api.conversation import ConversationService
from api.rasa_client import RasaClient
from knowledge_base.service import KnowledgeBase


async def get_settings(request: Request) -> AppSettings:
    """The app's settings."""
    return request.app.state.settings


async def get_knowledge_base(request: Request) -> KnowledgeBase:
    """The shared knowledge base (loaded once by the lifespan)."""
    return request.app.state.kb


async def get_conversation(request: Request) -> ConversationService:
    """The conversation service every channel uses."""
    return request.app.state.conversation


async def get_templates(request: Request) -> DomainTemplates:
    """The bot's responses, read from the Rasa domain."""
    return request.app.state.templates


async def get_executor(request: Request) -> ActionExecutor:
    """The rasa-sdk executor with the project's actions."""
    return request.app.state.action_executor


async def get_rasa(request: Request) -> RasaClient:
    """The Rasa client."""
    return request.app.state.rasa


SettingsDep = Annotated[AppSettings, Depends(get_settings)]
KnowledgeBaseDep = Annotated[KnowledgeBase, Depends(get_knowledge_base)]
ConversationDep = Annotated[ConversationService, Depends(get_conversation)]
TemplatesDep = Annotated[DomainTemplates, Depends(get_templates)]
ExecutorDep = Annotated[ActionExecutor, Depends(get_executor)]
RasaDep = Annotated[RasaClient, Depends(get_rasa)]
