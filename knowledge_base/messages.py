"""Staff-facing sentences of the knowledge base, kept as data (``data/messages.yml``)."""

from __future__ import annotations

from functools import lru_cache

import yaml

from knowledge_base.settings import DATA_DIR


@lru_cache(maxsize=1)
def _messages() -> dict[str, str]:
    return yaml.safe_load((DATA_DIR / "messages.yml").read_text(encoding="utf-8"))


def message(key: str, **values: object) -> str:
    """The sentence ``key`` with its placeholders filled: ``message("answer_empty")``."""
    return _messages()[key].format(**values)
