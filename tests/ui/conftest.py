from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication
from pytestqt.qtbot import QtBot

from pos_app.app.till import Till, build_till
from pos_app.app.translations import install_translators
from pos_app.engine.engine import PaymentEngine
from pos_app.platform.config import Config, ShopConfig
from pos_app.platform.printer_config import PrinterConfig
from pos_app.sandbox.mtn import MtnSimulator
from pos_app.store import PaymentRepository, open_database
from pos_app.ui.collector import MainThreadCollector
from pos_app.ui.main_window import MainWindow


@pytest.fixture(scope="package", autouse=True)
def collect_on_the_main_thread(qapp: QApplication) -> Iterator[None]:
    """As in the app (pos_app/ui/collector.py): no garbage collection in worker threads."""
    collector = MainThreadCollector()
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def collect_after_each_test() -> Iterator[None]:
    yield
    gc.collect()  # the test's closed windows and dialogs, here on the main thread


@pytest.fixture
def french(qapp: QApplication) -> Iterator[None]:
    """pos-app's French catalog and Qt's own, for one test."""
    installed = install_translators(qapp, "fr")
    assert len(installed) == 2
    yield
    for translator in installed:
        qapp.removeTranslator(translator)


class SteadyEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop, but the events it processes once more after run_until_complete's loop
    has stopped are processed with the loop still set as running: a network answer that wakes
    a task right then (the hub link's, the customer payments') runs as inside the loop, where
    qasync left httpx and anyio to fail with "no running event loop" (stack-pitfalls §1.10)."""

    def run_until_complete(self, future: Any) -> Any:
        done = asyncio.ensure_future(future, loop=self)

        def stop(*_: object) -> None:
            self.stop()

        done.add_done_callback(stop)
        try:
            self.run_forever()
        finally:
            done.remove_done_callback(stop)
        asyncio.events._set_running_loop(self)
        try:
            QApplication.processEvents()
        finally:
            asyncio.events._set_running_loop(None)
        if not done.done():
            raise RuntimeError("Event loop stopped before Future completed.")
        return done.result()


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop per test, driven with run_until_complete (pytest-qt has no qasync support)."""
    event_loop = SteadyEventLoop(qapp)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    event_loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[PaymentRepository]:
    db = open_database(tmp_path / "pos.sqlite3")
    yield PaymentRepository(db)
    db.close()


def click(loop: asyncio.AbstractEventLoop, button: QAbstractButton) -> None:
    """Click `button` with the event loop running: what the click starts (tasks that talk over
    the network) never runs while pytest-qt spins Qt without asyncio's loop (stack-pitfalls
    §1.10)."""

    async def press() -> None:
        button.click()
        await asyncio.sleep(0)

    loop.run_until_complete(press())


async def until(condition: Callable[[], bool], timeout: float = 15) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


class Counter:
    def __init__(
        self,
        qtbot: QtBot,
        loop: asyncio.AbstractEventLoop,
        repo: PaymentRepository,
        country: str = "UG",
        sound: bool = True,
        approval_delay: float = 0.2,
        timezone: str = "",
        printer: PrinterConfig | None = None,
    ) -> None:
        """The real window of a shop on the built-in simulator, shown and active."""
        self.loop, self.repo, self.qtbot = loop, repo, qtbot
        shop = ShopConfig(name="Mama Rose", country=country, sound=sound, timezone=timezone)
        self.config = Config(shop=shop, printer=printer or PrinterConfig())
        self.till: Till = build_till(self.config, demo=True, approval_delay=approval_delay)
        self.engine: PaymentEngine = self.till.engine(repo)
        self.window = MainWindow(self.config, repo, demo=True, engine=self.engine, till=self.till)
        qtbot.addWidget(self.window)
        with qtbot.waitActive(self.window):
            self.window.show()
            self.window.activateWindow()
        assert self.window.panel is not None
        self.panel = self.window.panel

    def type_charge(self, amount: str, phone: str) -> None:
        self.qtbot.keyClicks(self.panel.amount, amount)
        self.qtbot.keyClick(self.panel.amount, Qt.Key.Key_Tab)
        self.qtbot.keyClicks(self.panel.phone, phone)
        self.qtbot.keyClick(self.panel.phone, Qt.Key.Key_Return)

    def finish(self) -> None:
        async def settle() -> None:
            await asyncio.sleep(0.05)  # let the charge task save the payment
            references = [p.reference_id for p in self.repo.list_open()]
            await self.engine.settle(references, timeout=10)

        self.loop.run_until_complete(settle())

    def close(self) -> None:
        self.loop.run_until_complete(self.engine.aclose())

    @property
    def mtn(self) -> MtnSimulator:
        assert self.till.sandbox is not None
        simulator = self.till.sandbox.state.mtn
        assert isinstance(simulator, MtnSimulator)
        return simulator

    def simulator_pushes(self) -> int:
        return int(self.mtn.requests["POST requesttopay"])
