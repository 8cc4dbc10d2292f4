"""Request and response bodies of the public API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

SENDER_ID_PATTERN = r"^[A-Za-z0-9_.:@-]{1,128}$"


class ButtonOut(BaseModel):
    """A quick reply; post ``payload`` back as ``text`` to choose it."""

    title: str
    payload: str


class OutMessage(BaseModel):
    """One bot message."""

    text: str
    buttons: list[ButtonOut] = Field(default_factory=list)


class ChatRequest(BaseModel):
    """A citizen message from the web widget (or any HTTP client)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    sender_id: str = Field(pattern=SENDER_ID_PATTERN,
                           description="Stable id of the citizen's browser/device.")
    text: str = Field(description="The message; empty text gets a gentle prompt.")

    @field_validator("text", mode="before")
    @classmethod
    def _text_is_string(cls, value: object) -> object:
        if value is None:
            return ""
        return value


class ChatResponse(BaseModel):
    """The bot's replies, in order."""

    messages: list[OutMessage]
    degraded: bool = Field(default=False, description="True when answered without Rasa.")
    owner: str = Field(default="bot", description="bot, waiting or staff.")
    handoff: bool = Field(default=False, description="True while waiting for a staff member.")
    sender_id: str | None = Field(default=None, description="The conversation's sender id: "
                                  "a new one when the posted id was not issued by the server.")
    history_days: int | None = Field(default=None, description="Days the widget may keep "
                                     "the conversation in the browser.")
    language: str = Field(default="vi", description="vi, or en while the citizen writes English "
                          "(the widget switches its labels).")
