"""The app's services are built once by the lifespan, typed, and degrade part by part."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.admin.services import StaffServices
from api.appointments.errors import message
from api.services import Services
from tests.api.staff.harness import SUPPORT, StaffClient, build_app


def test_the_lifespan_builds_every_service_before_the_first_request(staff_app) -> None:
    with TestClient(staff_app) as client:
        services = client.app.state.services
        assert isinstance(services, Services) and isinstance(services.staff, StaffServices)
        assert services.staff.suggester is not None
        # the bot's responses are read once and shared by the chat, the consoles and checklists
        assert services.staff.suggester.templates is services.templates
        assert services.checklist.templates is services.templates
        lexicon = services.conversation.degraded.lexicon  # the lexicon too, read once
        assert services.staff.suggester.lexicon is lexicon
        assert services.conversation.degraded.dialogue.lexicon is lexicon
        assert services.appointments is not None and services.zalo is None  # Zalo unset
        StaffClient.bearer(client, SUPPORT)  # the first request already finds them
    assert client.app.state.services is services  # one Services per lifespan, not per request


def test_appointments_answer_503_in_plain_words_when_their_key_is_unusable(staff_kb) -> None:
    app = build_app(staff_kb, pii_key=SecretStr("not a key"))
    with TestClient(app) as client:
        response = client.get("/api/appointments/days", params={"procedure": "1.000894"})
        assert response.status_code == 503
        assert response.json()["detail"] == message("unavailable")
        chat = client.post("/api/chat", json={"sender_id": "wiring-1", "text": "xin chào"})
        assert chat.status_code == 200 and chat.json()["messages"]  # the rest still serves
