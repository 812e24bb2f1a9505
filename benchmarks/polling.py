"""Adaptive polling against fixed 5 s and 10 s polling, side by side in one run, for MTN MoMo
and Airtel Money.

Customers arrive at a busy counter one every --arrival seconds and answer the prompt like real
ones: most within 5 to 30 s, a few later, some never; one in ten refuses. The same customers
(same answer times) are served three times at once, by three engines that differ only in their
polling schedule, against each provider's simulator over HTTP. For each schedule it prints how
long after the provider's final state the till knew it (median, p95), how many answers the till
never learnt in its approval window, status requests per payment, the shortest gap between two
polls of one payment, and the busiest second of requests.

MTN: the engine keeps to MTN's documented 10 status queries a second; the simulator sets no
limit. Airtel: the engine keeps to the Airtel spec's rate limit (1 question a second) and the
adaptive schedule is the one the till builds from AirtelConfig (first poll, slowest interval);
each schedule talks to a simulator of its own (one Airtel app each) whose gateway allows
--airtel-limit requests a minute, pushes and enquiries together, as the one recorded gateway
announced 10 (reference airtel-api.md §10.1: UNVERIFIED whether enquiries count). For Airtel it
also prints the gateway's 429 answers and the busiest minute of enquiries.

    .venv/bin/python benchmarks/polling.py [--payments 40] [--arrival 1.5] [--seed 7]
        [--provider mtn|airtel|both] [--airtel-limit 10 60]
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
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.domain.phone import PhoneNumber
from pos_app.engine.engine import ChargeRequest, PaymentEngine, PollPolicy
from pos_app.engine.events import PaymentUpdate
from pos_app.engine.schedule import AdaptiveSchedule, FixedSchedule, Schedule
from pos_app.platform.secret import Secret
from pos_app.providers import registry
from pos_app.providers.airtel.client import AirtelClient, AirtelCredentials
from pos_app.providers.airtel.provider import AirtelProvider
from pos_app.providers.airtel.settings import AirtelConfig
from pos_app.providers.base import PaymentProvider, StatusReport
from pos_app.providers.mtn.client import MtnClient
from pos_app.providers.mtn.provider import MtnProvider
from pos_app.sandbox import demo
from pos_app.sandbox.airtel import AirtelSandboxSettings, AirtelSimulator
from pos_app.sandbox.airtel_state import Answer
from pos_app.sandbox.app import create_app
from pos_app.sandbox.mtn import MtnSandboxSettings, MtnSimulator
from pos_app.sandbox.mtn_state import Outcome
from pos_app.sandbox.server import ThreadedServer
from pos_app.store import PaymentRepository, open_database

APPROVAL_WINDOW = 60.0  # shorter than the providers' minutes, so a run takes minutes, not hours
MTN_RATE_LIMIT = 10.0  # MTN's documented status-query limit per second
AIRTEL_RECORDED_LIMIT = 10  # requests a minute, the one recorded gateway answer (§10.1)
SCHEDULES = ("adaptive", "fixed 5 s", "fixed 10 s")


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


def airtel_answer(outcome: Outcome) -> Answer:
    """The same customer at Airtel (approval delay 1 s: `approvals` are seconds)."""
    if outcome.delay is None:
        return Answer(approvals=None)  # TIP for ever
    if outcome.status == "FAILED":
        return Answer("TF", "DP00800001008", approvals=outcome.delay)  # refused
    return Answer("TS", approvals=outcome.delay)


class Recorder:
    """Wraps a provider to note when each payment's status was asked."""

    def __init__(self, provider: PaymentProvider) -> None:
        self.provider = provider
        self.name = provider.name
        self.asked: dict[str, list[float]] = defaultdict(list)

    async def payment_status(self, payment: Payment) -> StatusReport:
        self.asked[payment.reference_id].append(time.monotonic())
        return await self.provider.payment_status(payment)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.provider, name)


class Gateway:
    """The simulator's app, noting every answer: when, to which call, with which status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.answers: list[tuple[float, str, int]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        call = (
            "push"
            if path.startswith("/merchant/")
            else "enquiry"
            if method == "GET" and path.startswith("/standard/v1/payments/")
            else "other"
        )

        async def noted(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.answers.append((time.monotonic(), call, int(message["status"])))
            await send(message)

        await self.app(scope, receive, noted)


@dataclass
class Side:
    """One provider's part of the run: how to reach it and what to charge."""

    provider: str
    amount: Money
    rate_limit: float
    adaptive: Schedule
    connect: Callable[[str], PaymentProvider]  # the provider, given the simulator's URL
    final_at: Callable[[Payment], float | None]  # on the monotonic clock
    urls: dict[str, str] = field(default_factory=dict)  # by schedule
    gateways: dict[str, Gateway] = field(default_factory=dict)  # by schedule (Airtel)


