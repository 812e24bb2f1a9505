"""The main window. For now: who and where we are, demo banner, today's takings."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from pos_app.config import Config
from pos_app.domain.payment import PaymentStatus
from pos_app.engine.engine import PaymentEngine
from pos_app.store import PaymentRepository

DEMO_TEXT = "DEMO — no real money moves"


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
    ) -> None:
        super().__init__()
        self._config = config
        self._repository = repository
        shop = config.shop
        self.setWindowTitle(f"pos-app — {shop.name} — {shop.till}" + (" — DEMO" if demo else ""))
        self.setMinimumSize(800, 560)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.demo_banner = QLabel(DEMO_TEXT, central)
        self.demo_banner.setObjectName("demoBanner")
        self.demo_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_banner.setStyleSheet(
            "background:#b45309;color:white;font-weight:bold;font-size:16px;padding:8px;"
        )
        self.demo_banner.setVisible(demo)
        layout.addWidget(self.demo_banner)

        heading = QLabel(shop.name, central)
        heading.setStyleSheet("font-size:28px;font-weight:bold;")
        layout.addWidget(heading)
        self.today_label = QLabel(central)
        self.today_label.setObjectName("todaySummary")
        self.today_label.setStyleSheet("font-size:18px;")
        layout.addWidget(self.today_label)
        layout.addStretch(1)
        self.setCentralWidget(central)

        self.till_label = QLabel(f"{shop.till} · {shop.country_info.name}")
        self.statusBar().addPermanentWidget(self.till_label)
        self.keyring_label = QLabel("No secure keyring: secrets only from the environment")
        self.keyring_label.setToolTip(keyring_problem or "")
        self.keyring_label.setVisible(keyring_problem is not None)
        self.statusBar().addWidget(self.keyring_label)
        self.open_label = QLabel()
        self.open_label.setObjectName("openPayments")
        self.statusBar().addPermanentWidget(self.open_label)
        self.health_label = QLabel()
        self.health_label.setObjectName("providerHealth")
        self.statusBar().addPermanentWidget(self.health_label)
        self._engine = engine
        if engine is not None:
            # The engine calls back on the event loop's thread (qasync: the GUI thread).
            engine.bus.subscribe(lambda update: self.payment_changed.emit(update))
            self.payment_changed.connect(self.refresh)
            self._health_timer = QTimer(self)
            self._health_timer.timeout.connect(self.refresh_health)
            self._health_timer.start(2000)
        self.refresh()

    def refresh(self, *_: object) -> None:
        self.refresh_today()
        self.open_label.setText(f"{len(self._repository.list_open())} unfinished")
        self.refresh_health()

    def refresh_health(self) -> None:
        if self._engine is None:
            self.health_label.setText("")
            return
        names = {"mtn": "MTN", "mpesa": "M-Pesa"}
        parts = [
            f"{names[name]} {'OK' if health.reachable else 'unreachable'}"
            + (" (paused)" if health.circuit == "open" else "")
            for name, health in self._engine.health().items()
        ]
        self.health_label.setText(" · ".join(parts))

    def refresh_today(self) -> None:
        tz = self._config.timezone() or datetime.now().astimezone().tzinfo or UTC
        totals = self._repository.daily_totals(datetime.now(tz).date(), tz)
        paid = [t for t in totals if t.status == PaymentStatus.SUCCESSFUL]
        locale = self._config.shop.effective_locale
        if not paid:
            self.today_label.setText("Today: no payments received yet")
            return
        parts = [f"{t.amount.format(locale)} ({t.count} paid)" for t in paid]
        self.today_label.setText("Today: " + ", ".join(parts))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)
