"""Slow reads (counts and totals over many rows) on a worker thread with its own read-only
connection, so that the window never waits for them while payments are in flight."""

from __future__ import annotations

import itertools
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
    """The worker thread only ever runs the query. Both the query and the answer's callback are
    held, and released, here on the GUI thread: a closure is often the last reference to a
    window or dialog, and a Qt widget destroyed by a worker thread crashes the app."""

    # Emitted from the worker thread; Qt delivers it on the GUI thread (queued connection).
    _finished = Signal(object, object)  # ticket, result (or _FAILED)

    def __init__(self, repository: PaymentRepository, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._repository = repository
        self._path = repository.file()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pos-app-reads")
        self._reader: PaymentRepository | None = None  # used by the worker thread only
        self._lock = threading.Lock()
        self._closed = False
        self._tickets = itertools.count()
        self._waiting: dict[int, tuple[Callable[..., Any], Callable[[Any], None]]] = {}
        self._finished.connect(self._deliver)

    def submit(self, query: Callable[[PaymentRepository], T], done: Callable[[T], None]) -> None:
        """Run `query` on the worker; `done(result)` is then called on the GUI thread."""
        if self._closed:
            return
        if self._path is None:  # an in-memory database cannot be shared: read it here
            done(query(self._repository))
            return
        ticket = next(self._tickets)
        self._waiting[ticket] = (query, done)
        self._pool.submit(self._run, ticket)  # the worker gets a number, not the closures

    def _run(self, ticket: int) -> None:
        with self._lock:
            entry = self._waiting.get(ticket)
            if entry is None:  # closed meanwhile
                return
            query = entry[0]
            del entry
            try:
                if self._reader is None:
                    assert self._path is not None  # noqa: S101 - submit() checked it
                    self._reader = PaymentRepository(open_reader(self._path))
                result = query(self._reader)
            except Exception:
                log.exception("background read failed")
                result = _FAILED
            finally:
                del query  # before answering: from then on only the GUI thread holds it
        self._finished.emit(ticket, result)

    def _deliver(self, ticket: int, result: Any) -> None:
        _, done = self._waiting.pop(ticket, (None, None))
        if done is not None and result is not _FAILED:
            done(result)

    def close(self) -> None:
        """Wait for the read under way (if any) and close the worker's connection."""
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
        self._waiting.clear()  # answers that will not come: let go of their callbacks here


_FAILED = object()  # a read that raised: logged, and not answered
