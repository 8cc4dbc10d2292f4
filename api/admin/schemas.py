"""Request bodies of the admin API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from knowledge_base.models import Faq


class FaqIn(BaseModel):
    """An FAQ entry as the editor sends it; ``version`` is required when updating."""

    question: str = Field(max_length=5000)
    answer: str = Field(max_length=20000)
    phrasings: list[str] = Field(default_factory=list, max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=50)
    field: str = Field(default="", max_length=255)
    owner: str = Field(default="", max_length=128)
    last_verified: str | None = Field(default=None, max_length=32)
    published: bool = True
    slug: str | None = Field(default=None, max_length=128)
    version: int | None = None

    def to_faq(self) -> Faq:
        """Convert to the knowledge base's model (the FAQ store validates the content)."""
        return Faq(question=self.question, answer=self.answer, phrasings=self.phrasings,
                   tags=[t.strip() for t in self.tags if t.strip()], field=self.field.strip(),
                   owner=self.owner.strip(), last_verified=(self.last_verified or "").strip()
                   or None, published=self.published, slug=(self.slug or "").strip() or None)


class AliasIn(BaseModel):
    """A new phrasing of a procedure."""

    text: str = Field(max_length=1000)


class OfficeIn(BaseModel):
    """Office facts to change (other keys keep their values)."""

    values: dict[str, str]


class AcceptIn(BaseModel):
    """An admin's (possibly edited) version of a proposal when accepting it."""

    question: str | None = Field(default=None, max_length=2000)
    answer: str | None = Field(default=None, max_length=10000)
    text: str | None = Field(default=None, max_length=2000)
    target_type: str | None = Field(default=None, max_length=16)
    target_id: str | None = Field(default=None, max_length=32)
    published: bool = True


class CatalogApplyIn(BaseModel):
    """Confirmation of a previewed catalog import."""

    token: str = Field(default="", max_length=64)

