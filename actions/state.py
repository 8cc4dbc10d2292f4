"""The dialogue's values: conversation state, a citizen message, a turn's outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

from actions.templates import Reply


@dataclass
class DialogueState:
    """What the conversation is about; mirrors the Rasa slots of ``bot/domain/session.yml``."""

    procedure_code: str | None = None
    case_index: int | None = None
    pending_aspect: str | None = None
    procedure_options: list[str] = field(default_factory=list)
    awaiting: str | None = None
    miss_count: int = 0
    human_offered: bool = False
    rated: bool = False
    rating_asked: bool = False  # a bare typed "4" counts as a score only after the question
    handed_off: bool = False  # a handoff is pending: a greeting gets "an officer will answer"
    intro_shown: str | None = None  # the procedure whose header and source were shown last


@dataclass
class TurnInfo:
    """Machine-readable summary of a turn (conversation contract ``custom.turn``)."""

    intent: str
    decision: str
    procedure: str | None = None
    confidence: float | None = None

    def as_dict(self) -> dict[str, object]:
        """The ``custom.turn`` payload of the conversation contract."""
        return {"intent": self.intent, "procedure": self.procedure,
                "confidence": self.confidence, "decision": self.decision}


@dataclass
class Outcome:
    """Replies to send, the new state, and what to record about the turn."""

    replies: list[Reply]
    state: DialogueState
    turn: TurnInfo
    handoff_reason: str | None = None
    rating: int | None = None
    records_turn: bool = True  # False: a silent step; the turn of the step before stands


@dataclass(frozen=True)
class Message:
    """A citizen message as the dialogue sees it."""

    text: str
    intent: str
    entities: dict[str, str] = field(default_factory=dict)
    intent_confidence: float | None = None
