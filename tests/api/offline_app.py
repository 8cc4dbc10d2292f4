"""The real app on the session index with Rasa unreachable: the API tests' common set-up.

Rasa's URL points at a free port nobody listens on, so every answer comes from
the knowledge base (degraded mode) and the tests need no Rasa process.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api.channels.zalo.settings import ZaloSettings
from api.config import AppSettings
from api.main import create_app
from ops.processes import free_port


def offline_app(database_url: str, kb_settings: Any, zalo_settings: ZaloSettings | None = None,
                **overrides: Any) -> tuple[FastAPI, AppSettings, Any]:
    """``create_app`` on ``database_url`` with a warmed-up knowledge base; app, settings, kb."""
    from knowledge_base.service import KnowledgeBase

    overrides.setdefault("chat_unsigned_senders", True)  # tests name their own sender ids
    settings = AppSettings(
        _env_file=None, database_url=database_url, index_dir=kb_settings.index_dir,
        catalog_dir=kb_settings.catalog_dir, rasa_url=f"http://127.0.0.1:{free_port()}",
        port=free_port(), **overrides)
    kb = KnowledgeBase(settings)
    kb.warm_up()
    return create_app(settings, kb, zalo_settings), settings, kb
