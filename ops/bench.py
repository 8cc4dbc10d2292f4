"""``make bench``: answers right and fast enough at 80 messages/s offered, or exit 1.

Starts Rasa and the app like ``make run`` (on free ports, with a private copy of
the database so the turn log of real citizens is untouched) and plays the
team-written conversations of ``ops/data/bench_questions.yml`` (no diacritics,
shorthand, long stories, follow-ups, vague questions, FAQ, out of scope) through
the full loop app → Rasa → action → knowledge base, paced open loop at ``--rate``
messages/s. Every conversation is a new citizen and every text is asked once, so
no cache answers a message it has seen before.

Each last turn is checked against its expectation: an answer naming one of the
expected procedure codes (directly, or after pressing the clarify button that
offers one, as a citizen would), the FAQ, or the honest "not found". It prints
the share right, p50/p95/p99 latency, messages/s and the machine's load average,
writes ``var/bench.json``, and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from actions.constants import ENTITY_PROCEDURE_CODE, INTENT_CHOOSE_CASE, INTENT_CHOOSE_PROCEDURE
from api.config import AppSettings
from ops.processes import PROJECT_ROOT, cpu_seconds, start_private_stack, wait_until_ready

QUESTIONS = Path(__file__).resolve().parent / "data" / "bench_questions.yml"
TARGET_P95_MS = 100.0
TARGET_RATE = 80.0
# Share of conversations answered as expected: 214 of 245 (87.3 %) measured at 098e74b,
# 215 (87.8 %) at a85f756 (docs/performance.md), less a margin: the bench fails when
# answers get worse, not only when they get slower.
TARGET_RIGHT_SHARE = 0.85
OUTCOMES = ("faq", "not_found")
CODE = re.compile(r"^\d\.\d{6}$")
# a clarify button: "/choose_procedure{...}" naming a code (a booking slot names one too)
PAYLOAD_CODE = re.compile(
    rf'^/{INTENT_CHOOSE_PROCEDURE}{{.*"{ENTITY_PROCEDURE_CODE}"\s*:\s*"(\d\.\d{{6}})"')
CASE_PAYLOAD = f"/{INTENT_CHOOSE_CASE}"
MAX_PRESSES = 2  # a clarify button, then the first case of the chosen procedure
# Warm-up turns (lazy imports, first connections): never among the measured texts.
WARMUP = ("xin chao", "cho minh hoi chut", "cam on nhe")


@dataclass(frozen=True)
class Item:
    """One benchmark conversation: the citizen's turns and what the last one must get."""

    turns: tuple[str, ...]
    expect: tuple[str, ...]  # procedure codes and/or OUTCOMES, any of which is right

    @property
    def kind(self) -> str:
        """``procedure`` when a code is expected, else ``faq`` or ``not_found``."""
        return "procedure" if self.codes else self.expect[0]

    @property
    def codes(self) -> set[str]:
        """The expected procedure codes."""
        return {c for c in self.expect if c not in OUTCOMES}


def load_items(path: Path = QUESTIONS) -> list[Item]:
    """The conversations of ``path``, checked so that a typo cannot silently pass.

    Raises:
        ValueError: an item without turns, a code YAML read as a number (quote it),
            an unknown outcome, or a text asked twice (a cache would answer it).

    """
    items: list[Item] = []
    seen: set[str] = set()
    for index, raw in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
        say, expect = raw.get("say"), raw.get("expect")
        turns = tuple([say] if isinstance(say, str) else say or [])
        if not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            raise ValueError(f"item {index}: 'say' must be a text or a list of texts")
        codes = (expect,) if expect in OUTCOMES else tuple(expect or [])
        if not codes or not all(isinstance(c, str) and (CODE.match(c) or c in OUTCOMES)
                                for c in codes):
            raise ValueError(f"item {index}: 'expect' must be faq, not_found or quoted codes")
        repeated = seen.intersection(turns)
        if repeated:
            raise ValueError(f"item {index}: asked before: {sorted(repeated)}")
        seen.update(turns)
        items.append(Item(turns, codes))
    return items


