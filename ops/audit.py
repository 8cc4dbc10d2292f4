"""Dependency audit of both virtual environments with pip-audit (``make audit``).

Why a wrapper: CI must fail on a new known vulnerability, but not on findings the
team has judged and listed with a reason in ``audit-allowlist.txt``, and not when
the vulnerability database cannot be reached (offline builds): then it warns and
passes, so an outage does not block every change.
Exit status: 0 clean/allowlisted/offline, 1 unlisted findings, 2 bad allowlist.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWLIST = ROOT / "audit-allowlist.txt"
VENVS = (ROOT / ".venv", ROOT / ".venv-rasa")
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"


def read_allowlist(path: Path = ALLOWLIST) -> dict[str, str]:
    """Vulnerability id -> reason; an id without a reason is an error."""
    entries: dict[str, str] = {}
    if not path.is_file():
        return entries
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            raise ValueError(f"{path.name}:{number}: {vuln_id} needs a reason")
        entries[vuln_id] = reason.strip()
    return entries


def audit(site_packages: Path, ignored: list[str]) -> tuple[list[dict], int, str]:
    """Run pip-audit on one site-packages; returns (findings, audited count, error)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        args = [str(PIP_AUDIT), "--path", str(site_packages), "--skip-editable",
                "--progress-spinner", "off", "--timeout", "15", "-f", "json", "-o", str(report)]
        if osv_url := os.environ.get("TTHC_AUDIT_OSV_URL"):  # a mirror (or the tests' fake)
            args += ["-s", "osv", "--osv-url", osv_url]
        for vuln_id in ignored:
            args += ["--ignore-vuln", vuln_id]
        done = subprocess.run(args, capture_output=True, text=True, timeout=600)
        if not report.is_file():
            return [], 0, (done.stderr.strip().splitlines() or ["pip-audit failed"])[-1]
        data = json.loads(report.read_text(encoding="utf-8"))
    dependencies = data.get("dependencies", [])
    audited = [d for d in dependencies if not d.get("skip_reason")]
    findings = [{"name": d["name"], "version": d.get("version"), **v}
                for d in audited for v in d.get("vulns", [])]
    return findings, len(audited), ""


def main(venvs: list[Path] | None = None, allowlist: Path = ALLOWLIST) -> int:
    """Audit every venv that exists; print a summary; return the exit status."""
    try:
        allowed = read_allowlist(allowlist)
    except ValueError as error:
        print(f"audit: {error}", file=sys.stderr)
        return 2
    if not PIP_AUDIT.is_file():
        print("audit: WARNING pip-audit is not installed (pip install -e '.[dev]'); skipped")
        return 0
    status = 0
    for venv in venvs or VENVS:
        for site_packages in sorted(venv.glob("lib/python*/site-packages")):
            findings, audited, problem = audit(site_packages, sorted(allowed))
            if problem or audited == 0:
                print(f"audit: WARNING {venv.name}: vulnerability database unreachable "
                      f"({problem or 'no package could be looked up'}); not audited")
                continue
            print(f"audit: {venv.name}: {audited} packages audited, {len(findings)} "
                  f"unlisted findings, {len(allowed)} allowlisted ids")
            for item in findings:
                print(f"  {item['name']} {item['version']}: {item['id']} "
                      f"(fixed in {', '.join(item.get('fix_versions', [])) or 'no release'})")
            status = 1 if findings else status
    return status


if __name__ == "__main__":
    sys.exit(main([Path(arg).resolve() for arg in sys.argv[1:]] or None))
