"""Measure how fast the running app acknowledges signed Zalo events.

Zalo retries (and finally disables the webhook) when a 200 takes more than
about two seconds, so the webhook only verifies and queues. This sends signed
``user_send_text`` events with fresh ``msg_id``s and prints latency percentiles.

    .venv/bin/python -m ops.bench_ack --url http://127.0.0.1:8000 \
        --events 200 --concurrency 1

The app id and OA secret key come from the ``TTHC_ZALO_*`` settings (or flags).
Every event is a real message: the app will answer it through its Zalo API base,
so point ``TTHC_ZALO_API_BASE`` at a test server, never at a real OA.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from api.channels.zalo.settings import ZaloSettings, secret
from api.channels.zalo.signature import signature_header

QUESTIONS = ("đăng ký khai sinh cần giấy tờ gì", "lệ phí chứng thực bản sao bao nhiêu",
             "làm lại căn cước ở đâu", "thủ tục kết hôn mất bao lâu")


@dataclass(frozen=True)
class BenchResult:
    """Acknowledgement latencies in milliseconds and the status codes seen."""

    latencies_ms: list[float]
    statuses: dict[int, int]

    def percentile(self, share: float) -> float:
        """Return the latency below which ``share`` of the acknowledgements fall."""
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]

    def summary(self) -> str:
        """Return one line for the report."""
        return (f"events={len(self.latencies_ms)} statuses={self.statuses} "
                f"p50={self.percentile(0.5):.1f}ms p95={self.percentile(0.95):.1f}ms "
                f"p99={self.percentile(0.99):.1f}ms max={max(self.latencies_ms):.1f}ms "
                f"mean={statistics.fmean(self.latencies_ms):.1f}ms")


def signed_event(app_id: str, oa_secret_key: str, user_id: str, text: str) -> tuple[bytes, dict]:
    """Build one signed ``user_send_text`` event as Zalo would send it."""
    stamp = str(int(time.time() * 1000))
    body = {"app_id": app_id, "event_name": "user_send_text", "timestamp": stamp,
            "sender": {"id": user_id}, "recipient": {"id": "bench-oa"},
            "message": {"msg_id": f"bench-{uuid.uuid4().hex}", "text": text}}
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return raw, {"Content-Type": "application/json",
                 "X-ZEvent-Signature": signature_header(app_id, raw, stamp, oa_secret_key)}


def run_bench(url: str, app_id: str, oa_secret_key: str, events: int = 200,
              concurrency: int = 1, users: int = 20) -> BenchResult:
    """Send ``events`` signed events (``concurrency`` at a time) and time each 200."""
    endpoint = url.rstrip("/") + "/webhooks/zalo"
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    def one(index: int, client: httpx.Client) -> None:
        raw, headers = signed_event(app_id, oa_secret_key, f"bench-user-{index % users}",
                                    QUESTIONS[index % len(QUESTIONS)])
        started = time.perf_counter()
        response = client.post(endpoint, content=raw, headers=headers)
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    with httpx.Client(timeout=10.0) as client:
        one(-1, client)  # warm the connection; not counted
        latencies.clear()
        statuses.clear()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(lambda i: one(i, client), range(events)))
    return BenchResult(latencies, statuses)


def main() -> None:
    """Command line entry point."""
    settings = ZaloSettings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--app-id", default=settings.app_id or "")
    parser.add_argument("--oa-secret-key", default=secret(settings.oa_secret_key))
    args = parser.parse_args()
    if not args.app_id or not args.oa_secret_key:
        parser.error("set TTHC_ZALO_APP_ID and TTHC_ZALO_OA_SECRET_KEY (or pass the flags)")
    result = run_bench(args.url, args.app_id, args.oa_secret_key, args.events, args.concurrency)
    print(f"concurrency={args.concurrency} {result.summary()}")


if __name__ == "__main__":
    main()