async def serve(
    side: Side, label: str, schedule: Schedule, phones: list[str], arrival: float, path: Path
) -> dict[str, Any]:
    db = open_database(path)
    recorder = Recorder(side.connect(side.urls[label]))
    engine = PaymentEngine(
        PaymentRepository(db),
        {side.provider: recorder},
        {
            side.provider: PollPolicy(
                schedule=schedule,
                approval_timeout=APPROVAL_WINDOW,
                late_window=0,
                rate_limit=side.rate_limit,
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
        request = ChargeRequest(side.provider, side.amount, PhoneNumber(phone, None, None))
        payments.append(await engine.charge(request))
        await asyncio.sleep(arrival)
    await engine.settle([p.reference_id for p in payments], timeout=APPROVAL_WINDOW + 60)
    await engine.aclose()
    finals = [engine.repository.get(p.reference_id) for p in payments]
    db.close()
    return {
        "payments": finals,
        "known": known,
        "asked": recorder.asked,
        "queries": engine.status_queries,
    }


def summarise(result: dict[str, Any], side: Side) -> dict[str, float]:
    detection, missed = [], 0
    for payment in result["payments"]:
        final_at = side.final_at(payment)
        if final_at is None:
            continue
        if payment.reference_id in result["known"]:
            detection.append(result["known"][payment.reference_id] - final_at)
        else:
            missed += 1  # answered, but the till had given up (expired, unknown) by then
    gaps = [b - a for times in result["asked"].values() for a, b in itertools.pairwise(times)]
    every = sorted(t for times in result["asked"].values() for t in times)
    busiest = max((sum(1 for u in every if t <= u < t + 1) for t in every), default=0)
    cuts = statistics.quantiles(detection, n=20) if len(detection) > 1 else detection * 19
    return {
        "answered payments": len(detection),
        "answers missed": missed,
        "median detection s": statistics.median(detection) if detection else float("nan"),
        "p95 detection s": cuts[18] if cuts else float("nan"),
        "requests per payment": result["queries"] / len(result["payments"]),
        "shortest poll gap s": min(gaps, default=0.0),
        "busiest second (req)": busiest,
    }


def gateway_figures(gateway: Gateway) -> dict[str, float]:
    """What Airtel's gateway saw: its 429 answers, and the busiest minute of enquiries."""
    enquiries = sorted(t for t, call, _ in gateway.answers if call == "enquiry")
    busiest = max((sum(1 for u in enquiries if t <= u < t + 60) for t in enquiries), default=0)
    pushes = [s for _, call, s in gateway.answers if call == "push"]
    return {
        "answers 429": sum(1 for _, _, s in gateway.answers if s == 429),
        "pushes sent (HTTP)": len(pushes),
        "pushes answered 429": sum(1 for s in pushes if s == 429),
        "busiest minute enq": busiest,
    }


def mtn_side(outcomes: list[Outcome], phones: dict[str, list[str]], stack: ExitStack) -> Side:
    by_phone: dict[str, Outcome] = {}
    for label in SCHEDULES:
        by_phone.update(zip(phones[label], outcomes, strict=True))
    sim = MtnSimulator(MtnSandboxSettings(outcome=lambda msisdn: by_phone[msisdn]))
    server = stack.enter_context(ThreadedServer(create_app(sim)))

    def connect(url: str) -> PaymentProvider:
        client = MtnClient(
            base_url=url, target_environment="sandbox", credentials=demo.mtn_credentials()
        )
        return MtnProvider(client, "EUR")

    return Side(
        "mtn",
        Money(1250, "EUR"),
        MTN_RATE_LIMIT,
        AdaptiveSchedule(),
        connect,
        lambda payment: sim.final_at(payment.reference_id),
        urls=dict.fromkeys(SCHEDULES, server.url),
    )


def airtel_side(
    outcomes: list[Outcome], phones: dict[str, list[str]], limit: int, stack: ExitStack
) -> Side:
    """One simulator (one Airtel app, one gateway budget) per schedule."""
    answers = {
        phone[3:]: airtel_answer(outcome)  # Airtel is sent the national number
        for label in SCHEDULES
        for phone, outcome in zip(phones[label], outcomes, strict=True)
    }
    sims: dict[str, AirtelSimulator] = {}
    schedule_of = {phone: label for label in SCHEDULES for phone in phones[label]}
    side = Side(
        "airtel",
        Money(5000, "UGX"),
        registry.spec("airtel").rate_limit,  # type: ignore[union-attr]
        AdaptiveSchedule(
            first_poll=AirtelConfig.first_poll_seconds,
            max_interval=AirtelConfig.max_poll_interval_seconds,
        ),
        lambda url: AirtelProvider(
            AirtelClient(
                base_url=url,
                country="UG",
                currency="UGX",
                credentials=AirtelCredentials(
                    Secret(demo.AIRTEL_CLIENT_ID), Secret(demo.AIRTEL_CLIENT_SECRET)
                ),
            ),
            9,
        ),
        lambda payment: sims[schedule_of[payment.msisdn]].final_at(
            payment.reference_id.replace("-", "")
        ),
    )
    for label in SCHEDULES:
        sims[label] = AirtelSimulator(
            AirtelSandboxSettings(
                approval_delay=1.0,
                rate_limit_per_minute=limit,
                outcome=lambda msisdn: answers[msisdn],
            )
        )
        gateway = Gateway(create_app(others={"airtel": sims[label]}))
        server = stack.enter_context(ThreadedServer(Starlette(routes=[Mount("", app=gateway)])))
        side.urls[label], side.gateways[label] = server.url, gateway
    return side


def print_table(title: str, table: dict[str, dict[str, float]]) -> None:
    print(title)
    print(f"{'':24}" + "".join(f"{label:>14}" for label in table))
    for metric in table["adaptive"]:
        print(f"{metric:24}" + "".join(f"{table[label][metric]:>14.2f}" for label in table))


def verdict(table: dict[str, dict[str, float]], limit: str) -> str:
    adaptive, fixed5 = table["adaptive"], table["fixed 5 s"]
    ratio = adaptive["median detection s"] / fixed5["median detection s"]
    text = (
        f"adaptive median is {ratio:.2f} of fixed 5 s (target <= 0.5); shortest gap "
        f"{adaptive['shortest poll gap s']:.2f} s (>= ~0.9 s with jitter); busiest second "
        f"{adaptive['busiest second (req)']:.0f} requests (limit {limit})"
    )
    if "answers 429" in adaptive:
        met = ratio <= 0.5 and adaptive["answers 429"] == 0
        text += (
            f"; {adaptive['answers 429']:.0f} answers 429; "
            f"goal {'MET' if met else 'MISSED'} (ratio <= 0.5 with no 429)"
        )
    return text


async def main_async(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)  # noqa: S311 - simulated customers
    outcomes = answer_times(args.payments, rng)
    schedules = {
        "adaptive": None,
        "fixed 5 s": FixedSchedule(5.0),
        "fixed 10 s": FixedSchedule(10.0),
    }
    # The same customer behaviour for each schedule, on numbers of its own.
    phones = {
        label: [f"2567{s}{i:07d}" for i in range(args.payments)]
        for s, label in enumerate(SCHEDULES)
    }
    providers = ("mtn", "airtel") if args.provider == "both" else (args.provider,)
    sides: list[tuple[str, Side]] = []
    with ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        if "mtn" in providers:
            sides.append(
                (f"MTN (engine {MTN_RATE_LIMIT:.0f} req/s)", mtn_side(outcomes, phones, stack))
            )
        if "airtel" in providers:
            for limit in args.airtel_limit:
                side = airtel_side(outcomes, phones, limit, stack)
                title = f"Airtel (engine {side.rate_limit:g} req/s, gateway {limit} req/min)"
                sides.append((title, side))
        runs = [
            serve(
                side,
                label,
                schedules[label] or side.adaptive,
                phones[label],
                args.arrival,
                Path(folder) / f"{n}-{side.provider}-{s}.sqlite3",
            )
            for n, (_, side) in enumerate(sides)
            for s, label in enumerate(SCHEDULES)
        ]
        results = iter(await asyncio.gather(*runs))
    never = sum(1 for o in outcomes if o.delay is None)
    print(
        f"{args.payments} customers, one every {args.arrival} s, {never} never answer; "
        f"approval window {APPROVAL_WINDOW:.0f} s"
    )
    for title, side in sides:
        table = {label: summarise(next(results), side) for label in SCHEDULES}
        for label, gateway in side.gateways.items():
            table[label] |= gateway_figures(gateway)
        print()
        print_table(title, table)
        limit = f"{side.rate_limit:g}/s"
        print(verdict(table, limit))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=40)
    parser.add_argument("--arrival", type=float, default=1.5, help="seconds between customers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--provider", choices=("mtn", "airtel", "both"), default="both")
    parser.add_argument(
        "--airtel-limit",
        type=int,
        nargs="+",
        default=[AIRTEL_RECORDED_LIMIT, 60],
        help="requests a minute Airtel's gateway allows (pushes and enquiries); one run each",
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
