"""Adaptive polling against fixed 5 s and 10 s polling, side by side in one run.

Customers arrive at a busy counter one every --arrival seconds and answer the prompt like real
ones: most within 5 to 30 s, a few later, some never; one in ten refuses. The same customers
(same answer times) are served three times at once, by three engines that differ only in their
polling schedule, against the MTN simulator over HTTP. For each schedule it prints how long
after the provider's final state the till knew it (median, p95), status requests per payment,
the shortest gap between two polls of one payment, and the busiest second of requests.

    .venv/bin/python benchmarks/polling.py [--payments 40] [--arrival 1.5] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.domain.phone import PhoneNumber
from pos_app.engine.engine import ChargeRequest, PaymentEngine, PollPolicy
from pos_app.engine.events import PaymentUpdate
from pos_app.engine.schedule import AdaptiveSchedule, FixedSchedule, Schedule
from pos_app.providers.base import StatusReport
from pos_app.providers.mtn.client import MtnClient
from pos_app.providers.mtn.provider import MtnProvider
from pos_app.sandbox import demo
from pos_app.sandbox.app import create_app
from pos_app.sandbox.mtn import MtnSandboxSettings, MtnSimulator
from pos_app.sandbox.mtn_state import Outcome
from pos_app.sandbox.server import ThreadedServer
from pos_app.store import PaymentRepository, open_database

APPROVAL_WINDOW = 60.0  # shorter than MTN's 5 minutes, so a run takes minutes, not hours
RATE_LIMIT = 10.0  # MTN's documented status-query limit per second


def answer_times(count: int, rng: random.Random) -> list[Outcome]:
    outcomes = []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.10:
            outcomes.append(Outcome("SUCCESSFUL", delay=None))  # never answers
            continue
        delay = rng.triangular(5, 30, 10) if draw < 0.92 else rng.uniform(35, 55)
        refused = rng.random() < 0.10
        outcomes.append(
            Outcome("FAILED", "APPROVAL_REJECTED", delay)
            if refused
            else Outcome("SUCCESSFUL", delay=delay)
        )
    return outcomes


class Recorder:
    """Wraps a provider to note when each payment's status was asked."""

    def __init__(self, provider: MtnProvider) -> None:
        self.provider = provider
        self.name = provider.name
        self.asked: dict[str, list[float]] = defaultdict(list)

    async def payment_status(self, payment: Payment) -> StatusReport:
        self.asked[payment.reference_id].append(time.monotonic())
        return await self.provider.payment_status(payment)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.provider, name)


async def serve(
    label: str, schedule: Schedule, url: str, phones: list[str], arrival: float, folder: Path
) -> dict[str, Any]:
    db = open_database(folder / f"{label}.sqlite3")
    client = MtnClient(
        base_url=url, target_environment="sandbox", credentials=demo.mtn_credentials()
    )
    recorder = Recorder(MtnProvider(client, "EUR"))
    engine = PaymentEngine(
        PaymentRepository(db),
        {"mtn": recorder},  # type: ignore[dict-item]
        {
            "mtn": PollPolicy(
                schedule=schedule,
                approval_timeout=APPROVAL_WINDOW,
                late_window=0,
                rate_limit=RATE_LIMIT,
            )
        },
    )
    known: dict[str, float] = {}

    def note(update: PaymentUpdate) -> None:
        if update.payment.status in (PaymentStatus.SUCCESSFUL, PaymentStatus.FAILED):
            known.setdefault(update.payment.reference_id, time.monotonic())

    engine.bus.subscribe(note)
    payments = []
    for phone in phones:
        request = ChargeRequest("mtn", Money(1250, "EUR"), PhoneNumber(phone, None, None))
        payments.append(await engine.charge(request))
        await asyncio.sleep(arrival)
    await engine.settle([p.reference_id for p in payments], timeout=APPROVAL_WINDOW + 30)
    await engine.aclose()
    db.close()
    return {
        "payments": payments,
        "known": known,
        "asked": recorder.asked,
        "queries": engine.status_queries,
    }


def summarise(result: dict[str, Any], sim: MtnSimulator) -> dict[str, float]:
    detection = []
    for payment in result["payments"]:
        final_at = sim.final_at(payment.reference_id)
        if final_at is not None and payment.reference_id in result["known"]:
            detection.append(result["known"][payment.reference_id] - final_at)
    gaps = [b - a for times in result["asked"].values() for a, b in itertools.pairwise(times)]
    every = sorted(t for times in result["asked"].values() for t in times)
    busiest = max((sum(1 for u in every if t <= u < t + 1) for t in every), default=0)
    cuts = statistics.quantiles(detection, n=20)
    return {
        "answered payments": len(detection),
        "median detection s": statistics.median(detection),
        "p95 detection s": cuts[18],
        "requests per payment": result["queries"] / len(result["payments"]),
        "shortest poll gap s": min(gaps, default=0.0),
        "busiest second (req)": busiest,
    }


async def main_async(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)  # noqa: S311 - simulated customers
    outcomes = answer_times(args.payments, rng)
    schedules: dict[str, Schedule] = {
        "adaptive": AdaptiveSchedule(),
        "fixed 5 s": FixedSchedule(5.0),
        "fixed 10 s": FixedSchedule(10.0),
    }
    # The same customer behaviour for each schedule, on numbers of its own.
    by_phone: dict[str, Outcome] = {}
    phones: dict[str, list[str]] = {}
    for s, label in enumerate(schedules):
        phones[label] = [f"2567{s}{i:07d}" for i in range(args.payments)]
        by_phone.update(zip(phones[label], outcomes, strict=True))
    sim = MtnSimulator(MtnSandboxSettings(outcome=lambda msisdn: by_phone[msisdn]))
    with ThreadedServer(create_app(sim)) as server, tempfile.TemporaryDirectory() as folder:
        results = await asyncio.gather(
            *(
                serve(label, schedule, server.url, phones[label], args.arrival, Path(folder))
                for label, schedule in schedules.items()
            )
        )
    table = {
        label: summarise(result, sim) for label, result in zip(schedules, results, strict=True)
    }
    never = sum(1 for o in outcomes if o.delay is None)
    print(
        f"{args.payments} customers, one every {args.arrival} s, {never} never answer; "
        f"approval window {APPROVAL_WINDOW:.0f} s; MTN rate limit {RATE_LIMIT:.0f} req/s"
    )
    print(f"{'':24}" + "".join(f"{label:>14}" for label in table))
    for metric in table["adaptive"]:
        print(f"{metric:24}" + "".join(f"{table[label][metric]:>14.2f}" for label in table))
    adaptive, fixed5 = table["adaptive"], table["fixed 5 s"]
    print(
        f"adaptive median is {adaptive['median detection s'] / fixed5['median detection s']:.2f}"
        f" of fixed 5 s (target <= 0.5, goal < 1 s); shortest gap "
        f"{adaptive['shortest poll gap s']:.2f} s (>= ~0.9 s with jitter); busiest second "
        f"{adaptive['busiest second (req)']:.0f} requests (limit {RATE_LIMIT:.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=40)
    parser.add_argument("--arrival", type=float, default=1.5, help="seconds between customers")
    parser.add_argument("--seed", type=int, default=7)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
