"""The app's services in one typed container, built once by the lifespan.

Every heavy or shared object of the served app (knowledge base, conversation
loop, staff and appointment services, templates, Rasa client, personal-data
vault, sender-id issuer, checklist composer, Zalo channel) lives in one
:class:`Services` on ``app.state.services``. Routes reach its parts through the
typed dependencies of :mod:`api.deps`; background parts (the Zalo channel, the
appointment reminders) receive it as an argument. Nothing is looked up by name
and nothing is built lazily on a first request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from rasa_sdk.executor import ActionExecutor
from sqlalchemy.engine import Engine

from actions.compose import AnswerComposer
from actions.registry import build_dialogue, build_executor, plain_edits
from actions.templates import DomainTemplates
from api import db_models
from api.admin.services import StaffServices
from api.appointments.services import Appointments
from api.channels.zalo.channel import ZaloChannel
from api.channels.zalo.settings import ZaloSettings
from api.citizen_services.flows import build_citizen_services
from api.config import AppSettings
from api.conversation import ConversationService
from api.degraded import DegradedResponder
from api.hardening import restrict_sqlite_files
from api.pii import PiiVault, build_vault
from api.rasa_client import RasaClient
from api.rate_limit import Limiters, build_limiters
from api.sender_ids import SenderIds, build_sender_ids
from knowledge_base.db import create_tables
from knowledge_base.plain import PlainData
from knowledge_base.service import KnowledgeBase

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the served app shares between requests, built once per lifespan."""

    settings: AppSettings
    kb: KnowledgeBase
    templates: DomainTemplates
    rasa: RasaClient
    executor: ActionExecutor
    pii: PiiVault
    conversation: ConversationService
    staff: StaffServices
    appointments: Appointments | None  # None (logged) when its key is unusable
    checklist: AnswerComposer
    sender_ids: SenderIds
    limiters: Limiters
    zalo_settings: ZaloSettings
    zalo: ZaloChannel | None = None  # set by api.channels.zalo.start when configured
    reminders: asyncio.Task[None] | None = None  # the appointment reminder loop
    warm_up_error: str | None = None  # the index warm-up's failure, shown on /health
    appointments_tried_at: float = 0.0  # when building the appointment services last failed

    def current_appointments(self) -> Appointments | None:
        """The appointment services; if they could not start, tried again once a minute.

        A passing database error at start-up must not close booking until a restart;
        an unusable key fails again, logged at most once a minute.
        """
        now = time.monotonic()
        if self.appointments is None and now - self.appointments_tried_at >= APPOINTMENTS_RETRY_S:
            self.appointments_tried_at = now
            self.appointments = _appointments(self.kb, self.settings)
        return self.appointments

    @property
    def engine(self) -> Engine:
        """The database engine every part shares (the knowledge base's)."""
        return self.kb.store.engine


APPOINTMENTS_RETRY_S = 60.0


def _appointments(kb: KnowledgeBase, settings: AppSettings) -> Appointments | None:
    """The appointment services; None (logged) if they cannot start: the rest still serves."""
    try:
        return Appointments(kb, settings)
    except Exception:  # noqa: BLE001 - e.g. an unusable TTHC_PII_KEY; its routes answer 503
        logger.exception("appointment services could not start")
        return None


def build_services(settings: AppSettings, kb: KnowledgeBase,
                   zalo_settings: ZaloSettings) -> Services:
    """Build every service on ``kb``'s database; templates and lexicon are read once, shared.

    Creates the conversation tables (and, through the services, their own tables)
    if missing, so a fresh database serves at once.
    """
    create_tables(kb.store.engine, [
        db_models.ConversationRow.__table__, db_models.TurnRow.__table__,
        db_models.RatingRow.__table__])
    templates = DomainTemplates.load(settings.domain_path)
    dialogue = build_dialogue(kb, templates, settings.base_url)
    rasa = RasaClient(",".join(settings.rasa_urls), settings.rasa_connect_timeout,
                      settings.rasa_timeout, settings.rasa_retry_after)
    pii = build_vault(settings, kb.store.session, kb.store.engine)
    restrict_sqlite_files(settings.database_url)  # conversations: owner-only (0600)
    conversation = ConversationService(
        kb.store.session, rasa, DegradedResponder(dialogue, dialogue.lexicon), templates,
        pii=pii, services=build_citizen_services(settings, kb, templates))
    checklist = AnswerComposer(templates, plain=PlainData.load(), base_url=settings.base_url,
                               edits=plain_edits(kb))
    return Services(
        settings=settings, kb=kb, templates=templates, rasa=rasa,
        executor=build_executor(dialogue), pii=pii, conversation=conversation,
        staff=StaffServices.build(kb, settings, templates, dialogue.lexicon),
        appointments=_appointments(kb, settings), appointments_tried_at=time.monotonic(),
        checklist=checklist,
        sender_ids=build_sender_ids(settings), limiters=build_limiters(settings),
        zalo_settings=zalo_settings)
