"""Run one of the Node browser scripts (playwright-core + Debian's Chromium) against the app."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT

BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("TTHC_CHROMIUM", "/usr/bin/chromium"))


def run_browser_script(script: str, base_url: str, **extra_env: str) -> None:
    """Run ``tests/browser/<script>`` with ``TTHC_BASE_URL``; fail the test with its output."""
    node = shutil.which("node")
    assert node, "node is required for the browser test"
    assert CHROMIUM.exists(), f"{CHROMIUM} missing: run `make browser-deps`"
    assert (BROWSER_DIR / "node_modules" / "playwright-core").is_dir(), "run `make browser-deps`"
    env = {**os.environ, "TTHC_BASE_URL": base_url, "TTHC_CHROMIUM": str(CHROMIUM), **extra_env}
    result = subprocess.run([node, str(BROWSER_DIR / script)], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    print(result.stdout)
    print(result.stderr, file=sys.stderr)
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
