"""The FastAPI app factory: one process serves the API, the pages and Rasa's actions.

``create_app`` is cheap; the lifespan builds the heavy things once and puts them
on ``app.state`` (``settings``, ``kb``, ``templates``, ``conversation``,
``action_executor``, ``rasa``, ``pii``): the knowledge base is warmed up in a thread so
the app answers ``/health`` at once, and the first questions wait for the index.
Run: ``uvicorn api.main:create_app --factory``.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from actions.registry import build_dialogue, build_executor
from actions.templates import DomainTemplates
from api import db_models, log_safety
from api.appointments import reminders as appointment_reminders
from api.channels import zalo as zalo_channel
from api.citizen_services.flows import build_citizen_services
from api.config import AppSettings, get_app_settings
from api.conversation import ConversationService
from api.degraded import DegradedResponder
from api.hardening import restrict_sqlite_files
from api.pii import build_vault, start_purging, stop_purging
from api.rasa_client import RasaClient
from api.routes import ROUTERS
from api.security import install_security
from knowledge_base.analysis import Lexicon
from knowledge_base.db import create_tables
from knowledge_base.service import KnowledgeBase

logger = logging.getLogger(__name__)
# Background parts with start(app)/stop(app): the Zalo channel (off without its settings)
# and the appointment reminders.
STARTERS = (zalo_channel, appointment_reminders)


def _freeze_long_lived() -> None:
    """Put what is alive once the index is loaded out of the cycle collector's sight.

    Libraries, index and model live as long as the process; a full collection
    walking them (70+ ms) stalled every request in flight. Objects made later are
    collected as before. The first index, once a rebuild replaces it, is freed by
    reference counting only (a cycle in it would stay); later indexes are not frozen.
    """
    gc.collect()
    gc.freeze()


def _warm_up(app: FastAPI, kb: KnowledgeBase) -> None:
    try:
        kb.warm_up()
        kb.start_auto_refresh()
        _freeze_long_lived()
        logger.info("knowledge base ready")
    except Exception as error:  # noqa: BLE001 - reported on /health, answers degrade kindly
        app.state.warm_up_error = type(error).__name__
        logger.exception("knowledge base warm-up failed")


def _build_state(app: FastAPI, settings: AppSettings, kb: KnowledgeBase | None) -> None:
    kb = kb or KnowledgeBase(settings)
    create_tables(kb.store.engine, [
        db_models.ConversationRow.__table__, db_models.TurnRow.__table__,
        db_models.RatingRow.__table__])
    templates = DomainTemplates.load(settings.domain_path)
    dialogue = build_dialogue(kb, settings.domain_path)
    rasa = RasaClient(",".join(settings.rasa_urls), settings.rasa_connect_timeout,
                      settings.rasa_timeout, settings.rasa_retry_after)
    app.state.kb = kb
    app.state.engine = kb.store.engine
    app.state.templates = templates
    app.state.rasa = rasa
    app.state.action_executor = build_executor(dialogue)
    app.state.pii = build_vault(settings, kb.store.session, kb.store.engine)
    restrict_sqlite_files(settings.database_url)  # conversations: owner-only (0600)
    app.state.conversation = ConversationService(
        kb.store.session, rasa, DegradedResponder(dialogue, Lexicon.load()), templates,
        pii=app.state.pii, services=build_citizen_services(settings, kb, templates))
    app.state.warm_up_error = None


async def _starters(app: FastAPI, action: str) -> None:
    """Start or stop the background parts; one failing never stops the app."""
    for part in STARTERS:
        try:
            await getattr(part, action)(app)
        except Exception:  # noqa: BLE001
            logger.exception("%s.%s failed", part.__name__, action)


def _lifespan(knowledge_base: KnowledgeBase | None):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings: AppSettings = app.state.settings
        _build_state(app, settings, knowledge_base)
        kb: KnowledgeBase = app.state.kb
        if not kb.ready:
            threading.Thread(target=_warm_up, args=(app, kb), name="kb-warm-up",
                             daemon=True).start()
        else:
            _freeze_long_lived()
        await _starters(app, "start")
        purge = start_purging(app.state.pii)  # expired personal-data copies, at once and hourly
        try:
            yield
        finally:
            await stop_purging(purge)
            await _starters(app, "stop")
            kb.stop_auto_refresh()
            await app.state.rasa.close()

    return lifespan


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 with one readable sentence in ``detail`` (the widget shows it) and the field problems."""
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}"
                         for e in error.errors())
    templates: DomainTemplates | None = getattr(request.app.state, "templates", None)
    detail = templates.text("utter_invalid_request") if templates else problems
    # Not error.errors() itself: its "input" may hold raw request bytes (not JSON-serialisable,
    # and an echo of what the citizen sent).
    return JSONResponse(status_code=422, content={"detail": detail, "problems": problems})


def create_app(settings: AppSettings | None = None,
               knowledge_base: KnowledgeBase | None = None) -> FastAPI:
    """Build the app; heavy objects are created by the lifespan, not here."""
    settings = settings or get_app_settings()
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log_safety.install()  # every record masked, control characters stripped
    # httpx logs every request at INFO (a line per citizen message, Rasa and Zalo calls):
    # failures are logged by our clients already
    if logging.getLogger().level > logging.DEBUG:
        for noisy in ("httpx", "httpcore"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    docs = settings.api_docs  # TTHC_API_DOCS=false in production: no /docs, /openapi.json
    app = FastAPI(title="Trợ lý TTHC", lifespan=_lifespan(knowledge_base),
                  docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
                  openapi_url="/openapi.json" if docs else None)
    app.state.settings = settings
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    install_security(app, settings)
    for router in ROUTERS:
        app.include_router(router)
    return app
