"""The Rasa project itself: data validation, the components' own tests, and test stories."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from actions.templates import DomainTemplates
from ops.processes import PROJECT_ROOT, RASA_BIN
from tests.bot.stack import ensure_model

BOT = PROJECT_ROOT / "bot"
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
pytestmark = pytest.mark.slow


def run_in_bot(*args: str, timeout: int = 900,
               extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=BOT, capture_output=True, text=True, timeout=timeout,
                          env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3",
                               "HOME": str(Path.home()), **(extra_env or {})})


def test_data_validates_and_only_action_uttered_responses_are_unused() -> None:
    result = run_in_bot(str(RASA_BIN), "data", "validate", "--domain", "domain")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    unused = set(re.findall(r"The utterance '(\w+)' is not used in any story or rule", output))
    warnings = [line for line in output.splitlines() if "UserWarning" in line
                and "is not used in any story or rule" not in line]
    assert not warnings, warnings
    # Responses are uttered by the actions (named in actions/), never by stories directly.
    action_code = "\n".join(p.read_text() for p in (PROJECT_ROOT / "actions").glob("*.py"))
    named = set(re.findall(r"utter_\w+", action_code))
    labels = {name for name in unused if name.startswith("utter_label_")}
    api_code = "\n".join(p.read_text() for p in (PROJECT_ROOT / "api").rglob("*.py"))
    named |= set(re.findall(r"utter_\w+", api_code))
    assert unused - named - labels <= {"utter_default"}, unused - named - labels
    assert unused <= DomainTemplates.load(BOT / "domain").names()


def test_the_components_own_tests_pass_under_pytest_in_the_rasa_venv() -> None:
    """``bot/tests`` (tokenizer, tracker store, classifier, action calls, graph runner, memory).

    pytest's exit status is the verdict: it is 0 only when tests ran and none failed
    (5 when none were collected). The lock store's tests need Redis and run with the
    scale tests (``tests/api/scale/test_rasa_lock_store.py``).
    """
    from api.config import AppSettings

    model = ensure_model(AppSettings())
    result = run_in_bot(str(RASA_PYTHON), "-m", "pytest", "-q", "tests",
                        "--ignore", "tests/test_lock_store.py", timeout=1200,
                        extra_env={"TTHC_RASA_MODEL": str(model)})
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]


def test_conversation_test_stories_pass_against_the_trained_model(tmp_path: Path) -> None:
    from api.config import AppSettings

    model = ensure_model(AppSettings())
    result = run_in_bot(str(RASA_BIN), "test", "core", "--stories", "tests/test_stories.yml",
                        "-m", str(model), "--out", str(tmp_path), "--fail-on-prediction-errors")
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
