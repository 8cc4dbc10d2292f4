"""A fake Zalo OpenAPI + OAuth server of our own, a real HTTP server on 127.0.0.1.

It accepts ``POST /v3.0/oa/message/cs`` (header ``access_token``) and
``POST /v4/oa/access_token`` (header ``secret_key``, form ``refresh_token``,
``app_id``, ``grant_type=refresh_token``) like Zalo does, keeps one valid
access token and one single-use refresh token, and can be told to expire the
token, answer with error codes, or answer slowly.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Received:
    """One message the fake accepted."""

    user_id: str
    message: dict[str, Any]
    token: str
    at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        return self.message.get("text", "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        attachment = self.message.get("attachment") or {}
        return (attachment.get("payload") or {}).get("buttons") or []


class FakeZalo:
    """State and controls of the fake server."""

    def __init__(self, app_id: str, app_secret: str, access_token: str, refresh_token: str,
                 expires_in: int = 90000) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.access_token: str | None = access_token
        self.refresh_token = refresh_token
        self.expires_in = expires_in
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.send_calls = 0
        self.refresh_calls = 0
        self.refresh_failures = 0
        self.rejected_tokens = 0
        self.scripted_errors: list[int] = []
        self.send_delay = 0.0
        self.refresh_delay = 0.0
        self._generation = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- controls ------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def expire_token(self) -> None:
        """The current access token stops working (Zalo answers −216)."""
        with self.lock:
            self.access_token = None

    def fail_next_sends(self, *codes: int) -> None:
        """Answer the next sends with these Zalo error codes (0 = HTTP 503)."""
        with self.lock:
            self.scripted_errors.extend(codes)

    def messages_for(self, user_id: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.user_id == user_id]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        """Block until at least ``count`` messages arrived (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        with self.lock:
            return list(self.received)

    # --- behaviour -----------------------------------------------------------
    def handle_send(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.send_calls += 1
            if self.scripted_errors:
                code = self.scripted_errors.pop(0)
                return {"http": 503} if code == 0 else {"error": code, "message": "scripted"}
            if self.access_token is None or token != self.access_token:
                self.rejected_tokens += 1
                return {"error": -216, "message": "Access token is invalid"}
            user_id = str((body.get("recipient") or {}).get("user_id", ""))
            message = body.get("message") or {}
            if not user_id or not isinstance(message, dict) or not message.get("text"):
                return {"error": -201, "message": "message is invalid"}
            if len(message["text"]) > 2000:
                return {"error": -210, "message": "text too long"}
            self.received.append(Received(user_id, message, token))
            return {"error": 0, "message": "Success",
                    "data": {"message_id": f"m{len(self.received)}", "user_id": user_id}}

    def handle_refresh(self, secret_key: str, form: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            self.refresh_calls += 1
            valid = (secret_key == self.app_secret and form.get("app_id") == self.app_id
                     and form.get("grant_type") == "refresh_token"
                     and form.get("refresh_token") == self.refresh_token)
            if not valid:
                self.refresh_failures += 1
                return {"error": -14014, "error_name": "Invalid refresh token",
                        "error_description": "Refresh token is invalid or used"}
            self._generation += 1
            self.access_token = f"AT-{self._generation}"
            self.refresh_token = f"RT-{self._generation}"
            return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                    "expires_in": str(self.expires_in)}

    # --- server --------------------------------------------------------------
    def start(self) -> FakeZalo:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _reply(self, data: dict[str, Any]) -> None:
                status = data.pop("http", 200)
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/v3.0/oa/message/cs":
                    time.sleep(fake.send_delay)
                    body = json.loads(raw or b"{}")
                    self._reply(fake.handle_send(self.headers.get("access_token", ""), body))
                elif self.path == "/v4/oa/access_token":
                    time.sleep(fake.refresh_delay)
                    form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                    self._reply(fake.handle_refresh(self.headers.get("secret_key", ""), form))
                else:
                    self._reply({"http": 404, "error": -1, "message": "not found"})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
