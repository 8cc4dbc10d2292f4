"""Dependencies declared once: the parts of :class:`api.services.Services`, as aliases.

The lifespan builds one :class:`~api.services.Services` and keeps it on
``app.state.services``; every route reaches what it needs through these typed
aliases, never through ``app.state`` attribute names.

They are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool,
and a thread hop per dependency per request cost more than the lookups themselves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from rasa_sdk.executor import ActionExecutor

from actions.compose import AnswerComposer
from actions.templates import DomainTemplates
from api.admin.services import StaffServices
from api.appointments.errors import AppointmentError
from api.appointments.services import Appointments
from api.channels.zalo.channel import ZaloChannel
from api.config import AppSettings
from api.conversation import ConversationService
from api.pii import PiiVault
from api.rasa_client import RasaClient
from api.rate_limit import Limiters
from api.sender_ids import SenderIds
from api.services import Services
from knowledge_base.service import KnowledgeBase


def services_of(request: Request) -> Services:
    """The app's services, built by the lifespan (served apps never answer before it ran)."""
    services: Services | None = request.app.state.services
    if services is None:
        raise RuntimeError("the app's lifespan has not run: no services yet")
    return services


async def get_services(request: Request) -> Services:
    """Every service of the app, for routes that need several or the optional ones."""
    return services_of(request)


async def get_settings(request: Request) -> AppSettings:
    """The app's settings."""
    return services_of(request).settings


async def get_knowledge_base(request: Request) -> KnowledgeBase:
    """The shared knowledge base (loaded once by the lifespan)."""
    return services_of(request).kb


async def get_conversation(request: Request) -> ConversationService:
    """The conversation service every channel uses."""
    return services_of(request).conversation


async def get_templates(request: Request) -> DomainTemplates:
    """The bot's responses, read from the Rasa domain."""
    return services_of(request).templates


async def get_executor(request: Request) -> ActionExecutor:
    """The rasa-sdk executor with the project's actions."""
    return services_of(request).executor


async def get_rasa(request: Request) -> RasaClient:
    """The Rasa client."""
    return services_of(request).rasa


async def get_staff_services(request: Request) -> StaffServices:
    """The services of the support and admin consoles."""
    return services_of(request).staff


async def get_pii_vault(request: Request) -> PiiVault:
    """The encrypted originals of messages with personal data."""
    return services_of(request).pii


async def get_sender_ids(request: Request) -> SenderIds:
    """The issuer and checker of the widget's signed sender ids."""
    return services_of(request).sender_ids


async def get_appointments(request: Request) -> Appointments:
    """The booking service and the staff desk (503 when they could not start)."""
    appointments = services_of(request).current_appointments()
    if appointments is None:
        raise AppointmentError(503, "unavailable")
    return appointments


async def get_zalo_channel(request: Request) -> ZaloChannel | None:
    """The running Zalo channel, or None when it is not configured."""
    return services_of(request).zalo


async def get_limiters(request: Request) -> Limiters:
    """The rate limiters of the widget's routes."""
    return services_of(request).limiters


async def get_checklist_composer(request: Request) -> AnswerComposer:
    """The composer of the printable checklist pages (the chat's templates and names)."""
    return services_of(request).checklist


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[AppSettings, Depends(get_settings)]
KnowledgeBaseDep = Annotated[KnowledgeBase, Depends(get_knowledge_base)]
ConversationDep = Annotated[ConversationService, Depends(get_conversation)]
TemplatesDep = Annotated[DomainTemplates, Depends(get_templates)]
ExecutorDep = Annotated[ActionExecutor, Depends(get_executor)]
RasaDep = Annotated[RasaClient, Depends(get_rasa)]
StaffDep = Annotated[StaffServices, Depends(get_staff_services)]
PiiDep = Annotated[PiiVault, Depends(get_pii_vault)]
SenderIdsDep = Annotated[SenderIds, Depends(get_sender_ids)]
AppointmentsDep = Annotated[Appointments, Depends(get_appointments)]
ZaloDep = Annotated[ZaloChannel | None, Depends(get_zalo_channel)]
LimitersDep = Annotated[Limiters, Depends(get_limiters)]
ChecklistDep = Annotated[AnswerComposer, Depends(get_checklist_composer)]
