"""Receipts on a network printer from the real window: printed by themselves when a payment
is paid; a printer that refuses, never reads or resets half way is named on the card with
Print again, the window never stalls and the payment is untouched."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from pytestqt.qtbot import QtBot

from pos_app.domain.payment import PaymentStatus
from pos_app.engine.engine import ChargeRequest
from pos_app.platform.printer_config import PrinterConfig
from pos_app.store import PaymentRepository
from pos_app.ui.lag_probe import LagProbe
from pos_app.ui.payment_cards import PaymentCard
from tests.printing.escpos_decode import decode
from tests.printing.fake_printer import FakePrinter, refused_url
from tests.ui.conftest import Counter, click, until

NOT_PRINTED = "Receipt not printed: printer not answering — Print again"


@contextmanager
def printer_at(fault: str) -> Iterator[str]:
    """The URL of a printer that fails as `fault` says."""
    if fault == "refused":
        yield refused_url()
        return
    with FakePrinter(fault, reset_after=64) as fake:
        yield fake.url


def charge_and_pay(counter: Counter) -> str:
    amount, phone = counter.till.parse_charge("mtn", "1,500", "0772 123 456")

    async def pay() -> str:
        made = await counter.engine.charge(ChargeRequest("mtn", amount, phone))
        await counter.engine.settle([made.reference_id], timeout=10)
        return made.reference_id

    return counter.loop.run_until_complete(pay())


def test_a_paid_receipt_prints_by_itself(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    with FakePrinter("ok") as fake:
        printer = PrinterConfig(url=fake.url, paper_mm=58, auto_print=True)
        counter = Counter(qtbot, loop, repo, printer=printer)
        reference = charge_and_pay(counter)
        loop.run_until_complete(until(lambda: len(fake.jobs) == 1))
        loop.run_until_complete(asyncio.sleep(1))  # the payment's later news print nothing
        assert len(fake.jobs) == 1
        decoded = decode(fake.jobs[0])
        assert decoded.qr_codes[0].startswith(reference)
        assert "Mama Rose" in decoded.texts() and decoded.cuts == 1
        card = counter.window.cards.cards[reference]
        assert not card.print_problem.isVisible()
        counter.window.close()
        counter.close()


@pytest.mark.parametrize("fault", ["refused", "never_reads", "reset"])
def test_a_failing_printer_is_named_on_the_card_and_nothing_else_changes(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository, fault: str
) -> None:
    with printer_at(fault) as url:
        printer = PrinterConfig(url=url, auto_print=True, timeout_seconds=2)
        counter = Counter(qtbot, loop, repo, printer=printer)
        window = counter.window
        probe = LagProbe()
        probe.start()
        reference = charge_and_pay(counter)
        events = len(repo.events(reference))
        card: PaymentCard = window.cards.cards[reference]
        started = time.monotonic()
        loop.run_until_complete(until(card.print_problem.isVisible, timeout=10))
        waited = time.monotonic() - started
        probe.stop()
        assert card.print_problem.text() == NOT_PRINTED
        assert card.print_again.isVisible()
        assert waited < printer.timeout_seconds + 1  # the cashier is told within the limit
        assert "PAID" in card.state.text()  # the payment's own words are its own
        assert repo.get(reference).status == PaymentStatus.SUCCESSFUL
        assert len(repo.events(reference)) == events  # printing writes nothing
        assert repo.verify().intact
        print(f"{fault}: worst lag {probe.worst() * 1000:.1f} ms over {len(probe.lags)} ticks")
        assert probe.lags and probe.worst() < 0.05, f"the window stalled {probe.worst():.3f} s"

        with FakePrinter("ok") as working:  # the printer is back: Print again
            window.printing.reconfigure(PrinterConfig(url=working.url))
            click(loop, card.print_again)
            loop.run_until_complete(until(lambda: len(working.jobs) == 1))
            assert decode(working.jobs[0]).qr_codes[0].startswith(reference)
            loop.run_until_complete(until(lambda: not card.print_again.isVisible()))
            assert not card.print_problem.isVisible()
        window.close()
        counter.close()


def test_the_z_report_prints_from_the_report_tab(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    with FakePrinter("ok") as fake:
        counter = Counter(qtbot, loop, repo, printer=PrinterConfig(url=fake.url))
        charge_and_pay(counter)
        report = counter.window.report
        counter.window.show_report()
        loop.run_until_complete(
            until(lambda: report.report is not None and report.report.count == 1)
        )
        assert report.print_button.isVisible()
        click(loop, report.print_button)
        loop.run_until_complete(until(lambda: len(fake.jobs) == 1))
        texts = decode(fake.jobs[0]).texts()
        assert "End-of-day report" in texts
        assert any(t.startswith("Payments") and t.endswith(" 1") for t in texts)
        counter.window.close()
        counter.close()


def test_without_a_printer_the_report_has_no_print_button(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo, printer=PrinterConfig(url="none"))
    assert counter.window.report.print_button.isHidden()
    counter.window.close()
    counter.close()
