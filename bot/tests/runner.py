"""Run a test script's ``test_*`` functions inside .venv-rasa, which has no pytest.

Each script ends with ``run_tests(globals())``; ``tests/bot/test_rasa_project.py``
runs the scripts in ``make test`` and checks the "N passed" line.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List


def collect(namespace: Dict[str, Any]) -> List[Callable[..., None]]:
    """The script's test functions, by name."""
    return [value for name, value in sorted(namespace.items()) if name.startswith("test_")]


def run_tests(namespace: Dict[str, Any], *args: Any) -> None:
    """Call every test (with ``args``), print ``ok <name>`` each and ``N passed`` at the end."""
    tests = collect(namespace)
    for test in tests:
        test(*args)
        print(f"ok {test.__name__}")
    print(f"{len(tests)} passed")
