"""Callbacks relayed by the owner's hub against polling alone, for M-Pesa STK pushes, side by
side in one run.

A throw-away PostgreSQL cluster is started (tests/postgres.py), a hub is served on it (in its
own `pos-app hub serve` process by default, or in a thread of this one with --hub thread) and
initialised with its own real URL as public URL, so the callback URLs point at it. --tills
tills are enrolled (one shop by default: every callback wakes every till's long-poll, the
busiest case). Each till is a real PaymentEngine on a SQLite file of its own with the app's
default M-Pesa polling policy (the [mpesa] section's defaults and the spec's rate limit),
talking over real HTTP to the M-Pesa simulator, which posts each push's STK callback to the
push's CallBackURL once the customer has answered, with the very ResultCode its STK Query
gives from then on.

--payments customers (spread round-robin over the tills, each till taking one every
--arrival seconds, the tills staggered) answer the prompt after a time drawn uniformly from
--answer (short, so a run takes a minute or two; real customers take 5 to 30 s, which costs
polling more and the hub nothing); --refused of them cancel it (ResultCode 1032). The same
customers are served twice, by fresh tills on a fresh simulator:

- hub up: every till linked to the hub (HubLink long-polling it, `engine.relay = link`), its
  pushes carrying the hub's STK callback URL (StkSettings `to_hub`, as the M-Pesa spec's
  build sets it for a linked till); the engine's hub-up policy as a till has it
  (relaxed_first / relaxed_interval of PollPolicy's defaults: the callback comes first);
- polling only: the same tills not linked (`engine.relay` None), the app's adaptive schedule,
  callbacks sent nowhere (the demo's .invalid URL).

Per payment it measures when its final state (successful or failed) reached its till: the
wall time of the engine's first PaymentUpdate with that state. It prints, p50/p95/max:

- callback at hub -> till final (the goal's figure): from the inbox row's `received_at` (the
  hub's PostgreSQL `now()` in the transaction that stores the callback, before its 200);
  split at the moment the till's link hands the relayed callback to the engine (relay: the
  hub, its NOTIFY and the long-poll; confirm: the engine's one STK Query and SQLite write);
- callback sent -> till final: from the moment the simulator builds the callback to post it;
- customer answer -> till final, for both runs: from the moment the customer's answer is
  due at the simulator (the simulator's callback task looks every 0.1 s, so with the hub this
  includes up to 0.1 s of the simulator's own lag);

and the status requests per payment (mean, max): as the engine asked them (a wrapper around
the provider counts `payment_status` calls; their sum is `engine.status_queries`), and as the
simulator received them (STK Query HTTP requests, retries included). Goals (issue 19): p95
under 0.5 s on loopback, at most 2 status requests per payment while the hub is up; each
is printed MET or MISSED, and the exit status is 1 when one is missed.

    .venv/bin/python benchmarks/hub.py [--payments 200] [--tills 20] [--shops 1]
        [--arrival 1.5] [--answer 1 8] [--refused 0.1] [--seed 7] [--hub process|thread]

The full figure of the issue: --payments 1000 --tills 20 (about 3 minutes on 2 cores; the
default, about 1).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from pos_app.app.till import poll_policy
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.domain.phone import PhoneNumber
from pos_app.engine.engine import ChargeRequest, PaymentEngine, PollPolicy
from pos_app.engine.events import PaymentUpdate
from pos_app.engine.relay import Heard
from pos_app.hub import owner
from pos_app.hub.app import create_app as create_hub
from pos_app.hub.receivers import SourceCheck
from pos_app.link.client import HubClient, link
from pos_app.link.hub_link import HubLink
from pos_app.platform.secret import Secret
from pos_app.providers import registry
from pos_app.providers.base import PaymentProvider, StatusReport
from pos_app.providers.mpesa.callbacks import STK_ROUTE
from pos_app.providers.mpesa.client import MpesaClient, StkSettings
from pos_app.providers.mpesa.provider import MpesaProvider
from pos_app.providers.mpesa.settings import MpesaConfig
from pos_app.sandbox import demo
from pos_app.sandbox.app import create_app as create_sandbox
from pos_app.sandbox.callbacks import Callback
from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator
from pos_app.sandbox.mpesa_state import Push, StkOutcome
from pos_app.sandbox.server import ThreadedServer
from pos_app.store import PaymentRepository, open_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.postgres import postgres_server  # the tests' throw-away PostgreSQL cluster

S = PaymentStatus
AMOUNT = Money(10000, "KES")  # KES 100 each: one customer per phone number, so no "17"
SETTLE_MARGIN = 60.0  # seconds past the approval window before a run gives up waiting
LOOPBACK = "127.0.0.0/8"  # where the simulator's callbacks come from
P95_GOAL = 0.5
QUERIES_GOAL = 2


@dataclass(frozen=True)
class Customer:
    phone: str
    delay: float  # seconds from the push to the answer
    code: str  # the ResultCode of the answer: "0" paid, "1032" cancelled


def draw_customers(
    count: int, rng: random.Random, answer: tuple[float, float], refused: float
) -> list[Customer]:
    low, high = answer
    return [
        Customer(
            f"2547{22_000_000 + n:08d}",
            rng.uniform(low, high),
            "1032" if rng.random() < refused else "0",
        )
        for n in range(count)
    ]


class Simulator(MpesaSimulator):
    """The M-Pesa simulator with each customer's own answer time. `processing_seconds` is the
    longest; a push's creation time is moved back by what its customer saves, so that its STK
    Query answers, its callback and `final_at` (all three reckon from it) agree."""

    def __init__(self, customers: list[Customer]) -> None:
        self.customers = {c.phone: c for c in customers}
        super().__init__(
            MpesaSandboxSettings(
                processing_seconds=max(c.delay for c in customers),
                local_callbacks=True,  # the hub is on this machine, over http
                outcome=lambda phone: StkOutcome(self.customers[phone].code),
            )
        )
        self.sent_at: dict[str, float] = {}  # wall time each callback left, by checkout id

    def announce(self, push: Push) -> None:
        customer = self.customers[str(push.body["PhoneNumber"])]
        push.created -= self.settings.processing_seconds - customer.delay
        super().announce(push)

    def stk_callback(self, push: Push, url: str) -> Callback:
        self.sent_at.setdefault(push.checkout_id, time.time())  # built just before posting
        return super().stk_callback(push, url)


class Recorder:
    """Wraps a provider to count the status requests the engine makes, by payment."""

    def __init__(self, provider: PaymentProvider) -> None:
        self.provider = provider
        self.name = provider.name
        self.asked: Counter[str] = Counter()

    async def payment_status(self, payment: Payment) -> StatusReport:
        self.asked[payment.reference_id] += 1
        return await self.provider.payment_status(payment)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.provider, name)


def app_policy() -> PollPolicy:
    """What a till builds from the [mpesa] section's defaults; relaxed_first /
    relaxed_interval stay PollPolicy's own, as at a real till."""
    spec = registry.spec("mpesa")
    if spec is None:
        raise RuntimeError("the M-Pesa plug-in is not installed")
    return poll_policy(spec, MpesaConfig())


