"""`tthc eval`: ours and two baselines on a JSONL question set, in three views.

Views: ``as_written``; ``no_diacritics`` (accents stripped); ``noisy``
(seeded: shorthand citizens type, accents dropped on half the questions and one
typo in a longer word). Baselines have no abstention, so their rejection rate is
null. Latency is per question, warm, single thread, measured in this process.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge_base.models import Decision, TargetType
from knowledge_base.text import fold

VIEWS = ("as_written", "no_diacritics", "noisy")
NOISE_SEED = 20261127
# What citizens type for common words (applied to the noisy view only).
SHORTHAND = {
    "đăng ký": "dk",
    "căn cước công dân": "cccd",
    "căn cước": "cc",
    "chứng minh nhân dân": "cmnd",
    "giấy khai sinh": "gks",
    "không": "ko",
    "được": "dc",
    "hộ khẩu": "hk",
    "bảo hiểm xã hội": "bhxh",
    "bảo hiểm y tế": "bhyt",
    "hộ kinh doanh": "hkd",
    "bao nhiêu": "bn",
    "như thế nào": "ntn",
    "thủ tục": "tt",
    "gì": "j",
    "trực tuyến": "online",
    "với": "vs",
    "người": "ng",
}
Ranker = Callable[[str], tuple[list[str], bool]]


def load_questions(path: Path) -> list[dict[str, Any]]:
    """Read the JSONL question set; every line must carry question, gold and kind."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        if not {"question", "kind"} <= item.keys():
            raise ValueError(f"{path}:{number}: needs 'question' and 'kind'")
        item.setdefault("gold", [])
        questions.append(item)
    return questions


def make_noisy(text: str, rng: random.Random) -> str:
    """Shorthand, maybe no accents, and one edit in a word of 4+ letters."""
    lowered = text.lower()
    for long_form, short in SHORTHAND.items():
        if long_form in lowered and rng.random() < 0.7:
            lowered = lowered.replace(long_form, short)
    if rng.random() < 0.5:
        lowered = fold(lowered)
    words = lowered.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if candidates:
        i = rng.choice(candidates)
        word = words[i]
        j = rng.randrange(1, len(word))
        op = rng.choice(("drop", "swap", "repeat"))
        if op == "drop":
            word = word[:j] + word[j + 1 :]
        elif op == "swap" and j < len(word) - 1:
            word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        else:
            word = word[:j] + word[j] + word[j:]
        words[i] = word
    return " ".join(words)


def view_text(question: str, view: str, rng: random.Random) -> str:
    """The question as seen in one view (as written, accents stripped, or noisy)."""
    if view == "no_diacritics":
        return fold(question)
    if view == "noisy":
        return make_noisy(question, rng)
    return question


def score(
    questions: Sequence[dict[str, Any]], texts: Sequence[str], ranker: Ranker, abstains: bool
) -> dict[str, Any]:
    """Metrics of one system on one view."""
    ranks, correct, wrong, rejected, latencies = [], 0, 0, 0, []
    procedure_count = other_count = 0
    for item, text in zip(questions, texts):
        started = time.perf_counter()
        codes, answered_procedure = ranker(text)
        latencies.append((time.perf_counter() - started) * 1000)
        if item["kind"] == "procedure":
            procedure_count += 1
            gold = set(item["gold"])
            rank = next((i + 1 for i, code in enumerate(codes) if code in gold), None)
            ranks.append(rank)
            if answered_procedure:
                if codes and codes[0] in gold:
                    correct += 1
                else:
                    wrong += 1
        else:
            other_count += 1
            rejected += int(not answered_procedure)

    def at(k: int) -> float:
        return _ratio(sum(1 for r in ranks if r is not None and r <= k), procedure_count)

    return {
        "n": len(questions),
        "top1": at(1),
        "top3": at(3),
        "top5": at(5),
        "mrr": _ratio(sum(1.0 / r for r in ranks if r), procedure_count),
        "correct_answer_rate": _ratio(correct, procedure_count) if abstains else at(1),
        "wrong_answer_rate": _ratio(wrong, procedure_count) if abstains else 1 - at(1),
        "rejection_rate": _ratio(rejected, other_count) if abstains else None,
        "latency_ms": {
            "p50": round(float(np.percentile(latencies, 50)), 3),
            "p95": round(float(np.percentile(latencies, 95)), 3),
        },
    }


def _ratio(part: float, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def ours_ranker() -> Ranker:
    """Our retriever over the configured store and index, warmed up before timing."""
    from knowledge_base.service import KnowledgeBase

    knowledge_base = KnowledgeBase()
    knowledge_base.warm_up()
    retriever = knowledge_base.retriever

    def rank(text: str) -> tuple[list[str], bool]:
        result = retriever.search(text, limit=10)
        codes = [hit.id for hit in result.hits if hit.type == TargetType.PROCEDURE]
        answered = (
            result.decision == Decision.ANSWER
            and bool(result.hits)
            and result.hits[0].type == TargetType.PROCEDURE
        )
        return codes, answered

    return rank


def run_evaluation(path: Path, systems: Sequence[str]) -> dict[str, Any]:
    """Evaluate every requested system on every view of the question set."""
    from knowledge_base.baselines import bm25_ranker, minilm_ranker

    questions = load_questions(path)
    rng = random.Random(NOISE_SEED)
    views = {view: [view_text(q["question"], view, rng) for q in questions] for view in VIEWS}
    factories = {
        "ours": (ours_ranker, True),
        "bm25": (bm25_ranker, False),
        "minilm": (minilm_ranker, False),
    }
    report: dict[str, Any] = {"questions": str(path), "systems": {}}
    for name in systems:
        if name not in factories:
            raise ValueError(f"unknown system {name!r}; choose from {', '.join(factories)}")
        factory, abstains = factories[name]
        ranker = factory()
        report["systems"][name] = {
            view: score(questions, texts, ranker, abstains) for view, texts in views.items()
        }
    return report


def print_report(report: dict[str, Any], console: Any) -> None:
    """Print one row per system and view."""
    from rich.table import Table

    table = Table(title=f"Evaluation: {report['questions']}")
    for column in (
        "system",
        "view",
        "n",
        "top1",
        "top3",
        "top5",
        "mrr",
        "correct",
        "wrong",
        "reject",
        "p50 ms",
        "p95 ms",
    ):
        table.add_column(column, justify="right")
    for system, views in report["systems"].items():
        for view, m in views.items():
            reject = "-" if m["rejection_rate"] is None else f"{m['rejection_rate']:.3f}"
            table.add_row(
                system,
                view,
                str(m["n"]),
                *(
                    f"{m[k]:.3f}"
                    for k in (
                        "top1",
                        "top3",
                        "top5",
                        "mrr",
                        "correct_answer_rate",
                        "wrong_answer_rate",
                    )
                ),
                reject,
                f"{m['latency_ms']['p50']:.1f}",
                f"{m['latency_ms']['p95']:.1f}",
            )
    console.print(table)
