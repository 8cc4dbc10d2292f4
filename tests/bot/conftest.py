"""A live Rasa + app stack shared by the conversation tests of this directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.stack import LiveStack, start_stack


@pytest.fixture(scope="session")
def live_stack(kb_workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """Real Rasa (trained model) + real app + real knowledge base (session subset)."""
    stack = start_stack(kb_workdir, tmp_path_factory.mktemp("live_stack"))
    try:
        yield stack
    finally:
        stack.stop()
