"""``make load``: a Monday-morning rush against the whole stack, then a reconciliation.

Starts Rasa and the app like ``make run`` on 127.0.0.1 (free ports, a private copy
of the database, the Zalo channel configured against a local fake Zalo server), then
for ``--duration`` seconds keeps ``--conversations`` concurrent web conversations
of ``--turns`` messages going (each finished conversation is replaced by a new
citizen) plus a stream of signed Zalo events. Reports p50/p95/p99 latency of the
web answers and of the Zalo acknowledgements, errors, 5xx, sustained messages/s,
and the reconciliation of ``ops.load_reconcile`` (0 lost, 0 duplicated).
Exit status 1 when anything was lost, duplicated, or answered with a 5xx.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api.channels.zalo.signature import signature_header
from api.config import AppSettings
from ops.load_reconcile import reconcile, zalo_pending
from ops.processes import PROJECT_ROOT, cpu_seconds, start_private_stack, wait_until_ready

sys.path.insert(0, str(PROJECT_ROOT / "tests" / "api" / "channels"))
from fake_zalo import FakeZalo  # noqa: E402 - the tests' fake Zalo server, reused

APP_ID, OA_SECRET, APP_SECRET = "4291763606161179100", "load-oa-secret", "load-app-secret"
WEB_PREFIX, ZALO_PREFIX = "load-web-", "load-zalo-"
# A citizen reads the answer and types the next question: 5 s ±50 % is quick for a
# phone. With 100 conversations that offers about 20 messages/s; --think 0 instead
# sends back to back, where latency is only 100 / throughput (Little's law).
THINK_SECONDS = 5.0
# One citizen's conversation: a question, follow-ups on the same procedure, a topic switch.
SCRIPT = [
    "dk khai sinh can giay to gi",
    "le phi bao nhieu",
    "nộp online ở đâu",
    "đăng ký kết hôn mất bao lâu",
    "cảm ơn",
]


@dataclass
class Stream:
    """Latencies (ms), status codes and errors of one kind of traffic."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    accepted: Counter = field(default_factory=Counter)  # per sender: 200s

    def add(self, sender: str, started: float, response: httpx.Response | None,
            error: str = "") -> None:
        """Record one request."""
        if response is None:
            self.errors[error] += 1
            return
        self.latencies.append((time.perf_counter() - started) * 1000)
        self.statuses[response.status_code] += 1
        if response.status_code == 200:
            self.accepted[sender] += 1

    def summary(self, seconds: float) -> dict[str, Any]:
        """The numbers printed for this stream."""
        ordered = sorted(self.latencies) or [0.0]

        def pct(q: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 1)

        server_errors = sum(n for s, n in self.statuses.items() if s >= 500)
        return {"requests": len(self.latencies) + sum(self.errors.values()),
                "ok": self.statuses[200], "5xx": server_errors,
                "other_status": {str(s): n for s, n in self.statuses.items() if s != 200},
                "client_errors": dict(self.errors), "p50_ms": pct(0.5), "p95_ms": pct(0.95),
                "p99_ms": pct(0.99), "per_s": round(self.statuses[200] / seconds, 1)}


async def post(client: httpx.AsyncClient, stream: Stream, sender: str, url: str,
               **kwargs: Any) -> None:
    """One request, timed and recorded (errors are counted, never raised)."""
    started = time.perf_counter()
    try:
        response = await client.post(url, **kwargs)
    except httpx.HTTPError as error:
        stream.add(sender, started, None, type(error).__name__)
        return
    stream.add(sender, started, response)


async def web_worker(client: httpx.AsyncClient, stream: Stream, worker: int, turns: int,
                     deadline: float, think: float = 0.0) -> None:
    """Conversation after conversation until the deadline (the last one is finished).

    ``think`` seconds (±50 %) between a reply and the next message model a citizen
    reading and typing; 0 sends back to back (a saturation test).
    """
    number = 0
    if think:  # citizens arrive over the first think time, not all in the same millisecond
        await asyncio.sleep(random.uniform(0, think))
    while time.monotonic() < deadline:
        sender = f"{WEB_PREFIX}{worker}-{number}"
        for turn in range(turns):
            await post(client, stream, sender, "/api/chat",
                       json={"sender_id": sender, "text": SCRIPT[turn % len(SCRIPT)]})
            if think:
                await asyncio.sleep(think * random.uniform(0.5, 1.5))
        number += 1


def zalo_event(user: str, text: str, msg_id: str) -> tuple[bytes, dict[str, str]]:
    """A signed ``user_send_text`` event as Zalo would post it."""
    stamp = str(int(time.time() * 1000))
    event = {"app_id": APP_ID, "user_id_by_app": f"app-{user}", "event_name": "user_send_text",
             "timestamp": stamp, "sender": {"id": user}, "recipient": {"id": "oa-1"},
             "message": {"msg_id": msg_id, "text": text}}
    raw = json.dumps(event, ensure_ascii=False).encode()
    return raw, {"Content-Type": "application/json",
                 "X-ZEvent-Signature": signature_header(APP_ID, raw, stamp, OA_SECRET)}


