"""The main window. For now: who and where we are, demo banner, today's takings."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from pos_app.config import Config
from pos_app.domain.payment import PaymentStatus
from pos_app.store import PaymentRepository

DEMO_TEXT = "DEMO — no real money moves"


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(
        self,
        config: Config,
        repository: PaymentRepository,
        *,
        demo: bool,
        keyring_problem: str | None = None,
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
        self.refresh_today()

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
