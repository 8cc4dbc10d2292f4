"""Browse the stored catalog: search and filter procedures, open one with a reply preview.

An admin sees a procedure as parsed (the record), why a flagged one is kept out
of answers in plain words (``flags.yml``), and the first reply a citizen would
get for a general question about it, built by the bot's own composer and
rendered from the domain responses, exactly as the assistant would say it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions import constants as c
from actions.compose import AnswerComposer
from actions.templates import DomainTemplates
from api.auth.errors import StaffError
from knowledge_base.errors import NotFoundError
from knowledge_base.models import Procedure
from knowledge_base.service import KnowledgeBase
from knowledge_base.text import fold

FLAGS_FILE = Path(__file__).with_name("flags.yml")
STATUSES = ("all", "answerable", "flagged")


@lru_cache(maxsize=1)
def flag_texts() -> dict[str, str]:
    """The plain explanations of import flags, read once."""
    return yaml.safe_load(FLAGS_FILE.read_text(encoding="utf-8"))


def explain_flag(code: str, flag: str) -> str:
    """One flag such as ``mismatched_page:1.014023`` in words an admin understands."""
    name, _, value = flag.partition(":")
    texts = flag_texts()
    template = texts.get(name) or texts["other"]
    return template.format(code=code, value=value.replace(",", ", "), flag=flag)


def explain_flags(procedure: Procedure) -> list[str]:
    """Every flag of a procedure explained (empty when it is answerable)."""
    return [explain_flag(procedure.code, flag) for flag in procedure.flags]


def _summary(procedure: Procedure) -> dict[str, Any]:
    return {"code": procedure.code, "name": procedure.name, "field": procedure.field,
            "level": procedure.level, "answerable": procedure.answerable,
            "flags": procedure.flags, "reasons": explain_flags(procedure)}


class CatalogBrowser:
    """Read-only views of the stored catalog for the admin console."""

    def __init__(self, kb: KnowledgeBase, templates: DomainTemplates) -> None:
        self.kb = kb
        self.templates = templates
        self.composer = AnswerComposer(templates)

    def search(self, q: str = "", status: str = "all", field: str = "", offset: int = 0,
               limit: int = 50) -> dict[str, Any]:
        """Procedures whose code or name contains ``q`` (accents ignored), filtered."""
        if status not in STATUSES:
            raise StaffError(422, "catalog_bad_status")
        everything = self.kb.store.procedures(include_flagged=True)
        words = fold(" ".join(q.split())).lower().split()
        found = [p for p in everything
                 if all(w in fold(f"{p.code} {p.name}").lower() for w in words)
                 and (status == "all" or p.answerable == (status == "answerable"))
                 and (not field or p.field == field)]
        return {"items": [_summary(p) for p in found[offset:offset + limit]],
                "total": len(found), "offset": offset, "limit": limit,
                "fields": sorted({p.field for p in everything if p.field})}

    def detail(self, code: str) -> dict[str, Any]:
        """The parsed record, the flags explained and the first reply a citizen gets."""
        try:
            procedure = self.kb.store.procedure(code)
        except NotFoundError as error:
            raise StaffError(404, "not_found") from error
        record = procedure.model_dump(mode="json", exclude={"raw"})
        return _summary(procedure) | {"record": record, "preview": self.preview(procedure)}

    def preview(self, procedure: Procedure) -> list[dict[str, Any]]:
        """The bot's messages for "<procedure name>" asked in general, as the citizen sees them."""
        office = self.kb.office_info()
        if not procedure.answerable:
            replies = self.composer.unavailable(office)
        elif len(procedure.cases) >= 2:
            replies = self.composer.overview_then_case(procedure, c.ASPECT_GENERAL, office,
                                                       self.kb.catalog_date())
        else:
            replies = self.composer.answer(procedure, c.ASPECT_GENERAL, office,
                                           self.kb.catalog_date())
        messages = [self.templates.render(reply) for reply in replies]
        return [{"text": m.text, "buttons": [b.title for b in m.buttons]} for m in messages]
