from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pos_app.app.till import Till, build_till
from pos_app.engine.engine import PaymentEngine
from pos_app.platform.config import Config, ShopConfig
from pos_app.sandbox.mtn import MtnSimulator
from pos_app.store import PaymentRepository, open_database
from pos_app.ui.collector import MainThreadCollector
from pos_app.ui.main_window import MainWindow
from pos_app.ui.translations import install_translators


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


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop per test, driven with run_until_complete (pytest-qt has no qasync support)."""
    event_loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    event_loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[PaymentRepository]:
    db = open_database(tmp_path / "pos.sqlite3")
    yield PaymentRepository(db)
    db.close()


async def until(condition: Callable[[], bool], timeout: float = 15) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


@dataclass
class DemoCounter:
    till: Till
    engine: PaymentEngine
    window: MainWindow
    mtn: MtnSimulator


def demo_counter(qtbot: QtBot, repo: PaymentRepository) -> DemoCounter:
    """The real window of a Kampala shop on the built-in simulator, shown."""
    config = Config(shop=ShopConfig(name="Mama Rose", country="UG", timezone="Africa/Kampala"))
    till = build_till(config, demo=True, approval_delay=1.0)
    assert till.sandbox is not None
    simulator = till.sandbox.state.mtn
    assert isinstance(simulator, MtnSimulator)
    engine = till.engine(repo)
    window = MainWindow(config, repo, demo=True, engine=engine, till=till)
    qtbot.addWidget(window)
    window.show()
    return DemoCounter(till, engine, window, simulator)
