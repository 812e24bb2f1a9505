"""The owner's reads over a big database, with and without the indexes, side by side.

Seeds --rows payments (default 1,000,000: years of a busy till, one every 30 s over about a
year) into a real SQLite file through the app's schema, then times with the app's own code:
today's end-of-day report (every payment of the day, the figures computed), a search for one
customer's phone number (the whole number, and its last six digits), and the first page of
today's receipts and of all receipts. Then it
drops the payments indexes and times the same reads again, in the same process.

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

from pos_app.reports.day_report import load
from pos_app.store import PaymentRepository, open_database
from pos_app.store.repository import PaymentFilter, local_day, to_db_time

STATUSES = ["successful"] * 8 + ["failed", "expired"]
INDEXES = [  # the payments indexes of store/migrations.py that these reads can use
    "payments_by_created",
    "payments_by_status",
    "payments_by_msisdn",
    "payments_by_external_id",
    "payments_by_receipt",
]


def seed(path: Path, rows: int, now: datetime) -> str:
    """`rows` payments, one every 30 s back from `now`; returns a phone with a few payments."""
    open_database(path).close()  # the app's schema, migrated
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
        " status, created_at, updated_at, till) VALUES (?,?,?,?,?,?,?,?,?,?)",
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
    repository: PaymentRepository, phone: str, now: datetime, repeat: int
) -> dict[str, float]:
    today = now.date()
    start, end = local_day(today, UTC)
    reads: dict[str, Callable[[], object]] = {
        "today's report": lambda: load(repository, today, UTC, None),
        # As typed at the counter: the whole number in its local form (the phone index) ...
        "phone search, whole number": lambda: repository.page(
            PaymentFilter(search=f"0{phone[3:6]} {phone[6:9]} {phone[9:]}", region="UG"),
            limit=100,
        ),
        # ... and its last digits only (matched anywhere in the number: every row is read).
        "phone search, last 6 digits": lambda: repository.page(
            PaymentFilter(search=phone[-6:], region="UG"), limit=100
        ),
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
        repository = PaymentRepository(open_database(path))
        try:
            today = repository.count(PaymentFilter(start=local_day(now.date(), UTC)[0]))
            print(f"today: {today:,} payments; {phone}: 5 payments over the year\n")
            indexed = measure(repository, phone, now, args.repeat)
            for name in INDEXES:
                repository._db.execute(f"DROP INDEX {name}")
            repository._db.execute("ANALYZE")
            bare = measure(repository, phone, now, args.repeat)
        finally:
            repository.close()
    print(f"{'median of ' + str(args.repeat):32} {'with indexes':>14} {'without':>12}")
    for name in indexed:
        print(f"{name:32} {indexed[name]:11.2f} ms {bare[name]:9.1f} ms")


if __name__ == "__main__":
    main()
