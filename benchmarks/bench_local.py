"""Local runtime: cold start of `woocom dev`, request latency, checkout throughput under contention.

Everything goes through the public surfaces of a real `python -m woocom dev`
subprocess, as a developer would use it:
- cold start: from spawning the process to the first answered GET /products/{sku}
  (target < 5 s; the emulator, every resource, the Cognito users and the seed);
- latency of GET /products/{sku}, p50 and p99 over 500 requests on one kept-alive
  connection (target p50 < 15 ms; a Docker-per-request emulator is ~1 s);
- checkouts per second with 20 concurrent clients buying one unit at a time of a
  product with limited stock until it sells out, and the oversell count (must be 0);
- concurrency: 100 clients released at once, each sending GET /products/{sku} a few
  times, every request on a new connection (the load that reset the stdlib server's
  connections), on 127.0.0.1 only; resets, refusals, empty replies and non-200 answers are
  counted (must be 0). Bounded: 100 x 5 requests, 30 s per request.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from woocom.local.client import HttpClient, wait_for
from woocom.paths import REPO_ROOT

SEEDED_SKU = "MUG-CERAMIC-350"  # from src/woocom/local/seed_catalog.json
REQUESTS = 500
CLIENTS = 20
STOCK = 300
BURST_CLIENTS = 100
BURST_ROUNDS = 5
BURST_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def cold_start(port: int, outputs: Path) -> tuple[subprocess.Popen[bytes], float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "woocom",
            "dev",
            "--port",
            str(port),
            "--quiet",
            "--no-reload",
            "--outputs",
            str(outputs),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
    )
    api = HttpClient(f"http://127.0.0.1:{port}", timeout=2)

    def answered() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"`woocom dev` exited with {process.returncode} during startup")
        try:
            return api.get(f"/products/{SEEDED_SKU}").status == 200
        except OSError:
            api.close()
            return False

    wait_for(answered, timeout=60, what="the first GET /products/{sku}", interval=0.02)
    return process, time.perf_counter() - started


def latency(api: HttpClient) -> list[float]:
    api.get(f"/products/{SEEDED_SKU}")  # warm: imports, clients
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = api.get(f"/products/{SEEDED_SKU}")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, response
    return samples


def checkouts(base_url: str, admin_token: str) -> dict[str, Any]:
    admin = HttpClient(base_url, admin_token)
    sku = f"BENCH-{int(time.time())}"
    body = {"name": "Bench item", "category": "bench", "price": "1.00", "currency": "EUR"}
    assert admin.put(f"/products/{sku}", {**body, "stock": STOCK}).status == 201

    def buyer(n: int) -> tuple[int, int]:
        client = HttpClient(base_url)
        sold = refused = 0
        while True:
            order = {"email": f"buyer{n}@example.com", "items": [{"sku": sku, "quantity": 1}]}
            response = client.post("/orders", order)
            if response.status == 201:
                sold += 1
            elif response.status == 409:
                refused += 1
                return sold, refused
            else:
                raise RuntimeError(f"checkout answered {response}")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(buyer, range(CLIENTS)))
    elapsed = time.perf_counter() - started
    sold = sum(s for s, _ in results)
    left = HttpClient(base_url).get(f"/products/{sku}").json()["stock"]
    return {
        "checkouts": sold,
        "seconds": round(elapsed, 2),
        "per_second": round(sold / elapsed, 1),
        "oversold": max(0, sold - STOCK) + max(0, -left),
        "stock_left": left,
    }


def burst(port: int) -> dict[str, Any]:
    """BURST_CLIENTS clients at once, a new connection per request; errors counted, not retried."""
    start = threading.Barrier(BURST_CLIENTS)
    lock = threading.Lock()
    errors: dict[str, int] = {}
    answered = 0

    def client() -> None:
        nonlocal answered
        start.wait(timeout=BURST_TIMEOUT)
        for _ in range(BURST_ROUNDS):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=BURST_TIMEOUT)
            try:
                connection.request("GET", f"/products/{SEEDED_SKU}")
                response = connection.getresponse()
                response.read()
                outcome = "ok" if response.status == 200 else f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as exc:
                outcome = type(exc).__name__
            finally:
                connection.close()
            with lock:
                if outcome == "ok":
                    answered += 1
                else:
                    errors[outcome] = errors.get(outcome, 0) + 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(BURST_CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    deadline = started + BURST_ROUNDS * BURST_TIMEOUT + BURST_TIMEOUT
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.perf_counter()))
    elapsed = time.perf_counter() - started
    unfinished = sum(thread.is_alive() for thread in threads)
    if unfinished:
        errors["unfinished client"] = unfinished
    return {
        "clients": BURST_CLIENTS,
        "requests": BURST_CLIENTS * BURST_ROUNDS,
        "answered": answered,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "seconds": round(elapsed, 2),
        "per_second": round(answered / elapsed, 1),
    }


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        outputs = Path(tmp) / "local.json"
        port = free_port()
        process, start_seconds = cold_start(port, outputs)
        try:
            base_url = f"http://127.0.0.1:{port}"
            samples = latency(HttpClient(base_url))
            concurrency = burst(port)
            contention = checkouts(base_url, json.loads(outputs.read_text())["admin_token"])
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    return {
        "cold_start_seconds": round(start_seconds, 2),
        "get_product_ms": {
            "p50": round(p50, 2),
            "p99": round(p99, 2),
            "mean": round(statistics.fmean(samples), 2),
            "requests": REQUESTS,
        },
        "checkout": {"clients": CLIENTS, "stock": STOCK, **contention},
        "concurrency": concurrency,
        "stopped_cleanly": process.returncode == 0,
        "summary": [
            f"cold start to first served request: {start_seconds:.2f} s (target < 5 s)",
            f"GET /products/{{sku}} over {REQUESTS} requests: p50 {p50:.1f} ms, "
            f"p99 {p99:.1f} ms (target p50 < 15 ms)",
            f"checkouts with {CLIENTS} concurrent clients: {contention['per_second']} /s "
            f"({contention['checkouts']} in {contention['seconds']} s), "
            f"oversold {contention['oversold']} (must be 0), stock left {contention['stock_left']}",
            f"{concurrency['clients']} concurrent clients, a new connection per request: "
            f"{concurrency['answered']}/{concurrency['requests']} answered in "
            f"{concurrency['seconds']} s, errors {concurrency['errors']} (must be 0)"
            + (f" {concurrency['error_kinds']}" if concurrency["errors"] else ""),
            f"SIGTERM stop: exit {process.returncode}",
        ],
    }
