"""``.env.example`` lists every setting the app, the knowledge base, Zalo and the services read."""

from __future__ import annotations

import re

from pydantic_settings import BaseSettings

from api.channels.zalo.settings import ZaloSettings
from api.citizen_services.settings import CitizenServicesSettings
from api.config import AppSettings
from knowledge_base.settings import KnowledgeBaseSettings
from ops.processes import PROJECT_ROOT


def _names(settings: type[BaseSettings]) -> set[str]:
    prefix = settings.model_config.get("env_prefix", "")
    return {f"{prefix}{name}".upper() for name in settings.model_fields}


def test_every_setting_is_listed_in_the_env_example() -> None:
    text = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*(TTHC_[A-Z0-9_]+)=", text, re.MULTILINE))
    expected = (_names(AppSettings) | _names(KnowledgeBaseSettings) | _names(ZaloSettings)
                | _names(CitizenServicesSettings))
    assert sorted(expected - listed) == []
    assert sorted(listed - expected) == []  # nothing stale either
