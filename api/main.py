"""The FastAPI app factory: one process serves the API, the pages and Rasa's actions.

``create_app`` is cheap; the lifespan builds the heavy things once, as one typed
:class:`api.services.Services` on ``app.state.services`` (routes reach its parts
through :mod:`api.deps`): the knowledge base is warmed up in a thread so the app
answers ``/health`` at once, and the first questions wait for the index.
Run: ``uvicorn api.main:create_app --factory``.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from api import log_safety
from api.appointments import reminders as appointment_reminders
from api.channels import zalo as zalo_channel
from api.channels.zalo.settings import ZaloSettings, get_zalo_settings
from api.config import AppSettings, get_app_settings
from api.errors import install_error_handlers
from api.pii import start_purging, stop_purging
from api.routes import ROUTERS
from api.security import install_security
from api.services import Services, build_services
from knowledge_base.service import KnowledgeBase

logger = logging.getLogger(__name__)
# Background parts, started in this order and stopped in reverse: the Zalo channel
# (off without its settings), then the appointment reminders (which send through it).
Step = Callable[[Services], Awaitable[object]]
STARTERS: tuple[tuple[str, Step, Step], ...] = (
    ("zalo channel", zalo_channel.start, zalo_channel.stop),
    ("appointment reminders", appointment_reminders.start, appointment_reminders.stop),
)


def _freeze_long_lived() -> None:
    """Put what is alive once the index is loaded out of the cycle collector's sight.

    Libraries, index and model live as long as the process; a full collection
    walking them (70+ ms) stalled every request in flight. Objects made later are
    collected as before. The first index, once a rebuild replaces it, is freed by
    reference counting only (a cycle in it would stay); later indexes are not frozen.
    """
    gc.collect()
    gc.freeze()


def _warm_up(services: Services) -> None:
    try:
        services.kb.warm_up()
        services.kb.start_auto_refresh()
        _freeze_long_lived()
        logger.info("knowledge base ready")
    except Exception as error:  # noqa: BLE001 - reported on /health, answers degrade kindly
        services.warm_up_error = type(error).__name__
        logger.exception("knowledge base warm-up failed")


async def _start(services: Services) -> None:
    """Start the background parts; one failing never stops the app."""
    for name, start, _ in STARTERS:
        try:
            await start(services)
        except Exception:  # noqa: BLE001
            logger.exception("%s: start failed", name)


async def _stop(services: Services) -> None:
    """Stop the background parts, last started first; one failing never stops the others."""
    for name, _, stop in reversed(STARTERS):
        try:
            await stop(services)
        except Exception:  # noqa: BLE001
            logger.exception("%s: stop failed", name)


def _lifespan(settings: AppSettings, knowledge_base: KnowledgeBase | None,
              zalo_settings: ZaloSettings | None,
              ) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        kb = knowledge_base or KnowledgeBase(settings)
        services = build_services(settings, kb, zalo_settings or get_zalo_settings())
        app.state.services = services
        if not kb.ready:
            threading.Thread(target=_warm_up, args=(services,), name="kb-warm-up",
                             daemon=True).start()
        else:
            _freeze_long_lived()
        await _start(services)
        purge = start_purging(services.pii)  # expired personal-data copies, at once and hourly
        try:
            yield
        finally:
            await stop_purging(purge)
            await _stop(services)
            kb.stop_auto_refresh()
            await services.rasa.close()

    return lifespan


def create_app(settings: AppSettings | None = None,
               knowledge_base: KnowledgeBase | None = None,
               zalo_settings: ZaloSettings | None = None) -> FastAPI:
    """Build the app; heavy objects are created by the lifespan, not here.

    Args:
        settings: the app's settings (default: from the environment).
        knowledge_base: an already built knowledge base to serve (tests share one).
        zalo_settings: the Zalo channel's settings (default: from the environment).

    """
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
    app = FastAPI(title="Trợ lý TTHC",
                  lifespan=_lifespan(settings, knowledge_base, zalo_settings),
                  docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
                  openapi_url="/openapi.json" if docs else None)
    app.state.services = None  # the lifespan's Services (api.deps reaches them)
    install_error_handlers(app)  # one handler per error family, never a stack trace
    install_security(app, settings)
    for router in ROUTERS:
        app.include_router(router)
    return app
