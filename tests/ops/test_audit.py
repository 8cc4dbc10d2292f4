"""``make audit``: unlisted findings fail, allowlisted ones pass, an unreachable database warns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ops.audit import ROOT, read_allowlist

VULN_ID = "GHSA-test-fake-0001"


class FakeOsv(BaseHTTPRequestHandler):
    """Answers OSV queries: one vulnerability for ``fastapi``, none for anything else."""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body: dict = {}
        if query["package"]["name"] == "fastapi":
            body = {"vulns": [{"id": VULN_ID, "summary": "test finding", "affected": [{
                "package": {"name": "fastapi", "ecosystem": "PyPI"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
                                                             {"fixed": "999.0"}]}]}]}]}
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture()
def osv_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOsv)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    server.shutdown()


def run_audit(env_extra: dict[str, str], allowlist: Path) -> subprocess.CompletedProcess:
    code = ("import sys; from pathlib import Path; from ops.audit import main; "
            f"sys.exit(main([Path({str(ROOT / '.venv')!r})], Path({str(allowlist)!r})))")
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env=env)


def test_unlisted_finding_fails_and_listed_one_passes(osv_url: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing accepted\n")
    failed = run_audit({"TTHC_AUDIT_OSV_URL": osv_url}, empty)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert VULN_ID in failed.stdout and "fastapi" in failed.stdout
    listed = tmp_path / "listed.txt"
    listed.write_text(f"{VULN_ID}  test: the affected feature is not used\n")
    passed = run_audit({"TTHC_AUDIT_OSV_URL": osv_url}, listed)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "0 unlisted findings" in passed.stdout


def test_unreachable_database_warns_and_passes(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run_audit({"TTHC_AUDIT_OSV_URL": "http://127.0.0.1:9/v1/query"}, empty)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" in result.stdout


def test_allowlist_needs_a_reason_per_id(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("# comment\nPYSEC-2024-1  not reachable from our code\n\n")
    assert read_allowlist(good) == {"PYSEC-2024-1": "not reachable from our code"}
    bad = tmp_path / "bad.txt"
    bad.write_text("PYSEC-2024-2\n")
    with pytest.raises(ValueError, match="needs a reason"):
        read_allowlist(bad)
    assert isinstance(read_allowlist(), dict)  # the repository's list is valid
