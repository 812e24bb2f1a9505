"""Slow reads (counts and totals over many rows) on a worker thread with its own read-only
connection, so that the window never waits for them while payments are in flight."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from pos_app.store import PaymentRepository, open_reader

log = logging.getLogger(__name__)
T = TypeVar("T")


class BackgroundReads(QObject):
    # Emitted from the worker thread; Qt delivers it on the GUI thread (queued connection).
    _finished = Signal(object, object)  # callback, result

    def __init__(self, repository: PaymentRepository, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._repository = repository
        self._path = repository.file()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pos-app-reads")
        self._reader: PaymentRepository | None = None  # used by the worker thread only
        self._lock = threading.Lock()
        self._closed = False
        self._finished.connect(self._deliver)

    def submit(self, query: Callable[[PaymentRepository], T], done: Callable[[T], None]) -> None:
        """Run `query` on the worker; `done(result)` is then called on the GUI thread."""
        if self._closed:
            return
        if self._path is None:  # an in-memory database cannot be shared: read it here
            done(query(self._repository))
            return
        self._pool.submit(self._run, query, done)

    def _run(self, query: Callable[[PaymentRepository], Any], done: Callable[[Any], None]) -> None:
        with self._lock:
            try:
                if self._reader is None:
                    assert self._path is not None  # noqa: S101 - submit() checked it
                    self._reader = PaymentRepository(open_reader(self._path))
                result = query(self._reader)
            except Exception:
                log.exception("background read failed")
                return
        self._finished.emit(done, result)

    def _deliver(self, done: Callable[[Any], None], result: Any) -> None:
        done(result)

    def close(self) -> None:
        """Wait for the read under way (if any) and close the worker's connection."""
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
