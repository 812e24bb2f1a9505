from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from pos_app.ui.collector import INTERVAL_MS, MainThreadCollector


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_collections_run_on_the_main_thread_only(qtbot: QtBot) -> None:
    threads: list[str] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            threads.append(threading.current_thread().name)

    collector = MainThreadCollector()
    gc.callbacks.append(record)
    try:
        assert not gc.isenabled()

        def churn() -> None:  # a worker allocating far past the threshold
            for _ in range(50_000):
                Cycle()

        worker = threading.Thread(target=churn, name="worker")
        worker.start()
        worker.join()
        assert threads == []  # nobody collected in the worker
        # This collector or the package's (conftest) collects, from the event loop.
        qtbot.waitUntil(lambda: bool(threads), timeout=INTERVAL_MS * 4)
        assert set(threads) == {threading.main_thread().name}
    finally:
        gc.callbacks.remove(record)
        collector.stop()
    assert not gc.isenabled()  # the package's collector (conftest) is still in charge
