"""Catch-up after a long outage: a till's unsynced history uploaded to the hub, in batches of
the app's size beside one event per request, side by side in one run.

A till's SQLite file (the app's schema, in a temporary folder) is given --events events or a
few more: MTN payments of 4 events each (created, submitting, pending, final), most paid,
some refused, some expired, written through the app's PaymentRepository, so every event is
sealed into the till's own hash chain as at a real counter. Then two copies of the file are
made (identical: the same till id, the same chain), one per run.

A throw-away PostgreSQL cluster is started (tests/postgres.py). Each run gets a database of
its own, initialised with `owner.init`, served in a thread of this process over real HTTP on
127.0.0.1 (ThreadedServer(create_app(...), lifespan=True), as tests/hub does); a till is added
(`owner.add_till`) and linked with its code (POST /v1/link). Nothing of the till is at the hub.

Timed, wall clock: `OutboxSync(..., batch=N).catch_up()` on the run's copy, from its start
(GET /v1/sync, the till's own check of its chain) to its return True: the hub has confirmed
the till's newest event. Once with --batch (the app's default, BATCH), once with one event
per request. The time is split into HTTP requests to the hub (each answered
once the hub's PostgreSQL transaction has committed) and the till's own work (reading
batches from SQLite, checking its chain, noting how far the hub has confirmed).

After each run the hub must hold exactly the till's history: the same events (seq and hash,
every one), its sync state at the till's last event and hash, one till_payments row per
payment. A run that does not is reported as such and its figure is not used for the goal.

Goal: 2,000 unsynced events at the hub in under 10 s on loopback, with the default batch;
printed MET or MISSED, and the exit status is 1 when it is missed.

    .venv/bin/python benchmarks/sync.py [--events 2000] [--batch 250] [--timeout 300]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.hub import owner
from pos_app.hub.app import create_app as create_hub
from pos_app.link.client import HubClient, link
from pos_app.link.outbox_sync import BATCH, OutboxSync
from pos_app.platform.secret import Secret
from pos_app.sandbox.server import ThreadedServer
from pos_app.store import PaymentRepository, open_database
from pos_app.store.audit import Checked
from pos_app.store.outbox import Batch, Outbox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.postgres import postgres_server  # the tests' throw-away PostgreSQL cluster

S = PaymentStatus
TILL = "Till 1"
SHOP = "Duka"
TIMEZONE = "Africa/Kampala"
EVENTS_PER_PAYMENT = 4  # created, submitting, pending, final
OUTCOMES = [S.SUCCESSFUL] * 8 + [S.FAILED, S.EXPIRED]
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
GOAL_EVENTS = 2000
GOAL_SECONDS = 10.0


# -- the till's file --


def seed(path: Path, payments: int, rng: random.Random) -> None:
    """`payments` payments, one every 30 s from T0, each to its final state."""
    repository = PaymentRepository(open_database(path))
    try:
        for n in range(payments):
            at = T0 + timedelta(seconds=30 * n)
            payment, event = Payment.create(
                provider="mtn",
                amount=Money(500 + rng.randrange(50_000), "UGX"),
                msisdn=f"2567{rng.randrange(10**8):08d}",
                now=at,
                till=TILL,
            )
            repository.save_new(payment, event)
            ref = payment.reference_id
            repository.transition(ref, S.SUBMITTING, at + timedelta(seconds=1))
            repository.transition(ref, S.PENDING, at + timedelta(seconds=2))
            final = rng.choice(OUTCOMES)
            repository.transition(
                ref,
                final,
                at + timedelta(seconds=20),
                reason="mtn:NOT_ENOUGH_FUNDS" if final is S.FAILED else None,
                provider_transaction_id=f"MP{n:08d}" if final is S.SUCCESSFUL else None,
            )
    finally:
        repository.close()


def copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file (WAL and all), through SQLite's backup API."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@dataclass(frozen=True)
class History:
    till_id: str
    events: list[tuple[int, str]]  # (seq, till_hash), in order
    payments: int

    @property
    def last(self) -> tuple[int, str]:
        return self.events[-1]


def till_history(path: Path) -> History:
    with closing(sqlite3.connect(path)) as conn:
        (till_id,) = conn.execute("SELECT id FROM tills WHERE name = ?", [TILL]).fetchone()
        events = conn.execute(
            "SELECT seq, till_hash FROM payment_events WHERE till_id = ? ORDER BY seq", [till_id]
        ).fetchall()
        (payments,) = conn.execute("SELECT count(*) FROM payments").fetchone()
    return History(str(till_id), [(int(s), str(h)) for s, h in events], int(payments))


# -- timing the till's side --


@dataclass
class Timings:
    spans: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def total(self, name: str) -> float:
        return math.fsum(self.spans.get(name, []))

    def count(self, name: str) -> int:
        return len(self.spans.get(name, []))


class TimedClient(HubClient):
    """The till's hub client, timing each request to the sync API."""

    def __init__(self, url: str, key: Secret, timings: Timings) -> None:
        super().__init__(url, key)
        self.timings = timings

    async def sync_state(self) -> dict[str, Any]:
        start = time.perf_counter()
        try:
            return await super().sync_state()
        finally:
            self.timings.spans["GET /v1/sync"].append(time.perf_counter() - start)

    async def upload(self, body: dict[str, Any]) -> dict[str, Any]:
        start = time.perf_counter()
        try:
            return await super().upload(body)
        finally:
            self.timings.spans["POST /v1/sync"].append(time.perf_counter() - start)