async def zalo_stream(client: httpx.AsyncClient, stream: Stream, rate: float, users: int,
                      deadline: float) -> None:
    """Signed Zalo events at ``rate`` per second, round-robin over ``users`` citizens."""
    tasks: list[asyncio.Task] = []
    sent = 0
    start = time.monotonic()
    while time.monotonic() < deadline and rate > 0:
        user = f"{ZALO_PREFIX}{sent % users}"
        raw, headers = zalo_event(user, SCRIPT[(sent // users) % len(SCRIPT)], f"load-{sent}")
        tasks.append(asyncio.create_task(post(client, stream, user, "/webhooks/zalo",
                                              content=raw, headers=headers)))
        sent += 1
        await asyncio.sleep(max(0.0, start + sent / rate - time.monotonic()))
    await asyncio.gather(*tasks)


async def run(url: str, args: argparse.Namespace) -> tuple[Stream, Stream, float]:
    """Drive both streams for ``args.duration`` seconds."""
    web, zalo = Stream(), Stream()
    limits = httpx.Limits(max_connections=args.conversations + 20)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        started = time.monotonic()
        deadline = started + args.duration
        await asyncio.gather(
            *(web_worker(client, web, i, args.turns, deadline, args.think)
              for i in range(args.conversations)),
            zalo_stream(client, zalo, args.zalo_rate, args.zalo_users, deadline))
        return web, zalo, time.monotonic() - started


def main() -> int:
    """Start the stack, run the load, wait for the Zalo queue to drain, reconcile, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load")
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--think", type=float, default=THINK_SECONDS,
                        help="seconds a citizen reads and types between turns, ±50%% "
                             "(0: back to back, a saturation test)")
    parser.add_argument("--rasa-processes", type=int, default=None,
                        help="Rasa servers (default: TTHC_RASA_PROCESSES)")
    parser.add_argument("--zalo-rate", type=float, default=2.0, help="Zalo events per second")
    parser.add_argument("--zalo-users", type=int, default=40)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tthc-load-"))
    fake = FakeZalo(APP_ID, APP_SECRET, access_token="load-at", refresh_token="load-rt").start()
    base = AppSettings()
    settings, app, rasas = start_private_stack(
        base, workdir, args.rasa_processes or base.rasa_processes, {
            "TTHC_ZALO_APP_ID": APP_ID, "TTHC_ZALO_OA_SECRET_KEY": OA_SECRET,
            "TTHC_ZALO_APP_SECRET": APP_SECRET, "TTHC_ZALO_ACCESS_TOKEN": "load-at",
            "TTHC_ZALO_REFRESH_TOKEN": "load-rt", "TTHC_ZALO_API_BASE": fake.base_url,
            "TTHC_ZALO_OAUTH_BASE": fake.base_url})
    url = f"http://127.0.0.1:{settings.port}"
    processes = [app, *rasas]
    try:
        print(f"starting {len(rasas)} Rasa server(s) and the app…", flush=True)
        if not wait_until_ready(settings, app, rasas, 300):
            print("stack did not start; logs in", workdir)
            return 1
        before = {c.name: cpu_seconds(c.process.pid) for c in processes}
        print(f"load: {args.conversations} web conversations × {args.turns} turns "
              f"(think {args.think} s) + {args.zalo_rate} Zalo events/s for "
              f"{args.duration:.0f} s", flush=True)
        web, zalo, seconds = asyncio.run(run(url, args))
        drain = time.monotonic()
        while zalo_pending(settings.database_url, ZALO_PREFIX) and time.monotonic() - drain < 120:
            time.sleep(0.5)
        time.sleep(1.0)
        cpu = {c.name: round(cpu_seconds(c.process.pid) - before[c.name], 1) for c in processes}
    finally:
        for child in processes:
            child.stop()
        fake.stop()
    report: dict[str, Any] = {"duration_s": round(seconds, 1), "web": web.summary(seconds),
              "zalo_ack": zalo.summary(seconds),
              "sustained_msgs_per_s": round((web.statuses[200] + zalo.statuses[200]) / seconds, 1),
              "zalo_drain_s": round(time.monotonic() - drain, 1), "cpu_s": cpu,
              "load_average_1min": round(os.getloadavg()[0], 2),
              "reconciliation": reconcile(settings.database_url, WEB_PREFIX, web.accepted,
                                          ZALO_PREFIX, zalo.accepted, len(fake.received))}
    print(json.dumps(report, indent=2, ensure_ascii=False))
    (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    (PROJECT_ROOT / "var" / "load.json").write_text(json.dumps(report, indent=2))
    bad = {k: v for k, v in report["reconciliation"].items()
           if ("lost" in k or "duplicated" in k or "without" in k or "not_done" in k) and v}
    bad.update({f"{name}_5xx": s.summary(seconds)["5xx"] for name, s in (("web", web),
                ("zalo", zalo)) if s.summary(seconds)["5xx"]})
    if report["reconciliation"].get("zalo_parts_sent") != report["reconciliation"].get(
            "zalo_parts_received_by_fake", report["reconciliation"].get("zalo_parts_sent")):
        bad["zalo_sent_vs_received"] = 1
    print("RESULT:", "FAIL " + json.dumps(bad) if bad else "OK (0 lost, 0 duplicated, 0 5xx)")
    if not bad:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
