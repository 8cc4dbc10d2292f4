"""The served app stays free of operator tooling: nothing under ``api/`` imports ``ops``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_of_the_served_app_imports_the_operator_tools() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in _imported_modules(path)
                                            if m == "ops" or m.startswith("ops."))
        for path in (ROOT / "api").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_operator_tools_left_the_app_package() -> None:
    moved = ["launcher.py", "processes.py", "bench.py", "cli.py", "channels/zalo/bench_ack.py"]
    assert [name for name in moved if (ROOT / "api" / name).exists()] == []
    assert list((ROOT / "api").glob("tools/*.py")) == []
    assert all((ROOT / "ops" / name).exists() for name in
               ["launcher.py", "processes.py", "bench.py", "cli.py", "load.py",
                "load_reconcile.py", "audit.py", "users_backup.py", "bench_ack.py"])


def _guessed_lookups(path: Path) -> list[str]:
    """``getattr(<something>.state, ...)`` calls and dynamic imports in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        if name in ("importlib.import_module", "import_module", "__import__"):
            found.append(f"{path.name}:{node.lineno} {name}")
        elif name == "getattr" and node.args and ast.unparse(node.args[0]).endswith(".state"):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    return found


def test_the_served_app_wires_its_parts_explicitly() -> None:
    """Services come from one typed container (``api.services``), never from guessed names."""
    offenders = [hit for path in sorted((ROOT / "api").rglob("*.py"))
                 for hit in _guessed_lookups(path)]
    assert offenders == []
