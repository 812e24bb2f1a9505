"""The till's receipt printer: slips to the configured ESC/POS printer, one job at a time, on
a worker thread, never longer than the configured time."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from pos_app.platform.printer_config import PrinterConfig
from pos_app.printing.escpos_out import slip_bytes
from pos_app.printing.send import NOT_ANSWERING, PrinterFault, send
from pos_app.printing.slip import Slip

log = logging.getLogger(__name__)


def print_now(config: PrinterConfig, slip: Slip, copies: int | None = None) -> None:
    """Blocking (headless commands). Raises PrinterFault."""
    data = slip_bytes(slip, config, copies or config.copies)
    # Every step (connect, send, each status answer) has half the time; the window's caller
    # gives up on the whole job after the full time.
    send(config.target, data, config.timeout_seconds / 2)


class PrintService:
    """For the window: `await print_slip(...)` never blocks the event loop."""

    def __init__(self, config: PrinterConfig) -> None:
        self.config = config
        # One worker: jobs print in the order asked, never interleaved on the paper.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="printer")

    @property
    def direct(self) -> bool:
        """Whether slips go straight to an ESC/POS printer (else: the system's dialog)."""
        return self.config.target.is_escpos

    async def print_slip(self, slip: Slip, copies: int | None = None) -> None:
        """Raises PrinterFault; the payment the slip is about is never touched."""
        job = asyncio.get_running_loop().run_in_executor(
            self._worker, print_now, self.config, slip, copies
        )
        try:
            await asyncio.wait_for(job, self.config.timeout_seconds)
        except TimeoutError:
            log.warning(
                "printer %s: no answer within %ss", self.config.url, self.config.timeout_seconds
            )
            raise PrinterFault(
                NOT_ANSWERING, f"no answer within {self.config.timeout_seconds:g} s"
            ) from None
        except PrinterFault as fault:
            log.warning("printer %s: %s", self.config.url, fault)
            raise

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)
