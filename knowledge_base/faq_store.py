"""FAQ entries: create, read, update, delete with version checks and an audit trail."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from knowledge_base.db import AuditRow, FaqRow, utcnow
from knowledge_base.errors import InvalidInputError, NotFoundError, VersionConflictError
from knowledge_base.messages import message
from knowledge_base.models import Faq
from knowledge_base.store import KnowledgeStore, audit, bump_revision

# the store's method ``list`` hides the builtin inside the class body
FaqList = list[Faq]

MAX_QUESTION = 500
SEED_ACTOR = "seed"
SEEDED_SLUGS = "faq_seed_slugs"  # meta key: JSON list of every slug seeded so far
MAX_ANSWER = 5000
MAX_PHRASINGS = 50
EDITABLE = (
    "slug",
    "question",
    "answer",
    "phrasings",
    "tags",
    "field",
    "owner",
    "last_verified",
    "published",
)


def _to_model(row: FaqRow) -> Faq:
    return Faq(
        id=row.id,
        slug=row.slug,
        question=row.question,
        answer=row.answer,
        phrasings=list(row.phrasings or []),
        tags=list(row.tags or []),
        field=row.field,
        owner=row.owner,
        last_verified=row.last_verified,
        published=row.published,
        version=row.version,
    )


def _snapshot(row: FaqRow) -> dict[str, Any]:
    return _to_model(row).model_dump(mode="json")


def validate_faq(faq: Faq) -> Faq:
    """Clean an entry and explain, in plain Vietnamese, what is wrong with it."""
    question = " ".join(faq.question.split())
    answer = faq.answer.strip()
    if not question:
        raise InvalidInputError(message("question_empty"))
    if len(question) > MAX_QUESTION:
        raise InvalidInputError(message("question_too_long", limit=MAX_QUESTION))
    if not answer:
        raise InvalidInputError(message("answer_empty"))
    if len(answer) > MAX_ANSWER:
        raise InvalidInputError(message("answer_too_long", limit=MAX_ANSWER))
    phrasings = list(dict.fromkeys(" ".join(p.split()) for p in faq.phrasings if p.strip()))
    if len(phrasings) > MAX_PHRASINGS:
        raise InvalidInputError(message("too_many_phrasings", limit=MAX_PHRASINGS))
    if any(len(p) > MAX_QUESTION for p in phrasings):
        raise InvalidInputError(message("phrasing_too_long", limit=MAX_QUESTION))
    if faq.last_verified and not _is_date(faq.last_verified):
        raise InvalidInputError(message("bad_verified_date"))
    return faq.model_copy(update={"question": question, "answer": answer, "phrasings": phrasings})


def _is_date(value: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


class FaqStore:
    """FAQ operations on the knowledge store's database."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store

    def list(
        self, query: str = "", offset: int = 0, limit: int = 50, include_drafts: bool = True
    ) -> tuple[list[Faq], int]:
        """Entries matching ``query`` in question/answer, newest first, and the total count."""
        with self.store.session() as session:
            condition = []
            if query:
                pattern = f"%{query.strip()}%"
                condition.append(or_(FaqRow.question.ilike(pattern), FaqRow.answer.ilike(pattern)))
            if not include_drafts:
                condition.append(FaqRow.published.is_(True))
            total = session.scalar(select(func.count()).select_from(FaqRow).where(*condition))
            rows = session.scalars(
                select(FaqRow)
                .where(*condition)
                .order_by(FaqRow.id.desc())
                .offset(max(offset, 0))
                .limit(max(min(limit, 200), 1))
            )
            return [_to_model(row) for row in rows], int(total or 0)

    def all_published(self) -> FaqList:
        """Published entries (what the assistant may answer with), oldest first."""
        with self.store.session() as session:
            rows = session.scalars(
                select(FaqRow).where(FaqRow.published.is_(True)).order_by(FaqRow.id)
            )
            return [_to_model(row) for row in rows]

    def get(self, faq_id: int) -> Faq:
        """One entry by id; raises NotFoundError."""
        with self.store.session() as session:
            row = session.get(FaqRow, faq_id)
            if row is None:
                raise NotFoundError("faq", faq_id)
            return _to_model(row)

    def by_slug(self, slug: str) -> Faq | None:
        """The entry with this slug, if any (admins may have deleted it)."""
        with self.store.session() as session:
            row = session.scalar(select(FaqRow).where(FaqRow.slug == slug))
            return _to_model(row) if row is not None else None

    def create(self, faq: Faq, actor: str) -> Faq:
        """Validate and add an entry (version 1); audited."""
        faq = validate_faq(faq)
        with self.store.session.begin() as session:
            self._check_slug(session, faq.slug, None)
            row = FaqRow(**{key: getattr(faq, key) for key in EDITABLE}, version=1)
            session.add(row)
            session.flush()
            audit(session, actor, "create", "faq", str(row.id), None, _snapshot(row))
            bump_revision(session)
            return _to_model(row)

    def update(self, faq_id: int, faq: Faq, expected_version: int, actor: str) -> Faq:
        """Save an edit made on ``expected_version``; a concurrent save raises a conflict."""
        faq = validate_faq(faq)
        with self.store.session.begin() as session:
            row = session.get(FaqRow, faq_id, with_for_update=True)
            if row is None:
                raise NotFoundError("faq", faq_id)
            if row.version != expected_version:
                raise VersionConflictError("faq", faq_id, expected_version, row.version)
            self._check_slug(session, faq.slug, faq_id)
            before = _snapshot(row)
            for key in EDITABLE:
                setattr(row, key, getattr(faq, key))
            row.version += 1
            row.updated_at = utcnow()
            session.flush()
            audit(session, actor, "update", "faq", str(faq_id), before, _snapshot(row))
            bump_revision(session)
            return _to_model(row)

    def delete(self, faq_id: int, expected_version: int | None, actor: str) -> None:
        """Delete an entry, optionally only if still at ``expected_version``; audited."""
        with self.store.session.begin() as session:
            row = session.get(FaqRow, faq_id, with_for_update=True)
            if row is None:
                raise NotFoundError("faq", faq_id)
            if expected_version is not None and row.version != expected_version:
                raise VersionConflictError("faq", faq_id, expected_version, row.version)
            audit(session, actor, "delete", "faq", str(faq_id), _snapshot(row), None)
            session.delete(row)
            bump_revision(session)

    def seed(self, entries: FaqList) -> int:
        """Add each starter entry the team ships once; admin edits are never touched.

        An entry is added the first time an import meets its slug, so an entry
        the team adds later reaches databases that exist already. Every slug ever
        seeded is remembered: an entry an admin deleted stays deleted, one an
        admin edited keeps its text. Entries without a slug come only with the
        first import.
        """
        first_run = not self.store.meta("faq_seeded")
        seeded = self._seeded_slugs()
        created = 0
        for entry in entries:
            if (entry.slug in seeded) if entry.slug else not first_run:
                continue
            with self.store.session() as session:
                exists = entry.slug and session.scalar(
                    select(FaqRow.id).where(FaqRow.slug == entry.slug)
                )
            if not exists:
                self.create(entry, actor=SEED_ACTOR)
                created += 1
            if entry.slug:
                seeded.add(entry.slug)
        self.store.set_meta(SEEDED_SLUGS, json.dumps(sorted(seeded)))
        self.store.set_meta("faq_seeded", utcnow().isoformat())
        return created

    def refresh_seeded(self, entries: FaqList) -> int:
        """Bring the team's entries up to date where no admin has ever touched them.

        A release may word a starter entry better or give it more phrasings. An entry
        only the seed has written (every audit record of it is the seed's) takes the
        new text; one an admin edited, unpublished or deleted is left as it is.
        Returns how many entries changed.
        """
        refreshed = 0
        for entry in entries:
            if not entry.slug:
                continue
            with self.store.session() as session:
                row = session.scalar(select(FaqRow).where(FaqRow.slug == entry.slug))
                if row is None:
                    continue
                touched = session.scalar(select(AuditRow.id).where(
                    AuditRow.entity == "faq", AuditRow.entity_id == str(row.id),
                    AuditRow.actor != SEED_ACTOR).limit(1))
                current, version = _to_model(row), row.version
            wanted = validate_faq(entry)
            if touched is not None or current.id is None or all(
                    getattr(current, key) == getattr(wanted, key) for key in EDITABLE):
                continue
            try:
                self.update(current.id, wanted, version, SEED_ACTOR)
            except VersionConflictError:
                continue  # an admin saved it meanwhile: theirs stands
            refreshed += 1
        return refreshed

    def _seeded_slugs(self) -> set[str]:
        """Slugs seeded so far (databases seeded before they were kept: the audit log's)."""
        kept = self.store.meta(SEEDED_SLUGS)
        if kept is not None:
            return set(json.loads(kept))
        with self.store.session() as session:
            rows = session.scalars(select(AuditRow).where(
                AuditRow.entity == "faq", AuditRow.action == "create",
                AuditRow.actor == SEED_ACTOR))
            return {row.after["slug"] for row in rows if row.after and row.after.get("slug")}

    @staticmethod
    def _check_slug(session: Session, slug: str | None, own_id: int | None) -> None:
        if not slug:
            return
        other = session.scalar(select(FaqRow.id).where(FaqRow.slug == slug))
        if other is not None and other != own_id:
            raise InvalidInputError(message("slug_taken", slug=slug))
