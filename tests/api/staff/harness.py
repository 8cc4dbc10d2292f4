"""Helpers of the staff tests: app construction, logins, conversations seeded like the app core."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.admin.services import StaffServices
from api.db_models import ConversationRow, RatingRow, TurnRow
from knowledge_base.db import utcnow
from ops.processes import free_port

ADMIN = "admin.test"
SUPPORT = "support.test"
PASSWORD = "correct horse battery"


def build_app(kb, **overrides: Any) -> FastAPI:
    """The real app (``create_app``) on ``kb``; its lifespan builds the staff services."""
    from api.config import AppSettings
    from api.main import create_app

    values: dict[str, Any] = {
        "database_url": kb.settings.database_url, "index_dir": kb.settings.index_dir,
        "catalog_dir": kb.settings.catalog_dir, "rasa_url": f"http://127.0.0.1:{free_port()}",
        "rasa_retry_after": 600, "chat_unsigned_senders": True}
    return create_app(AppSettings(**{**values, **overrides}), knowledge_base=kb)


def staff_services(client: TestClient) -> StaffServices:
    """The staff services the running app's lifespan built."""
    services: StaffServices = client.app.state.services.staff
    return services


@dataclass
class StaffClient:
    """A test client that sends a staff member's bearer token (or cookie + CSRF)."""

    client: TestClient
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def bearer(cls, client: TestClient, username: str, password: str = PASSWORD) -> StaffClient:
        response = client.post("/api/auth/login", json={"username": username,
                                                        "password": password})
        assert response.status_code == 200, response.text
        return cls(client, {"Authorization": f"Bearer {response.json()['access_token']}"})

    def get(self, url: str, **kwargs: Any):
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, **kwargs: Any):
        return self.client.post(url, headers=self.headers, **kwargs)

    def put(self, url: str, **kwargs: Any):
        return self.client.put(url, headers=self.headers, **kwargs)

    def delete(self, url: str, **kwargs: Any):
        return self.client.delete(url, headers=self.headers, **kwargs)


def seed_conversation(services: StaffServices, user_id: str, turns: list[dict[str, Any]],
                      channel: str = "web", owner: str = "bot",
                      started: datetime | None = None) -> int:
    """Store a conversation the way the app core does (turn text already masked)."""
    start = started or utcnow() - timedelta(minutes=10)
    with services.sessions.begin() as session:
        row = ConversationRow(sender_id=f"{channel}:{user_id}", channel=channel,
                              user_id=user_id, owner=owner, topic={},
                              created_at=start, updated_at=start)
        session.add(row)
        session.flush()
        for index, turn in enumerate(turns):
            session.add(TurnRow(conversation_id=row.id,
                                at=turn.get("at", start + timedelta(seconds=index)),
                                text=turn["text"], intent=turn.get("intent"),
                                procedure=turn.get("procedure"),
                                confidence=turn.get("confidence"),
                                decision=turn.get("decision"),
                                replies=turn.get("replies", []), source="rasa"))
        if owner == "waiting":
            row.handoff_reason = "request_human"
        return row.id


def seed_rating(services: StaffServices, conversation_id: int, score: int) -> None:
    """Store a 1–5 rating as the app core does."""
    with services.sessions.begin() as session:
        session.add(RatingRow(conversation_id=conversation_id, score=score))
