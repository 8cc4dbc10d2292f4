"""Dependencies declared once: the heavy objects the lifespan built, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from rasa_sdk.executor import ActionExecutor

from actions.templates import DomainTemplates
from api.config import AppSettings
from api.conversation import ConversationService
from api.rasa_client import RasaClient
from knowledge_base.service import KnowledgeBase


def get_settings(request: Request) -> AppSettings:
    return request.app.state.settings


def get_knowledge_base(request: Request) -> KnowledgeBase:
    return request.app.state.kb


def get_conversation(request: Request) -> ConversationService:
    return request.app.state.conversation


def get_templates(request: Request) -> DomainTemplates:
    return request.app.state.templates


def get_executor(request: Request) -> ActionExecutor:
    return request.app.state.action_executor


def get_rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


SettingsDep = Annotated[AppSettings, Depends(get_settings)]
KnowledgeBaseDep = Annotated[KnowledgeBase, Depends(get_knowledge_base)]
ConversationDep = Annotated[ConversationService, Depends(get_conversation)]
TemplatesDep = Annotated[DomainTemplates, Depends(get_templates)]
ExecutorDep = Annotated[ActionExecutor, Depends(get_executor)]
RasaDep = Annotated[RasaClient, Depends(get_rasa)]
