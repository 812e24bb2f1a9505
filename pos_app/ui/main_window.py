"""The cashier's window: the counter, the receipts and the day's report in tabs, the owner's
buttons in their corner, the till's state in the status bar; live payments followed from the
engine and from other processes writing the same file."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.app.till import Till
from pos_app.domain.payment import OPEN_STATES, Payment, PaymentStatus
from pos_app.engine.engine import PaymentEngine
from pos_app.engine.events import PaymentUpdate
from pos_app.platform import paths
from pos_app.platform.config import Config
from pos_app.providers.base import ConfigurationProblem
from pos_app.store import PaymentRepository, StorageFault
from pos_app.store.repository import PaymentFilter, Total
from pos_app.ui import provider_facts, theme
from pos_app.ui.background_reads import BackgroundReads
from pos_app.ui.counter import CounterTab
from pos_app.ui.hub_status import HubStatusLabel
from pos_app.ui.owner_actions import OwnerActions
from pos_app.ui.receipt_printing import ReceiptPrinting
from pos_app.ui.storage_status import DiskSpaceLabel, StorageBanner, fault_words, lifted
from pos_app.ui.texts import country_name, keyring_advice
from pos_app.ui.window_tabs import WindowTabs

if TYPE_CHECKING:
    from pos_app.ui.receipts import ReceiptDetail

log = logging.getLogger(__name__)
# Outcomes the cashier hears about (a beep); a late correction is heard again.
OUTCOMES = frozenset(
    {PaymentStatus.SUCCESSFUL, PaymentStatus.FAILED, PaymentStatus.EXPIRED, PaymentStatus.UNKNOWN}
)
DEMO_TEXT = str(QT_TRANSLATE_NOOP("MainWindow", "DEMO — no real money moves"))


class MainWindow(WindowTabs, QMainWindow):
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
        self._repository = repository
        self._engine = engine
        self._till = till
        self._demo = demo
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unsubscribe: Callable[[], None] = lambda: None
        self.detail: ReceiptDetail | None = None
        self.refused_close: QMessageBox | None = None
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
        self.counter = CounterTab(shop, till, engine, self._start, self.tabs)
        self.counter.receipt_requested.connect(self._open_receipt)
        self.panel, self.cards = self.counter.panel, self.counter.cards
        self.today_label = self.counter.today_label
        self.tabs.addTab(self.counter, self.tr("Counter (Ctrl+1)"))
        self.reads = BackgroundReads(repository, self)
        self.printing = ReceiptPrinting(config, repository, demo=demo, parent=self)
        self.printing.follow(self.cards, self.payment_changed)
        self.owner_actions = OwnerActions(
            self,
            config,
            repository,
            reads=self.reads,
            engine=engine,
            start=self._start,
            show_counter=self.show_counter,
            hub=till.link.client if till and till.link else None,
            printing=self.printing,
        )
        self.owner = self.owner_actions.gate
        # After the printing and the owner's actions: the report's tab joins them when made.
        self.add_lazy_tabs(self.tr("Receipts (Ctrl+2)"), self.tr("Day report (Ctrl+3)"))
        self.tabs.setCornerWidget(self.owner_actions.buttons(self))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.shortcuts = []
        for keys, slot in (
            ("Ctrl+1", self.show_counter),
            ("Ctrl+2", self.show_receipts),
            ("Ctrl+3", self.show_report),
            ("Ctrl+,", self.owner_actions.open_settings),
            ("Ctrl+Q", self.close),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            # One window per till: the shortcuts work whatever has the focus.
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(slot)
            self.shortcuts.append(shortcut)
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
        self.hub_label = HubStatusLabel(till.link if till else None, self)
        self.statusBar().addPermanentWidget(self.hub_label)
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
        elif isinstance(error, ConfigurationProblem):  # foreseen: the owner fixes the settings
            log.warning("charge not sent: %s", error)
            self.refresh_health()
        else:
            log.error("background work failed", exc_info=error)
        self.counter.not_sent(error)

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
        still_open = {p.reference_id: p for p in self._repository.list_open()}
        for reference_id, card in self.cards.cards.items():
            if card.payment.status in OPEN_STATES and reference_id not in still_open:
                # Settled elsewhere: read once, as it stands now.
                still_open[reference_id] = self._repository.get(reference_id)
        for reference_id, payment in still_open.items():
            self._show_card(reference_id, payment)
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

    def _open_receipt(self, payment: Payment) -> None:
        fresh, paper = self._repository.get(payment.reference_id), self.printing
        tools = self._engine is not None
        from pos_app.ui.receipts import ReceiptDetail

        dialog = ReceiptDetail(
            fresh, self._repository, paper.shop, paper.tz, self, owner_tools=tools, demo=paper.demo
        )
        dialog.print_requested.connect(paper.print_payment)
        dialog.print_button.setVisible(paper.can_print)
        dialog.refund_requested.connect(self.owner_actions.request_refund)
        dialog.resolve_requested.connect(self.owner_actions.request_resolve)
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
            was = self.storage_banner.fault
            self.storage_banner.show_fault(problem, kept)
            if type(was) is not type(problem):  # once per fault, not on every update it holds
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
        if self.showing_report() and self.report.selected_day() == day:
            self.report.refresh()  # today's report, live while the owner looks at it
        self.refresh_health()

    def refresh_health(self) -> None:
        if self._engine is None:
            self.health_label.setText("")
            return
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
            parts.append(f"{provider_facts.short_name(name)} {state}")
        self.health_label.setText(" · ".join(parts))
        self.health_label.setToolTip("\n".join(problems))

    def _show_counts(self, counts: tuple[list[Total], int]) -> None:
        totals, unfinished = counts
        self.open_label.setText(self.tr("{0} unfinished").format(unfinished))
        self.counter.show_today(totals)

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
        self.printing.close()
        for task in self._tasks:
            task.cancel()
        self.closed.emit()
        super().closeEvent(event)
