"""`make eval-chat`: real questions and team scenarios through the real `/api/chat`.

``tthc eval`` measures the resolver in-process; this measures what a citizen
receives: each question goes through the app, Rasa's intent classification and
the actions, in a fresh conversation, on a throwaway stack (a copy of the
database, its own tracker store, free ports). The turn the app stored tells the
decision and the procedure; the reply's buttons tell the options offered.

Multi-turn scenarios (``eval/chat_scenarios.yml``, team-written: follow-ups,
topic switches, a case choice) check the procedure under discussion turn by turn.
Exits non-zero when a target is missed.

    python -m ops.eval_chat ../shared/data/eval/dev.jsonl --json var/eval-chat.json
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import yaml

from api.config import AppSettings
from api.degraded import parse_payload
from knowledge_base.evaluate import (
    ANSWER,
    CLARIFY,
    FAQ_ANSWER,
    NOT_FOUND,
    Prediction,
    load_questions,
    metrics,
    outcome_of,
)
from ops.processes import start_private_stack, wait_until_ready

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = PROJECT_ROOT / "eval" / "chat_scenarios.yml"
TARGETS = {"helpful_rate": 0.85, "max_wrong_answer_rate": 0.03, "rejection_rate": 0.95,
           "p95_ms": 150.0}
STARTUP_TIMEOUT_S = 300
DECISIONS = {"answer": ANSWER, "clarify": CLARIFY, "faq": FAQ_ANSWER}


class ChatClient:
    """Talks to the app like the widget and reads back the stored turn."""

    def __init__(self, settings: AppSettings) -> None:
        self.base = f"http://127.0.0.1:{settings.port}"
        self.database = Path(settings.database_url.removeprefix("sqlite:///"))
        self.http = httpx.Client(timeout=60)
        self.latencies: list[float] = []

    def say(self, sender: str, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Post one message; the reply body and the turn the app stored for it.

        The server issues sender ids: an unknown one starts a new conversation whose
        id comes back as ``sender_id`` (pass it on to continue the conversation).
        """
        started = time.perf_counter()
        response = self.http.post(f"{self.base}/api/chat", json={"sender_id": sender,
                                                                 "text": text})
        self.latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        body = response.json()
        return body, self._last_turn(body.get("sender_id") or sender)

    def _last_turn(self, sender: str) -> dict[str, Any]:
        with sqlite3.connect(self.database) as db:
            row = db.execute(
                "SELECT t.decision, t.procedure, t.intent FROM conversation_turns t "
                "JOIN conversations c ON c.id = t.conversation_id "
                "WHERE c.sender_id = ? ORDER BY t.id DESC LIMIT 1", (f"web:{sender}",)).fetchone()
        return {"decision": row[0], "procedure": row[1], "intent": row[2]} if row else {}


def prediction(body: dict[str, Any], turn: dict[str, Any]) -> Prediction:
    """What the citizen received, in the evaluation's terms."""
    buttons = [parse_payload(button.get("payload", "")) for message in body.get("messages", [])
               for button in message.get("buttons", [])]
    options = [b[1]["procedure_code"] for b in buttons if b and "procedure_code" in b[1]]
    decision = DECISIONS.get(turn.get("decision") or "", NOT_FOUND)
    code = turn.get("procedure")
    if decision == CLARIFY and code:
        decision = ANSWER  # the procedure is named; its case is asked ("nhà của mình hay thuê?")
    if decision == ANSWER and not code:
        decision = NOT_FOUND  # an office-hours answer, a handoff: no procedure given
    if decision == CLARIFY and not options:
        decision = NOT_FOUND  # "which procedure?" with nothing offered
    codes = [code] if code and decision == ANSWER else list(options)
    return Prediction(codes, decision, options if decision == CLARIFY else [])


