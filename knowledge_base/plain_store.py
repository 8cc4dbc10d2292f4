"""Admin edits of the plain-language names, kept in their own table.

The table is keyed by procedure code and target ("name", or the key of a
document's official text), never by catalog row ids, so a catalog re-import
keeps every edit; a document whose official text changed simply falls back
to the team's or the derived name. Every change is audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from knowledge_base.db import Base, create_tables, utcnow
from knowledge_base.store import KnowledgeStore, audit, bump_revision

NAME_TARGET = "name"


class PlainNameRow(Base):
    """A short name an admin wrote for a procedure or one of its documents."""

    __tablename__ = "plain_names"
    __table_args__ = (UniqueConstraint("code", "target"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64), default="system")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlainNameStore:
    """Read and write admin edits of short names (audited, revision bumped)."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store
        create_tables(store.engine, [PlainNameRow.__table__])

    def edits(self) -> dict[str, str]:
        """Every edit as ``{"<code>:<target>": text}`` (what ``PlainData`` reads)."""
        with self.store.session() as session:
            return {f"{row.code}:{row.target}": row.text
                    for row in session.scalars(select(PlainNameRow))}

    def edits_of(self, code: str) -> dict[str, str]:
        """Edits of one procedure, by target."""
        with self.store.session() as session:
            rows = session.scalars(select(PlainNameRow).where(PlainNameRow.code == code))
            return {row.target: row.text for row in rows}

    def set(self, code: str, target: str, text: str, actor: str) -> None:
        """Write (or, with an empty ``text``, remove) one short name; audited."""
        text = " ".join(text.split())
        with self.store.session.begin() as session:
            row = session.scalars(select(PlainNameRow).where(
                PlainNameRow.code == code, PlainNameRow.target == target)).first()
            before = {"text": row.text} if row else None
            if not text:
                if row is None:
                    return
                session.delete(row)
            elif row is None:
                session.add(PlainNameRow(code=code, target=target, text=text, updated_by=actor))
            elif row.text == text:
                return
            else:
                row.text, row.updated_by, row.updated_at = text, actor, utcnow()
            audit(session, actor, "delete" if not text else "update", "plain_name",
                  f"{code}:{target}", before, {"text": text} if text else None)
            bump_revision(session)
