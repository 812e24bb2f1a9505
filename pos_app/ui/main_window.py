"""The cashier's window: the charge panel on the left, live payment cards on the right, the
till's state in the status bar."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app import paths
from pos_app.config import Config, config_path
from pos_app.day_report import day_filter, load
from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money
from pos_app.domain.payment import OPEN_STATES, Payment, PaymentStatus
from pos_app.domain.refunds import refundable
from pos_app.domain.report import DayReport
from pos_app.engine.engine import PaymentEngine
from pos_app.engine.events import PaymentUpdate
from pos_app.engine.owner import OwnerGate
from pos_app.engine.setup import Till
from pos_app.providers.base import ConfigurationProblem, ProviderError
from pos_app.providers.mtn.provider import MtnProvider
from pos_app.records import write_csv
from pos_app.store import PaymentRepository, StorageFault, StoreError
from pos_app.store.audit import Verdict
from pos_app.store.repository import PaymentFilter, Total
from pos_app.ui import theme
from pos_app.ui.background_reads import BackgroundReads
from pos_app.ui.charge_panel import ChargeInput, ChargePanel, show_error
from pos_app.ui.owner import (
    FindingsDialog,
    NewPinDialog,
    PinDialog,
    RefundDialog,
    ResolveDialog,
)
from pos_app.ui.payment_cards import PaymentCards
from pos_app.ui.receipts import ReceiptDetail, ReceiptsView
from pos_app.ui.report_pdf import save_report_pdf
from pos_app.ui.report_view import ReportView, report_html
from pos_app.ui.settings import SettingsDialog
from pos_app.ui.storage_status import DiskSpaceLabel, StorageBanner, fault_words, lifted
from pos_app.ui.texts import country_name, error_text, keyring_advice

log = logging.getLogger(__name__)
# Outcomes the cashier hears about (a beep); a late correction is heard again.
OUTCOMES = frozenset(
    {PaymentStatus.SUCCESSFUL, PaymentStatus.FAILED, PaymentStatus.EXPIRED, PaymentStatus.UNKNOWN}
)
DEMO_TEXT = str(QT_TRANSLATE_NOOP("MainWindow", "DEMO — no real money moves"))


def _attempt(write: Callable[[], None]) -> str | None:
    """Run `write`; returns why the file could not be written, or None."""
    try:
        write()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _save_csv(path: Path, payments: Iterable[Payment]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        write_csv(payments, out)


class MainWindow(QMainWindow):
    closed = Signal()
    payment_changed = Signal(object)  # PaymentUpdate

    def __init__(
        self,
        config: Config,
        repository: PaymentRepository,
        *,
        demo: bool,
        keyring_problem: str | None = None,
        engine: PaymentEngine | None = None,
        till: Till | None = None,
    ) -> None:
        super().__init__()
        self._config = config
        self._saved_config = config
        self._repository = repository
        self._engine = engine
        self._till = till
        self._demo = demo
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unsubscribe: Callable[[], None] = lambda: None
        self.detail: ReceiptDetail | None = None
        self.refused_close: QMessageBox | None = None
        self.owner = OwnerGate(repository.owner_log, config.shop.till)
        self.owner_dialog: QDialog | None = None  # the owner dialog open now, for tests
        shop = config.shop
        self.setWindowTitle(f"pos-app — {shop.name} — {shop.till}" + (" — DEMO" if demo else ""))
        self.setMinimumSize(1000, 640)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.demo_banner = QLabel(self.tr(DEMO_TEXT), central)
        self.demo_banner.setObjectName("demoBanner")
        self.demo_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_banner.setStyleSheet(
            f"background:{theme.BANNER};color:white;font-weight:bold;font-size:16px;padding:8px;"
        )
        self.demo_banner.setVisible(demo)
        layout.addWidget(self.demo_banner)
        self.storage_banner = StorageBanner(central)
        layout.addWidget(self.storage_banner)

        self.tabs = QTabWidget(central)
        counter = QWidget(self.tabs)
        body = QHBoxLayout(counter)
        self.panel: ChargePanel | None = None
        if till is not None and engine is not None:
            self.panel = ChargePanel(till, central)
            self.panel.setMaximumWidth(460)
            self.panel.charge_requested.connect(self._charge)
            self.panel.customer_check_requested.connect(self._check_customer)
            body.addWidget(self.panel)
        right = QVBoxLayout()
        heading = QLabel(shop.name, central)
        heading.setStyleSheet("font-size:26px;font-weight:bold;")
        right.addWidget(heading)
        self.today_label = QLabel(central)
        self.today_label.setObjectName("todaySummary")
        self.today_label.setStyleSheet("font-size:18px;")
        right.addWidget(self.today_label)
        self.cards = PaymentCards(shop.effective_locale, central)
        self.cards.retry_requested.connect(self._retry)
        self.cards.receipt_entered.connect(self._add_receipt)
        self.cards.receipt_requested.connect(self._open_receipt)
        right.addWidget(self.cards, 1)
        body.addLayout(right, 1)
        self.tabs.addTab(counter, self.tr("Counter (Ctrl+1)"))
        tz = config.zone()
        self.reads = BackgroundReads(repository, self)
        self.receipts = ReceiptsView(
            repository, shop.effective_locale, tz, self.tabs, self.reads, region=shop.country
        )
        self.receipts.opened.connect(self._open_receipt)
        self.tabs.addTab(self.receipts, self.tr("Receipts (Ctrl+2)"))
        self.report = ReportView(self.reads, shop, tz, self.tabs)
        self.report.export_requested.connect(self.export_report)
        self.tabs.addTab(self.report, self.tr("Day report (Ctrl+3)"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.shortcuts = []
        for keys, slot in (
            ("Ctrl+1", self.show_counter),
            ("Ctrl+2", self.show_receipts),
            ("Ctrl+3", self.show_report),
            ("Ctrl+,", self.open_settings),
            ("Ctrl+Q", self.close),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            # One window per till: the shortcuts work whatever has the focus.
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(slot)
            self.shortcuts.append(shortcut)
        self.settings_button = QPushButton(self.tr("Settings…"), self)
        self.settings_button.setToolTip(
            self.tr("Shop, providers, credentials and language (Ctrl+,)")
        )
        self.settings_button.clicked.connect(self.open_settings)
        self.owner_button = QPushButton(self.tr("Owner…"), self)
        self.owner_button.setToolTip(self.tr("Reconcile the day, check the database, owner PIN"))
        self.owner_menu = QMenu(self.owner_button)
        self.reconcile_action = self.owner_menu.addAction(
            self.tr("Reconcile today…"), self.reconcile_today
        )
        self.reconcile_action.setEnabled(engine is not None)
        self.owner_menu.addAction(self.tr("Check the database"), self.verify_database)
        self.owner_menu.addAction(self.tr("Set or change the owner PIN…"), self.change_pin)
        self.owner_button.setMenu(self.owner_menu)
        corner = QWidget(self)
        corner_layout = QHBoxLayout(corner)
        corner_layout.setContentsMargins(0, 0, 0, 0)
        corner_layout.addWidget(self.owner_button)
        corner_layout.addWidget(self.settings_button)
        self.tabs.setCornerWidget(corner)
        self.settings: SettingsDialog | None = None
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.till_label = QLabel(
            f"{shop.till} · {country_name(shop.country, shop.effective_language)}"
        )
        self.statusBar().addPermanentWidget(self.till_label)
        # One line with the fix for this system (cli gives no problem in demo mode, where no
        # secret is needed); the tooltip has the whole message.
        self.keyring_label = QLabel(keyring_advice())
        self.keyring_label.setToolTip(keyring_problem or "")
        self.keyring_label.setVisible(keyring_problem is not None)
        self.statusBar().addWidget(self.keyring_label)
        self.open_label = QLabel()
        self.open_label.setObjectName("openPayments")
        self.statusBar().addPermanentWidget(self.open_label)
        self.health_label = QLabel()
        self.health_label.setObjectName("providerHealth")
        self.statusBar().addPermanentWidget(self.health_label)
        self._database = repository.file() or paths.data_dir() / paths.DATABASE_NAME
        self.disk_space = DiskSpaceLabel(
            self._database.parent, config.backup.free_space_floor_mb, self
        )
        self.statusBar().addWidget(self.disk_space)
        self._refresh_soon = QTimer(self)
        self._refresh_soon.setSingleShot(True)
        self._refresh_soon.setInterval(100)
        self._refresh_soon.timeout.connect(self.refresh)
        if engine is not None:
            # The engine calls back on the event loop's thread (qasync: the GUI thread).
            self._unsubscribe = engine.bus.subscribe(self.payment_changed.emit)
            self.payment_changed.connect(self._payment_changed)
            self._timer = QTimer(self)
            self._timer.timeout.connect(self._tick)
            self._timer.start(1000)
        for payment in repository.list_open():  # unfinished from before: show them
            self.cards.update_payment(payment)
        # Headless commands may charge or settle beside the window: their commits show here
        # within a second (SQLite's data_version moves only for other connections' commits).
        self._data_version = repository.data_version()
        self._others = QTimer(self)
        self._others.timeout.connect(self.notice_other_processes)
        self._others.start(500)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.panel is not None:
            self.panel.amount.setFocus()  # the cashier can type the amount straight away

    # -- engine glue --

    def _start(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled() or (error := task.exception()) is None:
            return
        if isinstance(error, StorageFault):
            log.warning("charge not sent: %s", error)  # foreseen: no traceback
            self._show_storage(error)
            if self.panel is not None:
                self.panel.error.setText(self.tr("Not sent: {0}").format(fault_words(error)))
            return
        if isinstance(error, ConfigurationProblem):  # foreseen: the owner fixes the settings
            log.warning("charge not sent: %s", error)
            self.refresh_health()
            if self.panel is not None:
                # The cashier's words on two lines; the owner's details on hover.
                show_error(
                    self.panel.error,
                    self.tr(
                        "Not sent, nothing charged: the provider refused this till's settings. "
                        "The owner must check them (Settings)."
                    ),
                )
                self.panel.error.setToolTip(error_text(error))
            return
        log.error("background work failed", exc_info=error)
        if self.panel is not None:
            self.panel.error.setText(error_text(error))

    def _charge(self, request: ChargeInput) -> None:
        assert self._engine is not None  # noqa: S101 - the panel exists only with an engine
        self._start(
            self._engine.charge(
                request.provider,
                request.amount,
                request.msisdn,
                external_id=request.reference,
                message=request.message,
            )
        )

    def _retry(self, payment: Payment) -> None:
        """Charge again: a new payment (new reference id) for the same sale, through the
        panel's amount guard like a typed charge."""
        request = ChargeInput(
            payment.provider,
            payment.amount,
            payment.msisdn,
            payment.external_id,
            payment.payer_message,
        )
        if self.panel is not None:
            self.panel.charge_again(request)

    def _add_receipt(self, reference_id: str, text: str) -> None:
        if self._engine is None:
            return
        try:
            self._engine.add_receipt(reference_id, text)
        except (ValidationError, StoreError) as exc:
            card = self.cards.cards.get(reference_id)
            if card is not None:
                card.show_error(error_text(exc))

    def _check_customer(self, msisdn: str) -> None:
        provider = self._till.providers.get("mtn") if self._till else None
        if isinstance(provider, MtnProvider) and self.panel is not None:
            self._start(self._lookup(provider, msisdn))

    async def _lookup(self, provider: MtnProvider, msisdn: str) -> None:
        assert self.panel is not None  # noqa: S101 - only called with a panel
        try:
            holder = await provider.account_holder(msisdn)
        except ProviderError:
            self.panel.show_customer(self.tr("Name check unavailable — you can still charge"))
            return
        if not holder.active:
            self.panel.show_customer(self.tr("⚠ No active MoMo account on this number"))
        else:
            self.panel.show_customer(self.tr("Account holder: {0}").format(holder.name or "?"))

    def _payment_changed(self, update: PaymentUpdate) -> None:
        unsaved = fault_words(update.unsaved) if update.unsaved else ""
        self.cards.update_payment(update.payment, unsaved)
        self._show_storage(update.unsaved)
        event = update.event
        if (
            self._config.shop.sound
            and event.to_status in OUTCOMES
            and event.from_status != event.to_status
        ):
            # The cashier may be looking at the customer, not the screen.
            QApplication.beep()
        # Totals and counts once per burst of updates, not once per update.
        if not self._refresh_soon.isActive():
            self._refresh_soon.start()

    def notice_other_processes(self) -> None:
        version = self._repository.data_version()
        if version == self._data_version:
            return
        self._data_version = version
        shown_open = [
            ref for ref, card in self.cards.cards.items() if card.payment.status in OPEN_STATES
        ]
        for payment in self._repository.list_open():
            self._show_card(payment.reference_id, payment)
        for reference_id in shown_open:
            self._show_card(reference_id, self._repository.get(reference_id))
        self.refresh()

    def _show_card(self, reference_id: str, stored: Payment) -> None:
        """A payment as it stands: what the engine holds unsaved comes before the file."""
        engine = self._engine
        if engine is not None and engine.kept(reference_id) and engine.storage_problem:
            words = fault_words(engine.storage_problem)
            self.cards.update_payment(engine.current(reference_id), words)
        else:
            self.cards.update_payment(stored)

    def come_forward(self) -> None:
        """Another start of pos-app on this till asked for this window."""
        log.info("another start of pos-app asked for this window: brought to the front")
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.show()
        self.raise_()
        self.activateWindow()

    def _timer_stop(self) -> None:
        # A timer firing after close would read a database that may be closed by then.
        self._refresh_soon.stop()
        self._others.stop()
        self.disk_space.stop()
        timer = getattr(self, "_timer", None)
        if timer is not None:
            timer.stop()

    # -- owner actions (each behind the owner's PIN) --

    def as_owner(self, purpose: str, then: Callable[[], None]) -> None:
        """Ask for the owner's PIN; `then` runs once the right one is entered."""
        dialog = PinDialog(self.owner, purpose, self)
        dialog.unlocked.connect(then)
        self._show_owner_dialog(dialog)

    def _show_owner_dialog(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()  # not exec(): a nested loop would stall the engine's tasks
        self.owner_dialog = dialog

    def open_settings(self) -> None:
        if self.settings is not None and self.settings.isVisible():
            self.settings.raise_()
            return
        self.as_owner("settings", self._open_settings)

    def _open_settings(self) -> None:
        path = self._config.path or config_path()[0]
        self.settings = SettingsDialog(self._saved_config, path, parent=self)
        self.settings.saved.connect(self._settings_saved)
        self.settings.finished.connect(self._settings_closed)
        self.settings.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.settings.open()

    def _settings_saved(self, config: Config) -> None:
        # The till keeps running on the config it started with; the dialog shows what was saved.
        self._saved_config = config
        self.owner.record("settings saved")

    def change_pin(self) -> None:
        if not self.owner.has_pin():
            self.as_owner("set PIN", lambda: None)  # the dialog itself sets the first PIN
            return
        self.as_owner("change PIN", self._choose_new_pin)

    def _choose_new_pin(self) -> None:
        self._show_owner_dialog(NewPinDialog(self.owner, self))

    def verify_database(self) -> None:
        # Reading back every event of a large file takes seconds: beside the window.
        self.as_owner(
            "verify", lambda: self.reads.submit(lambda reader: reader.verify(), self._show_verdict)
        )

    def _show_verdict(self, verdict: Verdict) -> None:
        self.owner.record("verify", {"intact": verdict.intact})
        box = QMessageBox(
            QMessageBox.Icon.Information if verdict.intact else QMessageBox.Icon.Critical,
            self.tr("Check the database"),
            self.tr("History intact: {0} events, {1} payments, {2} owner actions.").format(
                verdict.events, verdict.payments, verdict.owner_actions
            )
            if verdict.intact
            else self.tr("The database was changed outside pos-app: {0}").format(verdict.problem),
            QMessageBox.StandardButton.Ok,
            self,
        )
        self._show_owner_dialog(box)

    def reconcile_today(self) -> None:
        self.as_owner("reconcile day", lambda: self._start(self._reconcile()))

    async def _reconcile(self) -> None:
        assert self._engine is not None  # noqa: S101 - the action is enabled only with one
        tz = self._config.zone()
        day = datetime.now(tz).date()
        findings = await self._engine.reconcile_day(day, tz)
        self.owner.reconciled(day, findings)
        self._show_owner_dialog(FindingsDialog(findings, self._config.shop.effective_locale, self))

    def export_report(self, fmt: str) -> None:
        """The day shown in the report view as CSV or PDF, behind the PIN."""
        day, till = self.report.selected_day(), self.report.till.currentData()
        self.as_owner("export", lambda: self._ask_export_path(day, till, fmt))

    def _ask_export_path(self, day: date, till: str | None, fmt: str) -> None:
        dialog = QFileDialog(
            self,
            self.tr("Save the day's report"),
            f"pos-app-{day.isoformat()}.{fmt}",
            "CSV (*.csv)" if fmt == "csv" else "PDF (*.pdf)",
        )
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(fmt)
        dialog.fileSelected.connect(lambda name: self.export_to(Path(name), day, till, fmt))
        self._show_owner_dialog(dialog)

    def export_to(self, path: Path, day: date, till: str | None, fmt: str) -> None:
        """Read the day beside the window; a CSV is written there too, a PDF is laid out here
        (Qt's text layout belongs to the window's thread)."""
        self.owner.exported(day, fmt, till)
        tz, shop = self._config.zone(), self._config.shop
        if fmt == "csv":
            self.reads.submit(
                lambda repo: _attempt(
                    lambda: _save_csv(path, repo.each(day_filter(day, tz, till)))
                ),
                lambda problem: self._exported(path, problem),
            )
            return

        def save(report: DayReport) -> None:
            html = report_html(report, shop, tz)
            self._exported(path, _attempt(lambda: save_report_pdf(path, html)))

        self.reads.submit(lambda repo: load(repo, day, tz, till), save)

    def _exported(self, path: Path, problem: str | None) -> None:
        if problem is None:
            self.statusBar().showMessage(self.tr("Saved {0}").format(path), 15000)
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Save the day's report"),
            self.tr("Could not save {0}: {1}").format(path, problem),
            QMessageBox.StandardButton.Ok,
            self,
        )
        self._show_owner_dialog(box)

    def request_refund(self, original: Payment) -> None:
        self.as_owner("refund", lambda: self._open_refund(original))

    def _open_refund(self, original: Payment) -> None:
        fresh = self._repository.get(original.reference_id)
        left = refundable(fresh, self._repository.refunds_of(fresh.reference_id))
        dialog = RefundDialog(fresh, left, self._config.shop.effective_locale, self)
        dialog.requested.connect(
            lambda p, amount, note: self._start(self._refund(dialog, p, amount, note))
        )
        self._show_owner_dialog(dialog)

    async def _refund(
        self, dialog: RefundDialog, original: Payment, amount: Money, note: str
    ) -> None:
        assert self._engine is not None  # noqa: S101 - refunds are offered only with one
        try:
            refund = await self._engine.refund(original.reference_id, amount, note)
        except (ValidationError, ProviderError) as exc:
            dialog.refused(exc)
            return
        self.owner.refunded(refund)
        dialog.accept()
        self.show_counter()  # the refund's card shows how it goes

    def request_resolve(self, payment: Payment) -> None:
        self.as_owner("resolve", lambda: self._open_resolve(payment))

    def _open_resolve(self, payment: Payment) -> None:
        dialog = ResolveDialog(payment, self._config.shop.effective_locale, self)
        dialog.resolved.connect(lambda ref, code: self._resolve(dialog, ref, code))
        self._show_owner_dialog(dialog)

    def _resolve(self, dialog: ResolveDialog, reference_id: str, code: str | None) -> None:
        assert self._engine is not None  # noqa: S101 - offered only with an engine
        try:
            resolved = self._engine.resolve(reference_id, code)
        except (ValidationError, StoreError) as exc:
            dialog.refused(exc)
            return
        self.owner.resolved(resolved, code)
        dialog.accept()

    def _settings_closed(self) -> None:
        self.settings = None

    def show_counter(self) -> None:
        self.tabs.setCurrentIndex(0)

    def show_receipts(self) -> None:
        self.tabs.setCurrentWidget(self.receipts)

    def show_report(self) -> None:
        self.tabs.setCurrentWidget(self.report)

    def _tab_changed(self, index: int) -> None:
        shown = self.tabs.widget(index)
        if shown is self.receipts:
            self.receipts.apply_filter()  # a fresh look each time
        elif shown is self.report:
            self.report.refresh()
        elif self.panel is not None:
            self.panel.amount.setFocus()

    def _open_receipt(self, payment: Payment) -> None:
        tz = self._config.zone()
        fresh = self._repository.get(payment.reference_id)
        dialog = ReceiptDetail(
            fresh,
            self._repository,
            self._config.shop,
            tz,
            self,
            owner_tools=self._engine is not None,
            demo=self._demo,
        )
        dialog.refund_requested.connect(self.request_refund)
        dialog.resolve_requested.connect(self.request_resolve)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()  # not exec(): a nested loop would stall the engine's tasks
        self.detail = dialog

    def _tick(self) -> None:
        self.cards.tick()
        self.refresh_health()
        fault = self.storage_banner.fault
        engine_clear = self._engine is None or self._engine.storage_problem is None
        if fault is not None and engine_clear and lifted(fault, self._database):
            self._storage_cleared()

    def _show_storage(self, fault: StorageFault | None) -> None:
        """The banner while receipts cannot be saved: a charge refused for it (`fault`) or
        outcomes the engine holds in memory; cleared by the first write that succeeds."""
        kept = len(self._engine.unsaved()) if self._engine is not None else 0
        problem = (self._engine.storage_problem if self._engine is not None else None) or fault
        if problem is not None:
            self.storage_banner.show_fault(problem, kept)
            self.disk_space.check()
        elif self.storage_banner.fault is not None:
            self._storage_cleared()

    def _storage_cleared(self) -> None:
        self.storage_banner.clear()
        self.disk_space.check()
        if self.panel is not None:
            self.panel.error.clear()  # "Not sent: disk full" is over

    # -- status --

    def refresh(self) -> None:
        """Today's takings and the unfinished count, read beside the window."""
        tz = self._config.zone()
        day = datetime.now(tz).date()
        unfinished = PaymentFilter(statuses=OPEN_STATES)
        self.reads.submit(
            lambda repo: (repo.daily_totals(day, tz), repo.count(unfinished)), self._show_counts
        )
        if self.tabs.currentWidget() is self.report and self.report.selected_day() == day:
            self.report.refresh()  # today's report, live while the owner looks at it
        self.refresh_health()

    def refresh_health(self) -> None:
        if self._engine is None:
            self.health_label.setText("")
            return
        names = {"mtn": "MTN", "mpesa": "M-Pesa"}
        parts, problems = [], []
        for name, health in self._engine.health().items():
            if health.reachable:
                state = self.tr("OK")
            elif health.circuit == "closed":
                # Answering, but refusing this till (keys, environment): the owner must act.
                state = self.tr("settings to check")
                problems.append(health.message)
            elif health.circuit == "open":
                state = self.tr("unreachable (paused)")
            else:
                state = self.tr("unreachable")
            parts.append(f"{names[name]} {state}")
        self.health_label.setText(" · ".join(parts))
        self.health_label.setToolTip("\n".join(problems))

    def _show_counts(self, counts: tuple[list[Total], int]) -> None:
        totals, unfinished = counts
        self.open_label.setText(self.tr("{0} unfinished").format(unfinished))
        paid = [t for t in totals if t.received]
        locale = self._config.shop.effective_locale
        if not paid:
            self.today_label.setText(self.tr("Today: no payments received yet"))
            return
        parts = [self.tr("{0} ({1} paid)").format(t.amount.format(locale), t.count) for t in paid]
        refunds = [t for t in totals if t.refund and t.status == PaymentStatus.SUCCESSFUL]
        if refunds:
            amounts = ", ".join(t.amount.format(locale) for t in refunds)
            parts.append(self.tr("refunded {0}").format(amounts))
        self.today_label.setText(self.tr("Today: {0}").format(", ".join(parts)))

    def _refuse_close(self, kept: int, fault: StorageFault | None) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("pos-app keeps running"),
            self.tr(
                "{0} payment outcome(s) could not be saved yet ({1}) and exist only in this "
                "window. pos-app saves them as soon as the disk takes them; close it after that."
            ).format(kept, fault_words(fault) if fault else ""),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("refusedClose")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # not exec(): the engine keeps saving meanwhile
        self.refused_close = box

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._engine is not None and self._engine.unsaved():
            # Those outcomes exist only in this process: quitting would lose them.
            event.ignore()
            self._refuse_close(len(self._engine.unsaved()), self._engine.storage_problem)
            return
        # The engine may outlive the window: it must not keep calling into deleted widgets.
        self._unsubscribe()
        self._timer_stop()
        self.reads.close()
        for task in self._tasks:
            task.cancel()
        self.closed.emit()
        super().closeEvent(event)
