"""Response and request bodies of the support API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class InboxItem(BaseModel):
    """One conversation in the inbox list (text masked)."""

    id: int
    channel: str
    owner: str
    handoff_reason: str | None = None
    waiting_since: datetime
    waiting_seconds: int
    last_message: str
    turns: int


class TranscriptEntry(BaseModel):
    """One line of a transcript."""

    at: datetime
    speaker: Literal["citizen", "bot", "staff"]
    text: str
    buttons: list[str] = Field(default_factory=list)
    author: str | None = None
    delivery: str | None = None
    decision: str | None = None
    procedure: str | None = None
    confidence: float | None = None
    personal_data: bool = False  # text is the unmasked original (staff only, audited)


class ConversationDetail(BaseModel):
    """An opened conversation with its whole transcript."""

    id: int
    channel: str
    owner: str
    handoff_reason: str | None = None
    waiting_since: datetime
    last_citizen_message: str
    entries: list[TranscriptEntry]
    personal_data_unreadable: int = 0  # originals the current key cannot decrypt (shown masked)


class StaffMessageOut(BaseModel):
    """A stored staff reply and how it was delivered."""

    id: int
    at: datetime
    text: str
    delivery: str


class ReplyIn(BaseModel):
    """A staff reply to the citizen."""

    text: str = Field(max_length=10000)


class UpdatesOut(BaseModel):
    """What the web widget polls while staff are (about to be) answering."""

    messages: list[dict[str, Any]]
    cursor: int
    staff: bool
    handoff: bool
    owner: str


class SuggestionSource(BaseModel):
    """Where a suggested answer comes from."""

    type: Literal["procedure", "faq"]
    id: str
    url: str | None = None
    title: str = ""


class Suggestion(BaseModel):
    """A suggested answer for the reply box."""

    text: str
    source: SuggestionSource
    confidence: float


class SuggestionsOut(BaseModel):
    """Top answers from the knowledge base for a citizen's message."""

    suggestions: list[Suggestion]


class ProposalIn(BaseModel):
    """A proposal from support: a new FAQ entry or a new phrasing of a procedure/FAQ."""

    kind: str = Field(max_length=16)
    question: str = Field(default="", max_length=2000)
    answer: str = Field(default="", max_length=10000)
    target_type: str | None = Field(default=None, max_length=16)
    target_id: str | None = Field(default=None, max_length=32)
    text: str = Field(default="", max_length=2000)
    conversation_id: int | None = None


class ProposalOut(BaseModel):
    """A proposal as listed in the review queue."""

    id: int
    kind: str
    status: str
    question: str
    answer: str
    target_type: str | None
    target_id: str | None
    target_title: str = ""
    conversation_id: int | None
    proposed_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    result_ref: str | None
