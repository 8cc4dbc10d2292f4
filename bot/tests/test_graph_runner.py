"""Tests of the sequential graph runner, run by pytest in .venv-rasa.

Run: ``cd bot && ../.venv-rasa/bin/python -m pytest tests/test_graph_runner.py``
(``tests/bot/test_rasa_project.py`` does this in ``make test`` with the trained model,
``TTHC_RASA_MODEL`` or ``bot/models/tthc.tar.gz``).
The same model is loaded twice, once with Rasa's ``DaskGraphRunner`` as reference:
parses and next-action predictions must be identical.
"""

from __future__ import annotations

import asyncio

import rasa.core.processor
from components.graph_runner import SequentialGraphRunner, install
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.runner.dask import DaskGraphRunner

MESSAGES = ["xin chào", "tôi muốn hỏi thủ tục tách hộ", "dk khai sinh cho con can gi",
            "le phi bao nhieu", "nộp online ở đâu",
            '/choose_procedure{"procedure_code":"1.001193"}', "cho tôi gặp cán bộ",
            "cảm ơn nhé", "5", "<script>alert(1)</script>", "🙂🙂", ""]


def _agents(model: str) -> tuple[Agent, Agent]:
    """The model loaded with dask (reference) and with the installed runner."""
    rasa.core.processor.DaskGraphRunner = DaskGraphRunner
    reference = Agent.load(model)
    install()
    return reference, Agent.load(model)


def test_the_processor_runs_the_sequential_runner(model: str) -> None:
    reference, ours = _agents(model)
    assert type(reference.processor.graph_runner) is DaskGraphRunner
    assert type(ours.processor.graph_runner) is SequentialGraphRunner


def test_parses_and_predictions_equal_dask_ones(model: str) -> None:
    reference, ours = _agents(model)

    async def conversation(agent: Agent) -> list:
        seen = []
        for text in MESSAGES:
            seen.append(await agent.parse_message(text))
            await agent.processor.log_message(UserMessage(text, sender_id="web:t"))
            prediction = await agent.processor.predict_next_for_sender_id("web:t")
            prediction.pop("tracker")  # its events carry wall-clock timestamps
            seen.append(prediction)
        return seen

    expected, actual = asyncio.run(conversation(reference)), asyncio.run(conversation(ours))
    assert actual == expected
    # a varied conversation whatever the NLU data says exactly
    assert len({turn["intent"]["name"] for turn in actual[::2] if turn.get("intent")}) >= 6

