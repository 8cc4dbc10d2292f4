"""Exceptions of the knowledge base; each carries the context a handler needs."""

from __future__ import annotations


class KnowledgeBaseError(Exception):
    """Base class of knowledge-base errors."""


class NotFoundError(KnowledgeBaseError):
    """An entity that does not exist (unknown procedure code, FAQ id…)."""

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} {key!r} not found")
        self.entity = entity
        self.key = key


class VersionConflictError(KnowledgeBaseError):
    """Someone saved the entity since it was read; the caller must reload and retry."""

    def __init__(self, entity: str, key: object, expected: int, actual: int) -> None:
        super().__init__(
            f"{entity} {key!r} was changed by someone else (you edited version {expected}, "
            f"current is {actual}); reload it and apply your change again"
        )
        self.entity = entity
        self.key = key
        self.expected = expected
        self.actual = actual


class InvalidInputError(KnowledgeBaseError):
    """Input that breaks a rule, with a message written for the person who typed it."""


class IndexNotReadyError(KnowledgeBaseError):
    """The search index has not been built yet (run ``tthc kb build``)."""

    def __init__(self, path: object) -> None:
        super().__init__(f"search index not found at {path}; run `tthc kb build`")
        self.path = path
