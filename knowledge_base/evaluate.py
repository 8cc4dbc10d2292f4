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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from knowledge_base.models import Decision, TargetType
from knowledge_base.text import fold

VIEWS = ("as_written", "no_diacritics", "noisy")
NOISE_SEED = 20261127
# What citizens type for common words (the noisy view only): a team-written table kept
# apart from the pipeline's own shorthand (knowledge_base/data/lexicon.yml).
NOISY_SHORTHAND = Path(__file__).resolve().parent.parent / "eval" / "noisy_shorthand.yml"


def load_shorthand(path: Path = NOISY_SHORTHAND) -> dict[str, list[str]]:
    """Each long form with the ways citizens shorten it (longest forms first)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table = {str(long): [str(s) for s in shorts] for long, shorts in data.items() if shorts}
    return dict(sorted(table.items(), key=lambda item: -len(item[0])))


SHORTHAND = load_shorthand()
ANSWER, CLARIFY, FAQ_ANSWER, NOT_FOUND = "answer", "clarify", "faq", "not_found"
BREAKDOWNS = ("confidence", "source")


@dataclass(frozen=True)
class Prediction:
    """What a system did with one question.

    Attributes:
        codes: ranked procedure codes (the answered one first).
        decision: ``answer`` (with ``codes[0]``), ``clarify``, ``faq`` or ``not_found``.
        options: procedure codes offered as buttons when clarifying.
        confidences: the confidence of each of ``codes``, where known.

    """

    codes: list[str]
    decision: str
    options: list[str] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)


Ranker = Callable[[str], Prediction]


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
    for long_form, shorts in SHORTHAND.items():
        if long_form in lowered and rng.random() < 0.7:
            lowered = lowered.replace(long_form, rng.choice(shorts))
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


def outcome_of(item: dict[str, Any], prediction: Prediction) -> dict[str, Any]:
    """Per-question flags every metric is computed from."""
    gold = set(item["gold"])
    codes = prediction.codes
    rank = next((i + 1 for i, code in enumerate(codes) if code in gold), None)
    answered = prediction.decision == ANSWER and bool(codes)
    right = answered and codes[0] in gold
    offered = prediction.decision == CLARIFY and bool(gold & set(prediction.options))
    return {
        "rank": rank,
        "top1": rank == 1,
        "top5": rank is not None and rank <= 5,
        "answered_procedure": answered,
        "correct": right,
        "wrong": answered and not right,
        "helpful": right or offered,
        "faq": prediction.decision == FAQ_ANSWER,
        "not_found": prediction.decision == NOT_FOUND,
    }


def metrics(
    questions: Sequence[dict[str, Any]], outcomes: Sequence[dict[str, Any]], abstains: bool
) -> dict[str, Any]:
    """Rates over one set of questions (procedure rates over procedure questions only)."""
    procedures = [o for q, o in zip(questions, outcomes) if q["kind"] == "procedure"]
    others = [o for q, o in zip(questions, outcomes) if q["kind"] != "procedure"]
    n = len(procedures)

    def share(flag: str, rows: list[dict[str, Any]] = procedures) -> float:
        return _ratio(sum(1 for o in rows if o[flag]), len(rows))

    def at(k: int) -> float:
        return _ratio(sum(1 for o in procedures if o["rank"] and o["rank"] <= k), n)

    return {
        "n": len(questions),
        "procedure_questions": n,
        "top1": at(1),
        "top3": at(3),
        "top5": at(5),
        "mrr": _ratio(sum(1.0 / o["rank"] for o in procedures if o["rank"]), n),
        "correct_answer_rate": share("correct") if abstains else at(1),
        "wrong_answer_rate": share("wrong") if abstains else round(1 - at(1), 4),
        "helpful_rate": share("helpful") if abstains else at(1),
        "faq_answer_rate": share("faq") if abstains else 0.0,
        "not_found_rate": share("not_found") if abstains else 0.0,
        "rejection_rate": (
            _ratio(sum(1 for o in others if not o["answered_procedure"]), len(others))
            if abstains else None
        ),
    }


def score(
    questions: Sequence[dict[str, Any]],
    texts: Sequence[str],
    ranker: Ranker,
    abstains: bool,
    details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Metrics of one system on one view, overall and by label confidence and source."""
    outcomes, latencies = [], []
    for item, text in zip(questions, texts):
        started = time.perf_counter()
        prediction = ranker(text)
        latencies.append((time.perf_counter() - started) * 1000)
        outcome = outcome_of(item, prediction)
        outcomes.append(outcome)
        if details is not None:
            details.append(_detail(item, text, prediction, outcome))
    report = metrics(questions, outcomes, abstains)
    report["latency_ms"] = {
        "p50": round(float(np.percentile(latencies, 50)), 3) if latencies else 0.0,
        "p95": round(float(np.percentile(latencies, 95)), 3) if latencies else 0.0,
    }
    for key in BREAKDOWNS:
        report[f"by_{key}"] = {
            value: metrics(*_subset(questions, outcomes, key, value), abstains)
            for value in sorted({str(q.get(key, "")) for q in questions if q.get(key)})
        }
    return report


