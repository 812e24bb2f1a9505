"""A printer that is off, unplugged, never reads, resets half way, is out of paper or offline:
the job fails with the words the cashier reads, within the time limit, and the event loop
that waits for it keeps running."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import Future

import pytest

from pos_app.platform.printer_config import PrinterConfig
from pos_app.printing.layout import receipt_slip
from pos_app.printing.send import (
    BUSY,
    NOT_ANSWERING,
    OFFLINE,
    OUT_OF_PAPER,
    PrinterFault,
    send,
)
from pos_app.printing.service import PrintService, print_now
from pos_app.printing.slip import Slip
from tests.printing.conftest import paid, shop
from tests.printing.fake_printer import FakePrinter, refused_url


def a_receipt() -> Slip:
    from datetime import UTC

    return receipt_slip(paid(), shop(), UTC)


STATUS = b"\x10\x04\x01\x10\x04\x04"  # DLE EOT 1 (the printer), DLE EOT 4 (its paper)


@pytest.mark.parametrize(
    ("mode", "problem"),
    [("never_reads", NOT_ANSWERING), ("no_paper", OUT_OF_PAPER), ("offline", OFFLINE)],
)
def test_a_printer_not_ready_is_named_and_sent_nothing(mode: str, problem: str) -> None:
    """Asked first: the receipt is not sent to a printer that cannot print it, so printing it
    again later is never a second copy."""
    with FakePrinter(mode) as fake:
        started = time.monotonic()
        with pytest.raises(PrinterFault) as caught:
            print_now(PrinterConfig(url=fake.url, timeout_seconds=2), a_receipt())
        assert time.monotonic() - started < 2.5
        fake.stop()
        assert fake.received() in (b"", STATUS[:3], STATUS)  # never_reads holds them unread
    assert caught.value.problem == problem
    assert not caught.value.sent


def test_a_reset_in_the_middle_is_not_printed() -> None:
    with FakePrinter("reset", reset_after=len(STATUS) + 40) as fake:
        with pytest.raises(PrinterFault) as caught:
            print_now(PrinterConfig(url=fake.url, timeout_seconds=2), a_receipt())
        (job,) = fake.wait_for_jobs(1)
    assert job.startswith(STATUS + b"\x1b@") and len(job) == len(STATUS) + 40
    assert caught.value.problem == NOT_ANSWERING
    assert not caught.value.sent  # the printer threw the rest away: print it again


def test_a_printer_silent_after_the_job_is_not_confirmed() -> None:
    """It answered before, took the receipt, then said nothing: it may have printed."""
    with FakePrinter("goes_quiet") as fake, pytest.raises(PrinterFault) as caught:
        print_now(PrinterConfig(url=fake.url, timeout_seconds=1), a_receipt())
    assert caught.value.problem == NOT_ANSWERING
    assert caught.value.sent


def test_a_refused_connection_is_a_printer_not_answering() -> None:
    with pytest.raises(PrinterFault) as caught:
        print_now(PrinterConfig(url=refused_url()), a_receipt())
    assert caught.value.problem == NOT_ANSWERING
    assert "refused" in caught.value.detail.lower()


def test_a_printer_that_answers_takes_the_job() -> None:
    with FakePrinter("ok") as fake:
        print_now(PrinterConfig(url=fake.url), a_receipt())
        (job,) = fake.wait_for_jobs(1)
    assert job.startswith(STATUS + b"\x1b@") and job.endswith(STATUS)


def test_the_status_check_prints_nothing() -> None:
    with FakePrinter("ok") as fake:
        send(PrinterConfig(url=fake.url).target, b"", 1)
        (job,) = fake.wait_for_jobs(1)
    assert job == STATUS  # only the two status requests


async def test_the_loop_keeps_running_while_a_printer_hangs() -> None:
    """A printer that never reads: the waiting ends at the limit, the loop never stalls."""
    with FakePrinter("never_reads") as fake:
        service = PrintService(PrinterConfig(url=fake.url, timeout_seconds=3))
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
    assert waited < 3
    assert len(lags) > 20 and max(lags) < 0.05


async def test_a_job_that_cannot_start_in_time_is_never_printed_late() -> None:
    """Behind a job that holds the printer, a receipt that could not start within the limit
    is reported as not printed, and is then dropped: printing it again is never a second
    copy."""
    with FakePrinter("ok") as fake:
        service = PrintService(PrinterConfig(url=fake.url, timeout_seconds=1))
        release = threading.Event()
        holder: Future[None] = Future()
        service._jobs.put((holder, lambda: release.wait(10) and None))  # a stuck driver
        with pytest.raises(PrinterFault) as caught:
            await service.print_slip(a_receipt())
        release.set()
        service.close()
        service._worker.join(5)
        assert not service._worker.is_alive()
        assert fake.jobs == [] and fake.received() == b""
    assert caught.value.problem == BUSY and not caught.value.sent


async def test_closing_lets_the_jobs_asked_for_print_then_ends_the_worker() -> None:
    with FakePrinter("ok") as fake:
        service = PrintService(PrinterConfig(url=fake.url))
        jobs = [asyncio.ensure_future(service.print_slip(a_receipt())) for _ in range(2)]
        await asyncio.sleep(0)
        service.close()
        await asyncio.gather(*jobs)
        assert len(fake.wait_for_jobs(2)) == 2
        service._worker.join(5)
        assert not service._worker.is_alive()
