"""The till's receipt printer: slips to the configured ESC/POS printer, one job at a time, on a
worker thread, each job within the configured time."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial

from pos_app.platform.printer_config import PrinterConfig
from pos_app.printing.escpos_out import slip_bytes
from pos_app.printing.send import BUSY, UNCONFIRMED, PrinterFault, send
from pos_app.printing.slip import Slip

log = logging.getLogger(__name__)
STEPS = 5  # connect; the status before (two answers); the job; the status after, at most


def print_now(config: PrinterConfig, slip: Slip, copies: int | None = None) -> None:
    """Blocking (headless commands). Raises PrinterFault."""
    data = slip_bytes(slip, config, copies or config.copies)
    send(config.target, data, config.timeout_seconds / STEPS, ask=config.ask_status)


Job = tuple[Future[None], Callable[[], None]]


class PrintService:
    """For the window: `await print_slip(...)` never blocks the event loop."""

    def __init__(self, config: PrinterConfig) -> None:
        self.config = config
        # One worker: jobs print in the order asked, never interleaved on the paper. A daemon
        # thread: a printer stuck in its driver never keeps the till from closing.
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._worker = threading.Thread(target=self._work, name="printer", daemon=True)

    @property
    def direct(self) -> bool:
        """Whether slips go straight to an ESC/POS printer (else: the system's dialog)."""
        return self.config.target.is_escpos

    async def print_slip(self, slip: Slip, copies: int | None = None) -> None:
        """Raises PrinterFault; the payment the slip is about is never touched."""
        limit = self.config.timeout_seconds
        job: Future[None] = Future()
        self._jobs.put((job, partial(print_now, self.config, slip, copies)))
        if not self._worker.is_alive() and self._worker.ident is None:
            self._worker.start()  # the first job: a till that never prints has no thread
        loop = asyncio.get_running_loop()
        start_by = loop.time() + limit
        while not (job.running() or job.done()):
            if loop.time() > start_by and job.cancel():  # never started: it never will
                raise self._failed(PrinterFault(BUSY, f"not started within {limit:g} s"))
            await asyncio.sleep(0.05)
        try:
            # The job keeps its own time, step by step; this only guards against a driver
            # that does not.
            await asyncio.wait_for(asyncio.wrap_future(job), limit * 1.5)
        except TimeoutError:
            fault = PrinterFault(UNCONFIRMED, f"no end within {limit * 1.5:g} s", sent=True)
            raise self._failed(fault) from None
        except PrinterFault as fault:
            raise self._failed(fault) from None

    def _failed(self, fault: PrinterFault) -> PrinterFault:
        log.warning("printer %s: %s", self.config.url, fault)
        return fault

    def _work(self) -> None:
        while (item := self._jobs.get()) is not None:
            job, work = item
            if not job.set_running_or_notify_cancel():
                continue
            try:
                work()
            except BaseException as exc:  # handed to the one waiting for it
                job.set_exception(exc)
            else:
                job.set_result(None)

    def close(self) -> None:
        """Jobs already asked for still print; then the worker ends."""
        self._jobs.put(None)
