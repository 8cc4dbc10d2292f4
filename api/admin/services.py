"""The staff side's services, built once per app from the shared knowledge base.

Everything staff-facing (accounts, inbox, proposals, analytics, catalog)
shares the knowledge base's database, so one object built from the
:class:`KnowledgeBase` and the app settings serves every staff route. It is
created on first use and kept on ``app.state``; tests build their own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from sqlalchemy.orm import sessionmaker

from actions.templates import DomainTemplates
from api.admin.analytics import AnalyticsService
from api.admin.catalog import CatalogService
from api.auth.models import ensure_tables as ensure_auth_tables
from api.auth.sessions import AuthPolicy, SessionService
from api.auth.users import UserService
from api.support.inbox import InboxService
from api.support.models import ensure_tables as ensure_support_tables
from api.support.proposals import ProposalService
from api.support.suggestions import Suggester
from knowledge_base.service import KnowledgeBase

STATE_KEY = "staff_services"
DEFAULT_DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "domain"
_lock = threading.Lock()


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
    def build(cls, kb: KnowledgeBase, settings: object | None = None) -> StaffServices:
        """Create the services (and any missing tables) on the knowledge base's database."""
        ensure_auth_tables(kb.store.engine)
        ensure_support_tables(kb.store.engine)
        sessions = kb.store.session
        catalog_dir: Path = getattr(settings, "catalog_path", None) or kb.settings.catalog_path
        return cls(
            kb=kb, sessions=sessions,
            auth=SessionService(sessions, AuthPolicy.from_settings(settings)),
            users=UserService(sessions), inbox=InboxService(sessions),
            proposals=ProposalService(sessions, kb), analytics=AnalyticsService(sessions, kb),
            catalog=CatalogService(kb, catalog_dir),
            cookie_secure=getattr(settings, "auth_cookie_secure", None),
            suggester=Suggester(kb, DomainTemplates.load(_domain_path(settings))))

    def knowledge_changed(self) -> None:
        """Re-index now after an admin change, so "saved" means "answered" in this process.

        Search itself only starts a background re-index on its next call and keeps
        answering from the old index meanwhile; re-indexing here (about 2 s on the
        full catalog) makes the very next citizen question use the change. Other
        processes sharing the database pick it up through the revision they poll.
        """
        if self.kb.ready:
            self.kb.refresh_if_changed(force=True, wait=True)


def _domain_path(settings: object | None) -> Path:
    """The bot's domain directory: suggestions are drafted from the bot's own responses."""
    return getattr(settings, "domain_path", None) or DEFAULT_DOMAIN


def get_staff_services(request: Request) -> StaffServices:
    """Return the app's staff services, built on first use."""
    services = getattr(request.app.state, STATE_KEY, None)
    if services is None:
        with _lock:
            services = getattr(request.app.state, STATE_KEY, None)
            if services is None:
                settings = getattr(request.app.state, "settings", None)
                services = StaffServices.build(request.app.state.kb, settings)
                setattr(request.app.state, STATE_KEY, services)
    return services
