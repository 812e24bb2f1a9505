"""What a write costs when the disk is full, beside the same write with room, in one process.

The engine retries kept outcomes every few seconds on the window's thread: a write the disk
refuses must come back at once. A real SQLite file on a small tmpfs (needs root to mount):
--count payments are marked *submitting* with room, then --count more with the disk full.

    sudo .venv/bin/python benchmarks/disk_full.py [--count 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.store import DiskFull, PaymentRepository, open_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.storage_faults import fill, small_disk  # the tests' real small disk


def new_payment(repo: PaymentRepository) -> Payment:
    payment, event = Payment.create(
        provider="mtn", amount=Money(1500, "UGX"), msisdn="256772123456", now=datetime.now(UTC)
    )
    repo.save_new(payment, event)
    return payment


def mark(repo: PaymentRepository, payment: Payment) -> tuple[float, bool]:
    """Seconds the write took, and whether the disk refused it."""
    started = time.perf_counter()
    try:
        repo.transition(payment.reference_id, PaymentStatus.SUBMITTING, datetime.now(UTC))
    except DiskFull:
        return time.perf_counter() - started, True
    return time.perf_counter() - started, False


def show(label: str, seconds: list[float]) -> None:
    print(
        f"{label:<28} median {statistics.median(seconds) * 1000:6.2f} ms   "
        f"max {max(seconds) * 1000:6.2f} ms   ({len(seconds)} writes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    count = parser.parse_args().count
    with (
        tempfile.TemporaryDirectory() as scratch,
        small_disk(Path(scratch) / "disk", "16m") as disk,
    ):
        db = open_database(disk / "pos.sqlite3")
        repo = PaymentRepository(db)
        with_room = [mark(repo, new_payment(repo)) for _ in range(count)]
        waiting = [new_payment(repo) for _ in range(count)]
        # An empty -wal must grow for the next write (as after the window's last close).
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        filler = fill(disk)
        full = [mark(repo, payment) for payment in waiting]
        filler.unlink()
        repo.close()
    show("baseline: the disk has room", [seconds for seconds, _ in with_room])
    refused = [seconds for seconds, no_room in full if no_room]
    show("the disk is full (refused)", refused)
    print(f"{len(refused)} of {len(full)} writes refused while the disk was full")


if __name__ == "__main__":
    main()
