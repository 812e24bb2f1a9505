"""Receipts on the till's printer: printed when the cashier asks, or as soon as a payment is
paid, on a worker thread; a printer that fails says so on the payment's card, and the payment
itself is never touched."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, Signal, SignalInstance
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QMessageBox, QWidget

from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.domain.report import DayReport
from pos_app.engine.events import PaymentUpdate
from pos_app.platform.config import Config
from pos_app.platform.printer_config import PrinterConfig
from pos_app.printing.layout import payment_slip, report_slip
from pos_app.printing.qt_out import print_slip, roll_printer
from pos_app.printing.send import NOT_ANSWERING, PrinterFault
from pos_app.printing.service import PrintService
from pos_app.printing.slip import Slip
from pos_app.reports.day_report import sections
from pos_app.store import PaymentRepository, StoreError
from pos_app.ui.payment_cards import PaymentCards
from pos_app.ui.texts import status_name

if TYPE_CHECKING:
    from pos_app.ui.report_view import ReportView

log = logging.getLogger(__name__)


def original_of(payment: Payment, repository: PaymentRepository) -> Payment | None:
    """The payment a refund refunds, if it can be read."""
    if payment.refund_of is None:
        return None
    try:
        return repository.get(payment.refund_of)
    except StoreError:
        return None


def fault_words(fault: PrinterFault) -> str:
    return QCoreApplication.translate("Printer", fault.problem)


# By (a report?, sent?): whether to print again, and why.
SENTENCES = {
    (False, False): QT_TRANSLATE_NOOP("Printer", "Receipt not printed: {0} — Print again"),
    (False, True): QT_TRANSLATE_NOOP(
        "Printer", "Receipt sent, but {0}: see whether it came out — Print again if not"
    ),
    (True, False): QT_TRANSLATE_NOOP("Printer", "Z report not printed: {0} — Print again"),
    (True, True): QT_TRANSLATE_NOOP("Printer", "Z report sent, but {0}: see whether it came out"),
}


def not_printed(fault: PrinterFault, *, report: bool = False) -> str:
    """What the cashier reads."""
    template = str(SENTENCES[(report, fault.sent)])
    return QCoreApplication.translate("Printer", template).format(fault_words(fault))


class ReceiptPrinting(QObject):
    """`failed` carries the reference id (empty for a report) and what the cashier reads."""

    printed = Signal(str)  # reference id, or "" for the day's report
    failed = Signal(str, str)
    configured = Signal()  # the owner saved new printer settings

    def __init__(
        self, config: Config, repository: PaymentRepository, *, demo: bool, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.config, self.shop, self.tz = config.printer, config.shop, config.zone()
        self.demo = demo
        self._repository, self._parent = repository, parent
        self._tasks: set[asyncio.Future[None]] = set()
        self.service = PrintService(self.config)
        self.dialog: QPrintDialog | None = None  # the system printer's dialog, while open
        self.message: QMessageBox | None = None  # a receipt not printed, away from its card
        self._cards: PaymentCards | None = None

    @property
    def can_print(self) -> bool:
        return self.config.target.kind != "none"

    def follow_report(self, report: ReportView) -> None:
        """Print the day's report (once the report's tab is made)."""
        report.print_button.setVisible(self.can_print)
        self.configured.connect(lambda: report.print_button.setVisible(self.can_print))
        report.print_requested.connect(self.print_report)
        self.failed.connect(report.show_print_problem)

    def follow(self, cards: PaymentCards, changes: SignalInstance) -> None:
        """Print again from a card; print a receipt as soon as a payment is paid."""
        cards.print_requested.connect(self.print_payment)
        self.failed.connect(cards.show_print_problem)
        self.printed.connect(cards.clear_print_problem)
        changes.connect(self._maybe_auto_print)
        self._cards = cards

    def _maybe_auto_print(self, update: PaymentUpdate) -> None:
        if not (self.config.auto_print and self.service.direct):
            return
        event, payment = update.event, update.payment
        just_paid = event.to_status == PaymentStatus.SUCCESSFUL != event.from_status
        if just_paid and not update.unsaved and not event.is_correction:
            self.print_payment(payment)

    def slip(self, payment: Payment) -> Slip:
        original = original_of(payment, self._repository)
        return payment_slip(payment, original, self.shop, self.tz, demo=self.demo)

    def print_payment(self, payment: Payment) -> None:
        self._out(self.slip(payment), payment.reference_id)

    def print_report(self, report: DayReport) -> None:
        slip = report_slip(sections(report, self.shop, self.tz, status_name), self.shop)
        self._out(slip, "", copies=1)

    def _out(self, slip: Slip, reference_id: str, copies: int | None = None) -> None:
        """On the thermal printer beside the window, or through the system's print dialog."""
        if self.service.direct:
            self._run(self._print(slip, reference_id, copies))
        elif self.can_print:
            self._ask_system_printer(slip)

    def reconfigure(self, config: PrinterConfig) -> None:
        """The owner saved new printer settings: the next slip goes to that printer."""
        self.service.close()
        self.config, self.service = config, PrintService(config)
        self.configured.emit()

    def print_test(
        self, config: PrinterConfig, slip: Slip, done: Callable[[str | None], None]
    ) -> None:
        """The owner's test page on `config`'s printer (saved or not); `done` gets the problem."""
        if not config.target.is_escpos:
            if config.target.kind == "system":
                self._ask_system_printer(slip)
            done(None if config.target.kind == "system" else self.tr("no printer chosen"))
            return

        async def test() -> None:
            service = PrintService(config)
            problem: str | None = None
            try:
                await service.print_slip(slip, copies=1)
            except PrinterFault as fault:
                problem = fault_words(fault)
            except Exception as exc:
                log.error("test page failed", exc_info=exc)
                problem = str(exc)
            finally:
                service.close()
            with suppress(RuntimeError):  # the dialog may be closed by now
                done(problem)

        self._run(test())

    def _run(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)  # a task nobody holds may be collected before it ends
        task.add_done_callback(self._tasks.discard)

    async def _print(self, slip: Slip, reference_id: str, copies: int | None = None) -> None:
        try:
            await self.service.print_slip(slip, copies)
        except Exception as exc:  # a layout bug too: never a silent failure
            if not isinstance(exc, PrinterFault):
                log.error("printing failed", exc_info=exc)
                exc = PrinterFault(NOT_ANSWERING, str(exc))
            self._say(reference_id, not_printed(exc, report=not reference_id))
        else:
            self.printed.emit(reference_id)

    def _say(self, reference_id: str, text: str) -> None:
        """On the payment's card, or, without one (a receipt printed from the receipts), in a
        message of its own."""
        self.failed.emit(reference_id, text)
        cards = self._cards.cards if self._cards is not None else {}
        if reference_id and reference_id not in cards:
            box = QMessageBox(
                QMessageBox.Icon.Warning, self.tr("Receipt"), text, parent=self._parent
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.message = box

    def _ask_system_printer(self, slip: Slip) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        roll_printer(printer, self.config.paper_mm)
        dialog = QPrintDialog(printer, self._parent)
        dialog.accepted.connect(lambda: print_slip(printer, slip))
        # Modal for the window, without exec()'s nested loop: payments keep being followed.
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.dialog = dialog

    def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        self.service.close()
