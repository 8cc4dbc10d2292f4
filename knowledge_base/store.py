"""Persistent knowledge base: procedures, aliases, office info, revision and audit log.

FAQ entries live in :mod:`knowledge_base.faq_store`, which shares this engine.
Every admin-visible change bumps the knowledge-base *revision*, which search
processes (possibly on other machines) poll to refresh their index.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from knowledge_base.db import (
    AliasRow,
    AuditRow,
    ImportRunRow,
    MetaRow,
    OfficeInfoRow,
    ProcedureRow,
    create_db_engine,
    session_factory,
    utcnow,
)
from knowledge_base.errors import InvalidInputError, NotFoundError
from knowledge_base.importer import CatalogReadResult
from knowledge_base.messages import message
from knowledge_base.models import Procedure

logger = logging.getLogger(__name__)
REVISION_KEY = "revision"
MAX_ALIAS_LENGTH = 200
SEED_ORIGIN, SEED_RETIRED = "seed", "seed_retired"  # alias rows from the team's file


@dataclass
class CatalogDiff:
    """What an import changes (or would change, in a preview)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reparsed: list[str] = field(default_factory=list)
    unchanged: int = 0
    flagged: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """True when the import changes nothing."""
        return not (self.added or self.changed or self.removed)

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable form for the import log and the admin preview."""
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "reparsed": self.reparsed,
            "unchanged": self.unchanged,
            "flagged": self.flagged,
        }


def audit(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Record one change in the audit log (same transaction as the change)."""
    session.add(
        AuditRow(
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )


def bump_revision(session: Session) -> None:
    """Increase the knowledge-base revision inside the caller's transaction."""
    row = session.get(MetaRow, REVISION_KEY, with_for_update=True)
    if row is None:
        session.add(MetaRow(key=REVISION_KEY, value="1"))
    else:
        row.value = str(int(row.value) + 1)


class KnowledgeStore:
    """SQLAlchemy-backed store of the catalog and everything admins edit."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_db_engine(database_url)
        self.session = session_factory(self.engine)

    # --- meta -------------------------------------------------------------
    def revision(self) -> int:
        """Current knowledge-base revision (0 before any change)."""
        with self.session() as session:
            row = session.get(MetaRow, REVISION_KEY)
            return int(row.value) if row else 0

    def meta(self, key: str) -> str | None:
        """A small stored fact, or None."""
        with self.session() as session:
            row = session.get(MetaRow, key)
            return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Store a small fact."""
        with self.session.begin() as session:
            session.merge(MetaRow(key=key, value=value))

    # --- catalog ----------------------------------------------------------
    def diff_catalog(self, result: CatalogReadResult) -> CatalogDiff:
        """Compare a catalog read with what is stored, without changing anything."""
        with self.session() as session:
            rows = list(session.scalars(select(ProcedureRow)))
            stored = {row.code: (row.source_hash, row.removed) for row in rows}
            data = {row.code: row.data for row in rows}
        diff = CatalogDiff()
        for procedure in result.procedures:
            previous = stored.get(procedure.code)
            if previous is None or previous[1]:
                diff.added.append(procedure.code)
            elif previous[0] != result.hashes[procedure.code]:
                diff.changed.append(procedure.code)
            elif data[procedure.code] != procedure.model_dump(mode="json"):
                # Same source, better parser: store the new reading, not an admin-visible change.
                diff.reparsed.append(procedure.code)
            else:
                diff.unchanged += 1
            if procedure.flags:
                diff.flagged[procedure.code] = procedure.flags
        seen = {p.code for p in result.procedures}
        diff.removed = sorted(
            code for code, (_, removed) in stored.items() if code not in seen and not removed
        )
        return diff

    def apply_catalog(
        self,
        result: CatalogReadResult,
        source: str,
        actor: str = "system",
        report: dict[str, Any] | None = None,
    ) -> CatalogDiff:
        """Store a catalog read in one transaction; removed procedures are kept, marked removed."""
        diff = self.diff_catalog(result)
        by_code = {p.code: p for p in result.procedures}
        with self.session.begin() as session:
            for code in diff.added + diff.changed + diff.reparsed:
                procedure = by_code[code]
                session.merge(
                    ProcedureRow(
                        code=code,
                        name=procedure.name,
                        field=procedure.field,
                        flags=procedure.flags,
                        data=procedure.model_dump(mode="json"),
                        source_hash=result.hashes[code],
                        source_path=result.paths[code],
                        removed=False,
                        imported_at=utcnow(),
                    )
                )
            if diff.removed:
                session.execute(
                    update(ProcedureRow)
                    .where(ProcedureRow.code.in_(diff.removed))
                    .values(removed=True)
                )
            summary = {
                "diff": diff.as_dict(),
                "report": report or {},
                "errors": [f"{e.path.name}: {e.reason}" for e in result.errors],
            }
            session.add(ImportRunRow(source=source, summary=summary))
            if not diff.is_empty:
                audit(session, actor, "import", "catalog", source, None, diff.as_dict())
            if not diff.is_empty or diff.reparsed:
                bump_revision(session)
        return diff

    def procedures(self, include_flagged: bool = False) -> list[Procedure]:
        """Procedures in the current catalog; flagged ones only when asked (never for answers)."""
        with self.session() as session:
            rows = session.scalars(
                select(ProcedureRow)
                .where(ProcedureRow.removed.is_(False))
                .order_by(ProcedureRow.code)
            )
            procedures = [Procedure.model_validate(row.data) for row in rows]
        return procedures if include_flagged else [p for p in procedures if p.answerable]

    def procedure(self, code: str) -> Procedure:
        """One procedure by code (flagged ones too); raises NotFoundError if unknown or removed."""
        with self.session() as session:
            row = session.get(ProcedureRow, code)
            if row is None or row.removed:
                raise NotFoundError("procedure", code)
            return Procedure.model_validate(row.data)

    def last_import(self) -> datetime | None:
        """When the catalog last changed (the date shown under every answer)."""
        with self.session() as session:
            return session.scalar(
                select(ProcedureRow.imported_at).order_by(ProcedureRow.imported_at.desc()).limit(1)
            )

    # --- aliases ----------------------------------------------------------
    def aliases(self) -> dict[str, list[str]]:
        """Active aliases by procedure code."""
        with self.session() as session:
            rows = session.scalars(
                select(AliasRow).where(AliasRow.active.is_(True)).order_by(AliasRow.id)
            )
            table: dict[str, list[str]] = {}
            for row in rows:
                table.setdefault(row.code, []).append(row.text)
        return table

    def alias_rows(self, code: str | None = None) -> list[AliasRow]:
        """Active phrasings with their ids, for one procedure or all."""
        with self.session() as session:
            query = select(AliasRow).where(AliasRow.active.is_(True)).order_by(AliasRow.id)
            if code:
                query = query.where(AliasRow.code == code)
            return list(session.scalars(query))

    def add_alias(self, code: str, text: str, actor: str, origin: str = "admin") -> AliasRow:
        """Add a phrasing for a procedure; re-adding a removed one revives it."""
        text = " ".join((text or "").split())
        if not text or len(text) > MAX_ALIAS_LENGTH:
            raise InvalidInputError(message("alias_length", limit=MAX_ALIAS_LENGTH))
        with self.session.begin() as session:
            if session.get(ProcedureRow, code) is None:
                raise NotFoundError("procedure", code)
            row = session.scalar(
                select(AliasRow).where(AliasRow.code == code, AliasRow.text == text)
            )
            if row is None:
                row = AliasRow(code=code, text=text, origin=origin, created_by=actor)
                session.add(row)
            elif row.active:
                if row.origin == SEED_ORIGIN and origin != SEED_ORIGIN:
                    row.origin = origin  # an admin names it too: the team can't retire it
                return row
            row.active, row.origin = True, origin  # revived by an admin: theirs from now on
            session.flush()
            audit(
                session,
                actor,
                "create",
                "alias",
                str(row.id),
                None,
                {"code": code, "text": text, "origin": origin},
            )
            bump_revision(session)
            return row

    def remove_alias(self, alias_id: int, actor: str) -> None:
        """Deactivate an alias; a seed alias stays removed across re-imports."""
        with self.session.begin() as session:
            row = session.get(AliasRow, alias_id)
            if row is None or not row.active:
                raise NotFoundError("alias", alias_id)
            row.active = False
            audit(
                session,
                actor,
                "delete",
                "alias",
                str(alias_id),
                {"code": row.code, "text": row.text},
                None,
            )
            bump_revision(session)

    def sync_seed_aliases(self, seed: dict[str, list[str]]) -> int:
        """Add seed aliases not yet known (active or removed by an admin); return how many.

        One the team withdrew earlier and lists again is active again.
        """
        with self.session.begin() as session:
            rows = {(r.code, r.text): r for r in session.scalars(select(AliasRow))}
            codes = set(session.scalars(select(ProcedureRow.code)))
            added = 0
            for code, texts in seed.items():
                for text in texts:
                    text = " ".join(text.split())
                    row = rows.get((code, text))
                    if row is not None and row.origin == SEED_RETIRED and code in codes:
                        row.active, row.origin = True, SEED_ORIGIN
                        added += 1
                    elif code in codes and text and row is None:
                        rows[(code, text)] = AliasRow(code=code, text=text, origin=SEED_ORIGIN)
                        session.add(rows[(code, text)])
                        added += 1
            if added:
                bump_revision(session)
        return added

    def retire_seed_aliases(self, seed: dict[str, list[str]]) -> int:
        """Deactivate seed aliases the team's file no longer lists (moved or withdrawn).

        Only rows the seed added are touched; aliases admins added or accepted stay.
        """
        wanted = {(code, " ".join(text.split())) for code, texts in seed.items() for text in texts}
        with self.session.begin() as session:
            stale = [row for row in session.scalars(select(AliasRow).where(
                AliasRow.origin == SEED_ORIGIN, AliasRow.active.is_(True)))
                if (row.code, row.text) not in wanted]
            for row in stale:
                row.active, row.origin = False, SEED_RETIRED
            if stale:
                bump_revision(session)
        return len(stale)

    # --- office info ------------------------------------------------------
    def office_info(self) -> dict[str, str]:
        """Facts about the ward's public-service point, by key."""
        with self.session() as session:
            return {row.key: row.value for row in session.scalars(select(OfficeInfoRow))}

    def set_office_info(self, values: dict[str, str], actor: str) -> dict[str, str]:
        """Update office facts; every change is audited."""
        with self.session.begin() as session:
            before = {row.key: row.value for row in session.scalars(select(OfficeInfoRow))}
            for key, value in values.items():
                session.merge(OfficeInfoRow(key=key, value=value.strip(), updated_at=utcnow()))
            after = {**before, **{k: v.strip() for k, v in values.items()}}
            if after != before:
                audit(session, actor, "update", "office_info", "office", before, after)
                bump_revision(session)
        return after

    def seed_office_info(self, values: dict[str, str]) -> None:
        """Fill office facts that are not set yet (admin values are never overwritten)."""
        with self.session.begin() as session:
            existing = set(session.scalars(select(OfficeInfoRow.key)))
            for key, value in values.items():
                if key not in existing:
                    session.add(OfficeInfoRow(key=key, value=str(value).strip()))

    # --- audit ------------------------------------------------------------
    def audit_log(self, entity: str | None = None, limit: int = 100) -> list[AuditRow]:
        """Latest changes first, optionally for one kind of entity."""
        with self.session() as session:
            query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
            if entity:
                query = query.where(AuditRow.entity == entity)
            return list(session.scalars(query))
