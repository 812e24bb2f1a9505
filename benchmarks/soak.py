"""A long day at the counter: memory, leftovers and event-loop lag over thousands of payments.

Runs the real window (offscreen) on the demo till, its simulated customers approving within a
tenth of a second and the till asking at once, and charges --payments customers one after the
other as a cashier does: amount and phone typed in the charge panel, Charge pressed (one
customer in 50 refuses), with at most --open payments in flight. Every 500 payments the
cashier looks at the receipts tab and then the day's report, and comes back to the counter.
The simulator stands for the provider's servers: it forgets each payment once settled, and the
till's rate limit for it is raised (RATE_LIMIT; the real 10 a second would make the day last
17 minutes by itself).

Every 1,000 payments, once nothing is in flight (the figures of a quiet moment, after a full
garbage collection), it prints: resident memory, the event-loop lag over those 1,000 (a 10 ms
timer's lateness: p50, p99, max), live Qt objects (every widget of the application, and the
main window's QObject descendants), the cards on the counter panel, asyncio tasks alive and
Python objects tracked by the collector.

The baseline is this same run's first 1,000 payments (the start-up's one-off allocations,
caches and the first reads are behind it by then): each later row is compared with that first
row, and the goals at the end are checked against it:
  - resident memory grows by less than 30 MB from payment 1,000 to the end;
  - live Qt objects do not grow (the same counts, a quiet moment each);
  - the event loop's p99 lag at the end is no worse than at the start, within 25 % + 5 ms
    (the probe's own jitter on a shared 2-core machine).

    .venv/bin/python benchmarks/soak.py [--payments 10000] [--open 8] [--types]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication

from pos_app.app.till import build_till
from pos_app.domain.payment import FINAL_STATES, OPEN_STATES
from pos_app.engine.engine import PaymentEngine
from pos_app.engine.events import PaymentUpdate
from pos_app.platform.config import Config, ShopConfig
from pos_app.providers.mtn.settings import MtnConfig
from pos_app.sandbox.mtn import MtnSimulator
from pos_app.store import PaymentRepository, open_database
from pos_app.ui.app import settle_garbage_collector
from pos_app.ui.collector import MainThreadCollector
from pos_app.ui.lag_probe import LagProbe
from pos_app.ui.main_window import MainWindow

REPORT_EVERY = 1000
LOOK_EVERY = 500  # the receipts tab and the day's report, now and then
REFUSES = "46733123451"  # the simulator's customer who rejects the prompt
RSS_GOAL_MB = 30.0
LAG_TOLERANCE = (1.25, 5.0)  # p99 at the end at most start × 1.25 + 5 ms
RATE_LIMIT = 100.0  # status queries a second to the simulator


@dataclass(frozen=True)
class Row:
    payments: int
    seconds: float
    rss_mb: float
    lag_ms: tuple[float, float, float]  # p50, p99, max over these payments
    widgets: int  # QApplication.allWidgets()
    qobjects: int  # the main window's QObject descendants
    cards: int
    tasks: int
    objects: int  # Python objects the collector tracks


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")  # not Linux


def lag_figures(lags: list[float]) -> tuple[float, float, float]:
    ms = sorted(lag * 1000 for lag in lags) or [0.0]
    return statistics.median(ms), ms[max(0, int(len(ms) * 0.99) - 1)], ms[-1]


class Cashier:
    """Types each customer into the real charge panel and presses Charge."""

    def __init__(
        self, window: MainWindow, engine: PaymentEngine, provider: MtnSimulator, most_open: int
    ) -> None:
        assert window.panel is not None  # noqa: S101 - a demo till always has its panel
        self.window, self.panel, self.provider = window, window.panel, provider
        self.most_open = most_open
        self.charged = self.settled = 0
        # Counted from the engine's news, not asked of it: a question whose cost grew with
        # the day would be the benchmark's own slowdown.
        engine.bus.subscribe(self._heard)

    def _heard(self, update: PaymentUpdate) -> None:
        event = update.event
        if event.from_status in OPEN_STATES and event.to_status in FINAL_STATES:
            self.settled += 1
            # The simulator stands for the provider's servers, elsewhere in a real shop: what
            # it keeps of a settled payment is no memory of the till's.
            reference_id = update.payment.reference_id
            self.provider.resources.pop(("requesttopay", reference_id), None)
            self.provider.accepted.pop(reference_id, None)

    @property
    def in_flight(self) -> int:
        return self.charged - self.settled

    async def charge(self) -> None:
        while self.in_flight >= self.most_open:
            await asyncio.sleep(0.005)  # the customers in front are still on their phones
        i = self.charged
        self.panel.amount.setText(str(500 + (i % 40) * 100))
        self.panel.phone.setText(REFUSES if i % 50 == 49 else f"0772{i % 1_000_000:06d}")
        self.panel.charge_button.click()
        if self.panel.amount.text():
            raise SystemExit(f"payment {i + 1} was not sent: {self.panel.error.text()}")
        self.charged += 1
        await asyncio.sleep(0)  # the charge starts; the window breathes

    async def look_around(self) -> None:
        """The receipts, then the day's report, a moment each; back to the counter."""
        self.window.show_receipts()
        await asyncio.sleep(0.5)
        self.window.receipts.table.scrollToBottom()  # the next page of today's receipts
        await asyncio.sleep(0.3)
        self.window.show_report()
        await asyncio.sleep(0.8)
        self.window.show_counter()

    async def quiet(self) -> None:
        """Wait for every payment in flight to settle and every card taken away to go."""
        started = time.perf_counter()
        while self.in_flight and time.perf_counter() - started < 30:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # the last updates, the window's refresh
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()