def run_questions(client: ChatClient, questions: list[dict[str, Any]],
                  details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Each question in a fresh conversation; the evaluation's rates over them."""
    outcomes = []
    for item in questions:
        body, turn = client.say(f"eval-{uuid.uuid4().hex}", item["question"])
        got = prediction(body, turn)
        outcomes.append(outcome_of(item, got))
        if details is not None:
            details.append({"id": item.get("id"), "kind": item["kind"], "gold": item["gold"],
                            "intent": turn.get("intent"), **got.__dict__, **outcomes[-1]})
    report = metrics(questions, outcomes, abstains=True)
    report["faq_or_out_of_scope_answered_with_procedure"] = (
        round(1 - report["rejection_rate"], 4) if report["rejection_rate"] is not None else None)
    return report


def run_scenarios(client: ChatClient, path: Path = SCENARIOS) -> dict[str, Any]:
    """Team-written conversations: each turn's stored decision, procedure and offers."""
    scenarios = yaml.safe_load(path.read_text(encoding="utf-8"))
    failures = []
    turns = 0
    for scenario in scenarios:
        sender = f"scenario-{uuid.uuid4().hex}"
        for step in scenario["turns"]:
            turns += 1
            body, turn = client.say(sender, step["say"])
            sender = body.get("sender_id") or sender
            offered = prediction(body, turn).options
            ok = turn.get("decision") == step["decision"] and (
                "procedure" not in step or turn.get("procedure") == step["procedure"]) and (
                "offers" not in step or step["offers"] in offered)
            if not ok:
                failures.append({"scenario": scenario["name"], "say": step["say"],
                                 "expected": step, "got": {**turn, "offered": offered}})
    return {"scenarios": len(scenarios), "turns": turns, "failed_turns": failures}


def missed_targets(report: dict[str, Any]) -> list[str]:
    """Names of the targets the report misses."""
    questions, misses = report.get("questions"), []
    if questions:
        if questions["helpful_rate"] < TARGETS["helpful_rate"]:
            misses.append(f"helpful {questions['helpful_rate']} < {TARGETS['helpful_rate']}")
        if questions["wrong_answer_rate"] > TARGETS["max_wrong_answer_rate"]:
            misses.append(f"wrong {questions['wrong_answer_rate']} > "
                          f"{TARGETS['max_wrong_answer_rate']}")
        if (questions["rejection_rate"] or 0) < TARGETS["rejection_rate"]:
            misses.append(f"rejection {questions['rejection_rate']} < "
                          f"{TARGETS['rejection_rate']}")
    if report["latency_ms"]["p95"] > TARGETS["p95_ms"]:
        misses.append(f"p95 {report['latency_ms']['p95']} ms > {TARGETS['p95_ms']}")
    if report["scenarios"]["failed_turns"]:
        misses.append(f"{len(report['scenarios']['failed_turns'])} scenario turns failed")
    return misses


def main(argv: list[str] | None = None) -> int:
    """Start a throwaway stack, run the questions and scenarios, print and check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path, nargs="?")
    parser.add_argument("--sample", type=int, default=0, help="random questions (0: all)")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--details", type=Path, help="one JSON line per question")
    args = parser.parse_args(argv)
    questions = load_questions(args.questions) if args.questions else []
    if args.sample and len(questions) > args.sample:
        questions = random.Random(args.seed).sample(questions, args.sample)
    with tempfile.TemporaryDirectory(prefix="tthc-eval-chat-") as tmp:
        settings, app, rasas = start_private_stack(
            AppSettings(), Path(tmp), extra_env={"TTHC_RATE_LIMIT_PER_MINUTE": "0"})
        try:
            if not wait_until_ready(settings, app, rasas, STARTUP_TIMEOUT_S):
                print(app.tail(), file=sys.stderr)
                return 2
            client = ChatClient(settings)
            report: dict[str, Any] = {"questions_file": str(args.questions or "")}
            rows: list[dict[str, Any]] = []
            if questions:
                report["questions"] = run_questions(client, questions, rows)
            report["scenarios"] = run_scenarios(client)
            report["latency_ms"] = {p: round(float(np.percentile(client.latencies, q)), 1)
                                    for p, q in (("p50", 50), ("p95", 95))}
        finally:
            for child in [app, *rasas]:
                child.stop()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.details:
        args.details.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                encoding="utf-8")
    misses = missed_targets(report)
    for miss in misses:
        print(f"target missed: {miss}", file=sys.stderr)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
