"""Export and restore what admins edit: FAQ entries, phrasings and office info.

The catalog itself is not exported (it is re-imported from the portal files).
Restoring merges: entries are matched by slug (or question), phrasings by
(code, text), office facts by key; every restored change is audited.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from knowledge_base.db import AliasRow, FaqRow
from knowledge_base.errors import InvalidInputError
from knowledge_base.faq_store import EDITABLE, FaqStore
from knowledge_base.messages import message
from knowledge_base.models import Faq
from knowledge_base.store import KnowledgeStore, audit, bump_revision

FORMAT = "tthc-kb-backup"
VERSION = 1


def export_kb(store: KnowledgeStore) -> dict[str, Any]:
    """Everything admins edit, as one JSON-serialisable document."""
    faqs, _ = FaqStore(store).list(limit=10**6)
    with store.session() as session:
        aliases = [
            {
                "code": r.code,
                "text": r.text,
                "origin": r.origin,
                "active": r.active,
                "created_by": r.created_by,
            }
            for r in session.scalars(select(AliasRow).order_by(AliasRow.code, AliasRow.text))
        ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "faqs": [
            f.model_dump(mode="json", exclude={"id", "version"})
            for f in sorted(faqs, key=lambda f: (f.slug or "", f.question))
        ],
        "aliases": aliases,
        "office_info": dict(sorted(store.office_info().items())),
    }


def restore_kb(
    store: KnowledgeStore, data: dict[str, Any], actor: str = "restore"
) -> dict[str, int]:
    """Merge a backup into the store; returns how many items were written."""
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise InvalidInputError(message("not_a_backup"))
    counts = {
        "faqs": _restore_faqs(store, data.get("faqs", []), actor),
        "aliases": _restore_aliases(store, data.get("aliases", []), actor),
    }
    office = {str(k): str(v) for k, v in (data.get("office_info") or {}).items()}
    if office:
        store.set_office_info(office, actor)
    counts["office_info"] = len(office)
    return counts


def _restore_faqs(store: KnowledgeStore, items: list[dict[str, Any]], actor: str) -> int:
    faqs = FaqStore(store)
    written = 0
    for item in items:
        entry = Faq(
            **{
                k: v
                for k, v in item.items()
                if k in Faq.model_fields and k not in ("id", "version")
            }
        )
        with store.session() as session:
            query = (
                select(FaqRow).where(FaqRow.slug == entry.slug)
                if entry.slug
                else select(FaqRow).where(FaqRow.question == entry.question)
            )
            row = session.scalar(query)
        if row is None:
            faqs.create(entry, actor)
        elif any(getattr(faqs.get(row.id), key) != getattr(entry, key) for key in EDITABLE):
            faqs.update(row.id, entry, row.version, actor)
        else:
            continue
        written += 1
    return written


def _restore_aliases(store: KnowledgeStore, items: list[dict[str, Any]], actor: str) -> int:
    written = 0
    with store.session.begin() as session:
        for item in items:
            row = session.scalar(
                select(AliasRow).where(AliasRow.code == item["code"], AliasRow.text == item["text"])
            )
            if row is None:
                session.add(
                    AliasRow(
                        code=item["code"],
                        text=item["text"],
                        origin=item.get("origin", "admin"),
                        active=bool(item.get("active", True)),
                        created_by=item.get("created_by", actor),
                    )
                )
            elif row.active != bool(item.get("active", True)):
                row.active = bool(item.get("active", True))
            else:
                continue
            written += 1
        if written:
            audit(session, actor, "restore", "alias", "*", None, {"count": written})
            bump_revision(session)
    return written