def measure(window: MainWindow, payments: int, started: float, lags: list[float]) -> Row:
    return Row(
        payments=payments,
        seconds=time.perf_counter() - started,
        rss_mb=rss_mb(),
        lag_ms=lag_figures(lags),
        widgets=len(QApplication.allWidgets()),
        qobjects=len(window.findChildren(QObject)),
        cards=len(window.cards.cards),
        tasks=len(asyncio.all_tasks()),
        objects=len(gc.get_objects()),
    )


def type_census() -> collections.Counter[str]:
    return collections.Counter(type(o).__qualname__ for o in gc.get_objects())


async def day(window: MainWindow, cashier: Cashier, payments: int, types: bool) -> list[Row]:
    probe = LagProbe(10)
    rows: list[Row] = []
    census: collections.Counter[str] = collections.Counter()
    started = time.perf_counter()
    probe.start()
    while cashier.charged < payments:
        await cashier.charge()
        done = cashier.charged
        if done % LOOK_EVERY == 0:
            await cashier.look_around()
        if done % REPORT_EVERY == 0 or done == payments:
            await cashier.quiet()
            rows.append(measure(window, done, started, probe.lags))
            print_row(rows[-1], rows[0], flush=True)
            if types and len(rows) == 1:
                census = type_census()
            probe.start()  # the next 1,000's lag from here
    probe.stop()
    if types:
        grown = type_census()
        grown.subtract(census)
        print("Python objects grown since the first 1,000, by type (top 15):")
        for name, count in grown.most_common(15):
            print(f"  {count:+8,}  {name}")
    return rows


HEADER = (
    f"{'payments':>8} {'time s':>7} {'RSS MB':>7} {'Δ MB':>6} "
    f"{'lag p50':>7} {'p99':>6} {'max ms':>7} {'widgets':>7} {'QObjects':>8} "
    f"{'cards':>5} {'tasks':>5} {'py objects':>10}"
)


def print_row(row: Row, base: Row, *, flush: bool = False) -> None:
    p50, p99, worst = row.lag_ms
    print(
        f"{row.payments:>8,} {row.seconds:>7.0f} {row.rss_mb:>7.1f} "
        f"{row.rss_mb - base.rss_mb:>+6.1f} {p50:>7.1f} {p99:>6.1f} {worst:>7.1f} "
        f"{row.widgets:>7,} {row.qobjects:>8,} {row.cards:>5} {row.tasks:>5} "
        f"{row.objects:>10,}",
        flush=flush,
    )


