"""Payment round trips against the provider simulator over real HTTP, MTN and M-Pesa.

For each provider, runs the same load twice in one process, side by side: with the client's
token cache, and with a fresh OAuth token per call (what MTN discourages and naive clients do).
Prints throughput and latency percentiles of one round trip: create the payment (MTN
request-to-pay, M-Pesa STK push), then ask its status once.

    .venv/bin/python benchmarks/roundtrip.py [--payments 400] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx

from pos_app.providers.mpesa.client import MpesaClient, StkSettings
from pos_app.providers.mtn.client import MtnClient
from pos_app.providers.tokens import TokenCache
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


def mtn_body() -> dict[str, object]:
    return {
        "amount": "12.50",
        "currency": "EUR",
        "externalId": "BENCH",
        "payer": {"partyIdType": "MSISDN", "partyId": "256772123456"},
        "payerMessage": "Benchmark",
        "payeeNote": "Benchmark",
    }


class Bench:
    """One provider's client and its round trip: create the payment, then ask its status."""

    def __init__(self, provider: str, url: str, reuse_tokens: bool) -> None:
        self.provider = provider
        self.phones = (f"2547{n:08d}" for n in itertools.count(22_000_000))
        self.mtn: MtnClient | None = None
        self.mpesa: MpesaClient | None = None
        if provider == "mtn":
            self.mtn = MtnClient(
                base_url=url,
                target_environment="sandbox",
                credentials=demo.mtn_credentials(),
                reuse_tokens=reuse_tokens,
            )
        else:
            self.mpesa = MpesaClient(
                base_url=url,
                credentials=demo.mpesa_credentials(),
                reuse_tokens=reuse_tokens,
                stk=StkSettings(demo.MPESA_SHORTCODE, callback_url=demo.MPESA_CALLBACK_URL),
            )

    @property
    def tokens(self) -> TokenCache:
        return self.mtn.tokens["collection"] if self.mtn else self.mpesa.tokens  # type: ignore[union-attr]

    async def round_trip(self) -> None:
        if self.mtn is not None:
            reference = str(uuid.uuid4())
            await self.mtn.request_to_pay(reference, mtn_body())
            await self.mtn.request_to_pay_status(reference)
        elif self.mpesa is not None:
            # A new customer each time: Daraja locks a phone with an open prompt.
            body = self.mpesa.stk_push_body(
                amount=10,
                msisdn=next(self.phones),
                account_reference="BENCH",
                description="Benchmark",
            )
            submission = await self.mpesa.stk_push(body)
            await self.mpesa.stk_query(submission.provider_request_id or "")

    async def aclose(self) -> None:
        for client in (self.mtn, self.mpesa):
            if client is not None:
                await client.aclose()


async def run(
    provider: str, url: str, payments: int, concurrency: int, reuse_tokens: bool
) -> dict[str, float]:
    bench = Bench(provider, url, reuse_tokens)
    await bench.tokens.get()  # warm up the connection
    latencies: list[float] = []
    remaining = iter(range(payments))

    async def worker() -> None:
        for _ in remaining:
            started = time.perf_counter()
            await bench.round_trip()
            latencies.append(time.perf_counter() - started)

    fetches_before = bench.tokens.fetches
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    fetches = bench.tokens.fetches - fetches_before
    await bench.aclose()
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
        for provider, label in (
            ("mtn", "MTN request-to-pay + status"),
            ("mpesa", "M-Pesa STK push + query"),
        ):
            results = {
                "token cached": asyncio.run(
                    run(provider, url, args.payments, args.concurrency, True)
                ),
                "fresh token per call": asyncio.run(
                    run(provider, url, args.payments, args.concurrency, False)
                ),
            }
            print(
                f"\n{label} round trips over HTTP to the simulator: "
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
