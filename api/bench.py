"""``make bench``: latency and throughput of ``POST /api/chat`` through the full loop.

Starts Rasa and the app like ``make run`` (on free ports, with a private copy of
the database so the turn log of real citizens is untouched), then replays short
citizen conversations — each message goes app → Rasa → action → knowledge base —
with 10 concurrent senders, and prints p50/p95/p99 latency and messages/s
(plus the latency of one sender alone, and the CPU each process spends per message).
Every answer must come through Rasa (a degraded answer counts as a failure).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.config import AppSettings
from api.processes import (
    PROJECT_ROOT,
    app_ready,
    model_path,
    rasa_ready,
    stack_env,
    start_app,
    start_rasa,
    wait_for,
)

SEQUENTIAL_MESSAGES = 50  # first, one sender at a time: latency without queueing
# One citizen's conversation: a question, follow-ups on the same procedure, a topic switch.
SCRIPT = [
    "dk khai sinh can giay to gi",
    "le phi bao nhieu",
    "nộp online ở đâu",
    "đăng ký kết hôn mất bao lâu",
    "cảm ơn",
]


@dataclass
class Results:
    """Latencies (ms) and failures of one run."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0

    def percentile(self, q: float) -> float:
        """The ``q`` quantile of the latencies (nearest rank)."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    def summary(self) -> dict[str, float]:
        """The numbers ``make bench`` prints."""
        n = len(self.latencies)
        return {"messages": n, "failures": len(self.failures),
                "p50_ms": round(self.percentile(0.50), 1),
                "p95_ms": round(self.percentile(0.95), 1),
                "p99_ms": round(self.percentile(0.99), 1),
                "mean_ms": round(statistics.fmean(self.latencies), 1),
                "messages_per_s": round(n / self.wall_seconds, 1) if self.wall_seconds else 0.0}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux ``/proc``), to report cost per message."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def converse(client: httpx.AsyncClient, sender: str, results: Results) -> None:
    """One citizen's scripted conversation, message by message."""
    for text in SCRIPT:
        started = time.perf_counter()
        try:
            response = await client.post("/api/chat", json={"sender_id": sender, "text": text})
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            results.failures.append(f"{sender}: {type(error).__name__}")
            continue
        results.latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or body.get("degraded") or not body.get("messages"):
            results.failures.append(f"{sender}: status {response.status_code} "
                                    f"degraded={body.get('degraded')}")


async def run_load(base_url: str, messages: int, concurrency: int, prefix: str) -> Results:
    """``messages`` messages in conversations of ``len(SCRIPT)``, ``concurrency`` at a time."""
    results = Results()
    conversations = -(-messages // len(SCRIPT))
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(conversations):
        queue.put_nowait(f"{prefix}-{i}")

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            await converse(client, queue.get_nowait(), results)

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        results.wall_seconds = time.perf_counter() - started
    return results


def main() -> int:
    """Start the stack, run the load, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    base = AppSettings()
    workdir = Path(tempfile.mkdtemp(prefix="tthc-bench-"))
    database = Path(base.database_url.removeprefix("sqlite:///"))
    shutil.copy(database, workdir / "tthc.db")
    settings = base.model_copy(update={
        "database_url": f"sqlite:///{workdir / 'tthc.db'}", "port": free_port(),
        "rasa_url": f"http://127.0.0.1:{free_port()}", "rasa_tracker_db": workdir / "tracker.db",
        "index_dir": base.index_path})
    env = stack_env(settings, {"TTHC_DATABASE_URL": settings.database_url,
                               "TTHC_INDEX_DIR": str(base.index_path)})
    rasa = start_rasa(settings, env, workdir / "rasa.log", model_path(base))
    app = start_app(settings, env, workdir / "app.log")
    url = f"http://127.0.0.1:{settings.port}"
    try:
        print("starting Rasa and the app…", flush=True)
        if not (wait_for(lambda: app_ready(url), app, 300)
                and wait_for(lambda: rasa_ready(settings.rasa_url), rasa, 300)):
            print("stack did not start; logs in", workdir)
            return 1
        asyncio.run(run_load(url, 2 * len(SCRIPT), 2, "warmup"))
        single = asyncio.run(run_load(url, SEQUENTIAL_MESSAGES, 1, "alone"))
        before = {c.name: cpu_seconds(c.process.pid) for c in (app, rasa)}
        results = asyncio.run(run_load(url, args.messages, args.concurrency, "bench"))
        cpu = {name: cpu_seconds(c.process.pid) - before[name]
               for name, c in (("app", app), ("rasa", rasa))}
    finally:
        app.stop()
        rasa.stop()
    summary = results.summary()
    n = max(len(results.latencies), 1)
    summary.update({f"{name}_cpu_ms_per_message": round(seconds * 1000 / n, 1)
                    for name, seconds in cpu.items()})
    summary["load_average_1min"] = round(os.getloadavg()[0], 2)
    alone = single.summary()
    summary.update({"one_sender_p50_ms": alone["p50_ms"], "one_sender_p95_ms": alone["p95_ms"]})
    print(f"/api/chat full loop (app → Rasa → action → knowledge base), "
          f"{args.concurrency} concurrent senders:")
    for key, value in summary.items():
        print(f"  {key:>15}: {value}")
    (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    (PROJECT_ROOT / "var" / "bench.json").write_text(json.dumps(summary, indent=2))
    results.failures += single.failures
    if results.failures:
        print("failures (first 5):", *results.failures[:5], sep="\n  ")
    shutil.rmtree(workdir, ignore_errors=True)
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