class TimedOutbox(Outbox):
    """The till's outbox, timing its reads of the SQLite file."""

    def __init__(self, db: Any, timings: Timings) -> None:
        super().__init__(db)
        self.timings = timings

    def batch(self, till_id: str, after: int, limit: int) -> Batch:
        start = time.perf_counter()
        try:
            return super().batch(till_id, after, limit)
        finally:
            self.timings.spans["outbox.batch"].append(time.perf_counter() - start)

    def check_page(self, till_id: str, after: int, previous: str | None, limit: int) -> Checked:
        start = time.perf_counter()
        try:
            return super().check_page(till_id, after, previous, limit)
        finally:
            self.timings.spans["own check"].append(time.perf_counter() - start)


class TimedRepository(PaymentRepository):
    def __init__(self, db: Any, timings: Timings) -> None:
        super().__init__(db)
        self.timings = timings
        self.outbox = TimedOutbox(db, timings)

    def set_link_state(self, key: str, value: str) -> None:
        start = time.perf_counter()
        try:
            super().set_link_state(key, value)
        finally:
            self.timings.spans["set_link_state"].append(time.perf_counter() - start)


# -- the hub --


async def fresh_hub(database_url: str, public_url: str) -> str:
    """The hub's schema on an empty database; a till added: its one-time code."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        await owner.init(conn, public_url)
        return (await owner.add_till(conn, SHOP, TILL))[1]


@dataclass(frozen=True)
class AtHub:
    events: list[tuple[int, str]]
    synced: tuple[int, str]  # tills.synced_seq, synced_hash
    payments: int
    broken: int | None


async def at_hub(database_url: str, hub_till: str) -> AtHub:
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        cursor = await conn.execute(
            "SELECT seq, hash FROM till_events WHERE till_id = %s ORDER BY seq", (hub_till,)
        )
        events = [(int(s), str(h)) for s, h in await cursor.fetchall()]
        cursor = await conn.execute(
            "SELECT synced_seq, synced_hash, broken_seq FROM tills WHERE id = %s", (hub_till,)
        )
        row = await cursor.fetchone()
        assert row is not None  # noqa: S101 - the till was added above
        cursor = await conn.execute(
            "SELECT count(*) FROM till_payments WHERE till_id = %s", (hub_till,)
        )
        payments = (await cursor.fetchone() or (0,))[0]
    return AtHub(events, (int(row[0]), str(row[1])), int(payments), row[2])


# -- one run --


@dataclass
class Result:
    label: str
    batch: int
    synced: bool  # catch_up said the hub holds everything, before the timeout
    seconds: float
    timings: Timings
    history: History
    hub: AtHub
    problems: list[str]

    @property
    def honest(self) -> bool:
        return self.synced and not self.problems

    @property
    def rate(self) -> float:
        return len(self.history.events) / self.seconds if self.seconds else math.nan


def compare(history: History, hub: AtHub) -> list[str]:
    problems = []
    if hub.events != history.events:
        held = len(hub.events)
        last = hub.events[-1] if hub.events else (0, "-")
        problems.append(
            f"the hub holds {held} events (last {last[0]} {last[1][:12]}), the till "
            f"{len(history.events)} (last {history.last[0]} {history.last[1][:12]})"
        )
    if hub.synced != history.last:
        problems.append(f"the hub's sync state is {hub.synced}, not {history.last}")
    if hub.payments != history.payments:
        problems.append(f"{hub.payments} payments at the hub, {history.payments} at the till")
    if hub.broken is not None:
        problems.append(f"the hub marked the history broken at event {hub.broken}")
    return problems


async def catch_up(
    label: str, path: Path, hub_url: str, database_url: str, code: str, batch: int, timeout: float
) -> Result:
    history = till_history(path)
    linked = await link(hub_url, code)
    timings = Timings()
    db = open_database(path)
    repository = TimedRepository(db, timings)
    client = TimedClient(hub_url, linked.key, timings)
    sync = OutboxSync(client, repository, TILL, TIMEZONE, batch=batch)
    try:
        start = time.perf_counter()
        synced = await sync.catch_up(timeout)
        seconds = time.perf_counter() - start
    finally:
        stop = getattr(sync, "aclose", None)  # where catch_up leaves the upload task running
        if stop is not None:
            await stop()
        await client.aclose()
        repository.close()
    if sync.till_id() != history.till_id:
        raise RuntimeError("the sync read another till's chain than the one counted")
    hub = await at_hub(database_url, linked.till_id)
    problems = compare(history, hub)
    if not synced:
        problems.insert(0, f"not synced within {timeout:g} s (state {sync.state})")
    return Result(label, batch, synced, seconds, timings, history, hub, problems)


def run(label: str, path: Path, postgres_url: str, batch: int, timeout: float) -> Result:
    """A fresh hub database served for this run only; the till caught up against it."""
    name = f"hub_{label}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    database_url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    server = ThreadedServer(create_hub(database_url), lifespan=True)
    code = asyncio.run(fresh_hub(database_url, server.url))  # the URL is bound already
    with server:
        return asyncio.run(catch_up(label, path, server.url, database_url, code, batch, timeout))


# -- the report --


def ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))  # nearest rank
    return f"{1000 * ordered[rank - 1]:.1f}"


def rows(result: Result) -> dict[str, str]:
    t = result.timings
    uploads = t.spans.get("POST /v1/sync", [])
    requests = t.total("POST /v1/sync") + t.total("GET /v1/sync")
    till_side = result.seconds - requests
    return {
        "events uploaded": f"{len(result.hub.events)} of {len(result.history.events)}",
        "payments at the hub": f"{result.hub.payments} of {result.history.payments}",
        "hub holds the till's chain": "yes" if not result.problems else "NO",
        "catch-up wall time (s)": f"{result.seconds:.2f}",
        "events/s": f"{result.rate:,.0f}",
        "upload requests": f"{len(uploads)}",
        "events per request": f"{len(result.history.events) / max(len(uploads), 1):.1f}",
        "request p50 / p95 / max (ms)": " / ".join(ms(uploads, q) for q in (0.5, 0.95, 1.0)),
        "in requests to the hub (s)": f"{requests:.2f}",
        "till's own work (s)": f"{till_side:.2f}",
        "…reading batches (s)": f"{t.total('outbox.batch'):.2f}",
        "…own chain check (s)": f"{t.total('own check'):.2f}",
        "…noting the hub's place (s)": f"{t.total('set_link_state'):.2f}",
        "…noting, count": f"{t.count('set_link_state')}",
    }


def report(args: argparse.Namespace, results: list[Result]) -> bool:
    history = results[0].history
    finals = history.payments
    print(
        f"catch-up of {len(history.events):,} unsynced events ({finals} MTN payments x "
        f"{EVENTS_PER_PAYMENT} events) from one till's SQLite file to a fresh hub, "
        "in-process over HTTP on 127.0.0.1, PostgreSQL on loopback"
    )
    tables = {f"{r.label} ({r.batch}/request)": rows(r) for r in results}
    width = max(len(label) for label in tables) + 2
    print(f"{'':32}" + "".join(f"{label:>{width}}" for label in tables))
    for metric in next(iter(tables.values())):
        print(f"{metric:32}" + "".join(f"{table[metric]:>{width}}" for table in tables.values()))
    batched, single = results
    if batched.honest and single.honest:
        print(
            f"batches of {batched.batch}: {batched.rate / single.rate:.0f}x the events/s of one "
            f"event per request ({single.seconds / batched.seconds:.0f}x less wall time)"
        )
    for result in results:
        for problem in result.problems:
            print(f"{result.label}: {problem}")
    scaled = len(history.events) >= GOAL_EVENTS
    met = batched.honest and batched.seconds < GOAL_SECONDS and scaled
    what = (
        f"{len(history.events):,} events at the hub in {batched.seconds:.2f} s with batches "
        f"of {batched.batch} (goal: {GOAL_EVENTS:,} in < {GOAL_SECONDS:g} s)"
    )
    if not batched.honest:
        what += "; the hub does not hold the till's history"
    if not scaled:
        what += f"; fewer than {GOAL_EVENTS:,} events: run with --events {GOAL_EVENTS}"
    print(f"{'MET   ' if met else 'MISSED'} {what}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events", type=int, default=GOAL_EVENTS,
        help=f"unsynced events at the till (rounded up to {EVENTS_PER_PAYMENT} per payment)",
    )  # fmt: skip
    parser.add_argument("--batch", type=int, default=BATCH, help="events per upload request")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per catch-up")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.events < 1 or args.batch < 1:
        parser.error("--events and --batch must be at least 1")
    rng = random.Random(args.seed)  # noqa: S311 - test data, not secrets
    payments = math.ceil(args.events / EVENTS_PER_PAYMENT)
    with tempfile.TemporaryDirectory() as name, postgres_server() as postgres:
        folder = Path(name)
        started = time.perf_counter()
        seed(folder / "till.sqlite3", payments, rng)
        print(f"(seeded the till in {time.perf_counter() - started:.1f} s)")
        plan = [("batched", args.batch), ("single", 1)]
        results = []
        for label, batch in plan:
            path = folder / f"till-{label}.sqlite3"
            copy(folder / "till.sqlite3", path)
            results.append(run(label, path, postgres.url(), batch, args.timeout))
    met = report(args, results)
    left = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    if left:
        print(f"threads still running: {', '.join(left)}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
