from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from pos_app.store import PaymentRepository, open_database
from pos_app.ui.collector import MainThreadCollector
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
