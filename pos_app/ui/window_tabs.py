"""The window's tabs: the counter first; the receipts and the day's report are made when they
are first shown or asked for. They are not on the first screen: their modules (the table,
QtCharts) and widgets would only slow the window's start."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from pos_app.domain.payment import Payment
    from pos_app.platform.config import Config
    from pos_app.store import PaymentRepository
    from pos_app.ui.background_reads import BackgroundReads
    from pos_app.ui.charge_panel import ChargePanel
    from pos_app.ui.owner_actions import OwnerActions
    from pos_app.ui.receipt_printing import ReceiptPrinting
    from pos_app.ui.receipts import ReceiptsView
    from pos_app.ui.report_view import ReportView


class LazyPage(QWidget):
    """A tab's page whose view is made when it is first shown or asked for."""

    def __init__(self, make: Callable[[QWidget], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._make = make
        self._view: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def view(self) -> QWidget:
        if self._view is None:
            self._view = self._make(self)
            self._layout.addWidget(self._view)
            self._view.show()  # with the page: Qt would show a child added now only later
        return self._view

    def showEvent(self, event: QShowEvent) -> None:
        self.view()
        super().showEvent(event)


class WindowTabs:
    """The main window's part that knows its tabs (mixed into MainWindow)."""

    tabs: QTabWidget
    receipts_page: LazyPage
    report_page: LazyPage
    reads: BackgroundReads
    printing: ReceiptPrinting
    owner_actions: OwnerActions
    panel: ChargePanel | None
    _config: Config
    _repository: PaymentRepository
    _open_receipt: Callable[[Payment], None]

    def add_lazy_tabs(self, receipts_title: str, report_title: str) -> None:
        self.receipts_page = LazyPage(self._make_receipts, self.tabs)
        self.tabs.addTab(self.receipts_page, receipts_title)
        self.report_page = LazyPage(self._make_report, self.tabs)
        self.tabs.addTab(self.report_page, report_title)

    def show_counter(self) -> None:
        self.tabs.setCurrentIndex(0)

    def show_receipts(self) -> None:
        self.tabs.setCurrentWidget(self.receipts_page)

    def show_report(self) -> None:
        self.tabs.setCurrentWidget(self.report_page)

    @property
    def receipts(self) -> ReceiptsView:
        return cast("ReceiptsView", self.receipts_page.view())

    @property
    def report(self) -> ReportView:
        return cast("ReportView", self.report_page.view())

    def showing_report(self) -> bool:
        return self.tabs.currentWidget() is self.report_page

    def _make_receipts(self, page: QWidget) -> ReceiptsView:
        from pos_app.ui.receipts import ReceiptsView

        shop = self._config.shop
        receipts = ReceiptsView(
            self._repository, shop.effective_locale, self._config.zone(), page, self.reads,
            region=shop.country,
        )  # fmt: skip
        receipts.opened.connect(self._open_receipt)
        return receipts

    def _make_report(self, page: QWidget) -> ReportView:
        from pos_app.ui.report_view import ReportView

        report = ReportView(self.reads, self._config.shop, self._config.zone(), page)
        self.printing.follow_report(report)
        self.owner_actions.follow_report(report)
        return report

    def _tab_changed(self, index: int) -> None:
        shown = self.tabs.widget(index)
        if shown is self.receipts_page:
            self.receipts.apply_filter()  # a fresh look each time
        elif shown is self.report_page:
            self.report.refresh()
        elif self.panel is not None:
            self.panel.amount.setFocus()