@dataclass
class Till:
    engine: PaymentEngine
    recorder: Recorder
    link: HubLink | None
    close_db: Callable[[], None]
    payments: list[Payment] = field(default_factory=list)
    final: dict[str, tuple[float, float]] = field(default_factory=dict)  # (wall, monotonic)
    heard: dict[str, float] = field(default_factory=dict)  # wall time the link relayed it
    link_states: list[str] = field(default_factory=list)  # after it first connected


class Ear:
    """The engine as the link's listener, noting when each relayed callback came in."""

    def __init__(self, engine: PaymentEngine, heard: dict[str, float]) -> None:
        self.engine = engine
        self.noted = heard

    def heard(self, news: Heard) -> None:
        self.noted.setdefault(news.payment_id, time.time())
        self.engine.heard(news)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)


def make_till(path: Path, sim_url: str, hub: Hub | None, key: Secret | None) -> Till:
    db = open_database(path)
    repository = PaymentRepository(db)
    hub_url = hub.stk_url if hub is not None and key is not None else ""
    client = MpesaClient(
        base_url=sim_url,
        credentials=demo.mpesa_credentials(),
        stk=StkSettings(
            demo.MPESA_SHORTCODE,
            callback_url=hub_url or demo.MPESA_CALLBACK_URL,
            local_callback=bool(hub_url),
            to_hub=bool(hub_url),  # the callback comes through the hub: asked less
        ),
    )
    recorder = Recorder(MpesaProvider(client))
    engine = PaymentEngine(repository, {"mpesa": recorder}, {"mpesa": app_policy()})
    till = Till(engine, recorder, None, db.close)
    if hub is not None and key is not None:
        till.link = HubLink(HubClient(hub.url, key), repository)
        engine.relay, till.link.listener = till.link, Ear(engine, till.heard)
        till.link.state_changed.append(lambda state: till.link_states.append(str(state)))

    def note(update: PaymentUpdate) -> None:
        if update.payment.status in (S.SUCCESSFUL, S.FAILED):
            till.final.setdefault(update.payment.reference_id, (time.time(), time.monotonic()))

    engine.bus.subscribe(note)
    return till


