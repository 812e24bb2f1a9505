"""How long the cashier's window can freeze: event-loop lag while payments are in flight and
the receipts view scrolls through a long history.

Runs the real window (offscreen) on the demo till with 100,000 stored receipts, charges
--payments customers at once, and scrolls the receipts table to the bottom page after page,
while a 10 ms timer records how late the loop runs it. Two phases side by side: idle, and busy.

    .venv/bin/python benchmarks/ui_responsiveness.py [--payments 20] [--rows 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import qasync
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication

from pos_app.app.till import build_till
from pos_app.engine.engine import ChargeRequest
from pos_app.platform.config import Config, ShopConfig
from pos_app.store import PaymentRepository, open_database
from pos_app.store.repository import to_db_time
from pos_app.ui.app import settle_garbage_collector
from pos_app.ui.lag_probe import LagProbe
from pos_app.ui.main_window import MainWindow


def fill(path: Path, rows: int) -> datetime:
    """Store `rows` paid receipts, 3 s apart back from now; returns the oldest one's time."""
    conn = sqlite3.connect(path)
    now = datetime.now(UTC)
    batch = []
    for i in range(rows):
        at = to_db_time(now - timedelta(seconds=i * 3))
        batch.append(
            (
                str(uuid.uuid4()),
                "mtn",
                "collection",
                1000 + i % 500,
                "UGX",
                f"256772{i % 1_000_000:06d}",
                "successful",
                at,
                at,
            )
        )
    conn.executemany(
        "INSERT INTO payments (reference_id, provider, product, amount_minor, "
        "currency, msisdn, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
        batch,
    )
    conn.commit()
    conn.close()
    return now - timedelta(seconds=(rows - 1) * 3)


def figures(lags: list[float]) -> dict[str, float]:
    ms = sorted(lag * 1000 for lag in lags)
    return {
        "samples": len(ms),
        "p50 ms": statistics.median(ms),
        "p99 ms": ms[int(len(ms) * 0.99) - 1],
        "max ms": ms[-1],
        "stalls > 50 ms": sum(1 for m in ms if m > 50),
    }


scrolled: list[int] = []  # rows loaded into the receipts table by the end of each busy phase


async def busy(window: MainWindow, probe: LagProbe, payments: int, stagger: float) -> list[float]:
    """Charge `payments` customers `stagger` seconds apart and scroll the receipts until every
    payment is settled; returns the lag samples of that time."""
    engine, till = window._engine, window._till
    if engine is None or till is None:
        raise SystemExit("the window has no engine")
    probe.start()
    amount, phone = till.parse_charge("mtn", "1500", "0772123456")
    started = time.perf_counter()
    window.show_receipts()
    charges = []
    for i in range(payments):
        customer = replace(phone, msisdn=f"2567721{i:05d}")
        charges.append(asyncio.ensure_future(engine.charge(ChargeRequest("mtn", amount, customer))))
        if stagger:
            await asyncio.sleep(stagger)
    references = [(await charge).reference_id for charge in charges]
    while not all(engine.settled(r) for r in references) and time.perf_counter() - started < 60:
        window.receipts.table.scrollToBottom()  # the model fetches the next page
        await asyncio.sleep(0.05)
    scrolled.append(window.receipts.model.rowCount())
    window.receipts.apply_filter()  # back to the first page for the next phase
    return list(probe.lags)


async def scenario(window: MainWindow, probe: LagProbe, payments: int) -> dict[str, Any]:
    probe.start()
    await asyncio.sleep(2.0)
    idle = list(probe.lags)
    apart = await busy(window, probe, payments, 0.1)
    at_once = await busy(window, probe, payments, 0.0)
    probe.stop()
    return {
        "idle": figures(idle),
        f"{payments} charged 0.1 s apart + scrolling": figures(apart),
        f"{payments} charged in the same instant": figures(at_once),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=20)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    app = QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pos.sqlite3"
        open_database(path).close()
        oldest = fill(path, args.rows).astimezone()
        db = open_database(path)
        repo = PaymentRepository(db)
        config = Config(shop=ShopConfig(name="Bench", country="UG"))
        till = build_till(config, demo=True, approval_delay=4.0)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        engine = till.engine(repo)
        window = MainWindow(config, repo, demo=True, engine=engine, till=till)
        window.resize(1366, 768)
        window.show()
        settle_garbage_collector()  # as pos_app.ui.app does once the window is up
        # The receipts view covers every stored row, not only today's.
        window.receipts.date_from.setDate(QDate(oldest.year, oldest.month, oldest.day))
        started = time.perf_counter()
        window.receipts.apply_filter()
        filter_ms = (time.perf_counter() - started) * 1000
        total = repo.count(window.receipts.current_filter())
        probe = LagProbe(10)
        results = loop.run_until_complete(scenario(window, probe, args.payments))
        loop.run_until_complete(engine.aclose())
        db.close()
    print(f"event-loop lag of the cashier's window ({args.rows:,} stored receipts)")
    print(
        f"  receipts view over all {total:,} rows: filter applied (count, totals, first page) "
        f"in {filter_ms:.0f} ms; rows scrolled into the table per busy phase: {scrolled}"
    )
    for phase, values in results.items():
        print(
            f"  {phase:40}"
            + "  ".join(
                f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items()
            )
        )


if __name__ == "__main__":
    main()
