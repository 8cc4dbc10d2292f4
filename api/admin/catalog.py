"""Catalog re-import from the configured source: preview the diff, then confirm.

The preview returns a token derived from what was read and from the diff
against the store; confirming re-reads the source and applies it only if the
token still matches, so an admin never applies something other than what they
reviewed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from api.admin.catalog_browser import explain_flag
from api.auth.errors import StaffError
from knowledge_base.errors import NotFoundError
from knowledge_base.importer import CatalogReadResult, read_catalog
from knowledge_base.seeding import seed_store
from knowledge_base.service import KnowledgeBase
from knowledge_base.store import CatalogDiff


def _token(result: CatalogReadResult, diff: CatalogDiff) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(sorted(result.hashes.items())).encode())
    digest.update(json.dumps(diff.as_dict(), sort_keys=True).encode())
    return digest.hexdigest()[:32]


class CatalogService:
    """Preview and apply catalog imports for the admin console."""

    def __init__(self, kb: KnowledgeBase, source: Path) -> None:
        self.kb = kb
        self.source = source

    def _read(self) -> CatalogReadResult:
        try:
            return read_catalog(self.source)
        except FileNotFoundError as error:
            raise StaffError(404, "catalog_not_found", path=str(self.source)) from error

    def preview(self) -> dict[str, Any]:
        """Show what an import would add, change and remove, plus flagged records and errors."""
        result = self._read()
        diff = self.kb.store.diff_catalog(result)
        return self._describe(result, diff) | {"token": _token(result, diff), "applied": False}

    def apply(self, token: str, actor: str) -> dict[str, Any]:
        """Apply the import previewed with ``token``; 409 if source or store changed since."""
        if not token:
            raise StaffError(422, "catalog_preview_required")
        result = self._read()
        diff = self.kb.store.diff_catalog(result)
        if _token(result, diff) != token:
            raise StaffError(409, "catalog_changed")
        described = self._describe(result, diff)  # names of removed codes, before removal
        report = {name: dict(counts) for name, counts in result.report.items()}
        self.kb.store.apply_catalog(result, str(self.source), actor=actor, report=report)
        seeded = seed_store(self.kb.store)
        return described | {"token": token, "applied": True, "seeded": seeded}

    def flagged(self) -> list[dict[str, Any]]:
        """List stored procedures kept out of answers, with the reasons."""
        return [{"code": p.code, "name": p.name, "flags": p.flags}
                for p in self.kb.store.procedures(include_flagged=True) if p.flags]

    def _describe(self, result: CatalogReadResult, diff: CatalogDiff) -> dict[str, Any]:
        names = {p.code: p.name for p in result.procedures}
        return {
            "source": str(self.source),
            "read": len(result.procedures),
            "added": [{"code": c, "name": names.get(c, "")} for c in diff.added],
            "changed": [{"code": c, "name": names.get(c, "")} for c in diff.changed],
            "removed": [{"code": c, "name": self._stored_name(c)} for c in diff.removed],
            "unchanged": diff.unchanged,
            "flagged": [{"code": c, "name": names.get(c, ""), "flags": f,
                         "reasons": [explain_flag(c, flag) for flag in f]}
                        for c, f in diff.flagged.items()],
            "errors": [f"{e.path.name}: {e.reason}" for e in result.errors],
        }

    def _stored_name(self, code: str) -> str:
        try:
            return self.kb.store.procedure(code).name
        except NotFoundError:
            return ""