# -- the hub --


@dataclass
class Hub:
    url: str
    database_url: str
    stk_url: str = ""
    complaints: list[str] = field(default_factory=list)  # the hub process's warnings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def init_hub(database_url: str, public_url: str) -> dict[str, str]:
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        return await owner.init(conn, public_url)


@contextlib.contextmanager
def served_hub(database_url: str, how: str, folder: Path) -> Iterator[Hub]:
    """The hub on `database_url`, initialised with its own URL as public URL; callbacks from
    this machine are from a listed source (the Daraja routes' list is Safaricom's otherwise,
    and every callback would be flagged and logged)."""
    if how == "thread":
        server = ThreadedServer(
            create_hub(database_url, SourceCheck.published({STK_ROUTE: [LOOPBACK]})),
            lifespan=True,
        )
        urls = asyncio.run(init_hub(database_url, server.url))  # the URL is bound already
        with server:
            yield Hub(server.url, database_url, urls[STK_ROUTE])
        return
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    urls = asyncio.run(init_hub(database_url, url))
    log = folder / "hub.log"
    command = [
        sys.executable, "-m", "pos_app", "hub", "--database-url", database_url,
        "serve", "--host", "127.0.0.1", "--port", str(port), "--sources", f"mpesa={LOOPBACK}",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - this Python, fixed arguments
            command, stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1]
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not start:\n{log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        hub = Hub(url, database_url, urls[STK_ROUTE])
        yield hub
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    lines = log.read_text(errors="replace").splitlines()
    hub.complaints = [line for line in lines if "WARNING" in line or "ERROR" in line]


async def enrol(hub: Hub, tills: int, shops: int) -> list[Secret]:
    """Add the tills at the hub and link each: their keys."""
    keys = []
    async with await psycopg.AsyncConnection.connect(hub.database_url, autocommit=True) as conn:
        for n in range(tills):
            _, code = await owner.add_till(conn, f"Shop {n % shops + 1}", f"Till {n + 1}")
            keys.append((await link(hub.url, code)).key)
    return keys


async def hub_figures(hub: Hub) -> tuple[dict[str, float], Counter[str], int]:
    """When each STK callback reached the hub (wall time, by CheckoutRequestID), the inbox's
    verdicts, and the number of events for the tills."""
    async with await psycopg.AsyncConnection.connect(hub.database_url, autocommit=True) as conn:
        cursor = await conn.execute(
            "SELECT request_id, received_at, verdict FROM inbox WHERE route = %s", (STK_ROUTE,)
        )
        rows = await cursor.fetchall()
        cursor = await conn.execute("SELECT count(*) FROM events")
        events = (await cursor.fetchone() or (0,))[0]
    received: dict[str, float] = {}
    for request_id, at, _ in rows:
        received.setdefault(request_id, at.timestamp())
    return received, Counter(verdict for *_, verdict in rows), int(events)


# -- one run --


async def serve_customers(
    label: str,
    customers: list[Customer],
    args: argparse.Namespace,
    folder: Path,
    hub: Hub | None,
    keys: list[Secret],
) -> dict[str, Any]:
    sim = Simulator(customers)
    with ThreadedServer(create_sandbox(None, sim), lifespan=True) as server:
        tills = [
            make_till(folder / f"{label}-{n}.sqlite3", server.url, hub, keys[n] if hub else None)
            for n in range(args.tills)
        ]
        try:
            await connected(tills)
            for till in tills:
                till.link_states.clear()
            started = time.monotonic()
            await asyncio.gather(
                *(
                    charge_all(till, customers[n :: args.tills], n, args, started)
                    for n, till in enumerate(tills)
                )
            )
            timeout = app_policy().approval_timeout + SETTLE_MARGIN
            settled = await asyncio.gather(
                *(
                    till.engine.settle([p.reference_id for p in till.payments], timeout)
                    for till in tills
                )
            )
            duration = time.monotonic() - started
            for till in tills:  # as they ended
                till.payments = [till.engine.current(p.reference_id) for p in till.payments]
        finally:
            for till in tills:
                await till.engine.aclose()  # its link too
                till.close_db()
    received, verdicts, events = await hub_figures(hub) if hub else ({}, Counter(), 0)
    return measure(tills, sim, received) | {
        "settled": all(settled),
        "duration": duration,
        "verdicts": verdicts,
        "events": events,
    }


async def connected(tills: list[Till], timeout: float = 30) -> None:
    for till in tills:
        if till.link is not None:
            till.link.start()
    deadline = time.monotonic() + timeout
    while not all(till.link is None or till.link.up for till in tills):
        if time.monotonic() > deadline:
            raise RuntimeError("the tills did not connect to the hub")
        await asyncio.sleep(0.05)


async def charge_all(
    till: Till, customers: list[Customer], n: int, args: argparse.Namespace, started: float
) -> None:
    offset = n * args.arrival / args.tills  # the tills staggered
    for k, customer in enumerate(customers):
        await asyncio.sleep(max(0.0, started + offset + k * args.arrival - time.monotonic()))
        request = ChargeRequest("mpesa", AMOUNT, PhoneNumber(customer.phone, None, None))
        till.payments.append(await till.engine.charge(request))


def measure(tills: list[Till], sim: Simulator, received: dict[str, float]) -> dict[str, Any]:
    figures: dict[str, list[float]] = defaultdict(list)
    wrong = unsettled = with_code = 0
    for till in tills:
        for payment in till.payments:
            checkout = payment.provider_request_id or ""
            customer = sim.customers[payment.msisdn]
            expected = S.SUCCESSFUL if customer.code == "0" else S.FAILED
            wrong += payment.status != expected
            with_code += payment.receipt_source == "callback"
            figures["engine queries"].append(till.recorder.asked[payment.reference_id])
            push = sim.pushes.get(checkout)
            figures["simulator queries"].append(push.queries if push else 0)
            final = till.final.get(payment.reference_id)
            answered = sim.final_at(checkout)
            if final is None or answered is None:
                unsettled += 1
                continue
            figures["answer"].append(final[1] - answered)
            if checkout in received:
                figures["at hub"].append(final[0] - received[checkout])
                if payment.reference_id in till.heard:
                    heard = till.heard[payment.reference_id]
                    figures["relay"].append(heard - received[checkout])
                    figures["confirm"].append(final[0] - heard)
            if checkout in sim.sent_at:
                figures["sent"].append(final[0] - sim.sent_at[checkout])
    total = sum(len(till.payments) for till in tills)
    queries = sum(till.engine.status_queries for till in tills)
    if queries != sum(figures["engine queries"]):
        raise RuntimeError(f"{queries} status queries, not all counted by payment")
    return {
        "link drops": sum(s != "connected" for till in tills for s in till.link_states),
        "payments": total,
        "wrong": wrong,
        "unsettled": unsettled,
        "with code": with_code,
        "figures": figures,
    }


# -- the report --


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of them at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def rows(result: dict[str, Any]) -> dict[str, str]:
    figures = result["figures"]
    table = {
        "payments": f"{result['payments']}",
        "final as the customer said": f"{result['payments'] - result['wrong']}",
        "not final on the till": f"{result['unsettled']}",
        "M-Pesa code from callback": f"{result['with code']}",
        "hub link drops (all tills)": f"{result['link drops']}",
    }
    for key, title in (
        ("at hub", "callback at hub -> final"),
        ("relay", "callback at hub -> till heard it"),
        ("confirm", "till heard it -> final"),
        ("sent", "callback sent -> final"),
        ("answer", "customer answer -> final"),
    ):
        for name, q in (("p50", 0.5), ("p95", 0.95), ("max", 1.0)):
            value = percentile(figures[key], q)
            table[f"{title} {name} s"] = "-" if math.isnan(value) else f"{value:.3f}"
    for key, title in (("engine queries", "status requests"), ("simulator queries", "STK Query")):
        values = figures[key]
        table[f"{title}/payment mean"] = f"{statistics.fmean(values):.2f}"
        table[f"{title}/payment max"] = f"{max(values)}"
    table["run (s)"] = f"{result['duration']:.1f}"
    return table


def report(args: argparse.Namespace, results: dict[str, dict[str, Any]]) -> bool:
    low, high = args.answer
    print(
        f"{args.payments} M-Pesa STK payments over {args.tills} tills ({args.shops} shop"
        f"{'s' if args.shops != 1 else ''}), one every {args.arrival} s per till; customers "
        f"answer in {low:g}-{high:g} s, {args.refused:.0%} refuse; hub in a {args.hub}"
    )
    tables = {label: rows(result) for label, result in results.items()}
    print(f"{'':40}" + "".join(f"{label:>14}" for label in tables))
    for metric in next(iter(tables.values())):
        print(f"{metric:40}" + "".join(f"{table[metric]:>14}" for table in tables.values()))
    up = results["hub up"]
    verdicts = ", ".join(f"{n} {v}" for v, n in sorted(up["verdicts"].items()))
    print(f"hub: STK callbacks stored: {verdicts or 'none'}; {up['events']} events for the tills")
    p95 = percentile(up["figures"]["at hub"], 0.95)
    most = max(max(up["figures"]["engine queries"]), max(up["figures"]["simulator queries"]))
    complete = (
        all(r["settled"] and not r["wrong"] and not r["unsettled"] for r in results.values())
        and len(up["figures"]["at hub"]) == up["payments"]
    )
    goals = [
        (p95 < P95_GOAL, f"p95 callback at hub -> final {p95:.3f} s (goal < {P95_GOAL} s)"),
        (
            most <= QUERIES_GOAL,
            f"status requests per payment, hub up: at most {most} (goal <= {QUERIES_GOAL})",
        ),
        (complete, "every payment final, as its customer answered, its callback at the hub"),
    ]
    for met, text in goals:
        print(f"{'MET   ' if met else 'MISSED'} {text}")
    return all(met for met, _ in goals)


async def main_async(args: argparse.Namespace, hub: Hub, folder: Path) -> dict[str, Any]:
    rng = random.Random(args.seed)  # noqa: S311 - simulated customers
    customers = draw_customers(args.payments, rng, tuple(args.answer), args.refused)
    keys = await enrol(hub, args.tills, args.shops)
    return {
        "hub up": await serve_customers("hub", customers, args, folder, hub, keys),
        "polling only": await serve_customers("polling", customers, args, folder, None, []),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=200, help="full figure: 1000")
    parser.add_argument("--tills", type=int, default=20)
    parser.add_argument("--shops", type=int, default=1, help="the tills are spread over them")
    parser.add_argument("--arrival", type=float, default=1.5, help="seconds between customers")
    parser.add_argument(
        "--answer", type=float, nargs=2, default=[1.0, 8.0], metavar=("LOW", "HIGH"),
        help="seconds a customer takes to answer, drawn uniformly",
    )  # fmt: skip
    parser.add_argument("--refused", type=float, default=0.1, help="share who cancel")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--hub", choices=("process", "thread"), default="process",
        help="`pos-app hub serve` in a process of its own, or served in a thread of this one",
    )  # fmt: skip
    args = parser.parse_args()
    if args.answer[0] <= 0 or args.answer[1] < args.answer[0]:
        parser.error("--answer LOW HIGH: 0 < LOW <= HIGH")
    with tempfile.TemporaryDirectory() as name, postgres_server() as postgres:
        with psycopg.connect(postgres.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE hub")
        with served_hub(postgres.url("hub"), args.hub, Path(name)) as hub:
            results = asyncio.run(main_async(args, hub, Path(name)))
    met = report(args, results)
    if hub.complaints:
        print(f"the hub process logged {len(hub.complaints)} warnings or errors, such as:")
        print("\n".join(f"  {line}" for line in hub.complaints[:5]))
    left = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    if left:
        print(f"threads still running: {', '.join(left)}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