# The placeholders through which an answer names its procedure: the source line's code,
# or the printable checklist's address, which ends with the code (``/thu-tuc/<code>``).
CODE_PLACEHOLDERS = {
    "procedure_code": r"(\d\.\d{6})",
    "checklist_url": r"\S*?/(\d\.\d{6})(?![\d.])",
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def answer_pattern(template: str) -> re.Pattern[str] | None:
    r"""A template that opens with fixed text and then names the procedure, as a regex.

    ``"In / lưu danh sách: {checklist_url}…"`` becomes ``^In / lưu danh sách: \\S*?/(code)``.
    None for any other template (a booking confirmation names its procedure only after
    other values: it is not an answer to the question).
    """
    match = PLACEHOLDER.search(template)
    if match is None or match.group(1) not in CODE_PLACEHOLDERS:
        return None
    return re.compile("^" + re.escape(template[:match.start()])
                      + CODE_PLACEHOLDERS[match.group(1)])


@dataclass(frozen=True)
class Markers:
    """How a reply shows its outcome, read from the bot's own response templates."""

    answers: tuple[re.Pattern[str], ...]  # the answer lines that name their procedure
    faq: str  # the FAQ source line, up to the office name
    not_found: str  # the "not in this ward's catalog" reply, up to the office name

    @classmethod
    def from_domain(cls, domain: Path) -> Markers:
        """Every template naming a procedure; ``utter_faq_source``, ``utter_not_found``."""
        responses: dict = {}
        for file in sorted(domain.glob("*.yml")):
            responses.update(yaml.safe_load(file.read_text(encoding="utf-8")).get("responses")
                             or {})

        def prefix(name: str) -> str:
            return str(responses[name][0]["text"]).split("{", 1)[0]

        patterns = {pattern.pattern: pattern for variants in responses.values()
                    for variant in variants if isinstance(variant.get("text"), str)
                    if (pattern := answer_pattern(variant["text"])) is not None}
        return cls(tuple(patterns.values()), prefix("utter_faq_source"),
                   prefix("utter_not_found"))

    def codes(self, texts: Sequence[str]) -> set[str]:
        """Procedure codes the answer names in its source line or checklist link."""
        return {m.group(1) for text in texts for pattern in self.answers
                if (m := pattern.match(text))}

    def outcome(self, texts: Sequence[str], buttons: Sequence[dict]) -> str:
        """``answer``, ``clarify``, ``case``, ``faq``, ``not_found`` or ``other``."""
        if self.codes(texts):
            return "answer"
        if any(text.startswith(self.faq) for text in texts):
            return "faq"
        if any(text.startswith(self.not_found) for text in texts):
            return "not_found"
        payloads = [str(b.get("payload", "")) for b in buttons]
        if any(PAYLOAD_CODE.search(p) for p in payloads):
            return "clarify"
        if any(p.startswith(CASE_PAYLOAD) for p in payloads):
            return "case"
        return "other"


@dataclass
class Reply:
    """One answer of ``/api/chat`` as the bench sees it."""

    texts: list[str]
    buttons: list[dict]
    ok: bool  # 200, through Rasa (not degraded), with messages


@dataclass
class Verdict:
    """How one conversation ended."""

    item: Item
    right: bool
    outcome: str  # answer, clarify, faq, not_found, other, error
    via_clarify: bool = False
    named: list[str] = field(default_factory=list)
    excerpt: str = ""  # the reply's start and buttons, to see why it was wrong


def judge(item: Item, reply: Reply, markers: Markers) -> tuple[bool, str, str | None]:
    """Right or not, the outcome, and the button a citizen would press next (if any).

    A clarify offering an expected procedure is pressed; so is the first case of a
    procedure that asks "which case?" before listing documents (``case``).
    """
    if not reply.ok:
        return False, "error", None
    outcome = markers.outcome(reply.texts, reply.buttons)
    if outcome in item.expect:
        return True, outcome, None
    if outcome == "answer":
        return bool(markers.codes(reply.texts) & item.codes), outcome, None
    for button in reply.buttons:
        payload = str(button.get("payload", ""))
        match = PAYLOAD_CODE.search(payload)
        if outcome == "clarify" and match and match.group(1) in item.codes:
            return False, outcome, payload
        if outcome == "case" and payload.startswith(CASE_PAYLOAD):
            return False, outcome, payload
    return False, outcome, None


@dataclass
class Run:
    """Latencies (ms), failures and verdicts of one paced run."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    late: int = 0  # messages sent more than 100 ms after their due time
    wall_seconds: float = 0.0

    def percentile(self, q: float) -> float:
        """The ``q`` quantile of the latencies (nearest rank)."""
        ordered = sorted(self.latencies) or [0.0]
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    def summary(self) -> dict[str, float]:
        """The numbers ``make bench`` prints and stores."""
        n, right = len(self.latencies), sum(v.right for v in self.verdicts)
        return {"conversations": len(self.verdicts), "messages": n,
                "failures": len(self.failures), "late_sends": self.late,
                "right": right,
                "right_share": round(right / len(self.verdicts), 3) if self.verdicts else 0.0,
                "right_via_clarify": sum(v.via_clarify and v.right for v in self.verdicts),
                "p50_ms": round(self.percentile(0.50), 1),
                "p95_ms": round(self.percentile(0.95), 1),
                "p99_ms": round(self.percentile(0.99), 1),
                "messages_per_s": round(n / self.wall_seconds, 1) if self.wall_seconds else 0.0}


async def send(client: httpx.AsyncClient, sender: str, text: str, run: Run) -> Reply:
    """One message; its latency is recorded, a failure too (a degraded answer is one)."""
    started = time.perf_counter()
    try:
        response = await client.post("/api/chat", json={"sender_id": sender, "text": text})
        body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        run.failures.append(f"{sender}: {type(error).__name__}")
        return Reply([], [], False)
    run.latencies.append((time.perf_counter() - started) * 1000)
    body = body if isinstance(body, dict) else {}
    messages = body.get("messages") or []
    ok = response.status_code == 200 and not body.get("degraded") and bool(messages)
    if not ok:
        run.failures.append(f"{sender}: status {response.status_code} "
                            f"degraded={body.get('degraded')}")
    return Reply([str(m.get("text", "")) for m in messages],
                 [b for m in messages for b in m.get("buttons") or []], ok)


class Pacer:
    """Due times of an open loop: message ``k`` of the run is due at ``k / rate`` seconds.

    Each citizen takes the next free slot, so the offered rate holds whatever the
    answers' latency; a citizen never sends before its previous answer arrived.
    """

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.start = time.perf_counter()
        self._next = 0

    async def wait_turn(self, run: Run) -> None:
        """Sleep until this message's slot; count it late if the slot is long past."""
        due = self.start + self._next / self.rate
        self._next += 1
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.1:
            run.late += 1


async def converse(client: httpx.AsyncClient, pacer: Pacer, sender: str, item: Item,
                   markers: Markers, run: Run) -> None:
    """One citizen's conversation, pressing the buttons ``judge`` says a citizen would."""
    reply = Reply([], [], False)
    for text in item.turns:
        await pacer.wait_turn(run)
        reply = await send(client, sender, text, run)
    right, outcome, press = judge(item, reply, markers)
    via_clarify = False
    for _ in range(MAX_PRESSES):
        if press is None:
            break
        via_clarify = via_clarify or outcome == "clarify"
        await pacer.wait_turn(run)
        reply = await send(client, sender, press, run)
        right, outcome, press = judge(item, reply, markers)
    run.verdicts.append(Verdict(item, right, outcome, via_clarify,
                                sorted(markers.codes(reply.texts)), excerpt(reply)))


def excerpt(reply: Reply, chars: int = 90) -> str:
    """The reply's first text, cut, and its button payloads."""
    text = (reply.texts[0] if reply.texts else "")[:chars].replace("\n", " ")
    payloads = [str(b.get("payload", "")) for b in reply.buttons]
    return f"{text!r} {payloads}" if payloads else repr(text)


async def run_paced(base_url: str, items: Sequence[Item], rate: float, senders: int,
                    prefix: str, markers: Markers) -> Run:
    """Play every item once, ``senders`` citizens at a time, at ``rate`` messages/s offered."""
    run = Run()
    queue: asyncio.Queue[tuple[int, Item]] = asyncio.Queue()
    for index, item in enumerate(items):
        queue.put_nowait((index, item))

    async def citizen(client: httpx.AsyncClient, pacer: Pacer) -> None:
        while not queue.empty():
            index, item = queue.get_nowait()
            await converse(client, pacer, f"{prefix}-{index}", item, markers, run)

    limits = httpx.Limits(max_connections=senders)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        pacer = Pacer(rate)
        await asyncio.gather(*(citizen(client, pacer) for _ in range(senders)))
        run.wall_seconds = time.perf_counter() - pacer.start
    return run


def target_lines(summary: dict, rate: float) -> list[tuple[str, bool]]:
    """Each target with whether it was met."""
    p95, right = summary["p95_ms"], summary["right_share"]
    achieved = summary["messages_per_s"]
    return [
        (f"p95 <= {TARGET_P95_MS:g} ms at {rate:g} messages/s offered: {p95} ms",
         p95 <= TARGET_P95_MS),
        (f"throughput >= 95% of the {rate:g} messages/s offered: {achieved}",
         achieved >= 0.95 * rate),
        (f"answers right >= {TARGET_RIGHT_SHARE:.0%}: {right:.1%}", right >= TARGET_RIGHT_SHARE),
        (f"no failures (errors, 5xx, degraded answers): {summary['failures']}",
         summary["failures"] == 0),
    ]


def wrong_lines(verdicts: Sequence[Verdict], limit: int, detail: bool = False) -> list[str]:
    """The first ``limit`` wrong conversations: what was asked, expected and got."""
    lines = []
    for verdict in [v for v in verdicts if not v.right][:limit]:
        got = ", ".join(verdict.named) or verdict.outcome
        lines.append(f"{' / '.join(verdict.item.turns)!r}: expected "
                     f"{', '.join(verdict.item.expect)}; got {got}"
                     + (f" {verdict.excerpt}" if detail else ""))
    return lines


def main() -> int:
    """Start the stack, play the conversations, print the numbers; 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=TARGET_RATE,
                        help="messages/s offered (open loop)")
    parser.add_argument("--senders", type=int, default=40,
                        help="citizens writing at once (each conversation is a new citizen)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--rasa-processes", type=int, default=None,
                        help="Rasa servers (default: TTHC_RASA_PROCESSES)")
    parser.add_argument("--show-wrong", type=int, default=20,
                        help="how many wrong conversations to print")
    args = parser.parse_args()
    items = load_items(args.questions)
    markers = Markers.from_domain(PROJECT_ROOT / "bot" / "domain")
    base = AppSettings()
    workdir = Path(tempfile.mkdtemp(prefix="tthc-bench-"))
    settings, app, rasas = start_private_stack(base, workdir,
                                               args.rasa_processes or base.rasa_processes)
    url = f"http://127.0.0.1:{settings.port}"
    processes = [app, *rasas]
    try:
        print(f"starting {len(rasas)} Rasa server(s) and the app…", flush=True)
        if not wait_until_ready(settings, app, rasas, 300):
            print("stack did not start; logs in", workdir)
            return 1
        warmup = [Item((text,), ("faq",)) for text in WARMUP]
        asyncio.run(run_paced(url, warmup, 5.0, 1, "warmup", markers))
        load_before = os.getloadavg()
        before = {c.name: cpu_seconds(c.process.pid) for c in processes}
        run = asyncio.run(run_paced(url, items, args.rate, args.senders, "bench", markers))
        cpu = {c.name: cpu_seconds(c.process.pid) - before[c.name] for c in processes}
        load_after = os.getloadavg()
    finally:
        for child in processes:
            child.stop()
    n = max(len(run.latencies), 1)
    rasa_cpu = sum(seconds for name, seconds in cpu.items() if name.startswith("rasa"))
    summary = {
        **run.summary(), "rate_offered": args.rate, "senders": args.senders,
        "rasa_processes": len(rasas), "cpu_cores": os.cpu_count(),
        "load_average_1min_before": round(load_before[0], 2),
        "load_average_1min_after": round(load_after[0], 2),
        "app_cpu_ms_per_message": round(cpu["app"] * 1000 / n, 1),
        "rasa_cpu_ms_per_message": round(rasa_cpu * 1000 / n, 1),
        "by_kind": {kind: f"{sum(v.right for v in run.verdicts if v.item.kind == kind)}/"
                          f"{sum(v.item.kind == kind for v in run.verdicts)}"
                    for kind in ("procedure", "faq", "not_found")},
        "outcomes": dict(Counter(v.outcome for v in run.verdicts)),
    }
    print(f"{len(items)} conversations, {args.rate:g} messages/s offered by {args.senders} "
          "citizens at a time:")
    for key, value in summary.items():
        print(f"  {key:>26}: {value}")
    wrong = wrong_lines(run.verdicts, args.show_wrong)
    if wrong:
        print(f"wrong answers (first {len(wrong)}):", *wrong, sep="\n  ")
    if run.failures:
        print("failures (first 5):", *run.failures[:5], sep="\n  ")
    targets = target_lines(summary, args.rate)
    for line, met in targets:
        print(f"target {line}: {'met' if met else 'MISSED'}")
    summary["targets_met"] = all(met for _, met in targets)
    summary["wrong"] = wrong_lines(run.verdicts, len(run.verdicts), detail=True)
    (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    (PROJECT_ROOT / "var" / "bench.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0 if summary["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
