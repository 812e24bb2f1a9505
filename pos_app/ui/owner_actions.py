"""The owner's actions, each behind the owner's PIN: the settings, the PIN itself, checking the
database, reconciling the day, exporting the day's report, a refund, resolving a payment by hand.

Every dialog is opened with open(), never exec(): a nested event loop would stall the engine's
tasks while the owner types."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QWidget,
)

from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.domain.refunds import refundable
from pos_app.domain.report import DayReport
from pos_app.engine.engine import PaymentEngine
from pos_app.engine.owner import OwnerGate
from pos_app.link.client import HubClient
from pos_app.platform.config import Config, config_path
from pos_app.providers.base import ProviderError
from pos_app.reports.day_report import day_filter, load
from pos_app.store import PaymentRepository, StoreError
from pos_app.store.audit import Verdict
from pos_app.ui.background_reads import BackgroundReads
from pos_app.ui.pin_dialog import PinDialog
from pos_app.ui.receipt_printing import ReceiptPrinting

# The owner's dialogs and exports are imported where they open, not at every start of the
# window; these names are for the type checker only.
if TYPE_CHECKING:
    from pos_app.ui.refund_dialog import RefundDialog
    from pos_app.ui.report_view import ReportView
    from pos_app.ui.resolve_dialog import ResolveDialog
    from pos_app.ui.settings import SettingsDialog

Start = Callable[[Coroutine[Any, Any, Any]], None]  # runs work beside the window


def _attempt(write: Callable[[], None]) -> str | None:
    """Run `write`; returns why the file could not be written, or None."""
    try:
        write()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _save_csv(path: Path, payments: Iterable[Payment]) -> None:
    from pos_app.reports.records import write_csv

    with path.open("w", encoding="utf-8", newline="") as out:
        write_csv(payments, out)


class OwnerActions(QObject):
    """What the owner does from the window; `dialog` is the owner dialog open now (for tests),
    `settings` the settings dialog while it is open."""

    def __init__(
        self,
        window: QMainWindow,
        config: Config,
        repository: PaymentRepository,
        *,
        reads: BackgroundReads,
        engine: PaymentEngine | None,
        start: Start,
        show_counter: Callable[[], None],
        hub: HubClient | None = None,
        printing: ReceiptPrinting | None = None,
    ) -> None:
        super().__init__(window)
        self._window, self._config, self._repository = window, config, repository
        self._saved_config = config  # what the settings dialog shows: the last saved
        self._reads, self._engine = reads, engine
        self._report: ReportView | None = None  # once its tab is made
        self._start, self._show_counter = start, show_counter
        self.gate = OwnerGate(repository.owner_log, config.shop.till)
        self.dialog: QDialog | None = None
        self.settings: SettingsDialog | None = None
        self._hub, self._printing = hub, printing

    def follow_report(self, report: ReportView) -> None:
        self._report = report
        report.export_requested.connect(self.export_report)
        report.business_button.setVisible(self._hub is not None)
        report.business_requested.connect(self.whole_business)

    def buttons(self, parent: QWidget) -> QWidget:
        """Owner… (a menu) and Settings…, for the corner of the window's tabs."""
        corner = QWidget(parent)
        layout = QHBoxLayout(corner)
        layout.setContentsMargins(0, 0, 0, 0)
        self.owner_button = QPushButton(self.tr("Owner…"), corner)
        self.owner_button.setToolTip(self.tr("Reconcile the day, check the database, owner PIN"))
        menu = QMenu(self.owner_button)
        self.reconcile_action = menu.addAction(self.tr("Reconcile today…"), self.reconcile_today)
        self.reconcile_action.setEnabled(self._engine is not None)
        menu.addAction(self.tr("Check the database"), self.verify_database)
        menu.addAction(self.tr("Set or change the owner PIN…"), self.change_pin)
        self.printer_action = menu.addAction(self.tr("Receipt printer…"), self.printer_settings)
        self.printer_action.setEnabled(self._printing is not None)
        self.owner_button.setMenu(menu)
        self.settings_button = QPushButton(self.tr("Settings…"), corner)
        self.settings_button.setToolTip(
            self.tr("Shop, providers, credentials and language (Ctrl+,)")
        )
        self.settings_button.clicked.connect(self.open_settings)
        layout.addWidget(self.owner_button)
        layout.addWidget(self.settings_button)
        return corner

    def as_owner(self, purpose: str, then: Callable[[], None]) -> None:
        """Ask for the owner's PIN; `then` runs once the right one is entered."""
        dialog = PinDialog(self.gate, purpose, self._window)
        dialog.unlocked.connect(then)
        self._show(dialog)

    def _show(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()  # not exec(): a nested loop would stall the engine's tasks
        self.dialog = dialog

    # -- settings and PIN --

    def open_settings(self) -> None:
        if self.settings is not None and self.settings.isVisible():
            self.settings.raise_()
            return
        self.as_owner("settings", self._open_settings)

    def _open_settings(self) -> None:
        path = self._config.path or config_path()[0]
        from pos_app.ui.settings import SettingsDialog

        self.settings = SettingsDialog(self._saved_config, path, parent=self._window)
        self.settings.saved.connect(self._settings_saved)
        self.settings.finished.connect(self._settings_closed)
        self.settings.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.settings.open()

    def _settings_saved(self, config: Config) -> None:
        # The till keeps running on the config it started with; the dialog shows what was saved.
        self._saved_config = config
        self.gate.record("settings saved")

    def _settings_closed(self) -> None:
        self.settings = None

    def printer_settings(self) -> None:
        printing = self._printing
        if printing is None:
            return
        path = self._config.path or config_path()[0]

        def show() -> None:
            from pos_app.ui.printer_settings import PrinterSettingsDialog

            dialog = PrinterSettingsDialog(printing, path, self._window)
            dialog.saved.connect(printing.reconfigure)
            dialog.saved.connect(lambda _: self.gate.record("printer settings saved"))
            self._show(dialog)

        self.as_owner("printer settings", show)

    def change_pin(self) -> None:
        if not self.gate.has_pin():
            self.as_owner("set PIN", lambda: None)  # the dialog itself sets the first PIN
            return
        from pos_app.ui.new_pin_dialog import NewPinDialog

        self.as_owner("change PIN", lambda: self._show(NewPinDialog(self.gate, self._window)))

    # -- the day's records --

    def verify_database(self) -> None:
        # Reading back every event of a large file takes seconds: beside the window.
        self.as_owner(
            "verify", lambda: self._reads.submit(lambda reader: reader.verify(), self._verdict)
        )

    def _verdict(self, verdict: Verdict) -> None:
        self.gate.record("verify", {"intact": verdict.intact})
        box = QMessageBox(
            QMessageBox.Icon.Information if verdict.intact else QMessageBox.Icon.Critical,
            self.tr("Check the database"),
            self.tr("History intact: {0} events, {1} payments, {2} owner actions.").format(
                verdict.events, verdict.payments, verdict.owner_actions
            )
            if verdict.intact
            else self.tr("The database was changed outside pos-app: {0}").format(verdict.problem),
            QMessageBox.StandardButton.Ok,
            self._window,
        )
        self._show(box)

    def reconcile_today(self) -> None:
        self.as_owner("reconcile day", lambda: self._start(self._reconcile()))

    async def _reconcile(self) -> None:
        assert self._engine is not None  # noqa: S101 - the action is enabled only with one
        tz = self._config.zone()
        day = datetime.now(tz).date()
        findings = await self._engine.reconcile_day(day, tz)
        self.gate.reconciled(day, findings)
        locale = self._config.shop.effective_locale
        from pos_app.ui.findings_dialog import FindingsDialog

        self._show(FindingsDialog(findings, locale, self._window))

    def export_report(self, fmt: str) -> None:
        """The day shown in the report view as CSV or PDF, behind the PIN."""
        if self._report is None:  # its own button asks: it is there
            return
        day, till = self._report.selected_day(), self._report.till.currentData()
        self.as_owner("export", lambda: self._ask_export_path(day, till, fmt))

    def whole_business(self) -> None:
        """Every till's day from the hub, beside this till's own, behind the PIN."""
        if self._hub is None or self._report is None:
            return
        hub, day, report = self._hub, self._report.selected_day(), self._report
        locale = self._config.shop.effective_locale

        def show() -> None:
            self.gate.record("whole business", {"day": day.isoformat()})
            own = report.report
            from pos_app.ui.business_dialog import BusinessDialog

            self._show(BusinessDialog(hub.business, day, own, locale, self._window))

        self.as_owner("whole business", show)

    def _ask_export_path(self, day: date, till: str | None, fmt: str) -> None:
        dialog = QFileDialog(
            self._window,
            self.tr("Save the day's report"),
            f"pos-app-{day.isoformat()}.{fmt}",
            "CSV (*.csv)" if fmt == "csv" else "PDF (*.pdf)",
        )
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(fmt)
        dialog.fileSelected.connect(lambda name: self.export_to(Path(name), day, till, fmt))
        self._show(dialog)

    def export_to(self, path: Path, day: date, till: str | None, fmt: str) -> None:
        """Read the day beside the window; a CSV is written there too, a PDF is laid out here
        (Qt's text layout belongs to the window's thread)."""
        self.gate.exported(day, fmt, till)
        tz, shop = self._config.zone(), self._config.shop
        if fmt == "csv":
            self._reads.submit(
                lambda repo: _attempt(
                    lambda: _save_csv(path, repo.each(day_filter(day, tz, till)))
                ),
                lambda problem: self._exported(path, problem),
            )
            return

        def save(report: DayReport) -> None:
            from pos_app.ui.report_view import report_html

            html = report_html(report, shop, tz)
            from pos_app.reports.pdf import save_report_pdf

            self._exported(path, _attempt(lambda: save_report_pdf(path, html)))

        self._reads.submit(lambda repo: load(repo, day, tz, till), save)

    def _exported(self, path: Path, problem: str | None) -> None:
        if problem is None:
            self._window.statusBar().showMessage(self.tr("Saved {0}").format(path), 15000)
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Save the day's report"),
            self.tr("Could not save {0}: {1}").format(path, problem),
            QMessageBox.StandardButton.Ok,
            self._window,
        )
        self._show(box)

    # -- one payment --

    def request_refund(self, original: Payment) -> None:
        self.as_owner("refund", lambda: self._open_refund(original))

    def _open_refund(self, original: Payment) -> None:
        fresh = self._repository.get(original.reference_id)
        left = refundable(fresh, self._repository.refunds_of(fresh.reference_id))
        from pos_app.ui.refund_dialog import RefundDialog

        dialog = RefundDialog(fresh, left, self._config.shop.effective_locale, self._window)
        dialog.requested.connect(
            lambda p, amount, note: self._start(self._refund(dialog, p, amount, note))
        )
        self._show(dialog)

    async def _refund(
        self, dialog: RefundDialog, original: Payment, amount: Money, note: str
    ) -> None:
        assert self._engine is not None  # noqa: S101 - refunds are offered only with one
        try:
            refund = await self._engine.refund(original.reference_id, amount, note)
        except (ValidationError, ProviderError) as exc:
            dialog.refused(exc)
            return
        self.gate.refunded(refund)
        dialog.accept()
        self._show_counter()  # the refund's card shows how it goes

    def request_resolve(self, payment: Payment) -> None:
        self.as_owner("resolve", lambda: self._open_resolve(payment))

    def _open_resolve(self, payment: Payment) -> None:
        from pos_app.ui.resolve_dialog import ResolveDialog

        dialog = ResolveDialog(payment, self._config.shop.effective_locale, self._window)
        dialog.resolved.connect(lambda ref, code: self._resolve(dialog, ref, code))
        self._show(dialog)

    def _resolve(self, dialog: ResolveDialog, reference_id: str, code: str | None) -> None:
        assert self._engine is not None  # noqa: S101 - offered only with an engine
        try:
            resolved = self._engine.resolve(reference_id, code)
        except (ValidationError, StoreError) as exc:
            dialog.refused(exc)
            return
        self.gate.resolved(resolved, code)
        dialog.accept()