def _subset(
    questions: Sequence[dict[str, Any]], outcomes: Sequence[dict[str, Any]], key: str, value: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    pairs = [(q, o) for q, o in zip(questions, outcomes) if str(q.get(key, "")) == value]
    return [q for q, _ in pairs], [o for _, o in pairs]


def _detail(
    item: dict[str, Any], text: str, prediction: Prediction, outcome: dict[str, Any]
) -> dict[str, Any]:
    confidences: list[float | None] = list(prediction.confidences) or [None] * len(
        prediction.codes)
    top = list(zip(prediction.codes, confidences))
    return {
        "id": item.get("id"),
        "kind": item["kind"],
        "text": text,
        "gold": item["gold"],
        "decision": prediction.decision,
        "options": prediction.options,
        "top5": [{"id": code, "confidence": conf} for code, conf in top[:5]],
        "top1": outcome["top1"],
        "top5_hit": outcome["top5"],
        "correct": outcome["correct"],
        "wrong": outcome["wrong"],
        "helpful": outcome["helpful"],
    }


def _ratio(part: float, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def resolver_ranker() -> Ranker:
    """Our resolver, as a first message of a conversation: the citizen's numbers."""
    from knowledge_base.analysis import Lexicon
    from knowledge_base.resolver import Kind, Query, Resolver
    from knowledge_base.service import KnowledgeBase

    knowledge_base = KnowledgeBase()
    knowledge_base.warm_up()
    resolver = Resolver(knowledge_base, Lexicon.load())
    decisions = {Kind.ANSWER: ANSWER, Kind.CLARIFY: CLARIFY, Kind.FAQ: FAQ_ANSWER}

    def rank(text: str) -> Prediction:
        resolution = resolver.resolve(Query(text))
        confidence = {h.id: h.confidence for h in resolution.hits}
        codes = resolution.procedure_ids
        return Prediction(
            codes=codes,
            decision=decisions.get(resolution.kind, NOT_FOUND),
            options=[h.id for h in resolution.options if h.type == TargetType.PROCEDURE],
            confidences=[confidence.get(code, resolution.confidence or 0.0) for code in codes],
        )

    return rank


def retriever_ranker() -> Ranker:
    """The raw retriever (one search of the whole text), for comparison with the resolver."""
    from knowledge_base.service import KnowledgeBase

    knowledge_base = KnowledgeBase()
    knowledge_base.warm_up()
    retriever = knowledge_base.retriever

    def rank(text: str) -> Prediction:
        result = retriever.search(text, limit=10)
        procedures = [hit for hit in result.hits if hit.type == TargetType.PROCEDURE]
        top = result.top
        if result.decision == Decision.ANSWER and top is not None:
            decision = ANSWER if top.type == TargetType.PROCEDURE else FAQ_ANSWER
        elif result.decision == Decision.CLARIFY and result.hits:
            decision = CLARIFY
        else:
            decision = NOT_FOUND
        options = [h.id for h in result.options if h.type == TargetType.PROCEDURE]
        return Prediction([h.id for h in procedures], decision, options,
                          [h.confidence for h in procedures])

    return rank


def ranked_only(rank: Callable[[str], Iterable[str]]) -> Ranker:
    """A baseline that only ranks: it always answers with its first procedure."""
    return lambda text: Prediction(list(rank(text)), ANSWER)


def run_evaluation(
    path: Path, systems: Sequence[str], details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Evaluate every requested system on every view of the question set."""
    from knowledge_base.baselines import bm25_ranker, minilm_ranker

    questions = load_questions(path)
    rng = random.Random(NOISE_SEED)
    views = {view: [view_text(q["question"], view, rng) for q in questions] for view in VIEWS}
    factories: dict[str, tuple[Callable[[], Ranker], bool]] = {
        "ours": (resolver_ranker, True),
        "retriever": (retriever_ranker, True),
        "bm25": (lambda: ranked_only(bm25_ranker()), False),
        "minilm": (lambda: ranked_only(minilm_ranker()), False),
    }
    report: dict[str, Any] = {"questions": str(path), "systems": {}}
    for name in systems:
        if name not in factories:
            raise ValueError(f"unknown system {name!r}; choose from {', '.join(factories)}")
        factory, abstains = factories[name]
        ranker = factory()
        report["systems"][name] = {}
        for view, texts in views.items():
            rows: list[dict[str, Any]] | None = [] if details is not None else None
            report["systems"][name][view] = score(questions, texts, ranker, abstains, rows)
            if details is not None and rows is not None:
                details.extend({"system": name, "view": view, **row} for row in rows)
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
        "helpful",
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
                        "helpful_rate",
                        "wrong_answer_rate",
                    )
                ),
                reject,
                f"{m['latency_ms']['p50']:.1f}",
                f"{m['latency_ms']['p95']:.1f}",
            )
    console.print(table)