def goals(rows: list[Row]) -> bool:
    """Prints the goals check against the first 1,000 (the baseline); True if all are met."""
    base, end = rows[0], rows[-1]
    growth = end.rss_mb - base.rss_mb
    grown_qt = (end.widgets - base.widgets, end.qobjects - base.qobjects)
    ceiling = base.lag_ms[1] * LAG_TOLERANCE[0] + LAG_TOLERANCE[1]
    checks = [
        (
            f"RSS growth from payment {base.payments:,} to {end.payments:,}: {growth:+.1f} MB "
            f"(goal < {RSS_GOAL_MB:.0f} MB)",
            growth < RSS_GOAL_MB,
        ),
        (
            f"live Qt objects: widgets {base.widgets:,} -> {end.widgets:,}, main window's "
            f"QObjects {base.qobjects:,} -> {end.qobjects:,} (goal: no growth)",
            max(grown_qt) <= 0,
        ),
        (
            f"event-loop lag p99: {base.lag_ms[1]:.1f} ms over the first {base.payments:,}, "
            f"{end.lag_ms[1]:.1f} ms over the last (goal <= {ceiling:.1f} ms: "
            f"start × {LAG_TOLERANCE[0]} + {LAG_TOLERANCE[1]:.0f} ms)",
            end.lag_ms[1] <= ceiling,
        ),
    ]
    print("goals (baseline: the first 1,000 payments of this run):")
    for text, met in checks:
        print(f"  {'met ' if met else 'MISSED'}  {text}")
    return all(met for _, met in checks)


def open_window(repo: PaymentRepository) -> tuple[MainWindow, PaymentEngine, MtnSimulator]:
    """The window as pos_app.ui.app builds it, on a demo till whose customers answer within
    a tenth of a second and which asks about a payment at once (not after 2 s)."""
    shop = ShopConfig(name="Soak", country="UG", sound=False)
    config = Config(shop=shop, providers={"mtn": MtnConfig(first_poll_seconds=0.1)})
    till = build_till(config, demo=True, approval_delay=0.05)
    # The provider's rate limit (10 status queries a second) guards its servers; the simulator
    # runs in this process, and at 10 a second the limit alone would make the day 17 minutes.
    till.policies["mtn"] = replace(till.policies["mtn"], rate_limit=RATE_LIMIT)
    engine = till.engine(repo)
    window = MainWindow(config, repo, demo=True, engine=engine, till=till)
    window.resize(1366, 768)
    window.show()
    assert till.sandbox is not None  # noqa: S101 - a demo till has its simulators
    provider = till.sandbox.state.mtn
    assert isinstance(provider, MtnSimulator)  # noqa: S101
    return window, engine, provider


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--open", type=int, default=8, help="payments in flight at most")
    parser.add_argument("--types", action="store_true", help="which Python objects grew")
    args = parser.parse_args()
    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "pos.sqlite3")
        repo = PaymentRepository(db)
        window, engine, provider = open_window(repo)
        settle_garbage_collector()  # as pos_app.ui.app does once the window is up
        collector = MainThreadCollector(window)  # and collects on the window's thread
        cashier = Cashier(window, engine, provider, args.open)
        print(f"a long day at the counter: {args.payments:,} payments, demo till, offscreen")
        print(HEADER)
        rows = loop.run_until_complete(day(window, cashier, args.payments, args.types))
        loop.run_until_complete(engine.aclose())
        collector.stop()
        window.close()
        db.close()
    met = goals(rows)
    verdict = "met" if met else "MISSED"
    print(f"resident memory at the end: {rows[-1].rss_mb:.0f} MB; goals {verdict}")


if __name__ == "__main__":
    main()
