"""The staff side's services, built once per app from the shared knowledge base.

Everything staff-facing (accounts, inbox, proposals, analytics, catalog)
shares the knowledge base's database, so one object built from the
:class:`KnowledgeBase` and the app settings serves every staff route. The app's
lifespan builds it once (:func:`api.services.build_services`); routes reach it
through ``api.deps.StaffDep``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import sessionmaker

from actions.templates import DomainTemplates
from api.admin.analytics import AnalyticsService
from api.admin.catalog import CatalogService
from api.auth.models import ensure_tables as ensure_auth_tables
from api.auth.sessions import SessionService
from api.auth.users import UserService
from api.config import AppSettings
from api.support.inbox import InboxService
from api.support.models import ensure_tables as ensure_support_tables
from api.support.proposals import ProposalService
from api.support.suggestions import Suggester
from knowledge_base.analysis import Lexicon
from knowledge_base.service import KnowledgeBase


@dataclass
class StaffServices:
    """Services of the support and admin consoles."""

    kb: KnowledgeBase
    sessions: sessionmaker
    auth: SessionService
    users: UserService
    inbox: InboxService
    proposals: ProposalService
    analytics: AnalyticsService
    catalog: CatalogService
    cookie_secure: bool | None = None
    suggester: Suggester | None = None

    @classmethod
    def build(cls, kb: KnowledgeBase, settings: AppSettings, templates: DomainTemplates,
              lexicon: Lexicon) -> StaffServices:
        """Create the services (and any missing tables) on the knowledge base's database.

        ``templates`` (the bot's responses) and ``lexicon`` are the ones the app
        already loaded: support suggestions are drafted with them.
        """
        ensure_auth_tables(kb.store.engine)
        ensure_support_tables(kb.store.engine)
        sessions = kb.store.session
        return cls(
            kb=kb, sessions=sessions, auth=SessionService(sessions),
            users=UserService(sessions), inbox=InboxService(sessions),
            proposals=ProposalService(sessions, kb), analytics=AnalyticsService(sessions, kb),
            catalog=CatalogService(kb, settings.catalog_path),
            suggester=Suggester(kb, templates, lexicon))

    def knowledge_changed(self) -> None:
        """Re-index now after an admin change, so "saved" means "answered" in this process.

        Search itself only starts a background re-index on its next call and keeps
        answering from the old index meanwhile; re-indexing here (about 2 s on the
        full catalog) makes the very next citizen question use the change. Other
        processes sharing the database pick it up through the revision they poll.
        """
        if self.kb.ready:
            self.kb.refresh_if_changed(force=True, wait=True)

