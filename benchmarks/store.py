"""The owner's reads over a big database, the way they were read before the search index and
the day's tallies (schema 7) and the way they are read now, side by side.

Seeds --rows payments (default 1,000,000: years of a busy till, one every 30 s over about a
year) into a real SQLite file through the app's schema as it was before the search index,
then migrates it (timed: what a till's first start of this version does), then times with the
app's own code: today's end-of-day report, searches as typed at the counter (a whole phone
number; its last six and last four digits; part of a receipt code, of an order reference; the
start of our reference) and the first page of today's receipts and of all receipts. "before"
reads every row for a part search and every payment of the day for the report, as schema 7
did; "now" goes through the trigram index and the tallies kept beside the payments (migration
8). Same file, same process.

    .venv/bin/python benchmarks/store.py [--rows 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pos_app.domain.report import day_report
from pos_app.reports.day_report import day_filter, load
from pos_app.store import PaymentRepository, open_database
from pos_app.store.migrations import MIGRATIONS, migrate
from pos_app.store.repository import PaymentFilter, local_day, to_db_time

STATUSES = ["successful"] * 8 + ["failed", "expired"]
BEFORE_INDEX = 7  # the schema before the search index (migration 8)


def seed(path: Path, rows: int, now: datetime) -> str:
    """`rows` payments, one every 30 s back from `now`, with receipt codes when paid and an
    order reference on one in three; returns a phone with a few payments."""
    db = open_database(path, migrate=False)
    migrate(db, MIGRATIONS[:BEFORE_INDEX])
    db.close()
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    conn = sqlite3.connect(path)
    batch: list[tuple[Any, ...]] = []
    for i in range(rows):
        at = to_db_time(now - timedelta(seconds=30 * i))
        batch.append(
            (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "mtn",
                "collection",
                500 + rng.randrange(50_000),
                "UGX",
                f"2567{rng.randrange(10**8):08d}",  # customers rarely come back
                STATUSES[i % len(STATUSES)],
                f"{rng.randrange(36**10):010X}" if i % len(STATUSES) < 8 else None,
                f"INV-{i:07d}" if i % 3 == 0 else None,
                at,
                at,
                "Till 1",
            )
        )
        if len(batch) == 50_000:
            _insert(conn, batch)
    _insert(conn, batch)
    regular = "256772123456"
    conn.executemany(
        "UPDATE payments SET msisdn = ? WHERE rowid = ?",
        [(regular, rowid) for rowid in range(1, rows, max(1, rows // 5))],
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return regular


def _insert(conn: sqlite3.Connection, batch: list[tuple[Any, ...]]) -> None:
    conn.executemany(
        "INSERT INTO payments (reference_id, provider, product, amount_minor, currency, msisdn,"
        " status, provider_transaction_id, external_id, created_at, updated_at, till)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        batch,
    )
    batch.clear()


def timed(action: Callable[[], object], repeat: int) -> float:
    """Median milliseconds over `repeat` runs, after one warm-up run."""
    action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure(
    repository: PaymentRepository, phone: str, now: datetime, repeat: int, *, before: bool
) -> dict[str, float]:
    today = now.date()
    start, end = local_day(today, UTC)
    repository._indexed = not before  # schema 7 had no search index
    order = next(repository.each(PaymentFilter(search="INV-"))).external_id or ""
    paid = next(p for p in repository.each(PaymentFilter(start=start)) if p.provider_transaction_id)
    code = paid.provider_transaction_id or ""

    def report() -> object:
        if before:  # every payment of the day read, then counted in Python
            flt = day_filter(today, UTC, None)
            return day_report(list(repository.each(flt)), today, UTC, None)
        return load(repository, today, UTC, None)

    def search(term: str) -> Callable[[], object]:
        return lambda: repository.page(PaymentFilter(search=term, region="UG"), limit=100)

    reads: dict[str, Callable[[], object]] = {
        "today's report": report,
        # As typed at the counter: the whole number in its local form (the phone index) ...
        "whole phone number": search(f"0{phone[3:6]} {phone[6:9]} {phone[9:]}"),
        # ... and only its last digits, as a customer reads them out.
        "last 6 digits of a number": search(phone[-6:]),
        "last 4 digits of a number": search(phone[-4:]),
        "part of a receipt code": search(code[2:8]),
        "part of an order reference": search(order[4:]),
        "start of our reference": search(paid.reference_id[:8]),
        "today's receipts, first page": lambda: repository.page(
            PaymentFilter(start=start, end=end), limit=100
        ),
        "all receipts, first page": lambda: repository.page(PaymentFilter(), limit=100),
    }
    return {name: timed(read, repeat) for name, read in reads.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    now = datetime.now(UTC).replace(hour=20, minute=0, second=0, microsecond=0)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "pos-app.sqlite3"
        started = time.perf_counter()
        phone = seed(path, args.rows, now)
        print(f"seeded {args.rows:,} payments in {time.perf_counter() - started:.1f} s")
        size = path.stat().st_size
        started = time.perf_counter()
        repository = PaymentRepository(open_database(path))  # migrates: builds the index
        print(
            f"migrated to schema {repository.schema_version()} (the search index) in"
            f" {time.perf_counter() - started:.1f} s; file {size / 2**20:,.0f} MiB before,"
            f" {path.stat().st_size / 2**20:,.0f} MiB after"
        )
        try:
            today = repository.count(PaymentFilter(start=local_day(now.date(), UTC)[0]))
            print(f"today: {today:,} payments; {phone}: 5 payments over the year\n")
            old = measure(repository, phone, now, args.repeat, before=True)
            new = measure(repository, phone, now, args.repeat, before=False)
        finally:
            repository.close()
    print(f"{'median of ' + str(args.repeat):32} {'before':>12} {'now':>11}")
    for name in new:
        print(f"{name:32} {old[name]:9.1f} ms {new[name]:8.2f} ms")


if __name__ == "__main__":
    main()
