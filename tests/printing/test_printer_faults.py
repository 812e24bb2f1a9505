"""A printer that is off, unplugged, never reads, resets half way, is out of paper or offline:
the job fails with the words the cashier reads, within the time limit, and the event loop
that waits for it keeps running."""

from __future__ import annotations

import asyncio
import time

import pytest

from pos_app.platform.printer_config import PrinterConfig
from pos_app.printing.layout import receipt_slip
from pos_app.printing.send import NOT_ANSWERING, OFFLINE, OUT_OF_PAPER, PrinterFault, send
from pos_app.printing.service import PrintService, print_now
from pos_app.printing.slip import Slip
from tests.printing.conftest import paid, shop
from tests.printing.fake_printer import FakePrinter, refused_url


def a_receipt() -> Slip:
    from datetime import UTC

    return receipt_slip(paid(), shop(), UTC)


@pytest.mark.parametrize(
    ("mode", "problem"),
    [
        ("never_reads", NOT_ANSWERING),
        ("reset", NOT_ANSWERING),
        ("no_paper", OUT_OF_PAPER),
        ("offline", OFFLINE),
    ],
)
def test_a_printer_fault_is_named(mode: str, problem: str) -> None:
    with FakePrinter(mode, reset_after=64) as fake:
        started = time.monotonic()
        with pytest.raises(PrinterFault) as caught:
            print_now(PrinterConfig(url=fake.url, timeout_seconds=2), a_receipt())
        assert time.monotonic() - started < 2.5
    assert caught.value.problem == problem


def test_a_refused_connection_is_a_printer_not_answering() -> None:
    with pytest.raises(PrinterFault) as caught:
        print_now(PrinterConfig(url=refused_url()), a_receipt())
    assert caught.value.problem == NOT_ANSWERING
    assert "refused" in caught.value.detail.lower()


def test_a_printer_that_answers_takes_the_job() -> None:
    with FakePrinter("ok") as fake:
        print_now(PrinterConfig(url=fake.url), a_receipt())
        (job,) = fake.wait_for_jobs(1)
    assert job.startswith(b"\x1b@") and job.endswith(b"\x10\x04\x01\x10\x04\x04")


def test_the_status_check_prints_nothing() -> None:
    with FakePrinter("ok") as fake:
        send(PrinterConfig(url=fake.url).target, b"", 1)
        (job,) = fake.wait_for_jobs(1)
    assert job == b"\x10\x04\x01\x10\x04\x04"  # only the two status requests


async def test_the_loop_keeps_running_while_a_printer_hangs() -> None:
    """A printer that never reads: the waiting ends at the limit, the loop never stalls."""
    with FakePrinter("never_reads") as fake:
        service = PrintService(PrinterConfig(url=fake.url, timeout_seconds=1))
        lags: list[float] = []

        async def tick() -> None:
            while True:
                before = time.perf_counter()
                await asyncio.sleep(0.01)
                lags.append(time.perf_counter() - before - 0.01)

        ticker = asyncio.create_task(tick())
        started = time.monotonic()
        with pytest.raises(PrinterFault) as caught:
            await service.print_slip(a_receipt())
        waited = time.monotonic() - started
        ticker.cancel()
        service.close()
    assert caught.value.problem == NOT_ANSWERING
    assert waited < 1.5
    assert len(lags) > 20 and max(lags) < 0.05
