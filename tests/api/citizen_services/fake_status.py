"""A fake ward status adapter on 127.0.0.1 speaking our status contract."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

APPLICATIONS = {
    "000.21.30.H26-251201-0007": {"status": "in_progress", "received_at": "2025-12-01",
                                  "due_at": "2025-12-08", "agency": "UBND phường Hoa Sen",
                                  "note": ""},
    "000.21.30.H26-251201-0008": {"status": "ready", "received_at": "2025-12-01",
                                  "due_at": "2025-12-05", "agency": "Bộ phận một cửa phường",
                                  "note": ""},
    "000.21.30.H26-251201-0009": {"status": "needs_more_documents",
                                  "received_at": "2025-12-01", "due_at": "",
                                  "agency": "Bộ phận một cửa phường",
                                  "note": "Thiếu bản sao giấy chứng sinh."},
}
SLOW_CODE = "000.21.30.H26-251201-0666"
SLOW_SECONDS = 5.0


class FakeStatusServer:
    """Answers ``GET /status?code=``; records the codes asked; ``stop`` makes it "down"."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                code = parse_qs(urlparse(self.path).query).get("code", [""])[0]
                owner.asked.append(code)
                if code == SLOW_CODE:
                    time.sleep(SLOW_SECONDS)
                found = APPLICATIONS.get(code)
                body = json.dumps({"code": code, **found} if found else {"error": "unknown"})
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode("utf-8"))

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/status"

    def start(self) -> FakeStatusServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
