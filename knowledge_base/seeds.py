"""Team-written seed data shipped with the package: FAQ, office info, aliases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from knowledge_base.models import Faq
from knowledge_base.settings import DATA_DIR


def _read(name: str) -> Any:
    path: Path = DATA_DIR / name
    if not path.exists():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def seed_faqs() -> list[Faq]:
    """The starter FAQ (``data/faq_seed.yml``)."""
    entries = _read("faq_seed.yml") or []
    return [Faq(**{k: v for k, v in item.items() if k in Faq.model_fields}) for item in entries]


def seed_office_info() -> dict[str, str]:
    """Demo office facts (``data/office_seed.yml``); admins replace them."""
    data = _read("office_seed.yml") or {}
    return {str(k): str(v).strip() for k, v in data.items()}


def seed_aliases() -> dict[str, list[str]]:
    """Colloquial names of procedures (``data/aliases.yml``)."""
    data = _read("aliases.yml") or {}
    return {str(code): [str(a) for a in aliases or []] for code, aliases in data.items()}
