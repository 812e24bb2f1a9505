"""Request-to-pay + status round trips against the MTN simulator over real HTTP.

Runs the same load twice in one process, side by side: with the client's token cache, and
with a fresh OAuth token per call (what MTN discourages and naive clients do). Prints
throughput and latency percentiles of one round trip (POST requesttopay, then GET its status).

    .venv/bin/python benchmarks/mtn_roundtrip.py [--payments 400] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx

from pos_app.providers.mtn.client import MtnClient
from pos_app.sandbox import demo


@contextlib.contextmanager
def sandbox_process() -> Iterator[str]:
    """`pos-app sandbox` in its own process, so server and client do not share one GIL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "pos_app", "sandbox", "--port", str(port), "--approval-delay", "0"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                httpx.get(url)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def body() -> dict[str, object]:
    return {
        "amount": "12.50",
        "currency": "EUR",
        "externalId": "BENCH",
        "payer": {"partyIdType": "MSISDN", "partyId": "256772123456"},
        "payerMessage": "Benchmark",
        "payeeNote": "Benchmark",
    }


async def run(url: str, payments: int, concurrency: int, reuse_tokens: bool) -> dict[str, float]:
    client = MtnClient(
        base_url=url,
        target_environment="sandbox",
        credentials=demo.mtn_credentials(),
        reuse_tokens=reuse_tokens,
    )
    await client.tokens["collection"].get()  # warm up the connection
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(payments):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            queue.get_nowait()
            reference = str(uuid.uuid4())
            started = time.perf_counter()
            await client.request_to_pay(reference, body())
            await client.request_to_pay_status(reference)
            latencies.append(time.perf_counter() - started)

    fetches_before = client.tokens["collection"].fetches
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    fetches = client.tokens["collection"].fetches - fetches_before
    await client.aclose()
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "round trips/s": payments / elapsed,
        "p50 ms": cuts[49] * 1000,
        "p99 ms": cuts[98] * 1000,
        "token requests": fetches,
        "HTTP requests/s": (2 * payments + fetches) / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with sandbox_process() as url:
        results = {
            "token cached": asyncio.run(run(url, args.payments, args.concurrency, True)),
            "fresh token per call": asyncio.run(run(url, args.payments, args.concurrency, False)),
        }
    print(
        f"MTN request-to-pay + status round trips over HTTP to the simulator: "
        f"{args.payments} payments, {args.concurrency} concurrent"
    )
    names = list(results)
    print(f"{'':18}" + "".join(f"{n:>24}" for n in names))
    for metric in results[names[0]]:
        print(f"{metric:18}" + "".join(f"{results[n][metric]:>24.1f}" for n in names))
    cached, fresh = results["token cached"], results["fresh token per call"]
    print(
        f"token caching: {cached['round trips/s'] / fresh['round trips/s']:.2f}x the "
        f"throughput, p50 {fresh['p50 ms'] / cached['p50 ms']:.2f}x lower"
    )


if __name__ == "__main__":
    main()
